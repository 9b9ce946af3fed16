"""The pure rule for when reminders go out: offsets, 09:00 Bangkok, quiet hours, follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting_api.errors import InvalidInput
from reporting_api.planning import PlanSpec, expand_plan
from reporting_api.reminder_schedule import (
    DUE_DAY,
    MAX_OFFSET_DAYS,
    MISSED_FOLLOW_UP,
    NO_QUIET_HOURS,
    PLANNING_HORIZON_DAYS,
    QuietHours,
    ReminderPolicy,
    before_kind,
    days_before,
    plan_reminders,
    retry_at,
)
from reporting_api.services.reminders import ReminderPlanner, planning_horizon
from reporting_api.statuses import PlanKind
from reporting_api.thai_dates import BANGKOK, bangkok_today, end_of_local_day_utc


def bkk(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


DUE = date(2026, 12, 16)  # a Wednesday
CLOSES = end_of_local_day_utc(DUE + timedelta(days=2))  # two grace days
EARLY = bkk(date(2026, 12, 1), 10)


def test_default_reminders_are_3_and_1_days_before_and_on_the_day_at_nine():
    planned = {p.kind: p for p in plan_reminders(due_date=DUE, closes_at=CLOSES, now=EARLY)}
    assert list(planned) == ["before_3d", "before_1d", DUE_DAY, MISSED_FOLLOW_UP]
    assert planned["before_3d"].due_at == bkk(date(2026, 12, 13), 9)
    assert planned["before_1d"].due_at == bkk(date(2026, 12, 15), 9)
    assert planned[DUE_DAY].due_at == bkk(DUE, 9)
    # Each expires when its day ends: "tomorrow" read on the due day would be wrong.
    assert planned["before_1d"].expires_at == end_of_local_day_utc(date(2026, 12, 15))
    assert planned[DUE_DAY].expires_at == end_of_local_day_utc(DUE)


def test_the_follow_up_goes_the_morning_after_the_window_closed():
    follow_up = {p.kind: p for p in plan_reminders(due_date=DUE, closes_at=CLOSES, now=EARLY)}[
        MISSED_FOLLOW_UP
    ]
    # Grace ends with 18 December; the window closes at 00:00 on the 19th.
    assert follow_up.due_at == bkk(date(2026, 12, 19), 9)
    assert follow_up.expires_at > follow_up.due_at


def test_per_office_offsets_and_hour():
    policy = ReminderPolicy(offsets_days=(7, 2, 0), send_hour=13, follow_up_missed=False)
    planned = plan_reminders(due_date=DUE, closes_at=CLOSES, now=EARLY, policy=policy)
    assert [(p.kind, p.due_at) for p in planned] == [
        ("before_7d", bkk(date(2026, 12, 9), 13)),
        ("before_2d", bkk(date(2026, 12, 14), 13)),
        (DUE_DAY, bkk(DUE, 13)),
    ]


def test_reminders_whose_day_has_passed_are_left_out_and_todays_go_now():
    now = bkk(date(2026, 12, 15), 14, 30)  # the day before, after 09:00
    planned = {p.kind: p for p in plan_reminders(due_date=DUE, closes_at=CLOSES, now=now)}
    assert "before_3d" not in planned
    assert planned["before_1d"].due_at == now
    assert planned[DUE_DAY].due_at == bkk(DUE, 9)


def test_quiet_hours_push_to_nine_and_drop_what_would_be_stale():
    late_evening = bkk(date(2026, 12, 15), 21, 30)
    planned = {p.kind: p for p in plan_reminders(due_date=DUE, closes_at=CLOSES, now=late_evening)}
    # "Tomorrow" cannot go out tonight and would be wrong at 09:00 on the day: dropped.
    assert "before_1d" not in planned
    assert planned[DUE_DAY].due_at == bkk(DUE, 9)
    after_midnight = bkk(DUE, 2)
    planned = {
        p.kind: p for p in plan_reminders(due_date=DUE, closes_at=CLOSES, now=after_midnight)
    }
    assert planned[DUE_DAY].due_at == bkk(DUE, 9)


def test_quiet_hours_boundaries():
    quiet = QuietHours()
    day = date(2026, 12, 16)
    assert not quiet.contains(bkk(day, 9))
    assert not quiet.contains(bkk(day, 20, 59))
    assert quiet.contains(bkk(day, 21))
    assert quiet.contains(bkk(day, 8, 59))
    assert quiet.next_allowed(bkk(day, 23)) == bkk(day + timedelta(days=1), 9)
    assert quiet.next_allowed(bkk(day, 3)) == bkk(day, 9)
    assert quiet.next_allowed(bkk(day, 12)) == bkk(day, 12)
    assert not NO_QUIET_HOURS.contains(bkk(day, 23))


def test_holiday_shifted_due_dates_carry_their_reminders():
    # Songkran: a check-in asked for on Monday 13 April 2026 is due on Thursday 16 April.
    spec = PlanSpec(
        kind=PlanKind.DATES,
        start_date=date(2026, 4, 1),
        end_date=date(2026, 4, 30),
        dates=(date(2026, 4, 13),),
        grace_days=1,
    )
    (check_in,) = expand_plan(spec)
    assert check_in.due_date == date(2026, 4, 16)
    planned = {
        p.kind: p
        for p in plan_reminders(
            due_date=check_in.due_date, closes_at=check_in.closes_at, now=bkk(date(2026, 4, 1), 10)
        )
    }
    assert planned["before_3d"].due_at == bkk(date(2026, 4, 13), 9)
    assert planned[DUE_DAY].due_at == bkk(date(2026, 4, 16), 9)


def test_backoff_doubles_up_to_a_ceiling_and_respects_quiet_hours():
    now = bkk(date(2026, 12, 16), 12)
    waits = [
        (retry_at(attempts=n, now=now, base_seconds=60, max_seconds=3600, quiet=QuietHours()) - now)
        for n in range(1, 9)
    ]
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert max(waits) == timedelta(hours=1)
    evening = bkk(date(2026, 12, 16), 20, 50)
    assert retry_at(
        attempts=5, now=evening, base_seconds=60, max_seconds=3600, quiet=QuietHours()
    ) == bkk(date(2026, 12, 17), 9)
    jittered = retry_at(
        attempts=1, now=now, base_seconds=100, max_seconds=3600, quiet=QuietHours(), jitter=1
    )
    assert jittered - now == timedelta(seconds=120)


def test_kinds_round_trip():
    assert before_kind(0) == DUE_DAY and days_before(DUE_DAY) == 0
    assert days_before(before_kind(12)) == 12
    assert days_before(MISSED_FOLLOW_UP) is None


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        (ReminderPolicy(offsets_days=(3, 3)), "offsets_days"),
        (ReminderPolicy(offsets_days=(31,)), "offsets_days"),
        (ReminderPolicy(offsets_days=(6, 5, 4, 3, 2, 1)), "offsets_days"),
        (ReminderPolicy(send_hour=22), "send_hour"),
        (ReminderPolicy(send_hour=7), "send_hour"),
    ],
)
def test_bad_policies_are_refused(policy, field):
    with pytest.raises(InvalidInput) as caught:
        policy.validate()
    assert caught.value.field == field


# --- the planning horizon (services/reminders.ReminderPlanner) --------------------------------


CASE = {"id": 1, "office": 1, "defendant": 1}


@settings(max_examples=200, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
    ),
    ahead=st.integers(min_value=0, max_value=400),
    offsets=st.lists(st.integers(0, MAX_OFFSET_DAYS), min_size=1, max_size=5, unique=True),
)
def test_a_new_check_in_gets_its_reminders_now_only_within_the_horizon(now, ahead, offsets):
    """Within the horizon: every reminder the rule plans; beyond it: none now, and the
    earliest of them would still be ahead when the check-in comes within the horizon (the
    nightly housekeeping plans it then), so no reminder is ever lost to the horizon."""
    due = bangkok_today(now) + timedelta(days=ahead)
    closes = end_of_local_day_utc(due + timedelta(days=2))
    policy = ReminderPolicy(offsets_days=tuple(offsets))
    check_in = {"id": 7, "due_date": due, "closes_at": closes}
    rows = ReminderPlanner(policy, NO_QUIET_HOURS, now).rows(CASE, [check_in])
    planned = plan_reminders(
        due_date=due, closes_at=closes, now=now, policy=policy, quiet=NO_QUIET_HOURS
    )
    if due <= planning_horizon(now):
        assert sorted((r["kind"], r["due_at"]) for r in rows) == sorted(
            (p.kind, p.due_at) for p in planned
        )
    else:
        assert rows == []
        # The night it comes within the horizon (at the latest), each reminder is still ahead.
        night = now + timedelta(days=ahead - PLANNING_HORIZON_DAYS)
        assert all(p.due_at > night for p in planned)
