"""The words of the notices a person is owed outside the reminders: a reporting date that
changed, reporting that ended, a new number that will get the messages, a request's new status,
an officer's review of a check-in, the last check-in verified.

Pure, like `sms_templates`: what to say in, a text out, Thai unless the person prefers English,
at most two SMS segments for any ``PUBLIC_BASE_URL`` of up to 40 characters, with the longest
office name, the widest dates and a long office phone (tests/unit/test_notice_texts.py walks
them all). Like a reminder, a notice shortens step by step only when its full text would
overflow: the office's short name, a shorter phrase, the office's phone left out, then the
office's name cut (`sms_templates.shortened`). Only the notices that ask the person to look
or act carry a link (a request's status; a check-in to record again): the others are not a
check-in, and the reminders before each date carry the link as always.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from reporting_api.offices_data import short_office_name
from reporting_api.sms_templates import (
    LONGEST_CODE,
    LONGEST_DATE,
    checkin_link,
    cut_forms,
    english_day_month,
    english_due_date,
    first_fitting,
    thai_day_month,
)
from reporting_api.thai_dates import format_thai_date

NOTICE_DATES_CHANGED = "notice_dates_changed"
NOTICE_CASE_ENDED = "notice_case_ended"
NOTICE_PHONE_CHANGED = "notice_phone_changed"
NOTICE_REQUEST_STATUS = "notice_request_status"
NOTICE_REVIEW_ACCEPTED = "notice_review_accepted"
"""An officer accepted a check-in after reviewing it (`NoticeText.checkin_date`)."""
NOTICE_REVIEW_REJECTED = "notice_review_rejected"
"""An officer could not accept a check-in: record again on ``link`` while its window is open,
else contact the office (``office_phone`` when known)."""
NOTICE_LAST_CHECKIN_DONE = "notice_last_checkin_done"
"""The person's last check-in is verified: reporting ends."""
NOTICE_CHECKIN_RESULT = "notice_checkin_result"
"""The verdict of a remote check-in the person did not see on the page (they closed it, or the
server verifying it stopped): `NoticeText.outcome` verified (with the next date), retry (with
the link while the window is open) or review."""
NOTICE_TRUSTED_CONTACT = "notice_trusted_contact"
"""To the person's trusted contact, with their consent, after a missed check-in and an
unanswered follow-up: only "please remind <first name> to contact the office" (no link, no
case, no date); `NoticeText.person_name`."""
NOTICE_LINE_LINKED = "notice_line_linked"
"""By SMS to the person's number when a LINE account was linked to them: the messages now go
on LINE; if it was not them, call the office (someone who knew their answers may have linked
their own LINE)."""
NOTICE_KINDS = frozenset(
    {
        NOTICE_LINE_LINKED,
        NOTICE_CHECKIN_RESULT,
        NOTICE_TRUSTED_CONTACT,
        NOTICE_DATES_CHANGED,
        NOTICE_CASE_ENDED,
        NOTICE_PHONE_CHANGED,
        NOTICE_REQUEST_STATUS,
        NOTICE_REVIEW_ACCEPTED,
        NOTICE_REVIEW_REJECTED,
        NOTICE_LAST_CHECKIN_DONE,
    }
)
NOTICES_BY_NUMBER = frozenset({NOTICE_TRUSTED_CONTACT, NOTICE_PHONE_CHANGED, NOTICE_LINE_LINKED})
"""Notices that go to a number by SMS whatever the person linked on LINE: to a trusted contact,
to a new number, and the notice that a LINE account was linked (if it was not the person,
their own phone must hear of it)."""
NOTICES_AFTER_CLOSING = frozenset({NOTICE_CASE_ENDED, NOTICE_LAST_CHECKIN_DONE})
"""Notices still true once the case is closed (the dispatcher cancels the others)."""

CONTACT_NAME_CHARS = 30
"""The person's first name in a notice to their contact is cut to this many characters."""

REQUEST_STATUS_TH = {
    "submitted": "ยื่นคำร้อง",
    "awaiting_contact": "รอการติดต่อกลับจากเจ้าหน้าที่",
    "approved": "เจ้าหน้าที่อนุมัติคำร้อง",
    "rejected": "ปฏิเสธคำร้อง",
    "in_progress": "อยู่ระหว่างดำเนินการ",
    "completed": "ดำเนินการเรียบร้อยแล้ว",
}
"""The Citizen Portal's words for a request's statuses."""
REQUEST_STATUS_EN = {
    "submitted": "submitted",
    "awaiting_contact": "awaiting officer contact",
    "approved": "approved by the officer",
    "rejected": "rejected",
    "in_progress": "in progress",
    "completed": "completed",
}
REQUEST_KIND_TH = {
    "cant_come": "มารายงานตัวไม่ได้",
    "call_me": "ขอให้เจ้าหน้าที่โทรหา",
    "need_help": "ขอความช่วยเหลือในการเดินทาง",
    "phone_changed": "เปลี่ยนเบอร์โทรศัพท์",
    "away": "จะไปต่างจังหวัด",
    "message": "ข้อความถึงเจ้าหน้าที่",
}
"""What the person asked, as the link page names it (shorter where the page is long)."""
REQUEST_KIND_EN = {
    "cant_come": "can't come",
    "call_me": "please call me",
    "need_help": "help getting there",
    "phone_changed": "new phone number",
    "away": "away",
    "message": "message",
}


@dataclass(frozen=True)
class DateChange:
    """One reporting date that changed: ``old`` None for an added check-in, ``new`` None for
    a cancelled one."""

    old: date | None
    new: date | None


@dataclass(frozen=True)
class NoticeText:
    """What a notice says, before it is put into words."""

    kind: str
    language: str  # "th" or "en"
    office_name_th: str
    office_name_en: str
    office_phone: str | None = None
    changes: tuple[DateChange, ...] = ()
    next_date: date | None = None
    """The person's next reporting date after the change (several changes are told as this);
    after an accepted review, the next date if there is one."""
    request_kind: str | None = None
    request_status: str | None = None
    new_date: date | None = None
    """An approved new reporting date."""
    link: str | None = None
    """The person's page PUBLIC_BASE_URL/c/<code>: where a request can be seen, or a rejected
    check-in recorded again (None when its window has closed)."""
    checkin_date: date | None = None
    """The date of the check-in an officer reviewed, or of the last check-in."""
    person_name: str = ""
    """The person's first name, in a notice to their trusted contact (at most
    `CONTACT_NAME_CHARS`)."""
    outcome: str = ""
    """A remote check-in's verdict (`NOTICE_CHECKIN_RESULT`): verified, retry or review."""


def render_notice(n: NoticeText) -> str:
    """The SMS for a notice of kind ``n.kind``, shortened only as far as two segments need."""
    if n.kind not in NOTICE_KINDS:
        raise ValueError(f"no template for a notice of kind {n.kind!r}")
    language = "en" if n.language == "en" else "th"
    name = n.office_name_en if language == "en" else n.office_name_th
    short = short_office_name(name, language)
    words = _english if language == "en" else _thai

    def forms() -> Iterator[str]:
        yield words(n, name, False, n.office_phone)
        if short != name:
            yield words(n, short, False, n.office_phone)
        yield words(n, short, True, n.office_phone)
        if n.office_phone:
            # An office number written long (extensions, Thai words) must not cost a third SMS.
            yield words(n, short, True, None)
        for cut in cut_forms(short, language):
            yield words(n, cut, True, None)

    return first_fitting(forms())


def _one_change(changes: Sequence[DateChange]) -> DateChange | None:
    return changes[0] if len(changes) == 1 else None


def _thai(n: NoticeText, office: str, short: bool, phone: str | None) -> str:
    def day(d: date) -> str:
        return thai_day_month(d) if short else format_thai_date(d)

    on = f"วันที่ {day(n.checkin_date)} " if n.checkin_date else ""
    if n.kind == NOTICE_CHECKIN_RESULT:
        if n.outcome == "verified":
            then = f" ครั้งถัดไป {day(n.next_date)}" if n.next_date else ""
            return f"{office}: รายงานตัว{on}สำเร็จแล้ว{then}"
        if n.outcome == "review":
            if short:
                return f"{office}: ได้รับวิดีโอรายงานตัวแล้ว รอเจ้าหน้าที่ตรวจ"
            return f"{office}: ได้รับวิดีโอรายงานตัว{on}แล้ว เจ้าหน้าที่จะตรวจและติดต่อท่านหากต้องการข้อมูลเพิ่ม"
        if n.link:
            then = f"ถ่ายใหม่ {n.link}" if short else f"โปรดถ่ายใหม่ที่ {n.link}"
        else:
            then = "ติดต่อสำนักงาน" if short else "โปรดติดต่อสำนักงาน"
            then += f" โทร {phone}" if phone else ""
        if short:
            return f"{office}: รายงานตัวยังไม่ผ่าน {then}"
        return f"{office}: ยังยืนยันการรายงานตัว{on}ไม่ได้ {then}"
    if n.kind == NOTICE_TRUSTED_CONTACT:
        call = f" โทร {phone}" if phone else ""
        return f"{office}: โปรดเตือนคุณ{n.person_name} ให้ติดต่อสำนักงาน{call}"
    if n.kind == NOTICE_REQUEST_STATUS:
        status = REQUEST_STATUS_TH.get(n.request_status or "", n.request_status or "")
        kind = REQUEST_KIND_TH.get(n.request_kind or "")
        if short:
            when = f" วันใหม่ {day(n.new_date)}" if n.new_date else ""
            link = f" {n.link}" if n.link else ""
            # "ยื่นคำร้อง", "ปฏิเสธคำร้อง"... say what they are about; the others need "คำร้อง".
            about = "" if "คำร้อง" in status else "คำร้อง: "
            return f"{office}: {about}{status}{when}{link}"
        what = f"คำร้อง ({kind})" if kind else "คำร้องของท่าน"
        when = f" วันรายงานตัวใหม่ {day(n.new_date)}" if n.new_date else ""
        link = f" ดูที่ {n.link}" if n.link else ""
        return f"{office}: {what} สถานะ: {status}{when}{link}"
    if n.kind == NOTICE_REVIEW_ACCEPTED:
        then = f" ครั้งถัดไป {day(n.next_date)}" if n.next_date else ""
        if short:
            return f"{office}: เจ้าหน้าที่ยืนยันการรายงานตัว{on}แล้ว{then}"
        return f"{office}: เจ้าหน้าที่ตรวจสอบแล้ว การรายงานตัว{on}ของท่านผ่านการยืนยัน{then}"
    if n.kind == NOTICE_REVIEW_REJECTED:
        if n.link:
            then = f"บันทึกใหม่ {n.link}" if short else f"โปรดบันทึกใหม่ที่ {n.link}"
        else:
            then = "ติดต่อสำนักงาน" if short else "โปรดติดต่อสำนักงาน"
            then += f" โทร {phone}" if phone else ""
        if short:
            on = f" {day(n.checkin_date)}" if n.checkin_date else ""
            return f"{office}: รายงานตัว{on} ยังไม่ผ่าน {then}"
        return f"{office}: เจ้าหน้าที่ตรวจสอบแล้ว ยังยืนยันการรายงานตัว{on}ของท่านไม่ได้ {then}"
    if n.kind == NOTICE_LAST_CHECKIN_DONE:
        if short:
            return f"{office}: รายงานตัวครั้งสุดท้ายยืนยันแล้ว สิ้นสุดการรายงานตัว ไม่ต้องรายงานตัวอีก"
        return f"{office}: การรายงานตัวครั้งสุดท้าย{on}ยืนยันแล้ว สิ้นสุดการรายงานตัว ไม่ต้องรายงานตัวอีก ขอบคุณ"
    if n.kind == NOTICE_CASE_ENDED:
        thanks = "" if short else " ขอบคุณที่มารายงานตัว"
        return f"{office}: การรายงานตัวของท่านสิ้นสุดแล้ว ไม่ต้องรายงานตัวอีก{thanks}"
    if n.kind == NOTICE_LINE_LINKED:
        who = f"โทร {phone}" if phone else "โปรดแจ้งสำนักงาน"
        if short:
            return f"{office}: ข้อความรายงานตัวจะส่งทาง LINE ที่ผูกไว้ ไม่ใช่ท่าน {who}"
        return f"{office}: มีการผูกบัญชี LINE ข้อความเตือนรายงานตัวจะส่งทาง LINE หากไม่ใช่ท่าน {who}"
    if n.kind == NOTICE_PHONE_CHANGED:
        who = f"โทร {phone}" if phone else "โปรดแจ้งสำนักงาน"
        if short:
            return f"{office}: SMS รายงานตัวจะส่งมาที่เบอร์นี้ ไม่ใช่ท่าน {who}"
        return f"{office}: SMS เตือนรายงานตัวจะส่งมาที่เบอร์นี้ หากไม่ใช่ท่าน {who}"
    one = _one_change(n.changes)
    if one is not None and one.old is not None and one.new is not None:
        what = f"เลื่อนวันรายงานตัว {format_thai_date(one.old)} เป็น {format_thai_date(one.new)}"
    elif one is not None and one.new is not None:
        what = f"เพิ่มวันรายงานตัว {format_thai_date(one.new)}"
    elif one is not None and one.old is not None:
        what = f"ยกเลิกการรายงานตัววันที่ {format_thai_date(one.old)}"
    elif n.next_date is not None:
        what = f"วันรายงานตัวเปลี่ยน ครั้งถัดไป {format_thai_date(n.next_date)}"
    else:
        return f"{office}: วันรายงานตัวเปลี่ยน ไม่มีวันรายงานตัวเหลืออยู่"
    remind = "" if short else " จะมี SMS เตือนก่อนถึงวัน"
    return f"{office}: {what}{remind}"


def _english(n: NoticeText, office: str, short: bool, phone: str | None) -> str:
    def day(d: date) -> str:
        return english_day_month(d) if short else english_due_date(d)

    of = f" of {day(n.checkin_date)}" if n.checkin_date else ""
    if n.kind == NOTICE_CHECKIN_RESULT:
        if n.outcome == "verified":
            then = f" Next check-in: {day(n.next_date)}." if n.next_date else ""
            return f"{office}: your check-in{of} is verified.{then}"
        if n.outcome == "review":
            if short:
                return f"{office}: we got your check-in video; an officer will review it."
            return (
                f"{office}: we received your check-in video{of}. An officer will review it and "
                "contact you if anything more is needed."
            )
        if n.link:
            then = f"Record again: {n.link}" if short else f"Please record again here: {n.link}"
        else:
            then = "Contact the office" if short else "Please contact the office"
            then += f": {phone}." if phone else "."
        if short:
            return f"{office}: your check-in is not verified yet. {then}"
        return f"{office}: your check-in{of} could not be verified yet. {then}"
    if n.kind == NOTICE_TRUSTED_CONTACT:
        call = f" ({phone})" if phone else ""
        return f"{office}: please remind {n.person_name} to contact the office{call}."
    if n.kind == NOTICE_REQUEST_STATUS:
        status = REQUEST_STATUS_EN.get(n.request_status or "", n.request_status or "")
        kind = REQUEST_KIND_EN.get(n.request_kind or "")
        if short:
            when = f" New date: {day(n.new_date)}." if n.new_date else ""
            link = f" {n.link}" if n.link else ""
            return f"{office}: request {status}.{when}{link}"
        what = f"your request ({kind})" if kind else "your request"
        when = f" New check-in date: {day(n.new_date)}." if n.new_date else ""
        link = f" See {n.link}" if n.link else ""
        return f"{office}: {what} is now {status}.{when}{link}"
    if n.kind == NOTICE_REVIEW_ACCEPTED:
        then = f" Next check-in: {day(n.next_date)}." if n.next_date else ""
        if short:
            return f"{office}: your check-in{of} was accepted.{then}"
        return f"{office}: an officer reviewed your check-in{of} and accepted it.{then}"
    if n.kind == NOTICE_REVIEW_REJECTED:
        if n.link:
            then = f"Record again: {n.link}" if short else f"Please record it again here: {n.link}"
        else:
            then = "Contact the office" if short else "Please contact the office"
            then += f": {phone}." if phone else "."
        if short:
            return f"{office}: your check-in{of} was not accepted. {then}"
        return f"{office}: an officer reviewed your check-in{of} and could not accept it. {then}"
    if n.kind == NOTICE_LAST_CHECKIN_DONE:
        if short:
            return f"{office}: your last check-in is verified. Reporting has ended."
        return (
            f"{office}: your last check-in{of} is verified and your reporting has ended. "
            "You do not need to check in any more. Thank you."
        )
    if n.kind == NOTICE_CASE_ENDED:
        thanks = "" if short else " Thank you."
        return f"{office}: your reporting has ended. You do not need to check in any more.{thanks}"
    if n.kind == NOTICE_LINE_LINKED:
        who = f"call {phone}" if phone else "tell the office"
        if short:
            return f"{office}: check-in messages now come on LINE. Not you? {who}."
        return (
            f"{office}: a LINE account was linked; check-in reminders will now come on LINE. "
            f"Not you? Please {who}."
        )
    if n.kind == NOTICE_PHONE_CHANGED:
        who = f"call {phone}" if phone else "tell the office"
        if short:
            return f"{office}: check-in reminders now come to this number. Not you? {who}."
        return f"{office}: check-in reminders will now come to this number. Not you? Please {who}."
    one = _one_change(n.changes)
    if one is not None and one.old is not None and one.new is not None:
        what = f"your check-in on {english_due_date(one.old)} moved to {english_due_date(one.new)}."
    elif one is not None and one.new is not None:
        what = f"a check-in was added on {english_due_date(one.new)}."
    elif one is not None and one.old is not None:
        what = f"your check-in on {english_due_date(one.old)} was cancelled."
    elif n.next_date is not None:
        what = f"your check-in dates changed; the next is {english_due_date(n.next_date)}."
    else:
        return f"{office}: your check-in dates changed; no check-in is left."
    remind = "" if short else " We will remind you before."
    return f"{office}: {what}{remind}"


LONG_OFFICE_PHONE = "+66 2141 5100 ext. 1234, 5678 90"
"""An office phone as wide as its column (32 characters)."""


def worst_case_notices(public_base_url: str) -> list[str]:
    """Every notice at its longest for this ``PUBLIC_BASE_URL``: the offices with the longest
    names, each kind, request kind and status, the widest dates, a link with the longest code,
    a phone as wide as its column, both languages."""
    from reporting_api.sms_templates import worst_case_offices

    link = checkin_link(public_base_url, LONGEST_CODE)
    wide = LONGEST_DATE
    shapes: list[dict[str, object]] = [
        {"kind": NOTICE_DATES_CHANGED, "changes": (DateChange(wide, wide),)},
        {"kind": NOTICE_DATES_CHANGED, "next_date": wide},
        {"kind": NOTICE_CASE_ENDED},
        {"kind": NOTICE_PHONE_CHANGED},
        {"kind": NOTICE_LINE_LINKED},
        {"kind": NOTICE_REVIEW_ACCEPTED, "checkin_date": wide, "next_date": wide},
        {"kind": NOTICE_REVIEW_REJECTED, "checkin_date": wide, "link": link},
        {"kind": NOTICE_REVIEW_REJECTED, "checkin_date": wide},
        {"kind": NOTICE_LAST_CHECKIN_DONE, "checkin_date": wide},
        {"kind": NOTICE_TRUSTED_CONTACT, "person_name": "ญ" * CONTACT_NAME_CHARS},
        {"kind": NOTICE_CHECKIN_RESULT, "outcome": "verified", "checkin_date": wide,
         "next_date": wide},
        {"kind": NOTICE_CHECKIN_RESULT, "outcome": "retry", "checkin_date": wide, "link": link},
        {"kind": NOTICE_CHECKIN_RESULT, "outcome": "retry", "checkin_date": wide},
        {"kind": NOTICE_CHECKIN_RESULT, "outcome": "review", "checkin_date": wide},
    ]  # fmt: skip
    shapes += [
        {
            "kind": NOTICE_REQUEST_STATUS,
            "request_kind": request_kind,
            "request_status": status,
            # A new date goes only with approving (services/person_requests.py).
            "new_date": wide if status == "approved" else None,
            "link": link,
        }
        for request_kind in REQUEST_KIND_TH
        for status in REQUEST_STATUS_TH
    ]
    texts = []
    for name_th, name_en in worst_case_offices():
        for language in ("th", "en"):
            for shape in shapes:
                text = NoticeText(
                    language=language,
                    office_name_th=name_th,
                    office_name_en=name_en,
                    office_phone=LONG_OFFICE_PHONE,
                    **shape,  # type: ignore[arg-type]
                )
                texts.append(render_notice(text))
    return texts


__all__ = [
    "NOTICES_AFTER_CLOSING",
    "NOTICES_BY_NUMBER",
    "NOTICE_CASE_ENDED",
    "NOTICE_DATES_CHANGED",
    "NOTICE_KINDS",
    "NOTICE_LINE_LINKED",
    "NOTICE_LAST_CHECKIN_DONE",
    "NOTICE_PHONE_CHANGED",
    "NOTICE_REQUEST_STATUS",
    "NOTICE_REVIEW_ACCEPTED",
    "NOTICE_REVIEW_REJECTED",
    "DateChange",
    "NoticeText",
    "render_notice",
    "worst_case_notices",
]
