"""Queries of an office's SMS outbox as officers read it: what went to whom, what became of it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from reporting_api.store import fetch_page
from reporting_api.tables import Reminder

R = Reminder
COLUMNS = (
    R.id,
    R.kind,
    R.status,
    R.attempts,
    R.due_at,
    R.to_phone,
    R.body,
    R.language,
    R.message_sid,
    R.error_code,
    R.error_message,
    R.sent_at,
    R.delivered_at,
    R.updated_at,
    R.office,
    R.check_in,
    R.case,
    R.defendant,
    R.staff,
    R.defendant._.title_th.as_alias("defendant_title_th"),
    R.defendant._.first_name_th.as_alias("defendant_first_name_th"),
    R.defendant._.last_name_th.as_alias("defendant_last_name_th"),
    R.defendant._.phone.as_alias("defendant_phone"),
    R.staff._.display_name.as_alias("staff_name"),
    R.staff._.phone.as_alias("staff_phone"),
    R.check_in._.due_date.as_alias("due_date"),
    R.channel,
    R.to_email,
    R.staff._.email.as_alias("staff_email"),
    R.line_outcome,
)


class OutboxListRow(TypedDict):
    """One message as officers read it: to whom, what it said, what became of it."""

    id: int
    kind: str
    status: str
    attempts: int
    due_at: datetime
    to_phone: str | None
    body: str | None
    language: str | None
    message_sid: str | None
    error_code: int | None
    error_message: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    updated_at: datetime
    office: int
    check_in: int | None
    case: int
    defendant: int | None
    staff: int | None
    defendant_title_th: str | None
    defendant_first_name_th: str | None
    defendant_last_name_th: str | None
    defendant_phone: str | None
    staff_name: str | None
    staff_phone: str | None
    due_date: date | None
    channel: str
    to_email: str | None
    staff_email: str | None
    line_outcome: str | None
    """LINE's last answer to the row's push (`sent`, `refused`, `quota`, `unavailable`)."""


def _conditions(office_id: int | None, status: str | None) -> list[Any]:
    conditions: list[Any] = []
    if office_id is not None:
        conditions.append(R.office == office_id)
    if status is not None:
        conditions.append(R.status == status)
    return conditions


async def list_outbox(
    *, office_id: int | None, status: str | None, offset: int, limit: int
) -> tuple[list[OutboxListRow], int]:
    """Reminders of ``office_id`` (every office when None), newest first."""
    query = R.select(*COLUMNS).order_by(R.due_at, ascending=False).order_by(R.id, ascending=False)
    conditions = _conditions(office_id, status)
    return await fetch_page(OutboxListRow, query, R.count(), conditions, offset, limit)


async def count_by_status(office_id: int | None) -> dict[str, int]:
    if office_id is None:
        rows = await R.raw("SELECT status, count(*) AS n FROM reminder GROUP BY status")
    else:
        rows = await R.raw(
            "SELECT status, count(*) AS n FROM reminder WHERE office = {} GROUP BY status",
            office_id,
        )
    return {str(row["status"]): int(row["n"]) for row in rows}
