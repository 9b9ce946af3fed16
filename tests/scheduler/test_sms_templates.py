"""SMS texts: segment counting, and every reminder within 2 segments at its longest."""

from __future__ import annotations

from datetime import date

import pytest

from reporting_api.offices_data import load_offices
from reporting_api.reminder_schedule import DUE_DAY, MANAGER_ALERT, MISSED_FOLLOW_UP, OFFICER_ALERT
from reporting_api.sms_templates import (
    LONGEST_DATE,
    MAX_SEGMENTS,
    ReminderText,
    SegmentCount,
    StaffAlertText,
    checkin_link,
    count_segments,
    longest_reminder_segments,
    render_reminder,
    render_staff_alert,
    worst_case_reminders,
)

# A realistic production address for the fund: 29 characters before /c/<code>.
PRODUCTION_BASE = "https://justicefund.moj.go.th"
CODE = "AbCdEfGhIjKl"
KINDS = ["before_30d", "before_3d", "before_1d", DUE_DAY, MISSED_FOLLOW_UP]


def longest_names() -> tuple[str, str]:
    offices = load_offices()
    return max((o.name_th for o in offices), key=len), max((o.name_en for o in offices), key=len)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("[" * 80, "GSM-7", 160, 1),  # extension characters take two septets
        ("ก" * 70, "UCS-2", 70, 1),
        ("ก" * 71, "UCS-2", 71, 2),
        ("ก" * 134, "UCS-2", 134, 2),
        ("ก" * 135, "UCS-2", 135, 3),
        ("a" * 69 + "ก", "UCS-2", 70, 1),  # one Thai letter makes the whole text UCS-2
        ("😀" * 35, "UCS-2", 70, 1),  # outside the BMP: two UTF-16 units each
    ],
)
def test_segment_counting(text, encoding, units, segments):
    assert count_segments(text) == SegmentCount(encoding, units, segments)


def test_the_longest_office_names_come_from_the_shipped_list():
    name_th, name_en = longest_names()
    assert len(name_th) >= 42 and len(name_en) >= 50


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("is_last", [False, True])
def test_every_reminder_fits_in_two_segments_at_its_longest(kind, language, is_last):
    name_th, name_en = longest_names()
    body = render_reminder(
        ReminderText(
            kind=kind,
            language=language,
            office_name_th=name_th,
            office_name_en=name_en,
            due_date=LONGEST_DATE,
            link=checkin_link(PRODUCTION_BASE, CODE),
            is_last=is_last,
        )
    )
    count = count_segments(body)
    assert count.segments <= MAX_SEGMENTS, (count, body)
    assert count.encoding == ("GSM-7" if language == "en" else "UCS-2")
    assert f"{PRODUCTION_BASE}/c/{CODE}" in body
    assert body.count("http") == 1  # one link only


def test_the_worst_case_helper_agrees():
    assert len(worst_case_reminders(PRODUCTION_BASE)) == 20
    assert longest_reminder_segments(PRODUCTION_BASE) == 2
    assert longest_reminder_segments("https://" + "x" * 60 + ".go.th") > 2


def _render(kind: str, language: str = "th", is_last: bool = False) -> str:
    return render_reminder(
        ReminderText(
            kind=kind,
            language=language,
            office_name_th="สำนักงานยุติธรรมจังหวัดเชียงใหม่",
            office_name_en="Chiang Mai Provincial Justice Office",
            due_date=date(2026, 4, 16),
            link=checkin_link(PRODUCTION_BASE, CODE),
            is_last=is_last,
        )
    )


def test_thai_text_has_the_office_and_the_buddhist_era_date():
    body = _render("before_3d")
    assert body.startswith("สำนักงานยุติธรรมจังหวัดเชียงใหม่: ")
    assert "16 เม.ย. 2569" in body and "อีก 3 วัน" in body


def test_english_text_has_the_buddhist_era_year_too():
    body = _render("before_1d", "en")
    assert "Chiang Mai Provincial Justice Office" in body
    assert "16 Apr 2569 (2026)" in body and "tomorrow" in body


def test_the_last_check_in_says_it_is_the_last():
    assert "ครั้งสุดท้าย" in _render(DUE_DAY, is_last=True)
    assert "ครั้งสุดท้าย" not in _render(DUE_DAY)
    assert "last check-in" in _render("before_3d", "en", is_last=True)


def test_each_kind_reads_differently():
    # Reconciliation finds a message at Twilio by number and exact text.
    for language in ("th", "en"):
        bodies = [_render(kind, language) for kind in KINDS]
        assert len(set(bodies)) == len(bodies)


def test_staff_alerts_name_the_case_not_the_person():
    office = "สำนักงานยุติธรรมจังหวัดเชียงใหม่"
    alert = render_staff_alert(
        StaffAlertText(OFFICER_ALERT, 41, "missed_checkin", "อ.1234/2569", office, LONGEST_DATE)
    )
    assert "อ.1234/2569" in alert and "เรื่อง 41" in alert and "สมชาย" not in alert
    assert "ไม่ได้รายงานตัว 30 มี.ค. 2569" in alert
    escalation = render_staff_alert(
        StaffAlertText(
            MANAGER_ALERT, 41, "missed_checkin", "อ.1234/2569", longest_names()[0], LONGEST_DATE, 24
        )
    )
    assert "24 ชม." in escalation
    assert count_segments(escalation).segments <= 3
    phone = render_staff_alert(
        StaffAlertText(MANAGER_ALERT, 42, "unreachable_phone", "อ.1234/2569", office, None, 30)
    )
    assert "รับ SMS ไม่ได้" in phone and "ไม่ได้รายงานตัว" not in phone
    # A review past its deadline is escalated when raised: no "nobody acknowledged" hours.
    overdue = render_staff_alert(
        StaffAlertText(
            MANAGER_ALERT, 43, "review_overdue", "อ.1234/2569", longest_names()[0], LONGEST_DATE
        )
    )
    assert "รอเจ้าหน้าที่ตรวจสอบเกินกำหนดเวลา" in overdue and "ไม่มีผู้รับทราบ" not in overdue
    assert count_segments(overdue).segments <= 3
