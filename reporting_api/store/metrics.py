"""What the monitoring gauges read at scrape time: counts and oldest times, never a person.

Each figure is one small query on an indexed status column; a scrape every 15 to 60 seconds
costs a handful of round trips. Read from the database, these figures are the same whichever
API process answers the scrape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from piccolo.query.methods.select import Select

from reporting_api.store.outbox import QUEUED, SENDING
from reporting_api.tables import LoginThrottle, Reminder, VerificationAttempt

UNSENT = (QUEUED, SENDING)
"""Reminder statuses still waiting to go out (queued, or claimed by a dispatcher)."""


@dataclass(frozen=True)
class QueueFigures:
    """Queue depths and the oldest waiting item of each, as of one instant."""

    outbox_unsent: int
    """Reminders queued or being sent, due or not."""
    outbox_due: int
    """Of those, the ones whose time to send has come."""
    oldest_due_at: datetime | None
    """When the oldest due unsent reminder was due to go (None when none is due)."""
    verification_processing: int
    """Uploaded recordings waiting for or in verification."""
    review_waiting: int
    """Recordings an officer must decide."""
    oldest_review_at: datetime | None
    """When the oldest recording waiting for an officer was uploaded."""
    staff_locked: int
    """Staff accounts locked by failed sign-ins right now."""


async def _oldest(query: Select) -> datetime | None:
    """The `at` column of the query's first row (its order puts the oldest first)."""
    row = await query.first()
    return None if row is None else row["at"]


async def queue_figures(now: datetime) -> QueueFigures:
    """Every gauge's figure at ``now``."""
    unsent = Reminder.status.is_in(list(UNSENT))
    due = unsent & (Reminder.due_at <= now)
    waiting = (VerificationAttempt.needs_review == True) & (  # noqa: E712
        VerificationAttempt.reviewed_at.is_null()
    )
    return QueueFigures(
        outbox_unsent=await Reminder.count().where(unsent),
        outbox_due=await Reminder.count().where(due),
        oldest_due_at=await _oldest(
            Reminder.select(Reminder.due_at.as_alias("at")).where(due).order_by(Reminder.due_at)
        ),
        verification_processing=await VerificationAttempt.count().where(
            VerificationAttempt.state == "processing"
        ),
        review_waiting=await VerificationAttempt.count().where(waiting),
        oldest_review_at=await _oldest(
            VerificationAttempt.select(VerificationAttempt.created_at.as_alias("at"))
            .where(waiting)
            .order_by(VerificationAttempt.created_at)
        ),
        # Only an account's key is ever locked (a client address only waits).
        staff_locked=await LoginThrottle.count().where(LoginThrottle.locked_until > now),
    )
