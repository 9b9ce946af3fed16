"""Flags the service raises by itself, the staff alerts they queue, and escalation.

A flag is raised at most once for its de-duplication key (the database decides, in the same
statement as the insert); its detail is Thai first, then English. A missed check-in's flag
comes with the person's follow-up SMS and an alert to the officer (SMS, e-mail or both, as
they chose); a flag nobody acknowledged in `ESCALATE_AFTER_HOURS` goes to a manager, once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from reporting_api.alert_emails import EMAIL, alert_channels, next_digest_at
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
from reporting_api.store import audit as audit_store
from reporting_api.store import flags as flag_store
from reporting_api.store import outbox as outbox_store
from reporting_api.store import staff as staff_store
from reporting_api.store import transaction
from reporting_api.store.sweeps import MissedRow
from reporting_api.thai_dates import (
    BANGKOK,
    format_english_date,
    format_thai_date,
    format_thai_datetime,
)

log = logging.getLogger(__name__)

ESCALATE_BATCH = 200
ESCALATED_KINDS = [
    FlagKind.MISSED_CHECKIN.value,
    FlagKind.UNREACHABLE_PHONE.value,
    FlagKind.HEARING_ABSENT.value,
]
"""Flags that go to a manager when nobody acknowledges them in time."""
STAFF_ALERT_VALID = timedelta(days=FOLLOW_UP_VALID_DAYS)


@dataclass(frozen=True)
class NewFlag:
    """A flag for an officer: what, about which case and check-in, how urgent, and why."""

    kind: FlagKind
    case_id: int
    check_in_id: int | None
    office_id: int
    severity: Severity
    detail_th: str
    detail_en: str
    dedupe_key: str | None
    """Raising a flag with the same key again adds nothing (None: always a new flag)."""


async def raise_flag(flag: NewFlag, now: datetime) -> int | None:
    """Raise ``flag`` unless one with its key exists; the new flag's id, or None."""
    return await flag_store.raise_flag(
        {
            "kind": flag.kind.value,
            "case": flag.case_id,
            "check_in": flag.check_in_id,
            "office": flag.office_id,
            "severity": flag.severity.value,
            "detail": flag_detail(flag.detail_th, flag.detail_en),
            "dedupe_key": flag.dedupe_key,
            "raised_at": now,
        }
    )


@dataclass
class MissedOutcome:
    """What flagging one missed check-in queued."""

    flags: int = 0
    follow_ups: int = 0
    staff_alerts: int = 0


async def check_in_missed(
    row: MissedRow, now: datetime, settings: Settings, quiet: QuietHours
) -> MissedOutcome:
    """A check-in's window closed without a verified check-in (called in the transaction
    that marked it missed): the audit row with the reason; for an active case, one flag, the
    person's follow-up SMS and the officer's alert."""
    outcome = MissedOutcome()
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
        return outcome
    closed = row["closes_at"].astimezone(BANGKOK)
    flag_id = await raise_flag(
        NewFlag(
            kind=FlagKind.MISSED_CHECKIN,
            case_id=row["case"],
            check_in_id=row["id"],
            office_id=row["office"],
            severity=Severity.MEDIUM,
            detail_th=(
                f"ไม่มารายงานตัวตามกำหนด {format_thai_date(row['due_date'])} ช่วงรายงานตัวปิดเมื่อ "
                f"{format_thai_datetime(row['closes_at'])} โดยไม่มีการรายงานตัวที่ยืนยันแล้ว"
            ),
            detail_en=(
                f"Missed check-in due {format_english_date(row['due_date'])}; the window "
                f"closed at {closed:%H:%M} on {format_english_date(closed.date())} (Bangkok) "
                "without a verified check-in."
            ),
            dedupe_key=f"{FlagKind.MISSED_CHECKIN.value}:{row['id']}",
        ),
        now,
    )
    if flag_id is None:
        return outcome
    outcome.flags = 1
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
    outcome.follow_ups = await outbox_store.insert_reminders(
        reminder_service.reminder_rows(
            check_in_id=row["id"],
            case_id=row["case"],
            office_id=row["office"],
            defendant_id=row["defendant_id"],
            planned=follow_up,
            now=now,
        )
    )
    officer_id = row["officer_id"]
    if officer_id is not None and row["officer_active"]:
        outcome.staff_alerts = await queue_staff_alert(
            kind=OFFICER_ALERT,
            staff_id=officer_id,
            flag_id=flag_id,
            case_id=row["case"],
            office_id=row["office"],
            now=now,
            quiet=quiet,
            settings=settings,
        )
    return outcome


async def alert_officer(
    *, flag_id: int, officer_id: int, case_id: int, office_id: int, now: datetime,
    settings: Settings,
) -> int:  # fmt: skip
    """The case officer's alert about a new flag, by the channels they chose (SMS, e-mail,
    both or none); how many rows were queued."""
    start, end = settings.scheduler.quiet_hours
    return await queue_staff_alert(
        kind=OFFICER_ALERT,
        staff_id=officer_id,
        flag_id=flag_id,
        case_id=case_id,
        office_id=office_id,
        now=now,
        quiet=QuietHours(start, end),
        settings=settings,
    )


async def queue_staff_alert(
    *,
    kind: str,
    staff_id: int,
    flag_id: int,
    case_id: int,
    office_id: int,
    now: datetime,
    quiet: QuietHours,
    settings: Settings,
) -> int:
    """A staff member's alert about a flag, one row per channel they chose and have an
    address for: an SMS at the next hour quiet hours allow; an e-mail then too, or with
    the next daily digest when they chose one (`alert_emails`)."""
    contact = await staff_store.alert_contact(staff_id)
    if contact is None or not contact["active"]:
        return 0
    channels = alert_channels(
        contact["alert_channel"],
        phone=contact["phone"],
        email=contact["email"],
        sms_on=settings.scheduler.alert_staff_by_sms,
    )
    rows: list[outbox_store.NewReminder] = []
    for channel in channels:
        due_at = quiet.next_allowed(now)
        digest = channel == EMAIL and contact["alert_digest"]
        if digest:
            due_at = quiet.next_allowed(next_digest_at(now, settings.email.digest_hour))
        row: outbox_store.NewReminder = {
            "check_in": None,
            "case": case_id,
            "office": office_id,
            "staff": staff_id,
            "flag": flag_id,
            "kind": kind,
            "channel": channel,
            "digest": digest,
            "due_at": due_at,
            "expires_at": due_at + STAFF_ALERT_VALID,
            "next_attempt_at": due_at,
            "status": outbox_store.QUEUED,
            "reference": reminder_service.new_reference(),
            "created_at": now,
            "updated_at": now,
        }
        rows.append(row)
    return await outbox_store.insert_reminders(rows)


@dataclass
class EscalationOutcome:
    escalated: int = 0
    staff_alerts: int = 0


async def escalate(now: datetime, settings: Settings, quiet: QuietHours) -> EscalationOutcome:
    """Flags nobody acknowledged within ESCALATE_AFTER_HOURS go to a manager of the office
    (or of the central office), once; safe to run in several processes at the same time."""
    outcome = EscalationOutcome()
    hours = settings.scheduler.escalate_after_hours
    due = await flag_store.flags_to_escalate(
        now - timedelta(hours=hours), ESCALATED_KINDS, ESCALATE_BATCH
    )
    for flag in due:
        manager = await staff_store.escalation_manager(flag["office"])
        async with transaction(immediate=True):
            if not await flag_store.mark_escalated(
                flag["id"], manager["id"] if manager else None, now
            ):
                continue  # another sweep escalated it, or someone acknowledged it meanwhile
            outcome.escalated += 1
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
            if manager:
                outcome.staff_alerts += await queue_staff_alert(
                    kind=MANAGER_ALERT,
                    staff_id=manager["id"],
                    flag_id=flag["id"],
                    case_id=flag["case"],
                    office_id=flag["office"],
                    now=now,
                    quiet=quiet,
                    settings=settings,
                )
        if manager is None:
            log.warning("flag %s: no manager to escalate to", flag["id"])
    return outcome
