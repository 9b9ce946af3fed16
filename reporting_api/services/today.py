"""An office's day on one screen: what is due, open, overdue, missed, waiting for review,
and whose phone cannot be reached. The officers' Today page and the API's
`GET /offices/{id}/checkins/today` are both this one operation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from reporting_api.access import office_scope
from reporting_api.services.checkins import with_effective_status
from reporting_api.services.context import Ctx
from reporting_api.store import attempts as attempt_store
from reporting_api.store import checkins as store
from reporting_api.store import flags as flag_store
from reporting_api.store.attempts import ReviewRow
from reporting_api.store.checkins import DayRow
from reporting_api.store.rows import FlagRow
from reporting_api.thai_dates import bangkok_today, end_of_local_day_utc

MISSED_DAYS = 14
"""How far back missed check-ins are listed, unless the caller asks for another span."""
MAX_MISSED_DAYS = 90
SECTION_LIMIT = 50
"""Rows listed in each section; its count says how many there are in all."""
MAX_SECTION_LIMIT = 200

T = TypeVar("T")


@dataclass(frozen=True)
class Section(Generic[T]):
    """The first rows of one list and how many there are in all."""

    rows: list[T]
    total: int


@dataclass(frozen=True)
class OfficeDay:
    office_id: int
    today: date
    due_today: Section[DayRow]
    open_now: Section[DayRow]
    overdue: Section[DayRow]
    missed: Section[DayRow]
    review: Section[ReviewRow]
    unreachable: Section[FlagRow]
    open_flags_total: int


def _section(listed: tuple[list[DayRow], int], ctx: Ctx) -> Section[DayRow]:
    rows, total = listed
    return Section([with_effective_status(r, ctx.now) for r in rows], total)


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
    limit = limit or SECTION_LIMIT
    day = bangkok_today(ctx.now)
    now = ctx.now
    due = await store.due_on(office, day, limit)
    overdue = await store.overdue(office, now, limit)
    missed = await store.missed_since(office, now - timedelta(days=missed_days), now, limit)
    open_now = await store.windows_open(office, end_of_local_day_utc(day), now, limit)
    review, review_total = await attempt_store.list_waiting(office, 0, limit)
    unreachable, unreachable_total = await flag_store.list_flags(
        office_id=office,
        state="open",
        kind="unreachable_phone",
        case_id=None,
        offset=0,
        limit=limit,
    )
    _, flags_total = await flag_store.list_flags(
        office_id=office, state="open", kind=None, case_id=None, offset=0, limit=1
    )
    shown = {r["defendant_id"] for rows, _ in (due, overdue, missed, open_now) for r in rows}
    shown |= {r["defendant_id"] for r in review}
    await ctx.audit("checkin.today", "office", office, {"defendants": sorted(shown)})
    return OfficeDay(
        office_id=office,
        today=day,
        due_today=_section(due, ctx),
        open_now=_section(open_now, ctx),
        overdue=_section(overdue, ctx),
        missed=_section(missed, ctx),
        review=Section(review, review_total),
        unreachable=Section(unreachable, unreachable_total),
        open_flags_total=flags_total,
    )
