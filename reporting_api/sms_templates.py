"""The words of every SMS, in Thai and English, and how many SMS segments a text costs.

A message with any character outside the GSM-7 alphabet (every Thai one) is sent as UCS-2:
70 characters in a single SMS, 67 per segment once it is split. Plain English is GSM-7: 160,
then 153 per segment (characters of the extension table count twice). Every reminder must fit
in 2 segments with the longest office name; tests/scheduler/test_sms_templates.py checks that.

Each text names the office, the due date (Buddhist era) and one link, PUBLIC_BASE_URL/c/<code>.
The texts of one check-in differ by kind, so a message is identified by its number and its text
(reconciliation relies on it; see docs/scheduler.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from reporting_api.reminder_schedule import (
    DUE_DAY,
    MANAGER_ALERT,
    MISSED_FOLLOW_UP,
    OFFICER_ALERT,
    days_before,
)
from reporting_api.thai_dates import buddhist_year, format_english_date, format_thai_date

MAX_SEGMENTS = 2

# GSM 03.38: the basic alphabet, and the extension table whose characters take two septets.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SegmentCount:
    """How a text travels as SMS: its encoding, its length in that encoding, its segments."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def count_segments(text: str) -> SegmentCount:
    """The SMS segments ``text`` takes (GSM-7 160/153, UCS-2 70/67)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / multi)
    return SegmentCount(encoding=encoding, units=units, segments=segments)


def checkin_link(public_base_url: str, code: str) -> str:
    """The one link a message carries: ``PUBLIC_BASE_URL/c/<code>``."""
    return f"{public_base_url.rstrip('/')}/c/{code}"


def english_due_date(d: date) -> str:
    """``30 Nov 2569 (2026)``: the Buddhist-era year people see, with the Common Era year."""
    day, month, year = format_english_date(d).split(" ")
    return f"{day} {month} {buddhist_year(d)} ({year})"


@dataclass(frozen=True)
class ReminderText:
    """What a defendant's reminder says, before it is put into words."""

    kind: str
    language: str  # "th" or "en"
    office_name_th: str
    office_name_en: str
    due_date: date
    link: str
    is_last: bool


def render_reminder(r: ReminderText) -> str:
    """The SMS for a defendant: Thai unless the person prefers English."""
    if r.language == "en":
        return _english(r)
    return _thai(r)


def _thai(r: ReminderText) -> str:
    office, when, link = r.office_name_th, format_thai_date(r.due_date), r.link
    report = "รายงานตัวครั้งสุดท้าย" if r.is_last else "รายงานตัว"
    if r.kind == MISSED_FOLLOW_UP:
        return f"{office}: ยังไม่ได้รายงานตัว {when} รายงานตัวที่ {link}"
    days = days_before(r.kind)
    if days == 0:
        return f"{office}: วันนี้ {when} {report} {link}"
    if days == 1:
        return f"{office}: พรุ่งนี้ {when} {report} {link}"
    if days is not None:
        return f"{office}: {report}อีก {days} วัน {when} {link}"
    raise ValueError(f"no template for a defendant's reminder of kind {r.kind!r}")


def _english(r: ReminderText) -> str:
    office, when, link = r.office_name_en, english_due_date(r.due_date), r.link
    last = " This is your last check-in." if r.is_last else ""
    if r.kind == MISSED_FOLLOW_UP:
        return (
            f"{office}: you have not checked in for {when}. "
            f"Please check in now or call your officer: {link}"
        )
    days = days_before(r.kind)
    if days == 0:
        return f"{office}: your check-in is due today, {when}. Check in here: {link}{last}"
    if days == 1:
        return f"{office}: your check-in is due tomorrow, {when}. Check in here: {link}{last}"
    if days is not None:
        return (
            f"{office}: your check-in is due in {days} days, on {when}. Check in here: {link}{last}"
        )
    raise ValueError(f"no template for a defendant's reminder of kind {r.kind!r}")


@dataclass(frozen=True)
class StaffAlertText:
    """An alert to an officer (missed check-in) or a manager (a flag nobody acknowledged)."""

    kind: str
    flag_id: int
    flag_kind: str
    case_number: str
    office_name_th: str
    due_date: date | None
    hours_unacknowledged: int = 0


def render_staff_alert(a: StaffAlertText) -> str:
    """The SMS to staff, in Thai; it names the case and the flag number, never the person."""
    when = f" {format_thai_date(a.due_date)}" if a.due_date else ""
    what = (
        "เบอร์โทรของผู้ถูกปล่อยตัวรับ SMS ไม่ได้"
        if a.flag_kind == "unreachable_phone"
        else f"ไม่ได้รายงานตัว{when}"
    )
    if a.flag_kind == "review_overdue" and a.kind == MANAGER_ALERT:
        # Escalated when raised: the deadline passed, not an acknowledgement's hours.
        return (
            f"ยกระดับ (เรื่อง {a.flag_id}): คดี {a.case_number} ({a.office_name_th})"
            f" การรายงานตัว{when} รอเจ้าหน้าที่ตรวจสอบเกินกำหนดเวลา"
        )
    if a.kind == OFFICER_ALERT:
        return f"แจ้งเจ้าหน้าที่ (เรื่อง {a.flag_id}): คดี {a.case_number} {what} โปรดตรวจสอบในระบบ"
    if a.kind == MANAGER_ALERT:
        return (
            f"ยกระดับ (เรื่อง {a.flag_id}): คดี {a.case_number} ({a.office_name_th}) {what}"
            f" ไม่มีผู้รับทราบภายใน {a.hours_unacknowledged} ชม."
        )
    raise ValueError(f"no template for a staff alert of kind {a.kind!r}")


# The widest date each language prints: a two-digit day and the longest month abbreviation.
LONGEST_DATE = date(2026, 3, 30)
LONGEST_CODE = "x" * 12


def worst_case_reminders(public_base_url: str) -> list[str]:
    """Every reminder text at its longest: the longest shipped office names, the widest
    date, a two-digit offset, the last check-in, both languages."""
    from reporting_api.offices_data import load_offices
    from reporting_api.reminder_schedule import MAX_OFFSET_DAYS, before_kind

    offices = load_offices()
    name_th = max((o.name_th for o in offices), key=len)
    name_en = max((o.name_en for o in offices), key=len)
    link = checkin_link(public_base_url, LONGEST_CODE)
    kinds = [
        before_kind(MAX_OFFSET_DAYS),
        before_kind(2),
        before_kind(1),
        DUE_DAY,
        MISSED_FOLLOW_UP,
    ]
    return [
        render_reminder(ReminderText(kind, language, name_th, name_en, LONGEST_DATE, link, is_last))
        for kind in kinds
        for language in ("th", "en")
        for is_last in (False, True)
    ]


def longest_reminder_segments(public_base_url: str) -> int:
    """The most SMS segments any reminder can take with this PUBLIC_BASE_URL."""
    return max(count_segments(text).segments for text in worst_case_reminders(public_base_url))


__all__ = [
    "DUE_DAY",
    "MAX_SEGMENTS",
    "ReminderText",
    "SegmentCount",
    "StaffAlertText",
    "checkin_link",
    "count_segments",
    "render_reminder",
    "render_staff_alert",
]
