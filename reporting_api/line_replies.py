"""The words of our replies on LINE to what a linked person pressed or wrote (issue 17):
"I'll come", "I can't come", "call me", a message to the officer.

Pure, like `notice_texts`: what to say in, one text out, Thai first and then English (a
reply answers someone who just wrote to us, so both languages go at once, whatever the
person's preferred language), short enough to read on a phone without scrolling. Dates are
Buddhist-era in Thai (`thai_dates`) and carry both eras in English (`sms_templates`).
"""

from __future__ import annotations

from datetime import date

from reporting_api.notice_texts import (
    REQUEST_KIND_EN,
    REQUEST_KIND_TH,
    REQUEST_STATUS_EN,
    REQUEST_STATUS_TH,
)
from reporting_api.sms_templates import english_due_date
from reporting_api.thai_dates import format_thai_date_long

CANT_COME_NOTE = (
    'กดปุ่ม "ไปไม่ได้" ใน LINE ยังไม่ได้แจ้งเหตุผล (pressed "I can\'t come" on LINE; no reason given yet)'
)
"""The words a "can't come" from LINE carries in place of the person's reason (the web form
asks for one; the officer reads this and calls, and the person may add a reason on the link)."""


CHECK_IN_LABEL = "รายงานตัว / Check in"
"""The label of the button to the check-in page under a reply (LINE allows 20 characters)."""


def _both(th: str, en: str) -> str:
    return f"{th}\n\n{en}"


def _call(phone: str | None) -> tuple[str, str]:
    """ " โทร <phone>" / " (phone <phone>)" when the office's number is known."""
    return (f" โทร {phone}", f" (phone {phone})") if phone else ("", "")


def not_linked() -> str:
    return _both(
        "บัญชี LINE นี้ยังไม่ได้เชื่อมกับการรายงานตัว โปรดเชื่อมบัญชีจากลิงก์ใน SMS ก่อน",
        "This LINE account is not linked to your reporting yet. "
        "Link it first from the link in your SMS.",
    )


def not_yours(phone: str | None = None) -> str:
    th, en = _call(phone)
    return _both(
        f"ไม่พบนัดรายงานตัวนี้ในบัญชีของท่าน โปรดใช้ข้อความล่าสุด หรือติดต่อสำนักงาน{th}",
        f"We cannot find this check-in on your account. "
        f"Use the latest message, or call your office{en}.",
    )


def case_ended(phone: str | None = None) -> str:
    th, en = _call(phone)
    return _both(
        f"การรายงานตัวของท่านสิ้นสุดแล้ว หากต้องการติดต่อ โปรดโทรหาสำนักงาน{th}",
        f"Your reporting has ended. If you need anything, call your office{en}.",
    )


def already_done(due: date) -> str:
    return _both(
        f"นัดรายงานตัววันที่ {format_thai_date_long(due)} บันทึกเรียบร้อยแล้ว ไม่ต้องทำอะไรเพิ่ม",
        f"Your check-in of {english_due_date(due)} is already recorded. Nothing more to do.",
    )


def too_late(due: date, phone: str | None = None) -> str:
    th, en = _call(phone)
    return _both(
        f"นัดรายงานตัววันที่ {format_thai_date_long(due)} ปิดรับแล้ว โปรดติดต่อสำนักงาน{th}",
        f"Your check-in of {english_due_date(due)} has closed. Please call your office{en}.",
    )


def will_come(due: date) -> str:
    return _both(
        f"ขอบคุณ เราบันทึกแล้วว่าท่านจะไปรายงานตัวตามนัดวันที่ {format_thai_date_long(due)}",
        f"Thank you. We noted that you will report as planned on {english_due_date(due)}.",
    )


def cant_come_sent(due: date, with_link: bool) -> str:
    """``with_link``: the reply carries the button to the check-in page."""
    more_th = (
        " หากต้องการแจ้งเหตุผลหรือขอวันใหม่ เปิดหน้ารายงานตัวจากลิงก์ด้านล่าง"
        if with_link
        else " หากต้องการแจ้งเหตุผลหรือขอวันใหม่ ใช้ลิงก์ใน SMS หรือส่งข้อความมาที่นี่"
    )
    more_en = (
        " To give a reason or ask for a new date, open the check-in page below."
        if with_link
        else " To give a reason or ask for a new date, use the link in your SMS or write here."
    )
    return _both(
        f"ได้รับแจ้งแล้วว่าท่านไปรายงานตัววันที่ {format_thai_date_long(due)} ไม่ได้ เจ้าหน้าที่จะติดต่อกลับ{more_th}",
        f"We have your message that you cannot come on {english_due_date(due)}. "
        f"An officer will contact you.{more_en}",
    )


def call_me_sent() -> str:
    return _both(
        "ได้รับคำขอให้โทรหาแล้ว เจ้าหน้าที่จะโทรหาท่านที่เบอร์ที่ให้ไว้",
        "We have your request to be called. An officer will call you on the number we have.",
    )


def already_asked(kind: str, status: str) -> str:
    return _both(
        f"ท่านส่งคำร้อง “{REQUEST_KIND_TH[kind]}” ไว้แล้ว สถานะ: {REQUEST_STATUS_TH[status]}",
        f'You have already sent "{REQUEST_KIND_EN[kind]}". Status: {REQUEST_STATUS_EN[status]}.',
    )


def too_many(phone: str | None = None) -> str:
    th, en = _call(phone)
    return _both(
        f"ส่งคำร้องหลายครั้งเกินไปในหนึ่งชั่วโมง โปรดรอ หรือโทรหาสำนักงาน{th}",
        f"Too many requests in an hour. Please wait, or call your office{en}.",
    )


def message_received(cut_at: int | None = None) -> str:
    th = "ได้รับข้อความแล้ว เจ้าหน้าที่จะอ่านและติดต่อกลับหากจำเป็น"
    en = "Message received. An officer will read it and contact you if needed."
    if cut_at is not None:
        th += f" (ส่งได้ไม่เกิน {cut_at} ตัวอักษร ส่วนที่เกินไม่ได้ส่ง)"
        en += f" (Only the first {cut_at} characters were sent.)"
    return _both(th, en)


def no_active_case(phone: str | None = None) -> str:
    th, en = _call(phone)
    return _both(
        f"ไม่มีการรายงานตัวที่ยังดำเนินอยู่ในบัญชีของท่าน หากต้องการติดต่อ โปรดโทรหาสำนักงาน{th}",
        f"You have no reporting in progress. If you need anything, call your office{en}.",
    )


def not_recorded(phone: str | None = None) -> str:
    th, en = _call(phone)
    return _both(
        f"ขออภัย ระบบบันทึกคำขอนี้ไม่ได้ โปรดโทรหาสำนักงาน{th}",
        f"Sorry, we could not record this. Please call your office{en}.",
    )
