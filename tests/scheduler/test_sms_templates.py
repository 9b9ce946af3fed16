"""SMS texts: segment counting, and every reminder and staff alert within 2 segments at its
longest: every template, language and office, every PUBLIC_BASE_URL length up to 40, the widest
date, code, case and flag numbers (issue 14, item 5). The packing rules themselves are
tests/unit/test_sms_segments.py."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api.offices_data import load_offices, short_office_name
from reporting_api.reminder_schedule import DUE_DAY, MANAGER_ALERT, MISSED_FOLLOW_UP, OFFICER_ALERT
from reporting_api.sms_templates import (
    LONGEST_CODE,
    LONGEST_DATE,
    MAX_PUBLIC_BASE_URL_LENGTH,
    MAX_SEGMENTS,
    STAFF_FLAG_WORDS,
    ReminderText,
    SegmentCount,
    StaffAlertText,
    checkin_link,
    count_segments,
    is_gsm7,
    longest_reminder_segments,
    reminder_kinds,
    render_reminder,
    render_staff_alert,
    widest_base_url,
    worst_case_offices,
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
    # The longest full names (the central office in Thai, Ayutthaya in English) and the
    # longest short names (Ayutthaya in both).
    assert {th for th, _ in worst_case_offices()} == {
        "กองทุนยุติธรรม สำนักงานปลัดกระทรวงยุติธรรม",
        "สำนักงานยุติธรรมจังหวัดพระนครศรีอยุธยา",
    }
    assert len(worst_case_reminders(PRODUCTION_BASE)) == 20 * len(worst_case_offices())
    assert longest_reminder_segments(PRODUCTION_BASE) == 2
    assert longest_reminder_segments(widest_base_url()) == 2
    assert longest_reminder_segments("https://" + "x" * 90 + ".go.th") > 2


OFFICES = load_offices()
URL_LENGTHS = range(len("https://a.th"), MAX_PUBLIC_BASE_URL_LENGTH + 1)
WIDEST_CASE = "อ." + "๙" * 57 + "/2569"  # 64 characters: the column's width
WIDEST_FLAG = 2_147_483_647  # the largest serial
WIDEST_HOURS = 9999


def names_shown(name: str, language: str) -> tuple[str, ...]:
    """How a text may begin: the office's name, its short name, or a cut of the short name."""
    return (name, short_office_name(name, language), short_office_name(name, language)[:6])


def test_every_reminder_fits_for_every_office_and_every_url_up_to_40_characters():
    """The walk: 5 wordings x 2 languages x last or not x 78 offices x each URL length from
    12 to 40 characters, with the widest date and the longest code."""
    started, walked = time.perf_counter(), 0
    for length in URL_LENGTHS:
        base = widest_base_url(length)
        link = checkin_link(base, LONGEST_CODE)
        for office in OFFICES:
            for kind in reminder_kinds():
                for language, name in (("th", office.name_th), ("en", office.name_en)):
                    for is_last in (False, True):
                        body = render_reminder(
                            ReminderText(
                                kind, language, office.name_th, office.name_en,
                                LONGEST_DATE, link, is_last,
                            )
                        )  # fmt: skip
                        walked += 1
                        assert count_segments(body).segments <= MAX_SEGMENTS, body
                        assert body.count(link) == 1 and body.count("http") == 1, body
                        assert body.startswith(names_shown(name, language)), body
                        assert not body.startswith(name[:6] + "…") and "..." not in body
    assert walked == len(URL_LENGTHS) * 78 * 5 * 2 * 2
    print(f"{walked} reminders walked in {time.perf_counter() - started:.1f} s")


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_texts_of_one_check_in_still_differ_by_kind_once_shortened(language):
    link = checkin_link(widest_base_url(), LONGEST_CODE)
    for name_th, name_en in worst_case_offices():
        for is_last in (False, True):
            kinds = ["before_30d", "before_7d", "before_3d", "before_2d", "before_1d", DUE_DAY]
            kinds.append(MISSED_FOLLOW_UP)
            bodies = {
                render_reminder(
                    ReminderText(k, language, name_th, name_en, LONGEST_DATE, link, is_last)
                )
                for k in kinds
            }
            assert len(bodies) == len(kinds)


def test_a_short_url_keeps_the_full_text():
    body = _render("before_3d", is_last=True)
    assert body == (
        "สำนักงานยุติธรรมจังหวัดเชียงใหม่: รายงานตัวครั้งสุดท้ายอีก 3 วัน 16 เม.ย. 2569 "
        f"{PRODUCTION_BASE}/c/{CODE}"
    )


def test_a_40_character_url_takes_the_short_office_name_first():
    # The plausible government domain (31 characters) and a 40-character one.
    for base in ("https://checkin.probation.go.th", widest_base_url()):
        link = checkin_link(base, LONGEST_CODE)
        full = render_reminder(
            ReminderText(
                "before_30d", "th", OFFICES[0].name_th, OFFICES[0].name_en, LONGEST_DATE, link,
                True,
            )
        )  # fmt: skip
        assert full.startswith("กองทุนยุติธรรม: รายงานตัวครั้งสุดท้ายอีก 30 วัน 30 มี.ค. 2569 ")
        assert count_segments(full).segments == 2


def test_then_a_shorter_phrase_then_a_cut_office_name():
    link = checkin_link(widest_base_url(), LONGEST_CODE)
    # An office renamed by an administrator: its short name alone does not fit either.
    named = "สำนักงานยุติธรรมจังหวัดพระนครศรีอยุธยา สาขา 12"  # short: 38 characters
    shorter = render_reminder(ReminderText(DUE_DAY, "th", named, "x", LONGEST_DATE, link, True))
    assert shorter.startswith("ยุติธรรมจังหวัดพระนครศรีอยุธยา สาขา 12: วันนี้ 30 มี.ค. ")
    assert "2569" not in shorter and count_segments(shorter).segments == 2
    very_long = "สำนักงานยุติธรรมจังหวัดพระนครศรีอยุธยา ศูนย์ให้คำปรึกษาและช่วยเหลือประชาชน"
    cut = render_reminder(ReminderText(DUE_DAY, "th", very_long, "x", LONGEST_DATE, link, True))
    assert cut.startswith("ยุติธรรมจังหวัดพระนครศรีอยุธยา") and "…: วันนี้ 30 มี.ค. " in cut
    assert cut.endswith(link) and count_segments(cut).segments == 2
    assert "รายงานตัวครั้งสุดท้าย" in cut
    # Never cut between a Thai letter and its vowel or tone mark, nor after a leading vowel.
    shown = cut.partition("…")[0]
    short = short_office_name(very_long, "th")
    assert short.startswith(shown) and len(shown) < len(short)
    assert shown[-1] not in "เแโใไ" and short[len(shown)] not in "ิีึืุู่้๊๋็์ั"


def test_an_english_text_made_ucs2_by_a_thai_office_name_still_fits():
    link = checkin_link(widest_base_url(), LONGEST_CODE)
    body = render_reminder(
        ReminderText(
            MISSED_FOLLOW_UP, "en", "x", "สำนักงานยุติธรรมจังหวัดเชียงใหม่ (Chiang Mai)",
            LONGEST_DATE, link, False,
        )
    )  # fmt: skip
    assert count_segments(body).encoding == "UCS-2"
    assert count_segments(body).segments <= MAX_SEGMENTS and body.endswith(link)
    assert body.startswith("สำนักงานยุติธรรมจังห...: you missed your check-in of 30 Mar. Check in")


@pytest.mark.parametrize("kind", [OFFICER_ALERT, MANAGER_ALERT])
@pytest.mark.parametrize("flag_kind", [*STAFF_FLAG_WORDS, "other"])
def test_every_staff_alert_fits_in_two_segments_for_every_office(kind, flag_kind):
    for office in OFFICES:
        for case in ("อ.1234/2569", WIDEST_CASE):
            for due in (LONGEST_DATE, None):
                alert = StaffAlertText(
                    kind, WIDEST_FLAG, flag_kind, case, office.name_th, due, WIDEST_HOURS
                )
                body = render_staff_alert(alert)
                assert count_segments(body).segments <= MAX_SEGMENTS, body
                assert f"เรื่อง {WIDEST_FLAG}" in body  # the flag number always finds the case
                assert "คดี อ." in body
                if case != WIDEST_CASE:
                    assert case in body  # a real case number is never cut


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
    assert count_segments(escalation).segments <= MAX_SEGMENTS
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
    assert count_segments(overdue).segments <= MAX_SEGMENTS


def test_each_flag_is_named_for_what_it_is():
    office = "สำนักงานยุติธรรมจังหวัดเชียงใหม่"

    def alert(kind, flag_kind, due=None):
        return render_staff_alert(StaffAlertText(kind, 7, flag_kind, "อ.1/2569", office, due, 30))

    assert "ไม่มาศาลตามนัด" in alert(OFFICER_ALERT, "hearing_absent")
    assert "ไม่ได้รายงานตัว" not in alert(OFFICER_ALERT, "hearing_absent")
    assert "ยืนยันตัวตนไม่ผ่าน 30 มี.ค. 2569" in alert(OFFICER_ALERT, "failed_verification", LONGEST_DATE)
    assert "ลิงก์รายงานตัวถูกล็อก" in alert(MANAGER_ALERT, "identity_lockout")
    # A request past its deadline is escalated when raised: no hours nobody acknowledged.
    request = alert(MANAGER_ALERT, "request_overdue")
    assert "คำร้องของผู้ถูกปล่อยตัวรอเจ้าหน้าที่เกินกำหนดเวลา" in request
    assert "ไม่มีผู้รับทราบ" not in request and f"({office})" in request
    assert "มีเรื่องที่ต้องตรวจสอบ" in alert(OFFICER_ALERT, "other")
    with pytest.raises(ValueError):
        alert("digest", "missed_checkin")


def test_a_staff_alert_shortens_its_words_before_it_cuts_the_case_number():
    long_case = "อ." + "๙" * 40 + "/2569"
    body = render_staff_alert(
        StaffAlertText(
            MANAGER_ALERT, WIDEST_FLAG, "unreachable_phone", long_case, OFFICES[0].name_th,
            None, WIDEST_HOURS,
        )
    )  # fmt: skip
    assert long_case in body and "เบอร์รับ SMS ไม่ได้" in body and "ไม่รับทราบ 9999 ชม." in body
    widest = render_staff_alert(
        StaffAlertText(
            MANAGER_ALERT, WIDEST_FLAG, "missed_checkin", WIDEST_CASE, OFFICES[0].name_th,
            LONGEST_DATE, WIDEST_HOURS,
        )
    )  # fmt: skip
    assert "…" in widest and WIDEST_CASE[:20] in widest and count_segments(widest).segments == 2


@given(
    name=st.text(min_size=1, max_size=200),
    kind=st.sampled_from(["before_30d", "before_3d", "before_1d", DUE_DAY, MISSED_FOLLOW_UP]),
    language=st.sampled_from(["th", "en"]),
    is_last=st.booleans(),
    host=st.text(
        alphabet=[chr(c) for c in range(0x21, 0x7F) if is_gsm7(chr(c))],  # what the check lets by
        min_size=1,
        max_size=MAX_PUBLIC_BASE_URL_LENGTH - len("https://"),
    ),
)
def test_any_office_name_an_administrator_writes_still_fits(name, kind, language, is_last, host):
    link = checkin_link("https://" + host.rstrip("/"), LONGEST_CODE)
    body = render_reminder(ReminderText(kind, language, name, name, LONGEST_DATE, link, is_last))
    assert count_segments(body).segments <= MAX_SEGMENTS, body
    assert body.count(link) == 1


@given(
    office=st.text(max_size=200),
    case=st.text(min_size=1, max_size=64),
    kind=st.sampled_from([OFFICER_ALERT, MANAGER_ALERT]),
    flag_kind=st.sampled_from([*STAFF_FLAG_WORDS, "other"]),
    flag_id=st.integers(min_value=1, max_value=WIDEST_FLAG),
    hours=st.integers(min_value=0, max_value=WIDEST_HOURS),
)
def test_any_staff_alert_fits(office, case, kind, flag_kind, flag_id, hours):
    alert = StaffAlertText(kind, flag_id, flag_kind, case, office, LONGEST_DATE, hours)
    body = render_staff_alert(alert)
    assert count_segments(body).segments <= MAX_SEGMENTS, body
    assert f"เรื่อง {flag_id}" in body
