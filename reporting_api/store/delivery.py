"""What Twilio reports after a send: status callbacks matched to their row, and numbers it
refused for good (nothing is sent to them again)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from piccolo.columns import Column

from reporting_api.store import row_as
from reporting_api.store.outbox import DELIVERED, FAILED, QUEUED, SENDING, SENT, UNDELIVERED
from reporting_api.store.rows import ReminderRow
from reporting_api.tables import Reminder, SmsBlockedNumber

# Delivery news only moves forward: a late "sent" callback never undoes "delivered".
DELIVERY_RANK = {QUEUED: 0, SENDING: 1, SENT: 2, DELIVERED: 3, UNDELIVERED: 3, FAILED: 3}


async def blocked_among(phones: Iterable[str]) -> set[str]:
    """Which of ``phones`` Twilio refused for good."""
    wanted = sorted({p for p in phones if p})
    if not wanted:
        return set()
    rows = await SmsBlockedNumber.select(SmsBlockedNumber.phone).where(
        SmsBlockedNumber.phone.is_in(wanted)
    )
    return {row["phone"] for row in rows}


async def block_number(
    phone: str, *, error_code: int, error_message: str, reminder_id: int | None, now: datetime
) -> bool:
    """Never send to ``phone`` again; returns False if it was blocked already."""
    rows = (
        await SmsBlockedNumber.insert(
            SmsBlockedNumber(
                phone=phone,
                error_code=error_code,
                error_message=error_message[:500],
                reminder=reminder_id,
                blocked_at=now,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(SmsBlockedNumber.id)
    )
    return bool(rows)


async def find_by_reference(reference: str) -> ReminderRow | None:
    return row_as(
        ReminderRow, await Reminder.select().where(Reminder.reference == reference).first()
    )


async def find_by_sid(message_sid: str) -> ReminderRow | None:
    return row_as(
        ReminderRow, await Reminder.select().where(Reminder.message_sid == message_sid).first()
    )


async def record_delivery(
    reminder_id: int,
    *,
    from_status: str,
    status: str,
    message_sid: str,
    error_code: int | None,
    error_message: str | None,
    now: datetime,
) -> bool:
    """Move a row from ``from_status`` to what Twilio reported (compare-and-set, so two
    callbacks racing cannot move it backwards). Returns whether the row changed."""
    values: dict[Column | str, Any] = {
        Reminder.status: status,
        Reminder.message_sid: message_sid,
        Reminder.updated_at: now,
        Reminder.claimed_by: None,
        Reminder.lease_until: None,
    }
    if status == DELIVERED:
        values[Reminder.delivered_at] = now
    if status in (UNDELIVERED, FAILED):
        values[Reminder.error_code] = error_code
        values[Reminder.error_message] = (error_message or "")[:500]
    if from_status in (QUEUED, SENDING):
        values[Reminder.sent_at] = now
    rows = (
        await Reminder.update(values)
        .where((Reminder.id == reminder_id) & (Reminder.status == from_status))
        .returning(Reminder.id)
    )
    return bool(rows)
