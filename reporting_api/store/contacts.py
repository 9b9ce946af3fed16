"""Trusted contacts (`trusted_contact`) and the missed check-ins their notice is due for."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypedDict

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw

from reporting_api.store import row_as, rows_as
from reporting_api.tables import CheckIn, Reminder, TrustedContact


class ContactRow(TypedDict):
    id: int
    defendant: int
    name: str
    relationship: str
    phone: str
    consent_version: str
    consented_at: datetime
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactDue(TypedDict):
    """A missed check-in whose person's contact is to be told, with what the notice needs."""

    check_in_id: int
    case_id: int
    office: int
    defendant_id: int
    first_name_th: str
    first_name_en: str | None
    preferred_language: str
    contact_phone: str


async def for_defendant(defendant_id: int) -> ContactRow | None:
    row = await TrustedContact.select().where(TrustedContact.defendant == defendant_id).first()
    return row_as(ContactRow, row)


async def save(defendant_id: int, values: dict[str, Any], now: datetime) -> None:
    """Name the person's contact with fresh consent: the one row a person has, replaced."""
    fields: dict[Column | str, Any] = {"withdrawn_at": None, "updated_at": now}
    fields.update(values.items())
    updated = (
        await TrustedContact.update(fields)
        .where(TrustedContact.defendant == defendant_id)
        .returning(TrustedContact.id)
    )
    if not updated:
        row: dict[str, Any] = {"defendant": defendant_id, "created_at": now}
        row |= {str(k): v for k, v in fields.items()}
        await TrustedContact.insert(TrustedContact(**row)).on_conflict(action="DO NOTHING")


async def withdraw(defendant_id: int, now: datetime) -> bool:
    """Withdraw the consent (the row stays as the record); False when none was active."""
    rows = (
        await TrustedContact.update(
            {TrustedContact.withdrawn_at: now, TrustedContact.updated_at: now}
        )
        .where((TrustedContact.defendant == defendant_id) & TrustedContact.withdrawn_at.is_null())
        .returning(TrustedContact.id)
    )
    return bool(rows)


async def delete_for(defendant_id: int) -> None:
    await TrustedContact.delete().where(TrustedContact.defendant == defendant_id)


# A missed check-in of an active case whose follow-up went out and was not answered (still
# missed, no request about it), whose person has a contact with consent not withdrawn and
# whose number is not blocked, and that has no contact notice yet. (When the follow-up went
# out is compared in Python: SQLite keeps instants as text.)
_DUE = """
check_in.status = 'missed'
AND check_in."case" IN (SELECT id FROM bail_case WHERE status = 'active')
AND EXISTS (SELECT 1 FROM reminder f WHERE f.check_in = check_in.id AND f.kind = 'missed_followup'
            AND f.status IN ('sent', 'delivered'))
AND NOT EXISTS (SELECT 1 FROM person_request p WHERE p.check_in = check_in.id)
AND NOT EXISTS (SELECT 1 FROM reminder n WHERE n.check_in = check_in.id AND n.kind = {})
AND EXISTS (SELECT 1 FROM trusted_contact t JOIN bail_case c ON c.defendant = t.defendant
            WHERE c.id = check_in."case" AND t.withdrawn_at IS NULL
            AND t.phone NOT IN (SELECT phone FROM sms_blocked_number))
"""


async def due_for_notice(before: datetime, kind: str, limit: int) -> list[ContactDue]:
    """Missed check-ins whose person's trusted contact is now to be told (see `_DUE`): their
    follow-up went out at ``before`` or earlier."""
    rows = (
        await CheckIn.select(
            CheckIn.id.as_alias("check_in_id"),
            CheckIn.case.as_alias("case_id"),
            CheckIn.office,
            CheckIn.case._.defendant.as_alias("defendant_id"),
            CheckIn.case._.defendant.first_name_th.as_alias("first_name_th"),
            CheckIn.case._.defendant.first_name_en.as_alias("first_name_en"),
            CheckIn.case._.defendant.preferred_language.as_alias("preferred_language"),
        )
        # Bounded: a follow-up goes the morning after the window closed, so only check-ins
        # closed in the last two weeks can be due (the sweep need not read years of misses).
        .where((CheckIn.closes_at > before - timedelta(days=14)) & WhereRaw(_DUE, kind))
        .order_by(CheckIn.id)
        .limit(limit)
    )
    sent = {
        r["check_in"]: r["sent_at"]
        for r in await Reminder.select(Reminder.check_in, Reminder.sent_at).where(
            Reminder.check_in.is_in([row["check_in_id"] for row in rows] or [0])
            & (Reminder.kind == "missed_followup")
        )
    }
    rows = [r for r in rows if sent.get(r["check_in_id"]) and sent[r["check_in_id"]] <= before]
    phones = {
        r["defendant"]: r["phone"]
        for r in await TrustedContact.select(TrustedContact.defendant, TrustedContact.phone).where(
            TrustedContact.defendant.is_in([row["defendant_id"] for row in rows] or [0])
        )
    }
    return rows_as(
        ContactDue, [{**row, "contact_phone": phones[row["defendant_id"]]} for row in rows]
    )


async def cancel_queued_notices(defendant_id: int, kind: str, now: datetime) -> int:
    """Cancel the person's contact notices not sent yet (consent withdrawn)."""
    rows = (
        await Reminder.update(
            {
                Reminder.status: "cancelled",
                Reminder.error_message: "consent withdrawn",
                Reminder.updated_at: now,
            }
        )
        .where(
            (Reminder.defendant == defendant_id)
            & (Reminder.kind == kind)
            & (Reminder.status == "queued")
        )
        .returning(Reminder.id)
    )
    return len(rows)
