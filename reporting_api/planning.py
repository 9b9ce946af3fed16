"""Reporting plans: expanding a plan into dated check-ins, and re-planning safely."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

from reporting_api.errors import InvalidInput
from reporting_api.statuses import CheckInStatus, PlanKind
from reporting_api.thai_dates import check_date_range, end_of_local_day_utc, local_midnight_utc

MAX_EVERY_DAYS = 365
MAX_WINDOW_DAYS = 60
MAX_GRACE_DAYS = 30
MAX_PLAN_YEARS = 10
WEEKEND = "weekend"


@dataclass(frozen=True)
class PlanSpec:
    """A reporting plan as an officer sets it."""

    kind: PlanKind
    start_date: date
    end_date: date
    every_days: int | None = None
    dates: tuple[date, ...] = ()
    window_opens_days_before: int = 0
    grace_days: int = 0

    def validate(self) -> None:
        """Raise InvalidInput naming the first field that breaks a rule."""
        check_date_range(self.start_date, "start_date")
        check_date_range(self.end_date, "end_date")
        for d in self.dates:
            check_date_range(d, "dates")
        if self.end_date < self.start_date:
            raise InvalidInput("end_date", "must not be before start_date", "ต้องไม่ก่อนวันเริ่มต้น")
        if self.end_date > _add_years(self.start_date, MAX_PLAN_YEARS):
            raise InvalidInput(
                "end_date", "a plan may span at most 10 years", "แผนการรายงานตัวต้องไม่เกิน 10 ปี"
            )
        if self.kind == PlanKind.INTERVAL:
            if self.every_days is None or not 1 <= self.every_days <= MAX_EVERY_DAYS:
                raise InvalidInput(
                    "every_days",
                    "must be a number of days from 1 to 365",
                    "ต้องเป็นจำนวนวันตั้งแต่ 1 ถึง 365",
                )
        elif self.kind == PlanKind.DATES:
            if not self.dates:
                raise InvalidInput("dates", "give at least one date", "กรุณาระบุอย่างน้อยหนึ่งวัน")
            if any(not self.start_date <= d <= self.end_date for d in self.dates):
                raise InvalidInput(
                    "dates",
                    "every date must be between start_date and end_date",
                    "ทุกวันต้องอยู่ระหว่างวันเริ่มต้นและวันสิ้นสุด",
                )
        else:
            raise InvalidInput("kind", "must be interval or dates", "ต้องเป็น interval หรือ dates")
        if not 0 <= self.window_opens_days_before <= MAX_WINDOW_DAYS:
            raise InvalidInput(
                "window_opens_days_before",
                "must be from 0 to 60 days",
                "ต้องอยู่ระหว่าง 0 ถึง 60 วัน",
            )
        if not 0 <= self.grace_days <= MAX_GRACE_DAYS:
            raise InvalidInput("grace_days", "must be from 0 to 30 days", "ต้องอยู่ระหว่าง 0 ถึง 30 วัน")


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a year that has none
        return d.replace(year=d.year + years, day=28)


@lru_cache(maxsize=32)
def _thai_holidays_for(years: tuple[int, ...]) -> Mapping[date, str]:
    # English names: they are stored as moved_reason, and the interface translates them.
    found = holidays.country_holidays("TH", years=years, language="en_US")
    return MappingProxyType(dict(found.items()))


def thai_holidays(years: Iterable[int]) -> Mapping[date, str]:
    """Return Thailand's public holidays in ``years`` as date -> English name."""
    return _thai_holidays_for(tuple(sorted(set(years))))


def is_working_day(d: date, thai_holidays: Mapping[date, str]) -> bool:
    """Say whether ``d`` is a Monday-to-Friday day that is not a public holiday."""
    return d.weekday() < 5 and d not in thai_holidays


def next_working_day(d: date, thai_holidays: Mapping[date, str]) -> date:
    """Return ``d`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(d, thai_holidays):
        d += timedelta(days=1)
    return d


@dataclass(frozen=True)
class PlannedCheckIn:
    """One dated check-in a plan asks for, with its window as aware UTC instants."""

    due_date: date
    nominal_date: date
    moved_reason: str | None
    opens_at: datetime
    due_at: datetime
    closes_at: datetime


def _nominal_dates(spec: PlanSpec) -> list[date]:
    if spec.kind == PlanKind.DATES:
        return sorted(set(spec.dates))
    assert spec.every_days is not None  # validate() guarantees it
    step = timedelta(days=spec.every_days)
    found, d = [], spec.start_date + step
    while d <= spec.end_date:
        found.append(d)
        d += step
    return found


def expand_plan(spec: PlanSpec) -> list[PlannedCheckIn]:
    """Return the plan's check-ins, each moved to a working day, one per day, by due date."""
    spec.validate()
    # One more year: a date late in December can move into January.
    holiday_names = thai_holidays(range(spec.start_date.year, spec.end_date.year + 2))
    by_due: dict[date, PlannedCheckIn] = {}
    for nominal in _nominal_dates(spec):
        due = next_working_day(nominal, holiday_names)
        if due in by_due:  # two nominal dates landed on one working day: one visit is enough
            continue
        moved_reason = None
        if due != nominal:
            moved_reason = holiday_names.get(nominal, WEEKEND)
        by_due[due] = PlannedCheckIn(
            due_date=due,
            nominal_date=nominal,
            moved_reason=moved_reason,
            opens_at=local_midnight_utc(due - timedelta(days=spec.window_opens_days_before)),
            due_at=end_of_local_day_utc(due),
            closes_at=end_of_local_day_utc(due + timedelta(days=spec.grace_days)),
        )
    return sorted(by_due.values(), key=lambda planned: planned.due_date)


def initial_status(planned: PlannedCheckIn, now: datetime) -> CheckInStatus:
    """Return the status a check-in should start with at the aware instant ``now``."""
    if now < planned.opens_at:
        return CheckInStatus.UPCOMING
    if now < planned.due_at:
        return CheckInStatus.OPEN
    if now < planned.closes_at:
        return CheckInStatus.LATE
    return CheckInStatus.MISSED


@dataclass(frozen=True)
class ExistingCheckIn:
    """A stored check-in, as much of it as re-planning needs."""

    id: int
    due_date: date
    status: CheckInStatus
    opens_at: datetime


@dataclass(frozen=True)
class ReplanResult:
    """What to do with stored check-ins when a plan changes."""

    keep_ids: list[int]
    delete_ids: list[int]
    update: list[tuple[int, PlannedCheckIn]]
    create: list[PlannedCheckIn]


def is_frozen(existing: ExistingCheckIn, now: datetime) -> bool:
    """Say whether re-planning must leave ``existing`` alone: its window opened or it has moved on."""
    return existing.status != CheckInStatus.UPCOMING or existing.opens_at <= now


def replan(
    existing: Iterable[ExistingCheckIn], planned: Iterable[PlannedCheckIn], now: datetime
) -> ReplanResult:
    """Match stored check-ins against a new plan without touching history."""
    existing = list(existing)
    planned_by_due = {p.due_date: p for p in planned}
    frozen = [e for e in existing if is_frozen(e, now)]
    # A person is never asked to report twice on one day, and a past record is never rewritten.
    taken = {e.due_date for e in frozen}
    update: list[tuple[int, PlannedCheckIn]] = []
    delete_ids: list[int] = []
    for e in sorted((e for e in existing if not is_frozen(e, now)), key=lambda e: e.id):
        new = planned_by_due.get(e.due_date)
        if new is None or e.due_date in taken:
            delete_ids.append(e.id)
        else:
            update.append((e.id, new))
            taken.add(e.due_date)
    # A check-in whose window has already closed would be born missed: never create one.
    create = [p for d, p in sorted(planned_by_due.items()) if d not in taken and p.closes_at > now]
    return ReplanResult(
        keep_ids=sorted(e.id for e in frozen),
        delete_ids=sorted(delete_ids),
        update=sorted(update, key=lambda pair: pair[1].due_date),
        create=create,
    )
