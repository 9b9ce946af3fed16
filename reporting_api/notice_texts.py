"""The words of the notices a person is owed outside the reminders: a reporting date that
changed, reporting that ended, a new number that will get the messages.

Pure, like `sms_templates`: what to say in, a text out, Thai unless the person prefers English,
at most two SMS segments with the longest office name and the widest dates (the tests count
them with `sms_templates.count_segments`). A notice carries no link: it is not a check-in, and
the reminders before each date carry the link as always.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from reporting_api.sms_templates import MAX_SEGMENTS, count_segments, english_due_date
from reporting_api.thai_dates import format_thai_date

NOTICE_DATES_CHANGED = "notice_dates_changed"
NOTICE_CASE_ENDED = "notice_case_ended"
NOTICE_PHONE_CHANGED = "notice_phone_changed"
NOTICE_REQUEST_STATUS = "notice_request_status"
NOTICE_KINDS = frozenset(
    {NOTICE_DATES_CHANGED, NOTICE_CASE_ENDED, NOTICE_PHONE_CHANGED, NOTICE_REQUEST_STATUS}
)

REQUEST_STATUS_TH = {
    "submitted": "ยื่นคำร้องแล้ว",
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
    "approved": "approved",
    "rejected": "rejected",
    "in_progress": "in progress",
    "completed": "completed",
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
    """The person's next reporting date after the change (several changes are told as this)."""
    request_kind: str | None = None
    request_status: str | None = None
    new_date: date | None = None
    """An approved new reporting date."""
    link: str | None = None
    """The person's page, where the request can be seen."""


def render_notice(n: NoticeText) -> str:
    """The SMS for a notice of kind ``n.kind``."""
    if n.kind not in NOTICE_KINDS:
        raise ValueError(f"no template for a notice of kind {n.kind!r}")
    body = _english(n) if n.language == "en" else _thai(n)
    if n.office_phone and count_segments(body).segments > MAX_SEGMENTS:
        # An office number written long (extensions, Thai words) must not cost a third SMS.
        return render_notice(replace(n, office_phone=None))
    return body


def _one_change(changes: Sequence[DateChange]) -> DateChange | None:
    return changes[0] if len(changes) == 1 else None


def _thai(n: NoticeText) -> str:
    office = n.office_name_th
    if n.kind == NOTICE_REQUEST_STATUS:
        status = REQUEST_STATUS_TH[n.request_status or ""]
        when = f" วันรายงานตัวใหม่ {format_thai_date(n.new_date)}" if n.new_date else ""
        link = f" ดูที่ {n.link}" if n.link else ""
        return f"{office}: คำร้องของท่าน: {status}{when}{link}"
    if n.kind == NOTICE_CASE_ENDED:
        return f"{office}: การรายงานตัวของท่านสิ้นสุดแล้ว ไม่ต้องรายงานตัวอีก ขอบคุณที่มารายงานตัว"
    if n.kind == NOTICE_PHONE_CHANGED:
        who = f"โทร {n.office_phone}" if n.office_phone else "โปรดแจ้งสำนักงาน"
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
    return f"{office}: {what} จะมี SMS เตือนก่อนถึงวัน"


def _english(n: NoticeText) -> str:
    office = n.office_name_en
    if n.kind == NOTICE_REQUEST_STATUS:
        status = REQUEST_STATUS_EN[n.request_status or ""]
        when = f" New check-in date: {english_due_date(n.new_date)}." if n.new_date else ""
        link = f" See {n.link}" if n.link else ""
        return f"{office}: your request is {status}.{when}{link}"
    if n.kind == NOTICE_CASE_ENDED:
        return (
            f"{office}: your reporting has ended. You do not need to check in any more. Thank you."
        )
    if n.kind == NOTICE_PHONE_CHANGED:
        who = f"call {n.office_phone}" if n.office_phone else "tell the office"
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
    return f"{office}: {what} We will remind you before."
