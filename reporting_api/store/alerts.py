"""Flags raised by machines (missed check-ins, unreachable phones) and their escalation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from reporting_api.store import row_as, rows_as
from reporting_api.tables import Flag, Office, StaffUser


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


class StaffContact(TypedDict):
    id: int
    username: str
    phone: str | None
    office: int


async def raise_flag_once(values: dict[str, Any]) -> int | None:
    """Insert a flag unless its ``dedupe_key`` exists; returns the new id, or None.

    The unique index on dedupe_key decides, so two sweeps racing still add one flag.
    """
    rows = (
        await Flag.insert(Flag(**values))
        .on_conflict(target=Flag.dedupe_key, action="DO NOTHING")
        .returning(Flag.id)
    )
    return int(rows[0]["id"]) if rows else None


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


async def escalation_manager(office_id: int) -> StaffContact | None:
    """The manager a flag of ``office_id`` escalates to: the office's own (lowest id) if it
    has an active one, else one of the central office's."""
    columns = (StaffUser.id, StaffUser.username, StaffUser.phone, StaffUser.office)
    active_manager = (StaffUser.role == "manager") & (StaffUser.active == True)  # noqa: E712
    own = (
        await StaffUser.select(*columns)
        .where(active_manager & (StaffUser.office == office_id))
        .order_by(StaffUser.id)
        .first()
    )
    if own is not None:
        return row_as(StaffContact, own)
    central = await Office.select(Office.id).where(Office.is_central == True).first()  # noqa: E712
    if central is None:
        return None
    row = (
        await StaffUser.select(*columns)
        .where(active_manager & (StaffUser.office == central["id"]))
        .order_by(StaffUser.id)
        .first()
    )
    return row_as(StaffContact, row)
