"""The notices a person is owed (a changed date, reporting ended, a new number): outbox rows
of the `reminder` table with no check-in, worded when queued. Queued through
`outbox.insert_reminders`; this module finds and rewords one still waiting, so several
changes in a row make one message rather than several."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from reporting_api.store import row_as
from reporting_api.tables import Reminder

QUEUED = "queued"


class WaitingNotice(TypedDict):
    """A notice queued and never tried: it can still be reworded."""

    id: int


async def waiting_notice(case_id: int, kind: str) -> WaitingNotice | None:
    """The case's notice of ``kind`` still queued and never tried, if any."""
    return row_as(
        WaitingNotice,
        await Reminder.select(Reminder.id)
        .where(
            (Reminder.case == case_id)
            & (Reminder.kind == kind)
            & (Reminder.status == QUEUED)
            & (Reminder.attempts == 0)
            & Reminder.check_in.is_null()
        )
        .order_by(Reminder.id, ascending=False)
        .first(),
    )


async def reword(
    reminder_id: int,
    *,
    body: str,
    language: str,
    due_at: datetime,
    expires_at: datetime,
    now: datetime,
) -> bool:
    """Give a waiting notice new words and times; False if it was claimed meanwhile."""
    changed = (
        await Reminder.update(
            {
                Reminder.body: body,
                Reminder.language: language,
                Reminder.due_at: due_at,
                Reminder.next_attempt_at: due_at,
                Reminder.expires_at: expires_at,
                Reminder.updated_at: now,
            }
        )
        .where(
            (Reminder.id == reminder_id) & (Reminder.status == QUEUED) & (Reminder.attempts == 0)
        )
        .returning(Reminder.id)
    )
    return bool(changed)
