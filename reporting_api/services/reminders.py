"""Reminder rows kept in step with check-ins, and the staff operations on reminders.

Planning writes a check-in's reminder rows in the transaction that writes the check-in (the
outbox pattern): no check-in exists without its reminders, and re-planning changes both or
neither. The scheduler only claims and sends what is here.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from reporting_api.access import ADMIN, ensure_can_read_office, ensure_role
from reporting_api.errors import InvalidInput, NotFound
from reporting_api.hearing_rules import DEFAULT_HEARING_OFFSETS
from reporting_api.notice_texts import NOTICES_AFTER_CLOSING
from reporting_api.reminder_schedule import (
    DEFAULT_POLICY,
    PLANNING_HORIZON_DAYS,
    PlannedReminder,
    QuietHours,
    ReminderPolicy,
    plan_reminders,
    policy_from,
)
from reporting_api.request_rules import DEFAULT_RESCHEDULE_MAX_DAYS, MAX_RESCHEDULE_MAX_DAYS
from reporting_api.services.context import Ctx
from reporting_api.settings import Settings
from reporting_api.store import cases as case_store
from reporting_api.store import offices as office_store
from reporting_api.store import outbox as store
from reporting_api.store import reminder_settings as settings_store
from reporting_api.store.outbox import NewReminder, ReminderState
from reporting_api.store.rows import ReminderRow
from reporting_api.thai_dates import bangkok_today
from reporting_api.working_hours import DEFAULT_REVIEW_DEADLINE_HOURS, check_deadline_hours


class CaseRef(TypedDict):
    """What a reminder row needs of its case (any case row has these)."""

    id: int
    office: int
    defendant: int


class CheckInDates(TypedDict):
    """What planning a check-in's reminders needs of it (any check-in row has these)."""

    id: int
    due_date: date
    closes_at: datetime


DEFAULT_HEARING_DAYS = DEFAULT_HEARING_OFFSETS

CHECK_IN_CODE_BYTES = 9
"""72 random bits: 12 URL-safe characters in the SMS link."""


def new_check_in_code() -> str:
    """An unguessable code for the link PUBLIC_BASE_URL/c/<code>."""
    return secrets.token_urlsafe(CHECK_IN_CODE_BYTES)


def new_reference() -> str:
    """The reminder's own reference, e.g. ``rem-5f2c1e9a0b7d4c3e8a61``: unique, carried in the
    status callback URL so Twilio's reports find the row even before its SID is recorded."""
    return f"rem-{secrets.token_hex(10)}"


def quiet_hours(settings: Settings) -> QuietHours:
    start, end = settings.scheduler.quiet_hours
    return QuietHours(start, end)


async def office_policy(office_id: int) -> ReminderPolicy:
    row = await settings_store.get_office_settings(office_id)
    if row is None:
        return DEFAULT_POLICY
    return policy_from(_json_list(row["offsets_days"]), row["send_hour"], row["follow_up_missed"])


def _json_list(value: Any) -> list[int]:
    import msgspec

    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else list(value or [])


def reminder_rows(
    *,
    check_in_id: int,
    case_id: int,
    office_id: int,
    defendant_id: int,
    planned: Iterable[PlannedReminder],
    now: datetime,
) -> list[NewReminder]:
    """Rows to insert for a check-in's planned reminders."""
    return [
        {
            "check_in": check_in_id,
            "case": case_id,
            "office": office_id,
            "defendant": defendant_id,
            "kind": p.kind,
            "due_at": p.due_at,
            "expires_at": p.expires_at,
            "next_attempt_at": p.due_at,
            "status": store.QUEUED,
            "reference": new_reference(),
            "created_at": now,
            "updated_at": now,
        }
        for p in planned
    ]


def _plan(
    check_in: CheckInDates, policy: ReminderPolicy, quiet: QuietHours, now: datetime
) -> list[PlannedReminder]:
    return plan_reminders(
        due_date=check_in["due_date"],
        closes_at=check_in["closes_at"],
        now=now,
        policy=policy,
        quiet=quiet,
    )


def _rows_for(
    case: CaseRef, check_in_id: int, planned: Sequence[PlannedReminder], now: datetime
) -> list[NewReminder]:
    return reminder_rows(
        check_in_id=check_in_id,
        case_id=case["id"],
        office_id=case["office"],
        defendant_id=case["defendant"],
        planned=list(planned),
        now=now,
    )


async def plan_for_new_check_ins(
    *,
    case: CaseRef,
    check_ins: Sequence[CheckInDates],
    policy: ReminderPolicy,
    quiet: QuietHours,
    now: datetime,
) -> int:
    """Insert the reminders of freshly created check-ins (rows with id, due_date, closes_at)."""
    return await store.insert_reminders(rows_for_new_check_ins(case, check_ins, policy, quiet, now))


def rows_for_new_check_ins(
    case: CaseRef,
    check_ins: Sequence[CheckInDates],
    policy: ReminderPolicy,
    quiet: QuietHours,
    now: datetime,
) -> list[NewReminder]:
    """The reminder rows freshly created check-ins get (nothing stored)."""
    return ReminderPlanner(policy, quiet, now).rows(case, check_ins)


class ReminderPlanner:
    """Reminder rows for many new check-ins planned at one instant under one policy. The plan
    depends only on a check-in's due date and close, so each distinct pair is planned once:
    a caseload import plans thousands of check-ins that fall on a few dozen dates. Only
    check-ins due within `PLANNING_HORIZON_DAYS` get rows; the nightly housekeeping plans the
    others' (`services/housekeeping.py`) as they come within it."""

    def __init__(self, policy: ReminderPolicy, quiet: QuietHours, now: datetime) -> None:
        self.policy = policy
        self.quiet = quiet
        self.now = now
        self.horizon = planning_horizon(now)
        self._planned: dict[tuple[date, datetime], list[PlannedReminder]] = {}

    def rows(self, case: CaseRef, check_ins: Sequence[CheckInDates]) -> list[NewReminder]:
        """The rows for these check-ins of ``case`` due by the horizon (nothing stored)."""
        rows: list[NewReminder] = []
        for check_in in check_ins:
            if check_in["due_date"] > self.horizon:
                continue
            key = (check_in["due_date"], check_in["closes_at"])
            planned = self._planned.get(key)
            if planned is None:
                planned = _plan(check_in, self.policy, self.quiet, self.now)
                self._planned[key] = planned
            rows += _rows_for(case, check_in["id"], planned, self.now)
        return rows


def planning_horizon(now: datetime) -> date:
    """The last due date whose check-ins get their reminders now (`PLANNING_HORIZON_DAYS`)."""
    return bangkok_today(now) + timedelta(days=PLANNING_HORIZON_DAYS)


async def replan_for_check_ins(
    *,
    case: CaseRef,
    check_ins: Sequence[CheckInDates],
    policy: ReminderPolicy,
    quiet: QuietHours,
    now: datetime,
) -> None:
    """Bring the reminders of changed check-ins in line with their new windows: untried ones
    move, missing kinds are added, kinds the plan no longer has are cancelled. Anything
    already tried (sent, failed, in flight) stays as it is and is never planned again. A
    check-in beyond the planning horizon with no reminder row yet is left to housekeeping."""
    existing: dict[tuple[int | None, str], ReminderState] = {
        (row["check_in"], row["kind"]): row
        for row in await store.reminders_of_check_ins([c["id"] for c in check_ins])
    }
    to_insert: list[NewReminder] = []
    to_cancel: list[int] = []
    horizon = planning_horizon(now)
    has_rows = {check_in_id for check_in_id, _ in existing}
    for check_in in check_ins:
        if check_in["due_date"] > horizon and check_in["id"] not in has_rows:
            continue  # none written yet: the nightly housekeeping plans them in time
        planned = _plan(check_in, policy, quiet, now)
        wanted = {p.kind for p in planned}
        for p in planned:
            row = existing.get((check_in["id"], p.kind))
            if row is None:
                to_insert += _rows_for(case, check_in["id"], [p], now)
            elif row["status"] == store.QUEUED and row["attempts"] == 0:
                await store.reschedule_unsent(row["id"], p.due_at, p.expires_at, now)
        to_cancel += [
            row["id"]
            for (check_in_id, kind), row in existing.items()
            if check_in_id == check_in["id"] and kind not in wanted
        ]
    await store.insert_reminders(to_insert)
    await store.cancel_unsent(to_cancel, now, "no longer in the plan")


async def cancel_for_removed_check_ins(check_in_ids: Sequence[int], now: datetime) -> int:
    """Cancel what was not sent yet for check-ins about to be deleted (rows stay as history)."""
    return await store.cancel_unsent_for_check_ins(check_in_ids, now, "check-in removed")


async def cancel_for_closed_case(case_id: int, now: datetime, status: str) -> int:
    """What is still queued for a closed case is cancelled, but a notice still true once it
    is closed (`NOTICES_AFTER_CLOSING`: the last check-in was verified) unless the person
    absconded."""
    keep = () if status == "absconded" else NOTICES_AFTER_CLOSING
    return await store.cancel_unsent_for_case(case_id, now, f"case {status}", keep)


# --- staff operations -------------------------------------------------------------------------


async def list_for_case(
    ctx: Ctx, case_id: int, offset: int, limit: int
) -> tuple[list[ReminderRow], int]:
    """The case's reminders, sent or not: what each said, to which number, what became of it."""
    case = await case_store.get_case(case_id)
    if case is None:
        raise NotFound("case")
    ensure_can_read_office(ctx.principal, case["office"], "case")
    rows, total = await store.list_for_case(case_id, offset, limit)
    await ctx.audit("reminder.list", "bail_case", case_id, {"returned": [r["id"] for r in rows]})
    return rows, total


@dataclass(frozen=True)
class OfficeReminderSettings:
    """An office's reminder days and hour (the defaults until an admin sets its own)."""

    office_id: int
    policy: ReminderPolicy
    updated_at: datetime | None
    hearing_offsets_days: tuple[int, ...] = (7, 3, 1)
    """Days before a court hearing its SMS go (`hearing_rules.DEFAULT_HEARING_OFFSETS`)."""
    review_deadline_hours: int = DEFAULT_REVIEW_DEADLINE_HOURS
    """Working hours a recording may wait for review before a manager hears of it."""
    request_deadline_hours: int | None = None
    """Working hours a person's request may wait for a decision (None: the review's)."""
    reschedule_max_days: int = DEFAULT_RESCHEDULE_MAX_DAYS
    """How many days after a check-in's date a person may ask to move it to."""


async def get_office_settings(ctx: Ctx, office_id: int) -> OfficeReminderSettings:
    office = await office_store.get_office(office_id)
    if office is None:
        raise NotFound("office")
    row = await settings_store.get_office_settings(office_id)
    policy = await office_policy(office_id)
    hearing = row["hearing_offsets_days"] if row else None
    review_hours = row["review_deadline_hours"] if row else None
    reschedule = row["reschedule_max_days"] if row else None
    return OfficeReminderSettings(
        office_id,
        policy,
        row["updated_at"] if row else None,
        tuple(_json_list(hearing)) if hearing is not None else DEFAULT_HEARING_DAYS,
        review_hours if review_hours is not None else DEFAULT_REVIEW_DEADLINE_HOURS,
        row["request_deadline_hours"] if row else None,
        reschedule if reschedule is not None else DEFAULT_RESCHEDULE_MAX_DAYS,
    )


async def set_office_settings(
    ctx: Ctx,
    office_id: int,
    offsets_days: Sequence[int],
    send_hour: int,
    follow_up_missed: bool,
    *,
    hearing_offsets_days: Sequence[int] | None = None,
    review_deadline_hours: int | None = None,
    request_deadline_hours: int | None = None,
    reschedule_max_days: int | None = None,
) -> OfficeReminderSettings:
    """Admins set an office's reminder days and hour (check-ins planned from now on follow),
    its review and request deadlines in working hours and how far a person may ask to move
    a check-in (None: the defaults)."""
    ensure_role(ctx.principal, ADMIN)
    if await office_store.get_office(office_id) is None:
        raise NotFound("office")
    policy = ReminderPolicy(
        offsets_days=tuple(sorted(set(offsets_days), reverse=True)),
        send_hour=send_hour,
        follow_up_missed=follow_up_missed,
    )
    if len(policy.offsets_days) != len(offsets_days):
        raise InvalidInput("offsets_days", "repeats a day", "มีวันซ้ำกัน")
    policy.validate(quiet_hours(ctx.settings))
    hearing_days = None
    if hearing_offsets_days is not None:
        hearing_days = sorted(set(hearing_offsets_days), reverse=True)
        if len(hearing_days) != len(hearing_offsets_days):
            raise InvalidInput("hearing_offsets_days", "repeats a day", "มีวันซ้ำกัน")
    if review_deadline_hours is not None:
        check_deadline_hours(review_deadline_hours, "review_deadline_hours")
    if request_deadline_hours is not None:
        check_deadline_hours(request_deadline_hours, "request_deadline_hours")
    if reschedule_max_days is not None and not 1 <= reschedule_max_days <= MAX_RESCHEDULE_MAX_DAYS:
        raise InvalidInput(
            "reschedule_max_days",
            f"must be 1 to {MAX_RESCHEDULE_MAX_DAYS} days",
            f"ต้องเป็น 1 ถึง {MAX_RESCHEDULE_MAX_DAYS} วัน",
        )
    old = await office_policy(office_id)
    old_row = await settings_store.get_office_settings(office_id)
    old_review = old_row["review_deadline_hours"] if old_row else None
    await settings_store.save_office_settings(
        office_id,
        {
            "offsets_days": list(policy.offsets_days),
            "send_hour": policy.send_hour,
            "follow_up_missed": policy.follow_up_missed,
            "updated_at": ctx.now,
            "hearing_offsets_days": hearing_days,
            "review_deadline_hours": review_deadline_hours,
            "request_deadline_hours": request_deadline_hours,
            "reschedule_max_days": reschedule_max_days,
        },
    )
    await ctx.audit(
        "office.reminder_settings",
        "office",
        office_id,
        {
            "offsets_days": {"from": list(old.offsets_days), "to": list(policy.offsets_days)},
            "send_hour": {"from": old.send_hour, "to": policy.send_hour},
            "follow_up_missed": {"from": old.follow_up_missed, "to": policy.follow_up_missed},
            "review_deadline_hours": {"from": old_review, "to": review_deadline_hours},
            "request_deadline_hours": {
                "from": old_row["request_deadline_hours"] if old_row else None,
                "to": request_deadline_hours,
            },
            "reschedule_max_days": {
                "from": old_row["reschedule_max_days"] if old_row else None,
                "to": reschedule_max_days,
            },
        },
    )
    return await get_office_settings(ctx, office_id)


async def send_hour_problems(settings: Settings) -> list[str]:
    """Each office whose reminder hour falls inside the quiet hours (`SMS_QUIET_HOURS`), named:
    its reminders before a due date would all wait to the end of the quiet hours or be skipped
    as too late. `serve` and `scheduler` refuse to start with any (a quiet-hours change made
    after the offices chose their hours); the default hour is checked too."""
    quiet = quiet_hours(settings)
    problems: list[str] = []
    try:
        DEFAULT_POLICY.validate(quiet)
    except InvalidInput:
        problems.append(
            f"SMS_QUIET_HOURS {quiet.start_hour}-{quiet.end_hour} holds the default reminder "
            f"hour {DEFAULT_POLICY.send_hour}:00: choose quiet hours that leave it free"
        )
    for row in await settings_store.send_hours():
        try:
            ReminderPolicy(send_hour=row["send_hour"]).validate(quiet)
        except InvalidInput:
            problems.append(
                f"office {row['code']} ({row['name_th']}, id {row['office']}) sends its "
                f"reminders at {row['send_hour']}:00, inside SMS_QUIET_HOURS "
                f"{quiet.start_hour}-{quiet.end_hour}: change its hour "
                f"(PUT /api/v1/offices/{row['office']}/reminder-settings) or the quiet hours"
            )
    return problems
