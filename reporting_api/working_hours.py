"""Deadlines in working hours: an office's hours on its working days in Bangkok.

A working day is Monday to Friday and not a Thai public or government holiday (the `holidays`
package, `planning.HOLIDAY_CATEGORIES`) nor a day the cabinet declared; on it the office works
from `OfficeHours.opens` to `OfficeHours.closes`, Bangkok time. ``add_working_time(start,
amount)`` is the earliest instant by which ``amount`` of working time has passed since
``start``: for a positive amount it always falls inside a working day's hours (at most at
closing time), it never goes backwards when ``start`` moves later, and adding two amounts one
after the other is the same as adding their sum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from reporting_api.errors import InvalidInput
from reporting_api.planning import is_working_day, thai_holidays
from reporting_api.thai_dates import BANGKOK

DEFAULT_REVIEW_DEADLINE_HOURS = 8
"""A recording waiting for an officer's review: one working day, unless the office sets its own."""
MIN_DEADLINE_HOURS = 1
MAX_DEADLINE_HOURS = 80
"""Ten working days: a longer deadline is no deadline."""
MAX_WORKING_TIME = timedelta(hours=MAX_DEADLINE_HOURS)


@dataclass(frozen=True)
class OfficeHours:
    """When an office works on a working day, Bangkok time."""

    opens: time = time(8, 30)
    closes: time = time(16, 30)

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("an office must open before it closes")

    def on(self, day: date) -> tuple[datetime, datetime]:
        """The day's opening and closing instants (aware, Bangkok)."""
        return (
            datetime.combine(day, self.opens, BANGKOK),
            datetime.combine(day, self.closes, BANGKOK),
        )


OFFICE_HOURS = OfficeHours()
"""08:30 to 16:30, Monday to Friday: government offices' hours."""


class _DaysOff:
    """Holidays by year (the package's, with the declared days), looked up as days go by."""

    def __init__(self, declared: Mapping[date, str]) -> None:
        self._declared = declared
        self._years: dict[int, Mapping[date, str]] = {}

    def working(self, day: date) -> bool:
        if day.year not in self._years:
            self._years[day.year] = thai_holidays([day.year], self._declared)
        return is_working_day(day, self._years[day.year])


def add_working_time(
    start: datetime,
    amount: timedelta,
    *,
    declared: Mapping[date, str] | None = None,
    hours: OfficeHours = OFFICE_HOURS,
) -> datetime:
    """The earliest instant (UTC) by which ``amount`` of working time has passed since
    ``start`` (aware); ``declared`` are extra days off (date -> name). ``amount`` is at most
    MAX_WORKING_TIME and not negative."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if amount < timedelta(0) or amount > MAX_WORKING_TIME:
        raise ValueError(f"amount must be from 0 to {MAX_WORKING_TIME}")
    if amount == timedelta(0):
        return start.astimezone(UTC)
    days = _DaysOff(declared or {})
    cursor = start.astimezone(BANGKOK)
    day = cursor.date()
    remaining = amount
    while True:
        if days.working(day):
            opens, closes = hours.on(day)
            begin = max(cursor, opens)
            if begin < closes:
                if remaining <= closes - begin:
                    return (begin + remaining).astimezone(UTC)
                remaining -= closes - begin
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0), BANGKOK)


def add_working_hours(
    start: datetime,
    n: int,
    *,
    declared: Mapping[date, str] | None = None,
    hours: OfficeHours = OFFICE_HOURS,
) -> datetime:
    """``start`` plus ``n`` working hours (see `add_working_time`)."""
    return add_working_time(start, timedelta(hours=n), declared=declared, hours=hours)


def working_time_between(
    start: datetime,
    end: datetime,
    *,
    declared: Mapping[date, str] | None = None,
    hours: OfficeHours = OFFICE_HOURS,
) -> timedelta:
    """How much working time lies between ``start`` and ``end`` (nothing if end is earlier)."""
    if end <= start:
        return timedelta(0)
    days = _DaysOff(declared or {})
    first, last = start.astimezone(BANGKOK), end.astimezone(BANGKOK)
    total = timedelta(0)
    day = first.date()
    while day <= last.date():
        if days.working(day):
            opens, closes = hours.on(day)
            begin, finish = max(first, opens), min(last, closes)
            if begin < finish:
                total += finish - begin
        day += timedelta(days=1)
    return total


def check_deadline_hours(value: int, field: str) -> int:
    """A deadline an office sets, in whole working hours: refused, naming ``field``, unless
    from MIN_DEADLINE_HOURS to MAX_DEADLINE_HOURS."""
    if isinstance(value, bool) or not MIN_DEADLINE_HOURS <= value <= MAX_DEADLINE_HOURS:
        raise InvalidInput(
            field,
            f"must be a whole number of working hours from {MIN_DEADLINE_HOURS} to "
            f"{MAX_DEADLINE_HOURS} (a working day is 8 hours)",
            f"ต้องเป็นจำนวนชั่วโมงทำการเต็มตั้งแต่ {MIN_DEADLINE_HOURS} ถึง {MAX_DEADLINE_HOURS} "
            "ชั่วโมง (หนึ่งวันทำการมี 8 ชั่วโมง)",
        )
    return value
