"""Reporting plans: working days, windows, expansion and safe re-planning."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from reporting_api.errors import InvalidInput
from reporting_api.planning import (
    ExistingCheckIn,
    PlannedCheckIn,
    PlanSpec,
    expand_plan,
    expand_plan_with_notes,
    initial_status,
    is_working_day,
    next_working_day,
    replan,
    thai_holidays,
)
from reporting_api.statuses import CheckInStatus, PlanKind

S = CheckInStatus
HOLIDAYS_2026 = thai_holidays([2026])


def dates_plan(*dates: date, window: int = 0, grace: int = 0) -> PlanSpec:
    return PlanSpec(
        kind=PlanKind.DATES,
        start_date=date(2025, 12, 1),
        end_date=date(2026, 12, 31),
        dates=dates,
        window_opens_days_before=window,
        grace_days=grace,
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- working days -------------------------------------------------------------------------


def test_holiday_set_is_built_once_per_set_of_years() -> None:
    assert thai_holidays([2026]) is thai_holidays((2026, 2026))
    assert HOLIDAYS_2026[date(2026, 4, 13)] == "Songkran Festival"


def test_working_days() -> None:
    assert is_working_day(date(2026, 3, 4), HOLIDAYS_2026)  # a Wednesday
    assert not is_working_day(date(2026, 3, 7), HOLIDAYS_2026)  # a Saturday
    assert not is_working_day(date(2026, 3, 3), HOLIDAYS_2026)  # Makha Bucha
    assert next_working_day(date(2026, 3, 4), HOLIDAYS_2026) == date(2026, 3, 4)
    assert next_working_day(date(2026, 3, 7), HOLIDAYS_2026) == date(2026, 3, 9)


# -- expansion ----------------------------------------------------------------------------


def test_weekend_moves_to_monday() -> None:
    [planned] = expand_plan(dates_plan(date(2026, 3, 7)))
    assert (planned.nominal_date, planned.due_date, planned.moved_reason) == (
        date(2026, 3, 7), date(2026, 3, 9), "weekend",
    )  # fmt: skip


def test_songkran_moves_past_all_three_days() -> None:
    [planned] = expand_plan(dates_plan(date(2026, 4, 13)))
    assert planned.due_date == date(2026, 4, 16)
    assert planned.moved_reason == "Songkran Festival"


def test_new_year_moves_across_the_year_end() -> None:
    # 31 Dec, 1 Jan and the 2 Jan bridge holiday are off, then a weekend.
    spec = PlanSpec(
        PlanKind.DATES, date(2025, 12, 1), date(2026, 1, 10), dates=(date(2025, 12, 31),)
    )
    [planned] = expand_plan(spec)
    assert planned.due_date == date(2026, 1, 5)
    assert planned.moved_reason == "New Year's Eve"


def test_a_date_whose_next_working_day_is_past_the_end_moves_back_inside_it() -> None:
    spec = PlanSpec(
        PlanKind.DATES, date(2025, 12, 1), date(2025, 12, 31), dates=(date(2025, 12, 31),)
    )
    expansion = expand_plan_with_notes(spec)
    [planned] = expansion.check_ins
    assert planned.due_date == date(2025, 12, 30)  # the Tuesday before New Year's Eve
    assert planned.moved_reason == "New Year's Eve"
    assert [n.code for n in expansion.notes] == ["kept_inside_end", "end"]
    assert "30 ธ.ค. 2568" in expansion.notes[0].th


def test_working_day_is_not_moved() -> None:
    [planned] = expand_plan(dates_plan(date(2026, 3, 4)))
    assert planned.due_date == planned.nominal_date == date(2026, 3, 4)
    assert planned.moved_reason is None


def test_two_nominal_dates_landing_on_one_day_keep_one() -> None:
    planned = expand_plan(dates_plan(date(2026, 4, 13), date(2026, 4, 11), date(2026, 4, 16)))
    assert [p.due_date for p in planned] == [date(2026, 4, 16)]
    assert planned[0].nominal_date == date(2026, 4, 11)  # the earliest nominal date wins


def test_dates_are_sorted_and_deduplicated() -> None:
    planned = expand_plan(dates_plan(date(2026, 6, 10), date(2026, 3, 4), date(2026, 6, 10)))
    assert [p.due_date for p in planned] == [date(2026, 3, 4), date(2026, 6, 10)]


def test_interval_plan_starts_one_step_after_start_and_includes_end() -> None:
    spec = PlanSpec(PlanKind.INTERVAL, date(2026, 1, 5), date(2026, 2, 2), every_days=7)
    assert [p.due_date for p in expand_plan(spec)] == [
        date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 26), date(2026, 2, 2),
    ]  # fmt: skip


def test_interval_plan_over_a_year_is_sorted_and_on_working_days() -> None:
    spec = PlanSpec(PlanKind.INTERVAL, date(2026, 1, 1), date(2026, 12, 31), every_days=30)
    planned = expand_plan(spec)
    assert len(planned) == 12
    dues = [p.due_date for p in planned]
    assert dues == sorted(dues)
    assert all(is_working_day(d, HOLIDAYS_2026) for d in dues)


def test_window_instants_are_exact_in_utc() -> None:
    # Due Monday 9 Mar 2026; Bangkok is UTC+7, so local midnight is 17:00 UTC the day before.
    [planned] = expand_plan(dates_plan(date(2026, 3, 9), window=3, grace=2))
    assert planned.opens_at == utc(2026, 3, 5, 17)  # 00:00 Bangkok, Fri 6 Mar
    assert planned.due_at == utc(2026, 3, 9, 17)  # end of the due day
    assert planned.closes_at == utc(2026, 3, 11, 17)  # end of Wed 11 Mar
    assert planned.opens_at.tzinfo is UTC


def test_zero_window_and_grace() -> None:
    [planned] = expand_plan(dates_plan(date(2026, 3, 9)))
    assert planned.opens_at == utc(2026, 3, 8, 17)
    assert planned.due_at == planned.closes_at == utc(2026, 3, 9, 17)


def test_initial_status_at_each_boundary() -> None:
    [p] = expand_plan(dates_plan(date(2026, 3, 9), window=3, grace=2))
    second = timedelta(seconds=1)
    assert initial_status(p, p.opens_at - second) == S.UPCOMING
    assert initial_status(p, p.opens_at) == S.OPEN
    assert initial_status(p, p.due_at - second) == S.OPEN
    assert initial_status(p, p.due_at) == S.LATE
    assert initial_status(p, p.closes_at - second) == S.LATE
    assert initial_status(p, p.closes_at) == S.MISSED


# -- validation ---------------------------------------------------------------------------

GOOD = PlanSpec(PlanKind.INTERVAL, date(2026, 1, 1), date(2026, 12, 31), every_days=30)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": date(2025, 12, 31)}, "end_date"),
        ({"end_date": date(2036, 1, 2)}, "end_date"),
        ({"every_days": None}, "every_days"),
        ({"every_days": 0}, "every_days"),
        ({"every_days": 366}, "every_days"),
        ({"kind": PlanKind.DATES}, "dates"),
        ({"kind": PlanKind.DATES, "dates": (date(2027, 1, 4),)}, "dates"),
        ({"kind": PlanKind.DATES, "dates": (date(2025, 12, 31),)}, "dates"),
        ({"window_opens_days_before": -1}, "window_opens_days_before"),
        ({"window_opens_days_before": 61}, "window_opens_days_before"),
        ({"grace_days": -1}, "grace_days"),
        ({"grace_days": 31}, "grace_days"),
        ({"kind": "weekly"}, "kind"),
    ],
)
def test_validation_names_the_field(changes: dict, field: str) -> None:  # type: ignore[type-arg]
    spec = replace(GOOD, **changes)
    with pytest.raises(InvalidInput) as caught:
        spec.validate()
    assert caught.value.field == field
    with pytest.raises(InvalidInput):
        expand_plan(spec)


def test_end_before_start_message() -> None:
    with pytest.raises(InvalidInput) as caught:
        replace(GOOD, end_date=date(2025, 1, 1)).validate()
    assert caught.value.reason == "must not be before start_date"


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"end_date": date(2036, 1, 1)},  # exactly ten years
        {"every_days": 1, "end_date": date(2026, 1, 1)},  # one day; no check-in after start
        {"every_days": 365, "window_opens_days_before": 60, "grace_days": 30},
        {"kind": PlanKind.DATES, "dates": (date(2026, 1, 1), date(2026, 12, 31))},
    ],
)
def test_limits_are_inclusive(changes: dict) -> None:  # type: ignore[type-arg]
    replace(GOOD, **changes).validate()


def test_ten_years_from_29_february() -> None:
    spec = replace(GOOD, start_date=date(2024, 2, 29), end_date=date(2034, 2, 28))
    spec.validate()
    with pytest.raises(InvalidInput):
        replace(spec, end_date=date(2034, 3, 1)).validate()


# -- re-planning --------------------------------------------------------------------------

NOW = utc(2026, 3, 1, 3)  # 10:00 on Sunday 1 Mar 2026 in Bangkok


def existing(id_: int, due: date, status: CheckInStatus, window: int = 0) -> ExistingCheckIn:
    [p] = expand_plan(dates_plan(due, window=window))
    return ExistingCheckIn(id=id_, due_date=due, status=status, opens_at=p.opens_at)


def one_by_one(*dates: date, window: int = 0, grace: int = 0) -> list[PlannedCheckIn]:
    """Check-ins planned one date at a time: windows that a whole plan would refuse to let
    overlap, for re-planning's own rules (it must cope with whatever is stored)."""
    return [expand_plan(dates_plan(d, window=window, grace=grace))[0] for d in dates]


def test_replan_keeps_past_open_and_completed_updates_future_deletes_the_rest() -> None:
    stored = [
        existing(1, date(2026, 2, 16), S.VERIFIED),
        existing(2, date(2026, 3, 2), S.OPEN, window=3),
        existing(3, date(2026, 3, 16), S.UPCOMING, window=3),
        existing(4, date(2026, 3, 23), S.UPCOMING),
        existing(5, date(2026, 3, 4), S.UPCOMING, window=7),  # window open, status not yet moved
        existing(6, date(2026, 2, 20), S.MISSED),
    ]
    new_plan = one_by_one(
        date(2026, 2, 9), date(2026, 2, 16), date(2026, 3, 2), date(2026, 3, 4),
        date(2026, 3, 16), date(2026, 3, 30), window=5, grace=2,
    )  # fmt: skip
    result = replan(stored, new_plan, NOW)
    assert result.keep_ids == [1, 2, 5, 6]
    assert result.delete_ids == [4]
    assert [(i, p.due_date) for i, p in result.update] == [(3, date(2026, 3, 16))]
    assert result.update[0][1].opens_at == utc(2026, 3, 10, 17)  # the new, wider window
    # 9 Feb closed long ago; 16 Feb, 2 Mar and 4 Mar belong to frozen check-ins.
    assert [p.due_date for p in result.create] == [date(2026, 3, 30)]


def test_replan_creates_one_still_inside_its_grace_days() -> None:
    new_plan = expand_plan(dates_plan(date(2026, 2, 27), grace=3))  # Friday; closes end of 2 Mar
    result = replan([], new_plan, NOW)
    assert [p.due_date for p in result.create] == [date(2026, 2, 27)]
    assert initial_status(result.create[0], NOW) == S.LATE


def test_replan_never_creates_check_ins_already_over() -> None:
    new_plan = one_by_one(date(2026, 2, 26), date(2026, 2, 27), grace=1)
    assert replan([], new_plan, NOW).create == []


def test_replan_never_puts_a_second_check_in_on_a_frozen_date() -> None:
    stored = [
        existing(1, date(2026, 3, 16), S.EXCUSED),
        existing(2, date(2026, 3, 16), S.UPCOMING, window=3),  # a stray duplicate
    ]
    result = replan(stored, expand_plan(dates_plan(date(2026, 3, 16))), NOW)
    assert result.keep_ids == [1]
    assert result.delete_ids == [2]
    assert result.update == [] and result.create == []


def test_replan_with_an_empty_plan_deletes_only_future_upcoming() -> None:
    stored = [existing(1, date(2026, 3, 2), S.LATE), existing(2, date(2026, 3, 16), S.UPCOMING)]
    result = replan(stored, [], NOW)
    assert (result.keep_ids, result.delete_ids, result.update, result.create) == ([1], [2], [], [])


def test_replan_with_the_same_plan_changes_nothing_but_windows() -> None:
    plan = expand_plan(dates_plan(date(2026, 3, 16), date(2026, 3, 30)))
    stored = [
        ExistingCheckIn(id=i, due_date=p.due_date, status=S.UPCOMING, opens_at=p.opens_at)
        for i, p in enumerate(plan, start=1)
    ]
    result = replan(stored, plan, NOW)
    assert result.delete_ids == [] and result.create == []
    assert result.update == list(zip([1, 2], plan, strict=True))
