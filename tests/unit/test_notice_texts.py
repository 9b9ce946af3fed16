"""The notices' words: what each says, and that every one fits two SMS segments at its longest
(every shipped office, every PUBLIC_BASE_URL length up to 40, the widest dates, the longest code,
a long office phone), in both languages; the request, review and last check-in notices of
issue 14."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api.notice_texts import (
    LONG_OFFICE_PHONE,
    NOTICE_CASE_ENDED,
    NOTICE_CHECKIN_RESULT,
    NOTICE_DATES_CHANGED,
    NOTICE_KINDS,
    NOTICE_LAST_CHECKIN_DONE,
    NOTICE_PHONE_CHANGED,
    NOTICE_REQUEST_STATUS,
    NOTICE_REVIEW_ACCEPTED,
    NOTICE_REVIEW_REJECTED,
    NOTICES_AFTER_CLOSING,
    REQUEST_KIND_EN,
    REQUEST_KIND_TH,
    REQUEST_STATUS_EN,
    REQUEST_STATUS_TH,
    DateChange,
    NoticeText,
    render_notice,
    worst_case_notices,
)
from reporting_api.offices_data import load_offices, short_office_name
from reporting_api.request_rules import RequestKind, RequestStatus
from reporting_api.sms_templates import (
    LONGEST_CODE,
    LONGEST_DATE,
    MAX_PUBLIC_BASE_URL_LENGTH,
    MAX_SEGMENTS,
    checkin_link,
    count_segments,
    widest_base_url,
)

OFFICES = load_offices()
NAME_TH = max((o.name_th for o in OFFICES), key=len)
NAME_EN = max((o.name_en for o in OFFICES), key=len)
LONG_PHONE = LONG_OFFICE_PHONE  # 32 characters: the column's width
assert len(LONG_PHONE) == 32
LINK = checkin_link(widest_base_url(), LONGEST_CODE)  # a 40-character PUBLIC_BASE_URL
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


def shapes_with_links(link: str) -> list[dict]:
    """Every notice's worst-case contents: each kind, request kind and status, the widest dates
    (a new date goes with approving only, as services/person_requests.py sends it)."""
    wide = WIDE
    shapes: list[dict] = [{"kind": NOTICE_DATES_CHANGED, "changes": shape} for shape in SHAPES]
    shapes += [
        {"kind": NOTICE_DATES_CHANGED, "next_date": wide},
        {"kind": NOTICE_CASE_ENDED},
        {"kind": NOTICE_PHONE_CHANGED},
        {"kind": NOTICE_REVIEW_ACCEPTED, "checkin_date": wide, "next_date": wide},
        {"kind": NOTICE_REVIEW_ACCEPTED, "checkin_date": wide},
        {"kind": NOTICE_REVIEW_REJECTED, "checkin_date": wide, "link": link},
        {"kind": NOTICE_REVIEW_REJECTED, "checkin_date": wide},
        {"kind": NOTICE_LAST_CHECKIN_DONE, "checkin_date": wide},
        {"kind": NOTICE_CHECKIN_RESULT, "outcome": "verified", "checkin_date": wide,
         "next_date": wide},
        {"kind": NOTICE_CHECKIN_RESULT, "outcome": "verified", "checkin_date": wide},
        {"kind": NOTICE_CHECKIN_RESULT, "outcome": "retry", "checkin_date": wide, "link": link},
        {"kind": NOTICE_CHECKIN_RESULT, "outcome": "retry", "checkin_date": wide},
        {"kind": NOTICE_CHECKIN_RESULT, "outcome": "review", "checkin_date": wide},
    ]  # fmt: skip
    shapes += [
        {
            "kind": NOTICE_REQUEST_STATUS,
            "request_kind": kind.value,
            "request_status": status.value,
            "new_date": wide if status == RequestStatus.APPROVED else None,
            "link": link,
        }
        for kind in RequestKind
        for status in RequestStatus
    ]
    return shapes


def test_every_notice_fits_for_every_office_and_every_url_up_to_40_characters():
    """The walk: every notice shape x language x office x phone or none x URL lengths 12, 19,
    26, 33 and 40, and no shipped office's name is ever cut (its short name and the shorter
    phrase suffice)."""
    walked = 0
    for length in range(len("https://a.th"), MAX_PUBLIC_BASE_URL_LENGTH + 1, 7):
        link = checkin_link(widest_base_url(length), LONGEST_CODE)
        for shape in shapes_with_links(link):
            for office in OFFICES:
                for language in ("th", "en"):
                    for phone in (LONG_PHONE, None):
                        body = render_notice(
                            NoticeText(
                                language=language,
                                office_name_th=office.name_th,
                                office_name_en=office.name_en,
                                office_phone=phone,
                                **shape,
                            )
                        )
                        walked += 1
                        assert count_segments(body).segments <= MAX_SEGMENTS, body
                        name = office.name_en if language == "en" else office.name_th
                        shown = (name, short_office_name(name, language))
                        assert body.startswith(tuple(f"{n}: " for n in shown)), body
                        assert body.count("http") == (1 if "link" in shape else 0), body
    print(f"{walked} notices walked")


def test_the_worst_case_helper_covers_every_kind_and_fits():
    texts = worst_case_notices(widest_base_url())
    assert max(count_segments(t).segments for t in texts) == MAX_SEGMENTS
    assert not [t for t in texts if "…" in t or "..." in t]  # no shipped name cut
    # Past 40 characters the shipped names are cut, then texts overflow.
    assert [t for t in worst_case_notices(widest_base_url(60)) if "…" in t]
    assert max(count_segments(t).segments for t in worst_case_notices(widest_base_url(100))) > 2


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("status", list(RequestStatus))
@pytest.mark.parametrize("kind", list(RequestKind))
def test_every_request_status_of_every_kind_fits_even_with_a_new_date(language, status, kind):
    # A new date with any status (only approving sends one): two segments all the same.
    body = render_notice(
        NoticeText(
            NOTICE_REQUEST_STATUS, language, NAME_TH, NAME_EN, LONG_PHONE,
            request_kind=kind.value, request_status=status.value, new_date=WIDE, link=LINK,
        )
    )  # fmt: skip
    assert count_segments(body).segments <= MAX_SEGMENTS, body
    words = REQUEST_STATUS_EN if language == "en" else REQUEST_STATUS_TH
    assert words[status.value] in body and body.endswith(LINK)


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
    # A Thai word makes the English text UCS-2; a long one leaves no room for the number
    # even with the short name and the shorter phrase.
    phone = "0 2141 5100 ต่อ 1234 (ฝ่ายติดตามผู้ได้รับการปล่อยตัว)"
    english = text(NOTICE_PHONE_CHANGED, "en", phone=phone)
    assert count_segments(english).segments <= MAX_SEGMENTS
    assert "tell the office" in english
    assert phone in text(NOTICE_PHONE_CHANGED, "th", phone=phone)
    # A shorter one stays, with the office's short name.
    phone = "0 2141 5100 ต่อ 1234"
    english = text(NOTICE_PHONE_CHANGED, "en", phone=phone)
    assert english.startswith("Phra Nakhon Si Ayutthaya Justice Office: ") and phone in english


def test_only_the_notices_asking_to_look_or_act_carry_a_link():
    for kind in NOTICE_KINDS - {NOTICE_REQUEST_STATUS, NOTICE_REVIEW_REJECTED}:
        for language in ("th", "en"):
            assert "http" not in text(kind, language, SHAPES[0], WIDE)


CHIANG_MAI = ("สำนักงานยุติธรรมจังหวัดเชียงใหม่", "Chiang Mai Provincial Justice Office")
PRODUCTION_LINK = "https://justicefund.moj.go.th/c/AbCdEfGhIjKl"


def notice(kind, language, **fields):
    body = render_notice(NoticeText(kind, language, *CHIANG_MAI, **fields))
    assert count_segments(body).segments <= MAX_SEGMENTS, body
    return body


def test_the_request_status_uses_the_citizen_portal_words():
    assert REQUEST_STATUS_TH == {
        "submitted": "ยื่นคำร้อง",
        "awaiting_contact": "รอการติดต่อกลับจากเจ้าหน้าที่",
        "approved": "เจ้าหน้าที่อนุมัติคำร้อง",
        "rejected": "ปฏิเสธคำร้อง",
        "in_progress": "อยู่ระหว่างดำเนินการ",
        "completed": "ดำเนินการเรียบร้อยแล้ว",
    }
    assert set(REQUEST_STATUS_EN) == {s.value for s in RequestStatus}
    assert set(REQUEST_KIND_TH) == set(REQUEST_KIND_EN) == {k.value for k in RequestKind}
    new = date(2027, 1, 13)
    fields = {"request_kind": "cant_come", "new_date": new, "link": PRODUCTION_LINK}
    thai = notice(NOTICE_REQUEST_STATUS, "th", request_status="approved", **fields)
    assert "เจ้าหน้าที่อนุมัติคำร้อง" in thai and "13 ม.ค." in thai and thai.endswith(PRODUCTION_LINK)
    english = notice(NOTICE_REQUEST_STATUS, "en", request_status="approved", **fields)
    assert "your request (can't come) is now approved by the officer." in english
    assert "New check-in date: 13 Jan 2570 (2027)." in english and english.endswith(PRODUCTION_LINK)
    # Short enough, the Thai names the request's kind too.
    waiting = render_notice(
        NoticeText(
            NOTICE_REQUEST_STATUS, "th", "ยุติธรรมชัยนาท", "x", request_kind="call_me",
            request_status="submitted", link=PRODUCTION_LINK,
        )
    )  # fmt: skip
    assert waiting == (f"ยุติธรรมชัยนาท: คำร้อง (ขอให้เจ้าหน้าที่โทรหา) สถานะ: ยื่นคำร้อง ดูที่ {PRODUCTION_LINK}")
    # A status word without "คำร้อง" keeps it once shortened.
    shortened = notice(
        NOTICE_REQUEST_STATUS, "th", request_kind="need_help", request_status="in_progress",
        link=LINK,
    )  # fmt: skip
    assert "คำร้อง: อยู่ระหว่างดำเนินการ" in shortened


def test_a_review_accepted_notice_names_the_check_in_and_the_next_date():
    day, then = date(2026, 12, 16), date(2027, 1, 13)
    thai = notice(NOTICE_REVIEW_ACCEPTED, "th", checkin_date=day, next_date=then)
    assert thai == (
        "สำนักงานยุติธรรมจังหวัดเชียงใหม่: เจ้าหน้าที่ตรวจสอบแล้ว การรายงานตัววันที่ 16 ธ.ค. 2569 "
        "ของท่านผ่านการยืนยัน ครั้งถัดไป 13 ม.ค. 2570"
    )
    english = notice(NOTICE_REVIEW_ACCEPTED, "en", checkin_date=day)
    assert english == (
        "Chiang Mai Provincial Justice Office: an officer reviewed your check-in of "
        "16 Dec 2569 (2026) and accepted it."
    )
    assert "http" not in thai + english


def test_a_review_rejected_notice_says_what_to_do_next():
    day = date(2026, 12, 16)
    # The window is still open: record again on the link.
    again = notice(NOTICE_REVIEW_REJECTED, "th", checkin_date=day, link=PRODUCTION_LINK)
    assert "16 ธ.ค." in again and "ยังไม่ผ่าน" in again and "บันทึกใหม่" in again
    assert again.endswith(PRODUCTION_LINK)
    english = notice(NOTICE_REVIEW_REJECTED, "en", checkin_date=day, link=PRODUCTION_LINK)
    assert "could not accept it. Please record it again here: " + PRODUCTION_LINK in english
    # The window has closed: contact the office, by phone when its number is known.
    call = notice(NOTICE_REVIEW_REJECTED, "th", checkin_date=day, office_phone="053 112 233")
    assert "ติดต่อสำนักงาน โทร 053 112 233" in call and "http" not in call
    assert notice(NOTICE_REVIEW_REJECTED, "en", checkin_date=day, office_phone="053 112 233")
    assert "Please contact the office: 053 112 233." in notice(
        NOTICE_REVIEW_REJECTED, "en", checkin_date=day, office_phone="053 112 233"
    )
    assert notice(NOTICE_REVIEW_REJECTED, "th", checkin_date=day).endswith("โปรดติดต่อสำนักงาน")
    assert notice(NOTICE_REVIEW_REJECTED, "en").endswith("Please contact the office.")


def test_the_last_check_in_done_notice_ends_reporting():
    day = date(2026, 12, 16)
    thai = notice(NOTICE_LAST_CHECKIN_DONE, "th", checkin_date=day)
    assert "ครั้งสุดท้าย" in thai and "ไม่ต้องรายงานตัวอีก" in thai
    english = notice(NOTICE_LAST_CHECKIN_DONE, "en", checkin_date=day)
    assert "your last check-in of 16 Dec 2569 (2026) is verified" in english
    assert "You do not need to check in any more" in english
    # It stays true after the case is closed; a date or request notice does not.
    assert NOTICES_AFTER_CLOSING == {NOTICE_CASE_ENDED, NOTICE_LAST_CHECKIN_DONE}


def test_shortening_goes_step_by_step():
    day = date(2026, 12, 16)
    full = notice(NOTICE_REVIEW_ACCEPTED, "th", checkin_date=day)
    assert full.startswith(CHIANG_MAI[0] + ": ")  # the full text fits: nothing shortened
    # The short name first (the central office, whose full name alone is 42 characters) ...
    central = render_notice(
        NoticeText(NOTICE_REVIEW_ACCEPTED, "th", NAME_TH, NAME_EN, checkin_date=day, next_date=day)
    )
    assert central.startswith("กองทุนยุติธรรม: เจ้าหน้าที่ตรวจสอบแล้ว ")
    # ... then a shorter phrase, then the office's phone, then the name cut.
    for phone in (LONG_PHONE, None):
        body = render_notice(
            NoticeText(NOTICE_PHONE_CHANGED, "th", "สำนักงาน" + "ก" * 100, "x", phone)
        )
        assert body.startswith("ก" * 6) and "…: SMS รายงานตัว" in body
        assert "โปรดแจ้งสำนักงาน" in body and count_segments(body).segments <= MAX_SEGMENTS


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        render_notice(NoticeText("notice_other", "th", NAME_TH, NAME_EN))


@given(
    name=st.text(max_size=200),
    phone=st.one_of(st.none(), st.text(max_size=32)),
    shape=st.sampled_from(shapes_with_links(LINK)),
    language=st.sampled_from(["th", "en"]),
)
def test_any_office_name_and_phone_an_administrator_writes_still_fits(name, phone, shape, language):
    body = render_notice(
        NoticeText(
            language=language, office_name_th=name, office_name_en=name, office_phone=phone, **shape
        )
    )
    assert count_segments(body).segments <= MAX_SEGMENTS, body
    if "link" in shape:
        assert body.count(LINK) == 1


def test_a_trusted_contact_is_told_only_to_remind_the_person():
    from reporting_api.notice_texts import NOTICE_TRUSTED_CONTACT

    thai = notice(NOTICE_TRUSTED_CONTACT, "th", person_name="มาลี", office_phone="053-111-222")
    assert thai.endswith(": โปรดเตือนคุณมาลี ให้ติดต่อสำนักงาน โทร 053-111-222"), thai
    english = notice(NOTICE_TRUSTED_CONTACT, "en", person_name="Malee")
    assert english.endswith(": please remind Malee to contact the office."), english
    for body in (thai, english):
        assert "http" not in body and "/c/" not in body and "2569" not in body


def test_a_verdict_the_page_did_not_show_says_what_to_do():
    from reporting_api.notice_texts import NOTICE_CHECKIN_RESULT

    verified = notice(
        NOTICE_CHECKIN_RESULT, "th", outcome="verified", checkin_date=WIDE, next_date=WIDE
    )
    assert "สำเร็จแล้ว" in verified and "ครั้งถัดไป" in verified and "http" not in verified
    again = notice(NOTICE_CHECKIN_RESULT, "en", outcome="retry", link=LINK)
    assert "not" in again and again.endswith(LINK)
    closed = notice(NOTICE_CHECKIN_RESULT, "th", outcome="retry", office_phone="053-111-222")
    assert "ติดต่อสำนักงาน" in closed and "053-111-222" in closed
    review = notice(NOTICE_CHECKIN_RESULT, "en", outcome="review")
    assert "officer will review" in review
