"""Holidays the cabinet declares at short notice, on top of the `holidays` package's public and
government ones (docs/planning.md).

An admin declares a day (with its Thai and English names) or removes one. Either way every
active case with a check-in not yet opened around that day is re-planned from its stored
plan: due dates on a declared day move to the next working day (and back when it is removed),
their reminders move with them, and the person is told (`services/notices.py`). Each case is
its own transaction, so one case that cannot be re-planned does not hold the others back; it
is reported by number for an officer to look at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from reporting_api.access import ADMIN, ensure_role
from reporting_api.commands import HolidayIn
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.planning import WEEKEND, check_not_buddhist_year, thai_holidays
from reporting_api.services.context import Ctx
from reporting_api.store import cases as case_store
from reporting_api.store import holidays as store
from reporting_api.store.holidays import DeclaredHolidayRow
from reporting_api.thai_dates import (
    LATEST_DATE,
    bangkok_today,
    check_date_range,
    format_thai_date,
)

REACH_BACK_DAYS = 14
"""A holiday on a day touches check-ins nominally due up to this many days before it: a run of
holidays and a weekend (Songkran) never moves a date further than that."""
FURTHEST_AHEAD_YEARS = 2


@dataclass(frozen=True)
class HolidayDay:
    """One day off in a year, as the admin page lists it."""

    day: date
    name_th: str | None
    name_en: str
    source: str  # "package" (public or government) or "declared"
    id: int | None = None


@dataclass(frozen=True)
class HolidayChange:
    """What declaring or removing a day did."""

    holiday: DeclaredHolidayRow
    cases_replanned: int = 0
    check_ins_moved: int = 0
    people_notified: int = 0
    cases_failed: list[int] = field(default_factory=list)


async def declared_names(first: date, last: date) -> dict[date, str]:
    """The declared days from ``first`` to ``last`` (plus a year, for moves across a year's
    end), as date -> English name: what planning adds to the package's holidays."""
    rows = await store.declared_between(first, min(LATEST_DATE, date(last.year + 1, 12, 31)))
    return {row["day"]: row["name_en"] for row in rows}


async def list_holidays(ctx: Ctx, year: int) -> list[HolidayDay]:
    """The year's days off: the package's public and government holidays and the declared ones."""
    ensure_role(ctx.principal, ADMIN)
    if not 1900 <= year <= 2199:
        raise InvalidInput("year", "must be a year from 1900 to 2199", "ต้องเป็นปี ค.ศ. 1900 ถึง 2199")
    days = [
        HolidayDay(day=d, name_th=None, name_en=name, source="package")
        for d, name in sorted(thai_holidays([year]).items())
        if d.year == year
    ]
    days += [
        HolidayDay(row["day"], row["name_th"], row["name_en"], "declared", row["id"])
        for row in await store.declared_between(date(year, 1, 1), date(year, 12, 31))
    ]
    return sorted(days, key=lambda h: (h.day, h.source))


def _check_day(day: date, today: date) -> None:
    check_not_buddhist_year(day, "day", today)
    check_date_range(day, "day")
    if day < today:
        raise InvalidInput("day", "is in the past", "เป็นวันที่ผ่านมาแล้ว")
    if day > today.replace(year=today.year + FURTHEST_AHEAD_YEARS):
        raise InvalidInput("day", "must be within two years from today", "ต้องอยู่ภายในสองปีนับจากวันนี้")
    if day.weekday() >= 5:
        raise InvalidInput(
            "day",
            f"{day.isoformat()} is a {WEEKEND} day already: the offices are closed",
            f"{format_thai_date(day)} เป็นวันหยุดสุดสัปดาห์อยู่แล้ว",
        )
    package = thai_holidays([day.year])
    if day in package:
        raise InvalidInput(
            "day",
            f"{day.isoformat()} is already a holiday: {package[day]}",
            f"{format_thai_date(day)} เป็นวันหยุดอยู่แล้ว ({package[day]})",
        )


async def declare(ctx: Ctx, data: HolidayIn) -> HolidayChange:
    """Declare ``data.day`` a holiday and re-plan the cases it touches (admins only)."""
    ensure_role(ctx.principal, ADMIN)
    _check_day(data.day, bangkok_today(ctx.now))
    name_th, name_en = data.name_th.strip(), data.name_en.strip()
    for name, value in (("name_th", name_th), ("name_en", name_en)):
        if not value:
            raise InvalidInput(name, "is required", "ต้องกรอก")
    holiday_id = await store.insert(data.day, name_th, name_en, ctx.principal.id, ctx.now)
    if holiday_id is None:
        raise Conflict(
            "day",
            f"{data.day.isoformat()} is already declared a holiday",
            f"{format_thai_date(data.day)} ประกาศเป็นวันหยุดไว้แล้ว",
        )
    change = await _replan_around(ctx, holiday_id, data.day)
    await ctx.audit("holiday.declare", "declared_holiday", holiday_id, _counts(change))
    return change


async def remove(ctx: Ctx, holiday_id: int) -> HolidayChange:
    """Remove a declared day (kept as history) and re-plan the cases it had moved."""
    ensure_role(ctx.principal, ADMIN)
    row = await store.get(holiday_id)
    if row is None or row["removed_at"] is not None:
        raise NotFound("holiday")
    if row["day"] < bangkok_today(ctx.now):
        raise Conflict("day", "the day has passed", "วันนี้ผ่านไปแล้ว ยกเลิกไม่ได้")
    if not await store.mark_removed(holiday_id, ctx.principal.id, ctx.now):
        raise NotFound("holiday")
    change = await _replan_around(ctx, holiday_id, row["day"])
    await ctx.audit("holiday.remove", "declared_holiday", holiday_id, _counts(change))
    return change


async def _replan_around(ctx: Ctx, holiday_id: int, day: date) -> HolidayChange:
    # Imported here: plans reads this module's declared_names when it expands a plan.
    from reporting_api.services import plans

    touched = await store.active_cases_with_upcoming_between(
        day - timedelta(days=REACH_BACK_DAYS), day + timedelta(days=REACH_BACK_DAYS)
    )
    replanned = moved = notified = 0
    failed: list[int] = []
    for case_id in touched:
        case = await case_store.get_case(case_id)
        if case is None or case["status"] != "active":
            continue
        try:
            result = await plans.replan_stored(ctx, case)
        except (InvalidInput, Conflict):
            # A plan stored before today's rules (windows that touch) cannot be expanded
            # again: its officer edits it. Named in the answer and the audit row.
            failed.append(case_id)
            continue
        if result is None:
            continue
        if result.created or result.deleted:
            replanned += 1
            moved += max(result.created, result.deleted)
        notified += int(result.notified)
    holiday = await store.get(holiday_id)
    assert holiday is not None
    return HolidayChange(holiday, replanned, moved, notified, failed)


def _counts(change: HolidayChange) -> dict[str, object]:
    return {
        "day": change.holiday["day"].isoformat(),
        "cases_replanned": change.cases_replanned,
        "check_ins_moved": change.check_ins_moved,
        "people_notified": change.people_notified,
        "cases_failed": change.cases_failed,
    }
