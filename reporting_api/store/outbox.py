"""The SMS outbox: one reminder row per message, planned in the same transaction as the change
that causes it; rescheduled or cancelled while it is still only queued.

A reminder row moves queued -> sending -> sent -> delivered | undelivered | failed, or ends
cancelled (its check-in or case went away) or skipped (at send time there was no reason to
send: opted out, already checked in, blocked number, too late). Claiming due rows and recording
what was sent: `outbox_claims` (and `outbox_context`); what Twilio reports afterwards:
`delivery`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NotRequired, TypedDict

from reporting_api.store import fetch_page, rows_as
from reporting_api.store.rows import ReminderRow
from reporting_api.tables import Reminder

QUEUED, SENDING, SENT = "queued", "sending", "sent"
DELIVERED, UNDELIVERED, FAILED = "delivered", "undelivered", "failed"
CANCELLED, SKIPPED = "cancelled", "skipped"
UNSENT = (QUEUED,)
FINAL = (SENT, DELIVERED, UNDELIVERED, FAILED, CANCELLED, SKIPPED)


class NewReminder(TypedDict):
    """A planned row: a person's reminder (check-in and defendant) or a staff alert (staff and
    flag, no check-in)."""

    check_in: int | None
    case: int
    office: int
    defendant: NotRequired[int]
    staff: NotRequired[int]
    flag: NotRequired[int]
    hearing: NotRequired[int]
    # A notice is worded when it is queued (`services/notices.py`); a reminder at send time.
    body: NotRequired[str]
    language: NotRequired[str]
    to_phone: NotRequired[str]
    # A staff alert's channel (`sms` when absent) and whether it waits for the daily digest.
    channel: NotRequired[str]
    digest: NotRequired[bool]
    kind: str
    due_at: datetime
    expires_at: datetime
    next_attempt_at: datetime
    status: str
    reference: str
    created_at: datetime
    updated_at: datetime


class ReminderState(TypedDict):
    """Where a check-in's reminder stands, for re-planning."""

    id: int
    check_in: int | None
    kind: str
    status: str
    attempts: int


async def insert_reminders(rows: Sequence[NewReminder]) -> int:
    """Insert planned rows; a (check_in, kind) or (flag, kind) that exists is left alone, so a
    sent reminder is never planned again. Returns how many rows were new."""
    if not rows:
        return 0
    inserted = (
        await Reminder.insert(*(Reminder(**row) for row in rows))
        .on_conflict(action="DO NOTHING")
        .returning(Reminder.id)
    )
    return len(inserted)


async def reminders_of_check_ins(check_in_ids: Sequence[int]) -> list[ReminderState]:
    if not check_in_ids:
        return []
    return rows_as(
        ReminderState,
        await Reminder.select(
            Reminder.id, Reminder.check_in, Reminder.kind, Reminder.status, Reminder.attempts
        ).where(Reminder.check_in.is_in(list(check_in_ids))),
    )


async def reschedule_unsent(
    reminder_id: int, due_at: datetime, expires_at: datetime, now: datetime
) -> None:
    """Move a reminder that was never tried to its new time."""
    await Reminder.update(
        {
            Reminder.due_at: due_at,
            Reminder.next_attempt_at: due_at,
            Reminder.expires_at: expires_at,
            Reminder.updated_at: now,
        }
    ).where((Reminder.id == reminder_id) & (Reminder.status == QUEUED) & (Reminder.attempts == 0))


async def cancel_unsent(reminder_ids: Sequence[int], now: datetime, reason: str) -> int:
    """Cancel the given reminders that are still only queued; returns how many."""
    if not reminder_ids:
        return 0
    rows = (
        await Reminder.update(
            {
                Reminder.status: CANCELLED,
                Reminder.error_message: reason,
                Reminder.updated_at: now,
            }
        )
        .where(Reminder.id.is_in(list(reminder_ids)) & (Reminder.status == QUEUED))
        .returning(Reminder.id)
    )
    return len(rows)


async def cancel_unsent_for_check_ins(
    check_in_ids: Sequence[int], now: datetime, reason: str
) -> int:
    if not check_in_ids:
        return 0
    rows = (
        await Reminder.update(
            {Reminder.status: CANCELLED, Reminder.error_message: reason, Reminder.updated_at: now}
        )
        .where(Reminder.check_in.is_in(list(check_in_ids)) & (Reminder.status == QUEUED))
        .returning(Reminder.id)
    )
    return len(rows)


async def cancel_unsent_for_case(
    case_id: int, now: datetime, reason: str, keep: Collection[str] = ()
) -> int:
    """Cancel the case's queued messages but those of the kinds in ``keep``."""
    where = (Reminder.case == case_id) & (Reminder.status == QUEUED)
    if keep:
        where &= Reminder.kind.not_in(list(keep))
    rows = (
        await Reminder.update(
            {Reminder.status: CANCELLED, Reminder.error_message: reason, Reminder.updated_at: now}
        )
        .where(where)
        .returning(Reminder.id)
    )
    return len(rows)


async def list_for_case(case_id: int, offset: int, limit: int) -> tuple[list[ReminderRow], int]:
    query = Reminder.select().order_by(Reminder.due_at).order_by(Reminder.id)
    return await fetch_page(
        ReminderRow, query, Reminder.count(), [Reminder.case == case_id], offset, limit
    )


async def purge_sent_text(before: datetime) -> int:
    """Retention: the text (it carries the check-in link) and the number (or a staff alert's
    e-mail address) of every message finished (sent, delivered, failed, cancelled, skipped)
    before ``before``, emptied."""
    rows = (
        await Reminder.update(
            {Reminder.body: None, Reminder.to_phone: None, Reminder.to_email: None}
        )
        .where(
            Reminder.status.is_in(list(FINAL))
            & (Reminder.updated_at < before)
            & (
                Reminder.body.is_not_null()
                | Reminder.to_phone.is_not_null()
                | Reminder.to_email.is_not_null()
            )
        )
        .returning(Reminder.id)
    )
    return len(rows)


async def move_case_office(case_id: int, office_id: int) -> int:
    """A transferred case's messages are the receiving office's (its name signs the SMS)."""
    rows = (
        await Reminder.update({Reminder.office: office_id})
        .where(Reminder.case == case_id)
        .returning(Reminder.id)
    )
    return len(rows)


async def cancel_queued_to(defendant_id: int, phone: str, now: datetime, reason: str) -> int:
    """Cancel the person's rows still queued that were already addressed to ``phone`` (tried on
    it and waiting to retry); untried rows take the person's number when they are sent."""
    rows = (
        await Reminder.update(
            {
                Reminder.status: CANCELLED,
                Reminder.error_message: reason,
                Reminder.lease_until: None,
                Reminder.updated_at: now,
            }
        )
        .where(
            (Reminder.defendant == defendant_id)
            & (Reminder.status == QUEUED)
            & (Reminder.to_phone == phone)
        )
        .returning(Reminder.id)
    )
    return len(rows)


class ReminderTime(TypedDict):
    """A check-in's reminder and when it is due, for a plan's preview."""

    id: int
    check_in: int | None
    kind: str
    status: str
    attempts: int
    due_at: datetime


async def reminder_times(check_in_ids: Sequence[int]) -> list[ReminderTime]:
    if not check_in_ids:
        return []
    return rows_as(
        ReminderTime,
        await Reminder.select(
            Reminder.id,
            Reminder.check_in,
            Reminder.kind,
            Reminder.status,
            Reminder.attempts,
            Reminder.due_at,
        ).where(Reminder.check_in.is_in(list(check_in_ids))),
    )
