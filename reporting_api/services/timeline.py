"""One person's page: profile, cases and plans, and a single timeline (newest first) of
their check-ins, reminders, recordings, flags, officers' notes and the person's answers to
reminders ("I'll come" on LINE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from reporting_api.demographics import age_group
from reporting_api.errors import NotFound
from reporting_api.reminder_schedule import MISSED_FOLLOW_UP
from reporting_api.services import checkins, defendants, line_accounts
from reporting_api.services.checkins import EXCUSE_REASONS
from reporting_api.services.context import Ctx
from reporting_api.services.flags import flag_state
from reporting_api.statuses import CheckInStatus, can_transition
from reporting_api.store import cases as case_store
from reporting_api.store import checkins as check_in_store
from reporting_api.store import contacts as contact_store
from reporting_api.store import hearings as hearing_store
from reporting_api.store import notes as note_store
from reporting_api.store import offices as office_store
from reporting_api.store import requests as request_store
from reporting_api.store import staff as staff_store
from reporting_api.store import timeline as store
from reporting_api.store.contacts import ContactRow
from reporting_api.store.hearings import HearingRow
from reporting_api.store.notes import NoteRow
from reporting_api.store.requests import RequestRow
from reporting_api.store.rows import DefendantProfileRow, ReportingPlanRow
from reporting_api.store.timeline import (
    HistoryAnswerRow,
    HistoryAttemptRow,
    HistoryCaseRow,
    HistoryCheckInRow,
    HistoryFlagRow,
    HistoryReminderRow,
)
from reporting_api.thai_dates import bangkok_today

UPCOMING_SHOWN = 6
"""Future dates listed under each plan."""
ENDED_REMINDER = ("failed", "undelivered", "skipped", "cancelled")


class TimelineCheckIn(HistoryCheckInRow):
    can_in_person: bool
    can_excuse: bool


class TimelineFlag(HistoryFlagRow):
    state: str


EventItem = (
    TimelineCheckIn
    | HistoryReminderRow
    | HistoryAttemptRow
    | TimelineFlag
    | NoteRow
    | HistoryAnswerRow
)


@dataclass
class Event:
    type: Literal["check_in", "reminder", "attempt", "flag", "note", "answer"]
    at: datetime
    item: EventItem
    future: bool = False


@dataclass(frozen=True)
class CasePlan:
    """A case, its reporting plan (if set) and its next few dates."""

    case: HistoryCaseRow
    plan: ReportingPlanRow | None
    upcoming: list[HistoryCheckInRow]


@dataclass(frozen=True)
class PersonPage:
    person: DefendantProfileRow
    cases: list[CasePlan]
    events: list[Event]
    can_change: bool
    excuse_reasons: dict[str, tuple[str, str]]
    offices: list[Choice] = field(default_factory=list)
    """Where a case can be transferred (officers of the person's office only)."""
    officers: list[Choice] = field(default_factory=list)
    """Who in the person's office a case can be given to."""
    hearings: dict[int, list[HearingRow]] = field(default_factory=dict)
    """Each case's court hearings by time (cancelled ones too, as history)."""
    requests: list[RequestRow] = field(default_factory=list)
    """The person's requests to their officer, newest first."""
    contact: ContactRow | None = None
    """The trusted contact the person named, and whether their consent stands."""
    channel: line_accounts.MessageChannel | None = None
    """How messages reach the person, LINE or SMS (None while LINE is off)."""
    age_group: str = ""
    """The person's age group today (`demographics.age_group`)."""


@dataclass(frozen=True)
class Choice:
    """An office or an officer in a form's list."""

    id: int
    name: str
    name_en: str


def _check_in_time(row: HistoryCheckInRow) -> datetime:
    if row["completed_at"] is not None:
        return row["completed_at"]
    if row["status"] == "missed":
        return row["closes_at"]
    return row["due_at"]


def _reminder_time(row: HistoryReminderRow) -> datetime:
    if row["delivered_at"] is not None:
        return row["delivered_at"]
    if row["sent_at"] is not None:
        return row["sent_at"]
    if row["status"] in ENDED_REMINDER:
        return row["updated_at"]
    return row["due_at"]


def _shown_check_ins(rows: list[HistoryCheckInRow], now: datetime) -> list[HistoryCheckInRow]:
    """Check-ins whose window has opened or that were met early, and each case's next one."""
    shown: list[HistoryCheckInRow] = []
    next_of_case: set[int] = set()
    for row in rows:  # by due date
        if row["opens_at"] <= now or row["completed_at"] is not None:
            shown.append(row)
        elif row["case"] not in next_of_case:
            next_of_case.add(row["case"])
            shown.append(row)
    return shown


_ORDER = {"flag": 0, "attempt": 1, "check_in": 2, "reminder": 3, "note": 4, "answer": 5}
"""Of events at the same instant, the one listed first (newest first, so reversed)."""


def build_timeline(
    *,
    check_ins: list[HistoryCheckInRow],
    reminders: list[HistoryReminderRow],
    attempts: list[HistoryAttemptRow],
    flags: list[HistoryFlagRow],
    now: datetime,
    can_change: bool,
    notes: Sequence[NoteRow] = (),
    answers: Sequence[HistoryAnswerRow] = (),
) -> list[Event]:
    """The events of one person, newest first; future ones (the next check-in and its
    planned reminders) on top, marked as such."""
    events: list[Event] = []
    shown = _shown_check_ins(check_ins, now)
    shown_ids = {row["id"] for row in shown}
    for row in shown:
        status = CheckInStatus(row["status"])
        item = TimelineCheckIn(
            **row,
            can_in_person=can_change and can_transition(status, CheckInStatus.VERIFIED),
            can_excuse=can_change and can_transition(status, CheckInStatus.EXCUSED),
        )
        events.append(Event("check_in", _check_in_time(row), item))
    for reminder in reminders:
        if reminder["check_in"] is not None and reminder["check_in"] not in shown_ids:
            continue
        if (
            reminder["kind"] == MISSED_FOLLOW_UP
            and reminder["status"] == "queued"
            and reminder["due_at"] > now
        ):
            continue  # goes out only if the check-in is missed: not a plan to show yet
        events.append(Event("reminder", _reminder_time(reminder), reminder))
    for attempt in attempts:
        events.append(Event("attempt", attempt["created_at"], attempt))
    for flag in flags:
        events.append(
            Event("flag", flag["raised_at"], TimelineFlag(**flag, state=flag_state(flag)))
        )
    events += [Event("note", note["created_at"], note) for note in notes]
    events += [Event("answer", answer["at"], answer) for answer in answers]
    events.sort(key=lambda e: (e.at, -_ORDER[e.type], e.item["id"]), reverse=True)
    for event in events:
        event.future = event.at > now
    return events


async def defendant_page(ctx: Ctx, defendant_id: int) -> PersonPage:
    """Everything the person's page shows. Managers read every office, officers their own."""
    person = await defendants.read(ctx, defendant_id)  # checks access, audits the view
    can_change = ctx.principal.is_officer and ctx.principal.office_id == person["office"]
    cases = await store.cases_of(defendant_id)
    check_ins = [
        checkins.with_effective_status(r, ctx.now) for r in await store.check_ins_of(defendant_id)
    ]
    plans = []
    for case in cases:
        later = [r for r in check_ins if r["case"] == case["id"] and r["opens_at"] > ctx.now]
        shown_case = case.copy()
        shown_case["bail_amount"] = Decimal(str(case["bail_amount"]))
        plans.append(
            CasePlan(shown_case, await case_store.get_plan(case["id"]), later[:UPCOMING_SHOWN])
        )
    reminders = await store.reminders_of(defendant_id)
    requests = await request_store.for_defendant(defendant_id)
    attempts = await store.attempts_of(defendant_id)
    flags = await store.flags_of(defendant_id)
    answers = await store.answers_of(defendant_id)
    events = build_timeline(
        check_ins=check_ins,
        reminders=reminders,
        attempts=attempts,
        flags=flags,
        now=ctx.now,
        can_change=can_change,
        notes=await note_store.of_person(defendant_id),
        answers=answers,
    )
    await ctx.audit(
        "defendant.timeline",
        "defendant",
        defendant_id,
        {
            "check_ins": len(check_ins),
            "reminders": len(reminders),
            "attempts": len(attempts),
            "flags": len(flags),
            "requests": len(requests),
            "answers": len(answers),
        },
    )
    offices: list[Choice] = []
    officers: list[Choice] = []
    if can_change:
        offices = [
            Choice(o["id"], o["name_th"], o["name_en"])
            for o in await office_store.list_offices()
            if o["id"] != person["office"]
        ]
        officers = [
            Choice(s["id"], s["display_name"] or s["username"], s["display_name"] or s["username"])
            for s in await staff_store.list_staff(person["office"])
            if s["role"] == "officer" and s["active"]
        ]
    by_case: dict[int, list[HearingRow]] = {c["id"]: [] for c in cases}
    for hearing in await hearing_store.of_cases([c["id"] for c in cases]):
        by_case[hearing["case"]].append(hearing)
    return PersonPage(
        person,
        plans,
        events,
        can_change,
        EXCUSE_REASONS,
        offices,
        officers,
        by_case,
        requests,
        await contact_store.for_defendant(person["id"]),
        await line_accounts.channel_of(ctx, defendant_id),
        age_group(person["date_of_birth"], bangkok_today(ctx.now)),
    )


async def page_for_check_in(ctx: Ctx, check_in_id: int) -> PersonPage:
    """The page of the person a check-in belongs to (a form on it is shown again)."""
    row = await check_in_store.get_with_person(check_in_id)
    if row is None:
        raise NotFound("check-in")
    return await defendant_page(ctx, row["defendant_id"])
