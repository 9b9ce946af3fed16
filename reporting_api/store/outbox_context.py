"""What a claimed outbox row needs for its message to be decided and worded, read in one query:
the person or staff member, the check-in, the case, the office and, for a staff alert, its flag
(scheduler/decisions.py decides from it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypedDict

from reporting_api.db import is_postgres
from reporting_api.statuses import CaseStatusName, CheckInStatusName, LanguageCode
from reporting_api.store import rows_as
from reporting_api.tables import Reminder


class SendingRow(TypedDict):
    """A claimed row with everything deciding and wording its message needs: the person or
    staff member, the check-in, the case, the office and, for a staff alert, its flag."""

    id: int
    kind: str
    reference: str
    attempts: int
    expires_at: datetime
    to_phone: str | None
    body: str | None
    language: str | None
    first_attempt_at: datetime | None
    message_sid: str | None
    check_in_id: int | None
    case_id: int
    defendant_id: int | None
    staff_id: int | None
    flag_id: int | None
    office: int
    defendant_phone: str | None
    sms_opt_out: bool | None
    preferred_language: LanguageCode | None
    check_in_status: CheckInStatusName | None
    due_date: date | None
    opens_at: datetime | None
    check_in_due_at: datetime | None
    closes_at: datetime | None
    code: str | None
    last_due_date: date | None
    case_status: CaseStatusName
    black_case_number: str
    office_name_th: str
    office_name_en: str
    staff_phone: str | None
    staff_active: bool | None
    flag_acknowledged_at: datetime | None
    flag_resolved_at: datetime | None
    flag_raised_at: datetime | None
    flag_kind: str | None
    flag_due_date: date | None
    hearing_id: int | None
    hearing_starts_at: datetime | None
    hearing_result: str | None
    hearing_cancelled_at: datetime | None
    channel: str
    digest: bool
    to_email: str | None
    staff_email: str | None
    line_user: str | None
    """The LINE user an earlier try of this row was pushed to."""
    line_outcome: str | None
    linked_line_user: str | None
    """The person's linked LINE account now (`line_account`), if any."""


def _to_date(value: Any) -> date | None:
    # A computed column (max(due_date)) comes back from SQLite as text.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


_CONTEXT = """
SELECT r.id, r.kind, r.reference, r.attempts, r.expires_at, r.to_phone, r.body, r.language,
       r.first_attempt_at, r.message_sid, r.check_in AS check_in_id, r."case" AS case_id,
       r.defendant AS defendant_id, r.staff AS staff_id, r.flag AS flag_id, r.office,
       d.phone AS defendant_phone, d.sms_opt_out, d.preferred_language,
       c.status AS check_in_status, c.due_date, c.opens_at, c.due_at AS check_in_due_at,
       c.closes_at, c.code,
       (SELECT max(c2.due_date) FROM check_in c2 WHERE c2."case" = r."case") AS last_due_date,
       bc.status AS case_status, bc.black_case_number,
       o.name_th AS office_name_th, o.name_en AS office_name_en,
       s.phone AS staff_phone, s.active AS staff_active,
       f.acknowledged_at AS flag_acknowledged_at, f.resolved_at AS flag_resolved_at,
       f.raised_at AS flag_raised_at, f.kind AS flag_kind, fc.due_date AS flag_due_date,
       r.hearing AS hearing_id, h.starts_at AS hearing_starts_at, h.result AS hearing_result,
       h.cancelled_at AS hearing_cancelled_at,
       r.channel, r.digest, r.to_email, s.email AS staff_email,
       r.line_user, r.line_outcome, la.user_id AS linked_line_user
FROM reminder r
JOIN bail_case bc ON bc.id = r."case"
JOIN office o ON o.id = r.office
LEFT JOIN defendant d ON d.id = r.defendant
LEFT JOIN check_in c ON c.id = r.check_in
LEFT JOIN staff_user s ON s.id = r.staff
LEFT JOIN flag f ON f.id = r.flag
LEFT JOIN check_in fc ON fc.id = f.check_in
LEFT JOIN court_hearing h ON h.id = r.hearing
LEFT JOIN line_account la ON la.defendant = r.defendant
"""


async def load_for_sending(reminder_ids: Sequence[int]) -> list[SendingRow]:
    """Claimed rows with everything deciding and wording a message needs, in one query."""
    if not reminder_ids:
        return []
    if is_postgres(Reminder._meta.db):
        rows = await Reminder.raw(_CONTEXT + "WHERE r.id = ANY({}::int[])", list(reminder_ids))
    else:
        rows = await Reminder.raw(
            _CONTEXT + f"WHERE r.id IN ({', '.join('{}' for _ in reminder_ids)})", *reminder_ids
        )
    for row in rows:
        row["last_due_date"] = _to_date(row["last_due_date"])
        row["due_date"] = _to_date(row["due_date"])
        row["flag_due_date"] = _to_date(row["flag_due_date"])
        row["digest"] = bool(row["digest"])
        for key in ("sms_opt_out", "staff_active"):
            if row[key] is not None:
                row[key] = bool(row[key])
    return rows_as(SendingRow, rows)
