"""Queries on flags: raising one once, the officers' lists and inbox (with the person, check-in
and staff each names), acknowledging and resolving, and escalating those nobody saw."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from piccolo.query import OrderByRaw

from reporting_api.store import columns, fetch_page, row_as, rows_as
from reporting_api.store.rows import FlagRow
from reporting_api.tables import Flag

STATES = ("open", "acknowledged", "resolved")


COLUMNS = (
    *Flag.all_columns(),
    Flag.case._.defendant._.id.as_alias("defendant_id"),
    Flag.case._.defendant._.title_th.as_alias("defendant_title_th"),
    Flag.case._.defendant._.first_name_th.as_alias("defendant_first_name_th"),
    Flag.case._.defendant._.last_name_th.as_alias("defendant_last_name_th"),
    Flag.case._.black_case_number.as_alias("black_case_number"),
    Flag.check_in._.due_date.as_alias("due_date"),
    Flag.check_in._.status.as_alias("check_in_status"),
    Flag.office._.code.as_alias("office_code"),
    Flag.escalated_to._.display_name.as_alias("escalated_to_name"),
    Flag.acknowledged_by._.display_name.as_alias("acknowledged_by_name"),
    Flag.resolved_by._.display_name.as_alias("resolved_by_name"),
)


class InboxRow(FlagRow):
    """A flag with the person, check-in and staff it names."""

    defendant_id: int
    defendant_title_th: str
    defendant_first_name_th: str
    defendant_last_name_th: str
    black_case_number: str
    due_date: date | None
    check_in_status: str | None
    office_code: str
    escalated_to_name: str | None
    acknowledged_by_name: str | None
    resolved_by_name: str | None


class EscalationRow(TypedDict):
    """An unacknowledged flag due for escalation, with what the manager's SMS names."""

    id: int
    kind: str
    case: int
    check_in: int | None
    office: int
    raised_at: datetime
    black_case_number: str
    due_date: date | None


async def raise_flag(values: dict[str, Any]) -> int | None:
    """Insert a flag unless one with its ``dedupe_key`` exists; returns the new id, or None.

    The unique index on dedupe_key decides in the same statement, so two sweeps (or two
    requests) racing still add one flag.
    """
    rows = (
        await Flag.insert(Flag(**values))
        .on_conflict(target=Flag.dedupe_key, action="DO NOTHING")
        .returning(Flag.id)
    )
    return int(rows[0]["id"]) if rows else None


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


async def count_flags(*, office_id: int | None, state: str | None, kind: str | None = None) -> int:
    """How many flags of the office are in ``state`` (and of ``kind``, when given)."""
    conditions = flag_conditions(office_id=office_id, state=state, kind=kind)
    query = Flag.count()
    return await (query.where(*conditions) if conditions else query)


async def list_inbox(
    *,
    office_id: int | None,
    state: str | None,
    kind: str | None,
    case_id: int | None,
    check_in_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[InboxRow], int]:
    """Flags in ``state`` (any when None), newest first (escalated ones before the rest)."""
    conditions = flag_conditions(
        office_id=office_id, state=state, kind=kind, case_id=case_id, check_in_id=check_in_id
    )
    query = (
        Flag.select(*COLUMNS)
        .order_by(OrderByRaw('"flag"."escalated_at" IS NULL'))
        .order_by(Flag.raised_at, ascending=False)
        .order_by(Flag.id, ascending=False)
    )
    return await fetch_page(InboxRow, query, Flag.count(), conditions, offset, limit)


async def count_by_state(
    *, office_id: int | None, kind: str | None, case_id: int | None, check_in_id: int | None
) -> dict[str, int]:
    counts = {}
    for state in STATES:
        conditions = flag_conditions(
            office_id=office_id, state=state, kind=kind, case_id=case_id, check_in_id=check_in_id
        )
        query = Flag.count()
        counts[state] = await (query.where(*conditions) if conditions else query)
    return counts


async def get_inbox_flag(flag_id: int) -> InboxRow | None:
    return row_as(InboxRow, await Flag.select(*COLUMNS).where(Flag.id == flag_id).first())


async def flags_to_escalate(
    raised_before: datetime, kinds: list[str], limit: int
) -> list[EscalationRow]:
    """Flags of ``kinds`` raised before ``raised_before`` that nobody acknowledged yet."""
    rows = (
        await Flag.select(
            Flag.id,
            Flag.kind,
            Flag.case,
            Flag.check_in,
            Flag.office,
            Flag.raised_at,
            Flag.case._.black_case_number.as_alias("black_case_number"),
            Flag.check_in._.due_date.as_alias("due_date"),
        )
        .where(
            Flag.acknowledged_at.is_null()
            & Flag.resolved_at.is_null()
            & Flag.escalated_at.is_null()
            & (Flag.raised_at <= raised_before)
            & Flag.kind.is_in(kinds)
        )
        .order_by(Flag.raised_at)
        .limit(limit)
    )
    return rows_as(EscalationRow, rows)


async def mark_escalated(flag_id: int, staff_id: int | None, now: datetime) -> bool:
    """Record the escalation once: a second sweep finds escalated_at set and changes nothing."""
    rows = (
        await Flag.update({Flag.escalated_at: now, Flag.escalated_to: staff_id})
        .where(
            (Flag.id == flag_id)
            & Flag.escalated_at.is_null()
            & Flag.acknowledged_at.is_null()
            & Flag.resolved_at.is_null()
        )
        .returning(Flag.id)
    )
    return bool(rows)


async def unresolved_ids(check_in_id: int, kind: str) -> list[int]:
    """Flags of ``kind`` raised for the check-in and not yet resolved (an officer's decision
    on the check-in settles them)."""
    rows = (
        await Flag.select(Flag.id)
        .where((Flag.check_in == check_in_id) & (Flag.kind == kind) & Flag.resolved_at.is_null())
        .order_by(Flag.id)
    )
    return [int(r["id"]) for r in rows]


async def unresolved_by_key(dedupe_key: str) -> list[int]:
    """The unresolved flag raised with this de-duplication key (at most one)."""
    rows = await Flag.select(Flag.id).where(
        (Flag.dedupe_key == dedupe_key) & Flag.resolved_at.is_null()
    )
    return [int(r["id"]) for r in rows]


async def move_case_office(case_id: int, office_id: int) -> int:
    """A transferred case's flags go to the receiving office's inbox."""
    rows = (
        await Flag.update({Flag.office: office_id}).where(Flag.case == case_id).returning(Flag.id)
    )
    return len(rows)
