"""An office's day: what is due today, overdue inside the grace days, and recently missed
(the API's `GET /offices/{id}/checkins/today`, and the top of the officers' Today page, one
rule for both), and for the Today page also the windows open now, the recordings waiting for
review (with the oldest one's deadline in working hours), the phones that cannot be reached
and the open flags."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from reporting_api.access import office_scope
from reporting_api.services.checkins import with_effective_status
from reporting_api.services.context import Ctx
from reporting_api.services.deadlines import Deadline, review_deadline
from reporting_api.store import attempts as attempt_store
from reporting_api.store import checkins as store
from reporting_api.store import defendants as defendant_store
from reporting_api.store import flags as flag_store
from reporting_api.store import hearings as hearing_store
from reporting_api.store import requests as request_store
from reporting_api.store.attempts import ReviewRow
from reporting_api.store.checkins import DayRow
from reporting_api.store.defendants import NeedsPhotoRow
from reporting_api.store.hearings import WeekHearing
from reporting_api.store.requests import QueueRow
from reporting_api.store.rows import FlagRow
from reporting_api.thai_dates import bangkok_today, end_of_local_day_utc, local_midnight_utc

MISSED_DAYS = 14
"""How far back missed check-ins are listed, unless the caller asks for another span."""
MAX_MISSED_DAYS = 90
SECTION_LIMIT = 50
"""Rows listed in each section; its count says how many there are in all."""
MAX_SECTION_LIMIT = 200
HEARING_DAYS_SHOWN = 7
"""Today and the six days after it: the hearings the Today page lists."""

T = TypeVar("T")


@dataclass(frozen=True)
class Section(Generic[T]):
    """The first rows of one list and how many there are in all."""

    rows: list[T]
    total: int


@dataclass(frozen=True)
class OfficeDay:
    """What is due: each list's first rows (at most the limit) and how many in all."""

    office_id: int
    today: date
    due_today: Section[DayRow]
    overdue: Section[DayRow]
    missed: Section[DayRow]


@dataclass(frozen=True)
class TodayPage(OfficeDay):
    """The officers' Today page: the office's day and what else asks for an officer."""

    open_now: Section[DayRow]
    review: Section[ReviewRow]
    unreachable: Section[FlagRow]
    open_flags_total: int
    hearings: list[WeekHearing] = dataclasses.field(default_factory=list)
    """The office's court hearings from the start of today to seven days on (Bangkok)."""
    needs_photo: Section[NeedsPhotoRow] = Section([], 0)
    """People who report remotely but have no ID photo yet (an import without one)."""
    oldest_review: Deadline | None = None
    """The recording that has waited longest for review: since when, its deadline, overdue."""
    requests: Section[QueueRow] | None = None
    """The persons' requests waiting for a decision, oldest first."""
    oldest_request: QueueRow | None = None
    """The request that has waited longest (its `due_at` is its deadline)."""


def _section(listed: tuple[list[DayRow], int], ctx: Ctx) -> Section[DayRow]:
    rows, total = listed
    return Section([with_effective_status(r, ctx.now) for r in rows], total)


async def _due(ctx: Ctx, office: int, missed_days: int, limit: int) -> OfficeDay:
    """The three lists of what is due (independent queries, run side by side)."""
    day = bangkok_today(ctx.now)
    now = ctx.now
    due, overdue, missed = await asyncio.gather(
        store.due_on(office, day, limit),
        store.overdue(office, now, limit),
        store.missed_since(office, now - timedelta(days=missed_days), now, limit),
    )
    return OfficeDay(
        office_id=office,
        today=day,
        due_today=_section(due, ctx),
        overdue=_section(overdue, ctx),
        missed=_section(missed, ctx),
    )


def _people(*sections: Section[DayRow] | Section[ReviewRow]) -> list[int]:
    return sorted({row["defendant_id"] for section in sections for row in section.rows})


async def office_day(
    ctx: Ctx,
    office_id: int | None,
    *,
    missed_days: int = MISSED_DAYS,
    limit: int | None = None,
) -> OfficeDay:
    """The day of ``office_id`` (an officer's own office when None); each list holds at most
    ``limit`` rows (SECTION_LIMIT when None). Every person listed is named in one audit row."""
    office = office_scope(ctx.principal, office_id) or ctx.principal.office_id
    day = await _due(ctx, office, missed_days, limit or SECTION_LIMIT)
    people = _people(day.due_today, day.overdue, day.missed)
    await ctx.audit("checkin.today", "office", office, {"defendants": people})
    return day


async def today_page(ctx: Ctx, office_id: int | None) -> TodayPage:
    """The office's day (as `office_day` gives it) and, beside it, the windows open now, the
    recordings waiting for review, the unreachable phones and the count of open flags."""
    office = office_scope(ctx.principal, office_id) or ctx.principal.office_id
    limit = SECTION_LIMIT
    today_ends = end_of_local_day_utc(bangkok_today(ctx.now))
    (
        day,
        open_now,
        (review, review_total),
        (unreachable, unreachable_total),
        flags_total,
    ) = await asyncio.gather(
        _due(ctx, office, MISSED_DAYS, limit),
        store.windows_open(office, today_ends, ctx.now, limit),
        attempt_store.list_waiting(office, 0, limit),
        flag_store.list_flags(
            office_id=office,
            state="open",
            kind="unreachable_phone",
            case_id=None,
            offset=0,
            limit=limit,
        ),
        flag_store.count_flags(office_id=office, state="open"),
    )
    today = bangkok_today(ctx.now)
    week = await hearing_store.of_office_between(
        office,
        local_midnight_utc(today),
        end_of_local_day_utc(today + timedelta(days=HEARING_DAYS_SHOWN - 1)),
    )
    needs_photo, needs_photo_total = await defendant_store.needing_photo(office, limit)
    waiting, waiting_total = await request_store.queue(
        [office], request_store.OPEN_STATUSES, None, limit
    )
    # The queue is oldest first: its first row has waited longest.
    oldest = await review_deadline(office, review[0]["created_at"], ctx.now) if review else None
    page = TodayPage(
        **{f.name: getattr(day, f.name) for f in dataclasses.fields(day)},
        needs_photo=Section(needs_photo, needs_photo_total),
        open_now=_section(open_now, ctx),
        review=Section(review, review_total),
        unreachable=Section(unreachable, unreachable_total),
        open_flags_total=flags_total,
        hearings=week,
        oldest_review=oldest,
        requests=Section(waiting, waiting_total),
        oldest_request=waiting[0] if waiting else None,
    )
    people = _people(page.due_today, page.overdue, page.missed, page.open_now, page.review)
    people = sorted(
        set(people)
        | {h["defendant_id"] for h in week}
        | {p["id"] for p in needs_photo}
        | {r["defendant"] for r in waiting}
    )
    await ctx.audit("checkin.today", "office", office, {"defendants": people})
    return page
