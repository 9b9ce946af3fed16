"""Deadlines for work waiting for an officer: a recording waiting for review.

A recording that needs review has a deadline in working hours from when it was made
(`working_hours`: the office's hours on working days, Thai holidays and declared days off
excluded; `office_reminder_settings.review_deadline_hours`, else
DEFAULT_REVIEW_DEADLINE_HOURS). Past it, the sweep raises a `review_overdue` flag (high) and
escalates it to a manager at once, the way an unacknowledged flag escalates: audited, with the
manager's alert queued. The flag's de-duplication key is the attempt, so the insert itself
decides: however many sweeps run at the same time, one flag and one escalation. The check-in
keeps waiting: a check-in waiting for review is never swept into "missed". An officer's
decision on the recording resolves the flag (`review.review`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from reporting_api.reminder_schedule import MANAGER_ALERT, QuietHours
from reporting_api.services import alerts
from reporting_api.services.holidays import declared_names
from reporting_api.settings import Settings
from reporting_api.statuses import FlagKind, Severity
from reporting_api.store import attempts as attempt_store
from reporting_api.store import audit as audit_store
from reporting_api.store import flags as flag_store
from reporting_api.store import reminder_settings as settings_store
from reporting_api.store import staff as staff_store
from reporting_api.store import transaction
from reporting_api.store.attempts import WaitingRow
from reporting_api.thai_dates import (
    BANGKOK,
    bangkok_today,
    format_english_date,
    format_thai_date,
    format_thai_datetime,
)
from reporting_api.working_hours import (
    DEFAULT_REVIEW_DEADLINE_HOURS,
    MAX_DEADLINE_HOURS,
    MIN_DEADLINE_HOURS,
    add_working_hours,
)

log = logging.getLogger(__name__)

OVERDUE_BATCH = 500
"""Recordings looked at per sweep, oldest first."""
REVIEW_OVERDUE_KEY = f"{FlagKind.REVIEW_OVERDUE.value}:"
"""The flag's de-duplication key: this and the attempt's id."""
HOLIDAY_REACH_DAYS = 40
"""Declared days looked up after a recording: more than MAX_DEADLINE_HOURS can span."""


@dataclass(frozen=True)
class Deadline:
    """When a waiting item was due to be dealt with, and whether that has passed."""

    waiting_since: datetime
    hours: int
    due_at: datetime
    overdue: bool


async def review_hours(office_id: int) -> int:
    """The office's review deadline in working hours."""
    own = (await settings_store.review_deadline_hours()).get(office_id)
    return own if own is not None else DEFAULT_REVIEW_DEADLINE_HOURS


async def declared_from(first: date) -> dict[date, str]:
    """The declared days off a deadline starting on ``first`` can meet."""
    return await _declared_from(first)


async def _declared_from(first: date) -> dict[date, str]:
    return await declared_names(first, first + timedelta(days=HOLIDAY_REACH_DAYS))


async def review_deadline(office_id: int, waiting_since: datetime, now: datetime) -> Deadline:
    """A recording's deadline: ``waiting_since`` plus the office's review hours."""
    hours = await review_hours(office_id)
    declared = await _declared_from(bangkok_today(waiting_since))
    due_at = add_working_hours(waiting_since, hours, declared=declared)
    return Deadline(waiting_since, hours, due_at, now >= due_at)


@dataclass
class OverdueOutcome:
    """What one pass over the review queue did."""

    escalated: int = 0
    staff_alerts: int = 0


async def escalate_overdue_reviews(
    now: datetime, settings: Settings, quiet: QuietHours
) -> OverdueOutcome:
    """Recordings waiting past their deadline go to a manager, once each; safe to run in
    several processes at the same time."""
    outcome = OverdueOutcome()
    # No deadline is shorter than MIN_DEADLINE_HOURS on the clock, so newer ones wait.
    waiting = await attempt_store.waiting_without_flag(
        now - timedelta(hours=MIN_DEADLINE_HOURS), REVIEW_OVERDUE_KEY, OVERDUE_BATCH
    )
    if not waiting:
        return outcome
    own_hours = await settings_store.review_deadline_hours()
    declared = await _declared_from(bangkok_today(waiting[0]["created_at"]))
    for row in waiting:
        hours = own_hours.get(row["office"], DEFAULT_REVIEW_DEADLINE_HOURS)
        hours = min(max(hours, MIN_DEADLINE_HOURS), MAX_DEADLINE_HOURS)
        due_at = add_working_hours(row["created_at"], hours, declared=declared)
        if now < due_at:
            continue
        alerted = await _escalate_one(row, hours, due_at, now, settings, quiet)
        if alerted is not None:
            outcome.escalated += 1
            outcome.staff_alerts += alerted
    return outcome


async def _escalate_one(
    row: WaitingRow, hours: int, due_at: datetime, now: datetime, settings: Settings,
    quiet: QuietHours,
) -> int | None:  # fmt: skip
    """Raise the overdue flag, escalate it and alert the manager (how many alerts were
    queued); None if another sweep did it first."""
    manager = await staff_store.escalation_manager(row["office"])
    made = row["created_at"].astimezone(BANGKOK)
    due = due_at.astimezone(BANGKOK)
    async with transaction(immediate=True):
        flag_id = await alerts.raise_flag(
            alerts.NewFlag(
                kind=FlagKind.REVIEW_OVERDUE,
                case_id=row["case"],
                check_in_id=row["check_in"],
                office_id=row["office"],
                severity=Severity.HIGH,
                detail_th=(
                    f"การรายงานตัวกำหนด {format_thai_date(row['due_date'])} รอเจ้าหน้าที่ตรวจสอบ"
                    f"ตั้งแต่ {format_thai_datetime(row['created_at'])} เกินกำหนด {hours} ชั่วโมงทำการ"
                    f" (ครบกำหนดเมื่อ {format_thai_datetime(due_at)})"
                ),
                detail_en=(
                    f"The recording for the check-in due {format_english_date(row['due_date'])} "
                    f"has waited for review since {made:%H:%M} on "
                    f"{format_english_date(made.date())}, past its deadline of {hours} working "
                    f"hours ({due:%H:%M} on {format_english_date(due.date())}, Bangkok)."
                ),
                dedupe_key=f"{REVIEW_OVERDUE_KEY}{row['id']}",
            ),
            now,
        )
        if flag_id is None:
            return None  # another sweep raised it
        to_staff = manager["id"] if manager else None
        await flag_store.mark_escalated(flag_id, to_staff, now)
        await audit_store.record_system(
            "flag.escalate",
            "flag",
            flag_id,
            now,
            detail={
                "to_staff_id": to_staff,
                "attempt": row["id"],
                "check_in": row["check_in"],
                "reason": f"waiting for review past its deadline of {hours} working hours",
                "waiting_since": row["created_at"].isoformat(),
                "deadline": due_at.isoformat(),
            },
        )
        alerted = 0
        if manager is not None:
            alerted = await alerts.queue_staff_alert(
                kind=MANAGER_ALERT,
                staff_id=manager["id"],
                flag_id=flag_id,
                case_id=row["case"],
                office_id=row["office"],
                now=now,
                quiet=quiet,
                settings=settings,
            )
    if manager is None:
        log.warning("review of attempt %s is overdue: no manager to escalate to", row["id"])
    return alerted
