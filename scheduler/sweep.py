"""The periodic sweep: windows open, pass their due time, close; missed check-ins are flagged.

Each pass, at ``now``:
1. upcoming -> open where the window opened; open -> late past the due time inside the grace
   days (the order follows ALLOWED_TRANSITIONS, one step at a time);
2. open or late -> missed where the window closed without a verified check-in. In the same
   transaction, for an active case: a `missed_checkin` flag (its dedupe key is the check-in,
   so repeated or concurrent sweeps add one), the person's follow-up SMS if it is missing,
   the officer's alert SMS when they have a number, and an audit row with the reason;
3. flags nobody acknowledged within ESCALATE_AFTER_HOURS go to a manager, once.
`pending_review` is never touched: an attempt waiting for an officer is not "missed".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reporting_api.reminder_schedule import (
    FOLLOW_UP_VALID_DAYS,
    MANAGER_ALERT,
    MISSED_FOLLOW_UP,
    OFFICER_ALERT,
    QuietHours,
    plan_reminders,
)
from reporting_api.services import reminders as reminder_service
from reporting_api.settings import Settings
from reporting_api.statuses import FlagKind, Severity, flag_detail
from reporting_api.store import alerts, transaction
from reporting_api.store import audit as audit_store
from reporting_api.store import outbox as outbox_store
from reporting_api.store import sweeps as store
from reporting_api.thai_dates import (
    BANGKOK,
    format_english_date,
    format_thai_date,
    format_thai_datetime,
)

log = logging.getLogger(__name__)

MISSED_BATCH = 200
ESCALATE_BATCH = 200
ESCALATED_KINDS = [FlagKind.MISSED_CHECKIN.value, FlagKind.UNREACHABLE_PHONE.value]
STAFF_ALERT_VALID = timedelta(days=FOLLOW_UP_VALID_DAYS)


@dataclass
class SweepReport:
    opened: int = 0
    late: int = 0
    missed: int = 0
    flags: int = 0
    follow_ups: int = 0
    staff_alerts: int = 0
    escalated: int = 0


async def sweep(now: datetime, settings: Settings) -> SweepReport:
    """One pass of the sweep at ``now``; safe to repeat and to run in several processes."""
    report = SweepReport()
    quiet = QuietHours(*settings.scheduler.quiet_hours)
    async with transaction(immediate=True):
        report.opened = await store.open_windows(now)
        report.late = await store.mark_late(now)
    while True:
        async with transaction(immediate=True):
            missed = await store.close_missed(now, MISSED_BATCH)
            details = await store.missed_details(missed)
            for row in details:
                await _flag_missed(row, now, settings, quiet, report)
        report.missed += len(missed)
        if len(missed) < MISSED_BATCH:
            break
    await _escalate(now, settings, quiet, report)
    return report


async def _flag_missed(
    row: dict[str, Any], now: datetime, settings: Settings, quiet: QuietHours, report: SweepReport
) -> None:
    await audit_store.record_system(
        "checkin.missed",
        "check_in",
        row["id"],
        now,
        detail={
            "reason": "the window closed without a verified check-in",
            "closed_at": row["closes_at"].isoformat(),
        },
    )
    if row["case_status"] != "active":
        return
    due = format_thai_date(row["due_date"])
    closed = row["closes_at"].astimezone(BANGKOK)
    flag_id = await alerts.raise_flag_once(
        {
            "kind": FlagKind.MISSED_CHECKIN.value,
            "case": row["case"],
            "check_in": row["id"],
            "office": row["office"],
            "severity": Severity.MEDIUM.value,
            "detail": flag_detail(
                f"ไม่มารายงานตัวตามกำหนด {due} ช่วงรายงานตัวปิดเมื่อ "
                f"{format_thai_datetime(row['closes_at'])} โดยไม่มีการรายงานตัวที่ยืนยันแล้ว",
                f"Missed check-in due {format_english_date(row['due_date'])}; the window "
                f"closed at {closed:%H:%M} on {format_english_date(closed.date())} (Bangkok) "
                "without a verified check-in.",
            ),
            "dedupe_key": f"{FlagKind.MISSED_CHECKIN.value}:{row['id']}",
            "raised_at": now,
        }
    )
    if flag_id is None:
        return
    report.flags += 1
    policy = await reminder_service.office_policy(row["office"])
    follow_up = [
        p
        for p in plan_reminders(
            due_date=row["due_date"],
            closes_at=row["closes_at"],
            now=now,
            policy=policy,
            quiet=quiet,
        )
        if p.kind == MISSED_FOLLOW_UP
    ]
    report.follow_ups += await outbox_store.insert_reminders(
        reminder_service.reminder_rows(
            check_in_id=row["id"],
            case_id=row["case"],
            office_id=row["office"],
            defendant_id=row["defendant_id"],
            planned=follow_up,
            now=now,
        )
    )
    if settings.scheduler.alert_staff_by_sms and row["officer_phone"] and row["officer_active"]:
        report.staff_alerts += await _queue_staff_alert(
            kind=OFFICER_ALERT,
            staff_id=row["officer_id"],
            flag_id=flag_id,
            case_id=row["case"],
            office_id=row["office"],
            now=now,
            quiet=quiet,
        )


async def _queue_staff_alert(
    *,
    kind: str,
    staff_id: int,
    flag_id: int,
    case_id: int,
    office_id: int,
    now: datetime,
    quiet: QuietHours,
) -> int:
    due_at = quiet.next_allowed(now)
    return await outbox_store.insert_reminders(
        [
            {
                "check_in": None,
                "case": case_id,
                "office": office_id,
                "staff": staff_id,
                "flag": flag_id,
                "kind": kind,
                "due_at": due_at,
                "expires_at": due_at + STAFF_ALERT_VALID,
                "next_attempt_at": due_at,
                "status": outbox_store.QUEUED,
                "reference": reminder_service.new_reference(),
                "created_at": now,
                "updated_at": now,
            }
        ]
    )


async def _escalate(
    now: datetime, settings: Settings, quiet: QuietHours, report: SweepReport
) -> None:
    hours = settings.scheduler.escalate_after_hours
    due = await alerts.flags_to_escalate(
        now - timedelta(hours=hours), ESCALATED_KINDS, ESCALATE_BATCH
    )
    for flag in due:
        manager = await alerts.escalation_manager(flag["office"])
        async with transaction(immediate=True):
            if not await alerts.mark_escalated(flag["id"], manager["id"] if manager else None, now):
                continue  # another sweep escalated it, or someone acknowledged it meanwhile
            report.escalated += 1
            await audit_store.record_system(
                "flag.escalate",
                "flag",
                flag["id"],
                now,
                detail={
                    "to_staff_id": manager["id"] if manager else None,
                    "reason": f"not acknowledged within {hours} hours",
                },
            )
            if manager and manager["phone"] and settings.scheduler.alert_staff_by_sms:
                report.staff_alerts += await _queue_staff_alert(
                    kind=MANAGER_ALERT,
                    staff_id=manager["id"],
                    flag_id=flag["id"],
                    case_id=flag["case"],
                    office_id=flag["office"],
                    now=now,
                    quiet=quiet,
                )
        if manager is None:
            log.warning("flag %s: no manager to escalate to", flag["id"])
