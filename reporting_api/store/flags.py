"""Queries on flags raised for officers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reporting_api.store import columns, fetch_page, row_as
from reporting_api.store.rows import FlagRow
from reporting_api.tables import Flag


async def raise_flag(values: dict[str, Any]) -> int | None:
    """Insert a flag unless one with the same ``dedupe_key`` exists; returns the new id."""
    key = values.get("dedupe_key")
    if key is not None and await Flag.exists().where(Flag.dedupe_key == key):
        return None
    rows = await Flag.insert(Flag(**values)).returning(Flag.id)
    return int(rows[0]["id"])


async def get_flag(flag_id: int) -> FlagRow | None:
    return row_as(FlagRow, await Flag.select().where(Flag.id == flag_id).first())


async def update_flag(flag_id: int, values: dict[str, Any]) -> None:
    await Flag.update(columns(values)).where(Flag.id == flag_id)


def flag_conditions(
    *,
    office_id: int | None,
    state: str | None,
    kind: str | None,
    case_id: int | None = None,
    check_in_id: int | None = None,
) -> list[Any]:
    """Where-conditions of a flag list; ``state`` is open, acknowledged or resolved."""
    conditions: list[Any] = []
    if office_id is not None:
        conditions.append(Flag.office == office_id)
    if state == "open":
        conditions.append(Flag.acknowledged_at.is_null() & Flag.resolved_at.is_null())
    elif state == "acknowledged":
        conditions.append(Flag.acknowledged_at.is_not_null() & Flag.resolved_at.is_null())
    elif state == "resolved":
        conditions.append(Flag.resolved_at.is_not_null())
    if kind is not None:
        conditions.append(Flag.kind == kind)
    if case_id is not None:
        conditions.append(Flag.case == case_id)
    if check_in_id is not None:
        conditions.append(Flag.check_in == check_in_id)
    return conditions


async def list_flags(
    *,
    office_id: int | None,
    state: str,
    kind: str | None,
    case_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[FlagRow], int]:
    conditions = flag_conditions(office_id=office_id, state=state, kind=kind, case_id=case_id)
    query = Flag.select().order_by(Flag.raised_at, ascending=False)
    return await fetch_page(FlagRow, query, Flag.count(), conditions, offset, limit)


async def count_open_since(office_id: int, since: datetime) -> int:
    return await Flag.count().where(
        (Flag.office == office_id) & (Flag.raised_at >= since) & Flag.resolved_at.is_null()
    )
