"""Bulk writers for the demo seeder: COPY on PostgreSQL, executemany on SQLite.

The seeder's rows carry explicit ids (a check-in names its case before either is stored), so
they go around the ORM in chunks, one transaction each, with the tables to ourselves while the
ids are handed out: COPY through asyncpg on PostgreSQL, ``executemany`` through the stdlib
``sqlite3`` on SQLite. A row is a plain tuple in its table's column order (``LOAD_COLUMNS``):
a million of them are built per run, and a tuple costs a fifth of a NamedTuple.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol, get_args
from urllib.parse import urlsplit

# Imported for its side effect too: Piccolo registers the sqlite3 adapters it writes with
# (aware datetime -> UTC str(), date -> ISO, Decimal -> float, bool -> 0/1), so rows written
# here through the stdlib driver are stored exactly as Piccolo stores them and read back alike.
import piccolo.engine.sqlite  # noqa: F401

from reporting_api.db import BadDatabaseUrl

TableName = Literal[
    "defendant", "bail_case", "reporting_plan", "check_in", "flag", "verification_attempt"
]  # fmt: skip
LOADED_TABLES: tuple[TableName, ...] = get_args(TableName)
"""The tables a batch writes, in the order they are written (a row's references first)."""

DefendantLoad = tuple[
    int, str, str, str, str, str | None, str | None, date, str, str, bool, int,
    datetime, str, datetime, datetime, str,
]  # fmt: skip
BailCaseLoad = tuple[
    int, int, int, int | None, str, str, str | None, str, Decimal, str | None, date, str,
    date | None, str, str | None, datetime | None, datetime, datetime,
]  # fmt: skip
PlanLoad = tuple[int, int, str, int | None, str, date, date, int, int, int | None, datetime]
CheckInLoad = tuple[
    int, int, int, date, date, str | None, datetime, datetime, datetime, str, str | None,
    datetime | None, int | None, str | None, datetime, datetime,
]  # fmt: skip
FlagLoad = tuple[
    int, str, int, int | None, int, str, str, str, datetime, datetime | None, int | None,
    str | None, datetime | None, int | None, str | None,
]  # fmt: skip
AttemptLoad = tuple[
    int, int, int, int, str, str, str, str, str, str, str, bool, datetime, datetime, datetime,
    int | None, datetime | None, str | None, str | None, str, int,
]  # fmt: skip

# The columns of each row type, in tuple order (tests/db/test_demo.py checks they match);
# anything left out takes its default (the ID photo: NULL). A plan's `dates` is JSON text, as
# Piccolo writes it.
LOAD_COLUMNS: dict[TableName, tuple[str, ...]] = {
    "defendant": (
        "id", "national_id", "title_th", "first_name_th", "last_name_th", "first_name_en",
        "last_name_en", "date_of_birth", "phone", "preferred_language", "sms_opt_out", "office",
        "consent_at", "consent_version", "created_at", "updated_at", "sex",
    ),
    "bail_case": (
        "id", "defendant", "office", "officer", "court", "black_case_number", "red_case_number",
        "charge", "bail_amount", "fund_request_ref", "release_date", "conditions",
        "next_court_date", "status", "closing_outcome", "closed_at", "created_at", "updated_at",
    ),
    "reporting_plan": (
        "id", "case", "kind", "every_days", "dates", "start_date", "end_date",
        "window_opens_days_before", "grace_days", "updated_by", "updated_at",
    ),
    "check_in": (
        "id", "case", "office", "due_date", "nominal_date", "moved_reason", "opens_at", "due_at",
        "closes_at", "status", "method", "completed_at", "recorded_by", "note", "created_at",
        "updated_at",
    ),
    "flag": (
        "id", "kind", "case", "check_in", "office", "severity", "detail", "dedupe_key",
        "raised_at", "acknowledged_at", "acknowledged_by", "acknowledge_note", "resolved_at",
        "resolved_by", "resolution_note",
    ),
    "verification_attempt": (
        "id", "check_in", "case", "office", "idempotency_key", "state", "media_kind", "decision",
        "outcome", "scores", "client", "needs_review", "created_at", "completed_at",
        "result_told_at", "reviewed_by", "reviewed_at", "review_decision", "review_note",
        "reasons", "tries",
    ),
}  # fmt: skip


class TablesMissing(ValueError):
    """The database has not been migrated: a table the loader reads is not there."""


@dataclass(frozen=True)
class OfficeBrief:
    """An office as the seeder needs it."""

    id: int
    code: str
    name_th: str
    province_th: str | None
    is_central: bool


@dataclass
class LoadBatch:
    """One chunk's rows, and the last id used in each table (explicit ids tie them together)."""

    last_id: dict[TableName, int]
    defendant: list[DefendantLoad] = field(default_factory=list)
    bail_case: list[BailCaseLoad] = field(default_factory=list)
    reporting_plan: list[PlanLoad] = field(default_factory=list)
    check_in: list[CheckInLoad] = field(default_factory=list)
    flag: list[FlagLoad] = field(default_factory=list)
    verification_attempt: list[AttemptLoad] = field(default_factory=list)

    def next_id(self, table: TableName) -> int:
        self.last_id[table] += 1
        return self.last_id[table]

    def rows(self) -> dict[TableName, Sequence[tuple[Any, ...]]]:
        """Each table's rows, in `LOADED_TABLES` order."""
        return {
            "defendant": self.defendant,
            "bail_case": self.bail_case,
            "reporting_plan": self.reporting_plan,
            "check_in": self.check_in,
            "flag": self.flag,
            "verification_attempt": self.verification_attempt,
        }


MakeBatch = Callable[[dict[TableName, int]], LoadBatch]
"""Builds a batch from the last id stored in each table; called inside the write transaction."""


class BulkWriter(Protocol):
    async def list_offices(self) -> list[OfficeBrief]:
        """Every office, by code; `TablesMissing` if the database is not migrated."""
        ...

    async def national_ids_present(self, national_ids: Sequence[str]) -> set[str]:
        """Those of ``national_ids`` that a stored defendant has."""
        ...

    async def write_batch(self, make: MakeBatch) -> LoadBatch:
        """Write the rows ``make`` builds in one transaction, no other writer in between."""
        ...

    async def refresh_statistics(self) -> None:
        """Bring the planner's statistics up to date after a large load."""
        ...


@asynccontextmanager
async def open_bulk_writer(url: str) -> AsyncIterator[BulkWriter]:
    """A bulk writer on one connection to ``url`` (a DATABASE_URL), closed on leaving."""
    writer: _CopyWriter | _ExecutemanyWriter
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql"):
        writer = await _CopyWriter.connect(url)
    else:
        path = url.removeprefix("sqlite:///")
        if scheme != "sqlite" or not path or path == url:
            raise BadDatabaseUrl(f"DATABASE_URL {url!r}: use sqlite:///path or postgresql://...")
        writer = _ExecutemanyWriter(path)
    try:
        yield writer
    finally:
        await writer.close()


_OFFICES = "SELECT id, code, name_th, province_th, is_central FROM office ORDER BY code"


class _CopyWriter:
    """PostgreSQL: COPY over one asyncpg connection."""

    def __init__(self, conn: Any, sequences: dict[TableName, str]) -> None:
        self.conn, self.sequences = conn, sequences

    @classmethod
    async def connect(cls, url: str) -> _CopyWriter:
        import asyncpg

        conn = await asyncpg.connect(url)
        sequences: dict[TableName, str] = {
            t: await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", t)
            for t in LOADED_TABLES
        }
        return cls(conn, sequences)

    async def close(self) -> None:
        await self.conn.close()

    async def list_offices(self) -> list[OfficeBrief]:
        from asyncpg.exceptions import UndefinedTableError

        try:
            rows = await self.conn.fetch(_OFFICES)
        except UndefinedTableError as error:
            raise TablesMissing(str(error)) from None
        return [OfficeBrief(*r) for r in rows]

    async def national_ids_present(self, national_ids: Sequence[str]) -> set[str]:
        rows = await self.conn.fetch(
            "SELECT national_id FROM defendant WHERE national_id = ANY($1::varchar[])",
            list(national_ids),
        )
        return {r[0] for r in rows}

    async def write_batch(self, make: MakeBatch) -> LoadBatch:
        async with self.conn.transaction():
            # Explicit ids need the tables to ourselves: other writers wait, readers do not.
            tables = ", ".join(LOADED_TABLES)
            await self.conn.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
            batch = make(await self._last_ids())
            for table, rows in batch.rows().items():
                if rows:
                    await self._copy_rows(table, rows, batch.last_id[table])
        return batch

    async def _last_ids(self) -> dict[TableName, int]:
        last_id: dict[TableName, int] = {}
        for table, sequence in self.sequences.items():
            # Past both the rows and the sequence, so no id is ever handed out twice.
            last_id[table] = await self.conn.fetchval(
                f"SELECT greatest((SELECT coalesce(max(id), 0) FROM {table}),"
                f" (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}))"
            )
        return last_id

    async def _copy_rows(
        self, table: TableName, rows: Sequence[tuple[Any, ...]], last_id: int
    ) -> None:
        """COPY ``rows`` into ``table``, then move its id sequence past ``last_id``."""
        await self.conn.copy_records_to_table(table, records=rows, columns=LOAD_COLUMNS[table])
        await self.conn.execute("SELECT setval($1::regclass, $2)", self.sequences[table], last_id)

    async def refresh_statistics(self) -> None:
        # Fresh statistics now rather than whenever autovacuum gets to it: the planner's
        # choices for the office lists depend on them.
        await self.conn.execute(f"ANALYZE {', '.join(LOADED_TABLES)}")


class _ExecutemanyWriter:
    """SQLite: executemany over one stdlib sqlite3 connection."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)  # transactions are explicit

    async def close(self) -> None:
        self.conn.close()

    async def list_offices(self) -> list[OfficeBrief]:
        try:
            rows = self.conn.execute(_OFFICES).fetchall()
        except sqlite3.OperationalError as error:
            raise TablesMissing(str(error)) from None
        return [OfficeBrief(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    async def national_ids_present(self, national_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(national_ids), 500):  # under SQLite's bound-parameter limit
            part = national_ids[start : start + 500]
            marks = ", ".join("?" * len(part))
            query = f"SELECT national_id FROM defendant WHERE national_id IN ({marks})"
            found.update(r[0] for r in self.conn.execute(query, part))
        return found

    async def write_batch(self, make: MakeBatch) -> LoadBatch:
        with self.conn:  # commits, or rolls back on an exception
            self.conn.execute("BEGIN IMMEDIATE")  # one writer: ids below stay ours
            batch = make(self._last_ids())
            for table, rows in batch.rows().items():
                self._insert_rows(table, rows)
        return batch

    def _last_ids(self) -> dict[TableName, int]:
        return {
            t: self.conn.execute(f'SELECT coalesce(max(id), 0) FROM "{t}"').fetchone()[0]
            for t in LOADED_TABLES
        }

    def _insert_rows(self, table: TableName, rows: Sequence[tuple[Any, ...]]) -> None:
        columns = LOAD_COLUMNS[table]
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    async def refresh_statistics(self) -> None:
        """Nothing: statistics are refreshed on PostgreSQL only."""
