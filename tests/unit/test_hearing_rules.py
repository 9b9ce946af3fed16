"""When hearing reminders go out and what they say: properties over any hearing time and
office, and examples."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting_api.hearing_rules import (
    HearingText,
    hearing_days,
    hearing_kind,
    plan_hearing_reminders,
    render_hearing_reminder,
)
from reporting_api.offices_data import load_offices
from reporting_api.reminder_schedule import QuietHours
from reporting_api.sms_templates import MAX_SEGMENTS, count_segments
from reporting_api.thai_dates import BANGKOK

OFFICES = load_offices()
QUIET = QuietHours(21, 9)


def bkk(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


@settings(max_examples=300, deadline=None)
@given(
    starts=st.datetimes(datetime(2026, 1, 1), datetime(2030, 12, 31)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
    ahead=st.integers(0, 60 * 24 * 20),
    offsets=st.lists(st.integers(0, 30), min_size=0, max_size=5, unique=True),
    hour=st.integers(9, 20),
)
def test_reminders_are_never_in_the_quiet_hours_nor_after_the_hearing(starts, ahead, offsets, hour):
    now = starts - timedelta(minutes=ahead)
    planned = plan_hearing_reminders(
        starts_at=starts, now=now, offsets_days=offsets, send_hour=hour, quiet=QUIET
    )
    kinds = [p.kind for p in planned]
    assert len(kinds) == len(set(kinds))
    for p in planned:
        assert not QUIET.contains(p.due_at)
        assert now <= p.due_at < p.expires_at <= starts
        assert hearing_days(p.kind) in offsets


@given(
    office=st.sampled_from(OFFICES),
    court=st.text(
        alphabet=st.sampled_from("ศาลอาญากรุงเทพใต้จังหวัดเชียงใหม่ แขวงคดีเด็กและเยาวชน Court of"),
        min_size=1,
        max_size=200,
    ),
    room=st.one_of(st.none(), st.text(alphabet="0123456789ABห้อง", min_size=1, max_size=64)),
    days=st.sampled_from([7, 3, 1, 30]),
    language=st.sampled_from(["th", "en"]),
)
def test_every_hearing_text_fits_two_segments_and_keeps_the_day_and_time(
    office, court, room, days, language
):
    starts = bkk(date(2026, 3, 30), 13, 30)  # the widest day: 30 มี.ค.
    text = render_hearing_reminder(
        HearingText(days, language, office.name_th, office.name_en, court, starts, room)
    )
    assert count_segments(text).segments <= MAX_SEGMENTS, text
    assert "13:30" in text and ("30 มี.ค. 2569" in text or "30 Mar 2569 (2026)" in text)


def test_seven_three_and_one_days_before_at_nine():
    starts = bkk(date(2027, 1, 20), 10, 30)
    now = bkk(date(2027, 1, 1), 12)
    planned = plan_hearing_reminders(starts_at=starts, now=now, quiet=QUIET)
    assert [(p.kind, p.due_at) for p in planned] == [
        ("hearing_7d", bkk(date(2027, 1, 13), 9)),
        ("hearing_3d", bkk(date(2027, 1, 17), 9)),
        ("hearing_1d", bkk(date(2027, 1, 19), 9)),
    ]


def test_a_hearing_added_late_gets_only_what_is_still_true():
    starts = bkk(date(2027, 1, 20), 10, 30)
    now = bkk(date(2027, 1, 18), 22)  # in the quiet hours, two days before
    planned = plan_hearing_reminders(starts_at=starts, now=now, quiet=QUIET)
    assert [(p.kind, p.due_at) for p in planned] == [("hearing_1d", bkk(date(2027, 1, 19), 9))]


def test_the_words_name_the_court_room_and_time():
    office = OFFICES[0]
    starts = bkk(date(2027, 1, 20), 10, 30)
    thai = render_hearing_reminder(
        HearingText(1, "th", office.name_th, office.name_en, "ศาลอาญา", starts, "705")
    )
    assert "นัดศาลพรุ่งนี้ 20 ม.ค. 2570 10:30 น. ศาลอาญา ห้อง 705" in thai
    english = render_hearing_reminder(
        HearingText(7, "en", office.name_th, office.name_en, "Criminal Court", starts)
    )
    assert "your court hearing is in 7 days, 20 Jan 2570 (2027) at 10:30, Criminal Court" in english
    assert hearing_kind(7) == "hearing_7d" and hearing_days("hearing_7d") == 7
    assert hearing_days("before_7d") is None
