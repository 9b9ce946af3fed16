"""Named queries, one module per area; routes, jobs and templates never build queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, cast

from piccolo.columns import Column
from piccolo.engine.sqlite import TransactionType

from reporting_api.db import is_postgres
from reporting_api.tables import Office

R = TypeVar("R")


class RowShapeError(TypeError):
    """A query returned columns other than its row type declares (a bug, not bad input)."""


def _check_shape(kind: type[Any], row: Mapping[str, Any]) -> None:
    declared = getattr(kind, "__annotations__", None)
    if declared is None:
        return
    if row.keys() != declared.keys():
        missing = sorted(declared.keys() - row.keys())
        extra = sorted(row.keys() - declared.keys())
        raise RowShapeError(f"{kind.__name__}: missing columns {missing}, undeclared {extra}")


def row_as(kind: type[R], row: Mapping[str, Any] | None) -> R | None:
    """One row of a query as its declared row type (a TypedDict), or None.

    The columns are checked against the type's keys, so a renamed column fails at the first
    query that returns it instead of at the first template that reads it."""
    if row is None:
        return None
    _check_shape(kind, row)
    return cast(R, row)


def rows_as(kind: type[R], rows: Iterable[Mapping[str, Any]]) -> list[R]:
    """Rows of a query as their declared row type; the first row's columns are checked
    (every row of one query has the same columns)."""
    listed = list(rows)
    if listed:
        _check_shape(kind, listed[0])
    return cast(list[R], listed)


def columns(values: Mapping[str, Any]) -> dict[Column | str, Any]:
    """Values keyed by column name, in the form Piccolo's ``update()`` takes."""
    return {name: value for name, value in values.items()}


def transaction(*, immediate: bool = False) -> Any:
    """A transaction on the service's database; on SQLite `immediate` takes the write lock at
    BEGIN, so two writers queue up instead of one failing half-way."""
    engine = Office._meta.db  # every table shares one engine
    if not is_postgres(engine) and immediate:
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def missing_tables() -> list[str]:
    """The service's tables the database does not have (all of them before `migrate`)."""
    from reporting_api.tables import ALL_TABLES

    return [t._meta.tablename for t in ALL_TABLES if not await t.table_exists()]


async def ping() -> None:
    """One round trip to the database; raises when it does not answer."""
    await Office.raw("SELECT 1")


async def fetch_page(
    kind: type[R], select: Any, count: Any, conditions: list[Any], offset: int, limit: int
) -> tuple[list[R], int]:
    """One page of ``select`` as rows of ``kind``, and the total ``count``, both filtered by
    ``conditions``."""
    if conditions:
        select = select.where(*conditions)
        count = count.where(*conditions)
    return rows_as(kind, await select.offset(offset).limit(limit)), await count
