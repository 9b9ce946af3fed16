"""Deadline arithmetic in working hours across Thai holidays and weekends: examples, and
properties (a deadline is never on a weekend, a holiday or outside office hours; it is
monotone in its start; adding hours is additive; a minute-by-minute count agrees)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting_api.errors import InvalidInput
from reporting_api.planning import is_working_day, thai_holidays
from reporting_api.thai_dates import BANGKOK
from reporting_api.working_hours import (
    MAX_DEADLINE_HOURS,
    MAX_WORKING_TIME,
    OFFICE_HOURS,
    OfficeHours,
    add_working_hours,
    add_working_time,
    check_deadline_hours,
    working_time_between,
)


def bkk(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BANGKOK)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Thursday morning: one working day later, Friday morning.
        (bkk(2026, 12, 3, 10), 8, bkk(2026, 12, 4, 10)),
        # Friday afternoon: the weekend and Monday 7 Dec (King Bhumibol's birthday in lieu)
        # are skipped.
        (bkk(2026, 12, 4, 15), 8, bkk(2026, 12, 8, 15)),
        # Across the year's end: New Year's Eve, New Year's Day and a weekend.
        (bkk(2026, 12, 30, 15), 8, bkk(2027, 1, 4, 15)),
        # Songkran after a weekend: Friday 16:00 + 1 hour is Thursday 09:00.
        (bkk(2026, 4, 10, 16), 1, bkk(2026, 4, 16, 9)),
        # The Royal Ploughing Ceremony (a government holiday) is a day off too.
        (bkk(2026, 5, 12, 16), 1, bkk(2026, 5, 14, 9)),
        # Saturday noon: counting starts on Monday's opening.
        (bkk(2026, 12, 12, 12), 1, bkk(2026, 12, 14, 9, 30)),
        # Before opening: counting starts at 08:30.
        (bkk(2026, 12, 15, 6), 2, bkk(2026, 12, 15, 10, 30)),
        # After closing: the next working day.
        (bkk(2026, 12, 15, 20), 2, bkk(2026, 12, 16, 10, 30)),
        # A whole day from opening ends at closing, the same day.
        (bkk(2026, 12, 15, 8, 30), 8, bkk(2026, 12, 15, 16, 30)),
        # Two working days across Constitution Day (Thursday 10 Dec).
        (bkk(2026, 12, 9, 9), 16, bkk(2026, 12, 14, 9)),
    ],
)
def test_examples_across_holidays_and_weekends(start, hours, expected):
    assert add_working_hours(start, hours) == expected.astimezone(UTC)


def test_a_declared_holiday_is_skipped():
    start = bkk(2026, 12, 15, 16)
    assert add_working_hours(start, 1) == bkk(2026, 12, 16, 9).astimezone(UTC)
    declared = {date(2026, 12, 16): "Declared"}
    assert add_working_hours(start, 1, declared=declared) == bkk(2026, 12, 17, 9).astimezone(UTC)


def test_an_office_with_other_hours():
    hours = OfficeHours(time(9), time(12))
    assert add_working_hours(bkk(2026, 12, 3, 11), 2, hours=hours) == bkk(
        2026, 12, 4, 10
    ).astimezone(UTC)
    with pytest.raises(ValueError):
        OfficeHours(time(12), time(9))


def test_zero_is_the_start_and_bounds_are_refused():
    start = bkk(2026, 12, 12, 12)  # a Saturday
    assert add_working_time(start, timedelta(0)) == start
    with pytest.raises(ValueError):
        add_working_time(start, timedelta(minutes=-1))
    with pytest.raises(ValueError):
        add_working_time(start, MAX_WORKING_TIME + timedelta(seconds=1))
    with pytest.raises(ValueError):
        add_working_time(datetime(2026, 12, 3, 10), timedelta(hours=1))


def test_working_time_between_examples():
    assert working_time_between(bkk(2026, 12, 4, 15), bkk(2026, 12, 8, 15)) == timedelta(hours=8)
    assert working_time_between(bkk(2026, 12, 5, 0), bkk(2026, 12, 7, 23)) == timedelta(0)
    assert working_time_between(bkk(2026, 12, 8, 15), bkk(2026, 12, 4, 15)) == timedelta(0)


def test_deadline_hours_are_checked_in_both_languages():
    assert check_deadline_hours(8, "review_deadline_hours") == 8
    for bad in (0, -1, MAX_DEADLINE_HOURS + 1):
        with pytest.raises(InvalidInput) as refused:
            check_deadline_hours(bad, "review_deadline_hours")
        assert refused.value.field == "review_deadline_hours"
        assert "working hours" in refused.value.reason
        assert "ชั่วโมงทำการ" in refused.value.reason_th


# --- properties --------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
amounts = st.integers(min_value=1, max_value=int(MAX_WORKING_TIME.total_seconds()) // 60).map(
    lambda m: timedelta(minutes=m)
)
declared_days = st.dictionaries(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 3, 31)),
    st.just("Declared"),
    max_size=5,
)


def _is_working_instant(at: datetime, declared: dict[date, str]) -> bool:
    local = at.astimezone(BANGKOK)
    day = local.date()
    opens, closes = OFFICE_HOURS.on(day)
    return is_working_day(day, thai_holidays([day.year], declared)) and opens < local <= closes


@settings(max_examples=300, deadline=None)
@given(starts, amounts, declared_days)
def test_a_deadline_is_inside_office_hours_on_a_working_day(start, amount, declared):
    deadline = add_working_time(start, amount, declared=declared)
    assert deadline.tzinfo is not None
    assert _is_working_instant(deadline, declared)
    assert deadline >= start + amount  # never sooner than the same time on a clock
    assert working_time_between(start, deadline, declared=declared) == amount


@settings(max_examples=300, deadline=None)
@given(starts, starts, amounts)
def test_a_deadline_is_monotone_in_its_start(a, b, amount):
    first, second = sorted((a, b))
    assert add_working_time(first, amount) <= add_working_time(second, amount)


@settings(max_examples=300, deadline=None)
@given(starts, amounts, amounts, declared_days)
def test_adding_hours_is_additive(start, a, b, declared):
    if a + b > MAX_WORKING_TIME:
        a, b = a / 2, b / 2
    step = add_working_time(add_working_time(start, a, declared=declared), b, declared=declared)
    assert step == add_working_time(start, a + b, declared=declared)


@settings(max_examples=300, deadline=None)
@given(starts, st.integers(min_value=1, max_value=MAX_DEADLINE_HOURS - 1))
def test_more_hours_never_come_sooner(start, n):
    assert add_working_hours(start, n) < add_working_hours(start, n + 1)


@settings(max_examples=40, deadline=None)
@given(
    starts.map(lambda t: t.replace(second=0, microsecond=0)),
    st.integers(min_value=1, max_value=16 * 60),
)
def test_a_minute_by_minute_count_agrees(start, minutes):
    # The slow way: walk forward a minute at a time, counting the minutes that start inside
    # office hours on a working day, until enough are counted.
    holidays = thai_holidays(range(start.year, start.year + 2))
    at, counted = start.astimezone(BANGKOK), 0
    while counted < minutes:
        day = at.date()
        opens, closes = OFFICE_HOURS.on(day)
        if is_working_day(day, holidays) and opens <= at < closes:
            counted += 1
        at += timedelta(minutes=1)
    assert add_working_time(start, timedelta(minutes=minutes)) == at.astimezone(UTC)
