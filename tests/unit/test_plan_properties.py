"""Plans that make sense: the rules an outside property run found missing (a Buddhist-era year
typed into a plan, two windows open at once after a holiday move, a due date after the end
date, an empty plan without a word, far-future years), as properties over any plan and examples."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reporting_api.errors import InvalidInput
from reporting_api.planning import (
    PlanSpec,
    expand_plan,
    expand_plan_with_notes,
    is_working_day,
    thai_holidays,
)
from reporting_api.statuses import PlanKind

TODAY = date(2026, 12, 3)


@st.composite
def plans(draw: st.DrawFn) -> PlanSpec:
    start = draw(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
    end = start + timedelta(days=draw(st.integers(0, 400)))
    window = draw(st.integers(0, 10))
    grace = draw(st.integers(0, 10))
    if draw(st.booleans()):
        every = draw(st.integers(window + grace + 1, window + grace + 40))
        return PlanSpec(PlanKind.INTERVAL, start, end, every, (), window, grace)
    gaps = draw(st.lists(st.integers(window + grace + 1, 60), min_size=0, max_size=8))
    first = start + timedelta(days=draw(st.integers(0, 20)))
    dates, d = [first], first
    for gap in gaps:
        d += timedelta(days=gap)
        dates.append(d)
    dates = [x for x in dates if x <= end] or [start]
    return PlanSpec(PlanKind.DATES, start, end, None, tuple(dates), window, grace)


declared_days = st.dictionaries(
    st.dates(date(2026, 1, 1), date(2030, 12, 31)), st.just("Declared holiday"), max_size=6
)


@settings(max_examples=300, deadline=None)
@given(spec=plans(), declared=declared_days)
def test_any_valid_plan_gives_working_days_inside_the_plan_one_window_at_a_time(spec, declared):
    expansion = expand_plan_with_notes(spec, declared=declared)
    planned = expansion.check_ins
    off = thai_holidays(range(spec.start_date.year, spec.end_date.year + 2), declared)
    for p in planned:
        assert is_working_day(p.due_date, off), p
        assert spec.start_date <= p.due_date <= spec.end_date, p
        assert p.opens_at <= p.due_at <= p.closes_at, p
    for earlier, later in zip(planned, planned[1:], strict=False):
        assert earlier.due_date < later.due_date
        assert earlier.closes_at <= later.opens_at, (earlier, later)
    assert bool(planned) or [n.code for n in expansion.notes if n.level == "warning"]


@given(
    meant=st.dates(date(2025, 1, 1), date(2030, 12, 31)),
    field=st.sampled_from(["start_date", "end_date", "dates"]),
)
def test_a_buddhist_era_year_is_refused_naming_the_year_meant(meant, field):
    try:
        typed = meant.replace(year=meant.year + 543)
    except ValueError:  # 29 February has no twin 543 years on
        assume(False)
    spec = PlanSpec(
        PlanKind.DATES, date(2026, 12, 1), date(2027, 12, 31), None, (date(2027, 1, 4),)
    )
    if field == "dates":
        spec = PlanSpec(PlanKind.DATES, spec.start_date, spec.end_date, None, (typed,))
    elif field == "start_date":
        spec = PlanSpec(PlanKind.DATES, typed, spec.end_date, None, spec.dates)
    else:
        spec = PlanSpec(PlanKind.DATES, spec.start_date, typed, None, spec.dates)
    with pytest.raises(InvalidInput) as caught:
        spec.validate(TODAY)
    assert caught.value.field == field
    assert f"did you mean {meant.year}?" in caught.value.reason
    assert f"ค.ศ. {meant.year}" in caught.value.reason_th


@given(year=st.integers(1, 9999), month=st.integers(1, 12), day=st.integers(1, 28))
def test_any_year_up_to_9999_is_refused_cleanly_or_planned(year, month, day):
    d = date(year, month, day)
    spec = PlanSpec(PlanKind.DATES, min(d, TODAY), max(d, TODAY), None, (d,), 0, 0)
    try:
        expand_plan(spec, today=TODAY)
    except InvalidInput as refusal:
        assert refusal.field in ("start_date", "end_date", "dates")


def test_a_plan_far_from_today_is_refused():
    spec = PlanSpec(PlanKind.INTERVAL, date(2100, 1, 1), date(2101, 1, 1), 30)
    spec.validate()  # on its own a plan of 2100 is well formed ...
    with pytest.raises(InvalidInput) as caught:
        spec.validate(TODAY)  # ... but not one set today
    assert caught.value.field == "start_date"


@pytest.mark.parametrize(("window", "grace", "every"), [(4, 3, 7), (5, 3, 7), (0, 7, 7), (7, 0, 7)])
def test_a_weekly_plan_whose_window_and_grace_fill_the_week_is_refused(window, grace, every):
    spec = PlanSpec(
        PlanKind.INTERVAL, date(2027, 1, 4), date(2027, 6, 30), every, (), window, grace
    )
    with pytest.raises(InvalidInput) as caught:
        spec.validate(TODAY)
    assert caught.value.field == "grace_days"
    assert f"less than {every}" in caught.value.reason


def test_listed_dates_too_close_for_their_windows_are_refused_naming_them():
    spec = PlanSpec(
        PlanKind.DATES,
        date(2027, 1, 1),
        date(2027, 3, 31),
        None,
        (date(2027, 1, 11), date(2027, 1, 14), date(2027, 2, 15)),
        2,
        1,
    )
    with pytest.raises(InvalidInput) as caught:
        spec.validate(TODAY)
    assert caught.value.field == "dates"
    assert "2027-01-11 and 2027-01-14 are 3 day(s) apart" in caught.value.reason


def test_songkran_moves_a_weekly_check_in_and_the_windows_are_kept_apart():
    # Weekly on Mondays with a 3-day window and 3 grace days (6 < 7: accepted). The 13 April
    # 2027 check-in (Tuesday, Songkran 13-15) moves to Friday 16 April: its grace reaches
    # into the next one's window, which opens on Friday for Monday 19 April.
    spec = PlanSpec(PlanKind.INTERVAL, date(2027, 3, 30), date(2027, 5, 4), 7, (), 3, 3)
    expansion = expand_plan_with_notes(spec, today=TODAY)
    by_due = {p.due_date: p for p in expansion.check_ins}
    moved, following = by_due[date(2027, 4, 16)], by_due[date(2027, 4, 20)]
    assert moved.nominal_date == date(2027, 4, 13)
    assert moved.closes_at == following.opens_at
    assert moved.closes_at >= moved.due_at
    assert "window_shortened" in [n.code for n in expansion.notes]


def test_an_empty_plan_is_accepted_with_a_warning():
    spec = PlanSpec(PlanKind.INTERVAL, date(2027, 1, 4), date(2027, 1, 20), 30)
    expansion = expand_plan_with_notes(spec, today=TODAY)
    assert expansion.check_ins == []
    [note] = expansion.notes
    assert (note.level, note.code) == ("warning", "empty")
    assert "ไม่มีวันรายงานตัว" in note.th


def test_the_end_date_is_said():
    spec = PlanSpec(PlanKind.INTERVAL, date(2027, 1, 4), date(2027, 3, 1), 30)
    expansion = expand_plan_with_notes(spec, today=TODAY)
    assert [p.due_date for p in expansion.check_ins] == [date(2027, 2, 3)]
    [note] = expansion.notes
    assert note.code == "end" and "2027-02-03" in note.en


def test_the_royal_ploughing_ceremony_closes_the_offices():
    # Wednesday 13 May 2026: a government holiday in the `holidays` package.
    spec = PlanSpec(PlanKind.DATES, date(2026, 5, 1), date(2026, 5, 31), None, (date(2026, 5, 13),))
    [planned] = expand_plan(spec)
    assert planned.due_date == date(2026, 5, 14)
    assert planned.moved_reason == "Royal Ploughing Ceremony"


def test_a_declared_holiday_moves_a_due_date():
    spec = PlanSpec(PlanKind.DATES, date(2027, 1, 1), date(2027, 1, 31), None, (date(2027, 1, 11),))
    [planned] = expand_plan(spec, declared={date(2027, 1, 11): "Special holiday"})
    assert (planned.due_date, planned.moved_reason) == (date(2027, 1, 12), "Special holiday")
