"""The notices' words: what each says, and that every one fits two SMS segments at its longest
(the longest shipped office names, the widest dates, a long office phone), in both languages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api.notice_texts import (
    NOTICE_CASE_ENDED,
    NOTICE_DATES_CHANGED,
    NOTICE_KINDS,
    NOTICE_PHONE_CHANGED,
    DateChange,
    NoticeText,
    render_notice,
)
from reporting_api.offices_data import load_offices
from reporting_api.sms_templates import LONGEST_DATE, MAX_SEGMENTS, count_segments

OFFICES = load_offices()
NAME_TH = max((o.name_th for o in OFFICES), key=len)
NAME_EN = max((o.name_en for o in OFFICES), key=len)
LONG_PHONE = "+66 2141 5100 ext. 1234, 5678 901"  # 32 characters: the column's width
WIDE = LONGEST_DATE
SHAPES = [
    (DateChange(WIDE, WIDE + timedelta(days=7)),),
    (DateChange(None, WIDE),),
    (DateChange(WIDE, None),),
    (DateChange(WIDE, None), DateChange(None, WIDE)),
    (),
]


def text(kind, language, changes=(), next_date=None, phone=LONG_PHONE):
    return render_notice(
        NoticeText(kind, language, NAME_TH, NAME_EN, phone, tuple(changes), next_date)
    )


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("kind", sorted(NOTICE_KINDS))
@pytest.mark.parametrize("shape", range(len(SHAPES)))
@pytest.mark.parametrize("next_date", [WIDE, None])
def test_every_notice_fits_in_two_segments_at_its_longest(kind, language, shape, next_date):
    body = text(kind, language, SHAPES[shape], next_date)
    assert count_segments(body).segments <= MAX_SEGMENTS, body


@given(
    old=st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2199, 12, 31))),
    new=st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2199, 12, 31))),
    next_date=st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2199, 12, 31))),
    language=st.sampled_from(["th", "en"]),
    office=st.sampled_from(OFFICES),
)
def test_a_date_notice_always_fits_and_names_its_office(old, new, next_date, language, office):
    changes = (DateChange(old, new),) if old or new else ()
    body = render_notice(
        NoticeText(
            NOTICE_DATES_CHANGED, language, office.name_th, office.name_en, None, changes, next_date
        )
    )
    assert count_segments(body).segments <= MAX_SEGMENTS
    assert body.startswith(office.name_en if language == "en" else office.name_th)


def test_a_moved_date_names_both_dates_in_the_buddhist_era():
    body = text(NOTICE_DATES_CHANGED, "th", [DateChange(date(2026, 12, 16), date(2026, 12, 18))])
    assert "เลื่อนวันรายงานตัว 16 ธ.ค. 2569 เป็น 18 ธ.ค. 2569" in body
    english = text(NOTICE_DATES_CHANGED, "en", [DateChange(date(2026, 12, 16), date(2026, 12, 18))])
    assert "16 Dec 2569 (2026) moved to 18 Dec 2569 (2026)" in english


def test_added_cancelled_and_several_changes_read_differently():
    added = text(NOTICE_DATES_CHANGED, "th", [DateChange(None, date(2027, 1, 4))])
    cancelled = text(NOTICE_DATES_CHANGED, "th", [DateChange(date(2027, 1, 4), None)])
    several = text(NOTICE_DATES_CHANGED, "th", [], next_date=date(2027, 1, 4))
    none_left = text(NOTICE_DATES_CHANGED, "th", [], next_date=None)
    assert "เพิ่มวันรายงานตัว 4 ม.ค. 2570" in added
    assert "ยกเลิกการรายงานตัววันที่ 4 ม.ค. 2570" in cancelled
    assert "ครั้งถัดไป 4 ม.ค. 2570" in several
    assert "ไม่มีวันรายงานตัวเหลืออยู่" in none_left
    assert len({added, cancelled, several, none_left}) == 4


def test_the_ended_and_new_number_notices():
    assert "สิ้นสุดแล้ว" in text(NOTICE_CASE_ENDED, "th")
    assert "no longer" not in text(NOTICE_CASE_ENDED, "en")
    assert "You do not need to check in any more" in text(NOTICE_CASE_ENDED, "en")
    assert f"โทร {LONG_PHONE}" in text(NOTICE_PHONE_CHANGED, "th")
    assert "โปรดแจ้งสำนักงาน" in text(NOTICE_PHONE_CHANGED, "th", phone=None)
    assert "Not you? Please call" in text(NOTICE_PHONE_CHANGED, "en")


def test_an_office_number_too_long_for_two_segments_is_left_out():
    phone = "0 2141 5100 ต่อ 1234"  # a Thai word makes the English text UCS-2
    english = text(NOTICE_PHONE_CHANGED, "en", phone=phone)
    assert count_segments(english).segments <= MAX_SEGMENTS
    assert "tell the office" in english
    assert phone in text(NOTICE_PHONE_CHANGED, "th", phone=phone)


def test_no_notice_carries_a_link():
    for kind in NOTICE_KINDS:
        for language in ("th", "en"):
            assert "http" not in text(kind, language, SHAPES[0], WIDE)


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        render_notice(NoticeText("notice_other", "th", NAME_TH, NAME_EN))
