"""Many rows in one statement, inside the caller's transaction: the bulk import's writes.

Piccolo builds a Table object per inserted row and a query per call; a caseload import writes
some thirty rows a person (person, case, plan, check-ins, reminders, audit), so it goes
around the ORM here: multi-row ``INSERT ... VALUES (...), (...)`` on the transaction's own
connection (asyncpg or aiosqlite), chunked under each driver's limit of parameters. Values
go to the driver as Piccolo would send them: JSON as text, and on SQLite Piccolo's own
adapters (registered on the sqlite3 module) turn dates, instants and Decimals into the text
Piccolo stores, so rows written here read back exactly like the ORM's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from piccolo.columns import JSON, JSONB
from piccolo.table import Table

from reporting_api.db import is_postgres

MAX_PARAMETERS = 30_000
"""Below asyncpg's 32,767 and SQLite's 32,766 parameters a statement."""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _connection(table: type[Table]) -> tuple[Any, bool]:
    engine = table._meta.db
    current = engine.current_transaction.get()
    if current is None:
        raise RuntimeError("bulk_rows writes inside store.transaction() only")
    return current.connection, is_postgres(engine)


async def insert_many(
    table: type[Table],
    rows: Sequence[Mapping[str, Any]],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (each with the same keys: the columns given; the others take their
    defaults) and return the ``returning`` columns of each new row, as tuples in that
    order (the rows in no particular order: match them by a key of the row)."""
    if not rows:
        return []
    connection, postgres = _connection(table)
    if postgres:
        return await _copy(connection, table, rows, returning)
    columns = list(rows[0])
    width = len(columns)
    per_statement = max(1, MAX_PARAMETERS // width)
    head = (
        f"INSERT INTO {_quoted(table._meta.tablename)} "
        f"({', '.join(_quoted(c) for c in columns)}) VALUES "
    )
    tail = f" RETURNING {', '.join(_quoted(c) for c in returning)}" if returning else ""
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), per_statement):
        part = rows[start : start + per_statement]
        args = [_value(row[c]) for row in part for c in columns]
        if postgres:
            groups = ", ".join(
                "(" + ", ".join(f"${i * width + j + 1}" for j in range(width)) + ")"
                for i in range(len(part))
            )
            sql = head + groups + tail
            if returning:
                found += [
                    tuple(r[c] for c in returning) for r in await connection.fetch(sql, *args)
                ]
            else:
                await connection.execute(sql, *args)
        else:
            one = "(" + ", ".join("?" * width) + ")"
            sql = head + ", ".join([one] * len(part)) + tail
            cursor = await connection.execute(sql, args)
            if returning:
                # Piccolo's SQLite connections hand rows out as dicts already.
                found += [
                    tuple(r[c] for c in returning) if isinstance(r, Mapping) else tuple(r)
                    for r in await cursor.fetchall()
                ]
            await cursor.close()
    return found


async def _copy(
    connection: Any,
    table: type[Table],
    rows: Sequence[Mapping[str, Any]],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """PostgreSQL: COPY, the fastest way in. New ids (when asked for) are drawn from the
    table's sequence first, as the column's default would draw them, and written with the
    rows; the other returned columns are the rows' own values."""
    name = table._meta.tablename
    columns = list(rows[0])
    as_json = [c for c in columns if isinstance(table._meta.get_column_by_name(c), (JSON, JSONB))]
    if as_json:
        records = [tuple(_value(row[c]) for c in columns) for row in rows]
    else:
        records = [tuple(row[c] for c in columns) for row in rows]
    if "id" in returning:
        ids = [
            r[0]
            for r in await connection.fetch(
                "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)",
                name,
                len(rows),
            )
        ]
        columns = ["id", *columns]
        records = [(new_id, *record) for new_id, record in zip(ids, records, strict=True)]
    await connection.copy_records_to_table(name, records=records, columns=columns)
    if not returning:
        return []
    at = [columns.index(c) for c in returning]
    return [tuple(record[i] for i in at) for record in records]


async def update_many(table: type[Table], key: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """``UPDATE table SET ... WHERE key = ...`` for each row (the same keys in each: ``key``
    and the columns to set), as one prepared statement run for every row."""
    if not rows:
        return
    connection, postgres = _connection(table)
    columns = [c for c in rows[0] if c != key]
    if postgres:
        sets = ", ".join(f"{_quoted(c)} = ${i + 1}" for i, c in enumerate(columns))
        sql = (
            f"UPDATE {_quoted(table._meta.tablename)} SET {sets} "
            f"WHERE {_quoted(key)} = ${len(columns) + 1}"
        )
        await connection.executemany(
            sql, [[_value(r[c]) for c in columns] + [r[key]] for r in rows]
        )
    else:
        sets = ", ".join(f"{_quoted(c)} = ?" for c in columns)
        sql = f"UPDATE {_quoted(table._meta.tablename)} SET {sets} WHERE {_quoted(key)} = ?"
        await connection.executemany(
            sql, [[_value(r[c]) for c in columns] + [r[key]] for r in rows]
        )
