"""The words of every SMS, in Thai and English, and how many SMS segments a text costs.

A message with any character outside the GSM-7 alphabet (every Thai one) is sent as UCS-2:
70 UTF-16 units in a single SMS, 67 per segment once it is split. Plain English is GSM-7: 160
septets, then 153 per segment. Senders never split a character across segments: an extension
character (``€``, ``[``: an escape and the character, two septets) or a character outside the
BMP (an emoji: a surrogate pair, two units) that would straddle a boundary starts the next
segment, so `count_segments` packs greedily as they do.

Every text must fit `MAX_SEGMENTS` for any ``PUBLIC_BASE_URL`` of up to
`MAX_PUBLIC_BASE_URL_LENGTH` characters, with the longest office names and the widest dates
and codes. A renderer tries its full text first and shortens step by step only when that
would overflow: the office's short name (`offices_data.short_office_name`), then a shorter
phrase (the date without its year, fewer words), then the office's name cut (marked with an
ellipsis). tests/scheduler/test_sms_templates.py walks every template, language, office and
URL length; `startup_checks` refuses a base URL that cannot fit.

Each text names the office, the due date (Buddhist era) and one link, PUBLIC_BASE_URL/c/<code>.
The texts of one check-in differ by kind, so a message is identified by its number and its text
(reconciliation relies on it; see docs/scheduler.md).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from reporting_api.offices_data import short_office_name
from reporting_api.reminder_schedule import (
    DUE_DAY,
    MANAGER_ALERT,
    MISSED_FOLLOW_UP,
    OFFICER_ALERT,
    days_before,
)
from reporting_api.thai_dates import (
    ENGLISH_MONTHS_ABBR,
    THAI_MONTHS_ABBR,
    buddhist_year,
    format_english_date,
    format_thai_date,
)

MAX_SEGMENTS = 2
MAX_PUBLIC_BASE_URL_LENGTH = 40
"""The longest ``PUBLIC_BASE_URL`` (without a trailing slash) for which every SMS is tested to
fit `MAX_SEGMENTS`; a longer one is refused at start (`startup_checks`)."""

GSM7_SINGLE = 160
"""Septets in an SMS that is not split."""
GSM7_PART = 153
"""Septets in each segment of a split SMS (7 go to the header that joins the parts)."""
UCS2_SINGLE = 70
UCS2_PART = 67

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


def is_gsm7(text: str) -> bool:
    """Whether ``text`` travels as GSM-7 (else as UCS-2)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def count_segments(text: str) -> SegmentCount:
    """The SMS segments ``text`` takes, packed as senders pack them: GSM-7 160 septets alone,
    else 153 a segment; UCS-2 70 units alone, else 67; a two-septet extension character or a
    surrogate pair is never split, so it may leave a segment one unit short."""
    if is_gsm7(text):
        encoding, single, part = "GSM-7", GSM7_SINGLE, GSM7_PART
        costs = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    else:
        encoding, single, part = "UCS-2", UCS2_SINGLE, UCS2_PART
        costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    units = sum(costs)
    segments = 1
    if units > single and units == len(text):
        segments = -(-units // part)  # no two-unit character: nothing to keep whole
    elif units > single:
        used = 0
        for cost in costs:
            if used + cost > part:
                segments, used = segments + 1, 0
            used += cost
    return SegmentCount(encoding=encoding, units=units, segments=segments)


def fits(text: str) -> bool:
    """Whether ``text`` takes at most `MAX_SEGMENTS`."""
    return count_segments(text).segments <= MAX_SEGMENTS


def first_fitting(forms: Iterable[str]) -> str:
    """The first of ``forms`` (longest wording first) that fits; the last if none does."""
    last = ""
    for text in forms:
        if fits(text):
            return text
        last = text
    return last


MIN_NAME_SHOWN = 6
"""An office name (or a case number) is never cut shorter than this many characters."""


def ellipsis(language: str) -> str:
    """``…`` in Thai; ``...`` in English, where ``…`` would turn the text into UCS-2."""
    return "..." if language == "en" else "…"


THAI_LEADING_VOWELS = frozenset("เแโใไ")
"""Written before the consonant they follow in speech: a cut never ends on one."""


def cut_forms(text: str, language: str) -> Iterator[str]:
    """``text`` cut ever shorter, marked with an ellipsis, down to `MIN_NAME_SHOWN`
    characters; never just before a vowel or tone mark (it belongs to the letter before it)
    nor just after a Thai leading vowel (it belongs to the letter after it)."""
    for n in range(len(text) - 1, MIN_NAME_SHOWN - 1, -1):
        if unicodedata.category(text[n]) == "Mn" or text[n - 1] in THAI_LEADING_VOWELS:
            continue
        yield text[:n].rstrip() + ellipsis(language)


def shortened(name: str, language: str, render: Callable[[str, bool], str]) -> str:
    """``render(office, short_phrase)`` at the first step that fits: the office's name as
    given with the full phrase, its short name, its short name with the short phrase, then
    the short name cut ever shorter."""
    short = short_office_name(name, language)

    def forms() -> Iterator[str]:
        yield render(name, False)
        if short != name:
            yield render(short, False)
        yield render(short, True)
        for cut in cut_forms(short, language):
            yield render(cut, True)

    return first_fitting(forms())


def checkin_link(public_base_url: str, code: str) -> str:
    """The one link a message carries: ``PUBLIC_BASE_URL/c/<code>``."""
    return f"{public_base_url.rstrip('/')}/c/{code}"


def english_due_date(d: date) -> str:
    """``30 Nov 2569 (2026)``: the Buddhist-era year people see, with the Common Era year."""
    day, month, year = format_english_date(d).split(" ")
    return f"{day} {month} {buddhist_year(d)} ({year})"


def thai_day_month(d: date) -> str:
    """``30 มี.ค.``: a date without its year, for a short form (the dates an SMS names are
    days or weeks away)."""
    return f"{d.day} {THAI_MONTHS_ABBR[d.month - 1]}"


def english_day_month(d: date) -> str:
    """``30 Mar``: the English short form."""
    return f"{d.day} {ENGLISH_MONTHS_ABBR[d.month - 1]}"


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
    """The SMS for a defendant: Thai unless the person prefers English, shortened step by
    step (`shortened`) only when the full text would not fit two segments."""
    if r.kind != MISSED_FOLLOW_UP and days_before(r.kind) is None:
        raise ValueError(f"no template for a defendant's reminder of kind {r.kind!r}")
    if r.language == "en":
        return shortened(r.office_name_en, "en", lambda office, short: _english(r, office, short))
    return shortened(r.office_name_th, "th", lambda office, short: _thai(r, office, short))


def _thai(r: ReminderText, office: str, short: bool) -> str:
    when = thai_day_month(r.due_date) if short else format_thai_date(r.due_date)
    link = r.link
    report = "รายงานตัวครั้งสุดท้าย" if r.is_last else "รายงานตัว"
    if r.kind == MISSED_FOLLOW_UP:
        if short:
            return f"{office}: ยังไม่ได้รายงานตัว {when} {link}"
        return f"{office}: ยังไม่ได้รายงานตัว {when} รายงานตัวที่ {link}"
    days = days_before(r.kind)
    if days == 0:
        return f"{office}: วันนี้ {when} {report} {link}"
    if days == 1:
        return f"{office}: พรุ่งนี้ {when} {report} {link}"
    return f"{office}: {report}อีก {days} วัน {when} {link}"


def _english(r: ReminderText, office: str, short: bool) -> str:
    when = english_day_month(r.due_date) if short else english_due_date(r.due_date)
    link = r.link
    if short:
        last = " Last check-in." if r.is_last else ""
        here = "Check in:"
    else:
        last = " This is your last check-in." if r.is_last else ""
        here = "Check in here:"
    if r.kind == MISSED_FOLLOW_UP:
        if short:
            return f"{office}: you missed your check-in of {when}. Check in or call: {link}"
        return (
            f"{office}: you have not checked in for {when}. "
            f"Please check in now or call your officer: {link}"
        )
    days = days_before(r.kind)
    if days == 0:
        return f"{office}: your check-in is due today, {when}. {here} {link}{last}"
    if days == 1:
        return f"{office}: your check-in is due tomorrow, {when}. {here} {link}{last}"
    return f"{office}: your check-in is due in {days} days, on {when}. {here} {link}{last}"


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


STAFF_FLAG_WORDS: dict[str, tuple[str, str]] = {
    "missed_checkin": ("ไม่ได้รายงานตัว{when}", "ไม่ได้รายงานตัว{when}"),
    "unreachable_phone": ("เบอร์โทรของผู้ถูกปล่อยตัวรับ SMS ไม่ได้", "เบอร์รับ SMS ไม่ได้"),
    "hearing_absent": ("ไม่มาศาลตามนัด", "ไม่มาศาล"),
    "failed_verification": ("ยืนยันตัวตนไม่ผ่าน{when}", "ยืนยันตัวตนไม่ผ่าน{when}"),
    "identity_lockout": ("ลิงก์รายงานตัวถูกล็อก", "ลิงก์ถูกล็อก"),
    "review_overdue": (
        "การรายงานตัว{when} รอเจ้าหน้าที่ตรวจสอบเกินกำหนดเวลา",
        "รายงานตัว{when} รอตรวจเกินกำหนด",
    ),
    "request_overdue": ("คำร้องของผู้ถูกปล่อยตัวรอเจ้าหน้าที่เกินกำหนดเวลา", "คำร้องรอเกินกำหนด"),
}
"""What a staff SMS says a flag is about (full, short), in Thai; ``{when}`` is the date of the
flag's check-in, when it has one."""
OTHER_FLAG_WORDS = ("มีเรื่องที่ต้องตรวจสอบ", "ต้องตรวจสอบ")
ESCALATED_WHEN_RAISED = frozenset({"review_overdue", "request_overdue"})
"""Flags escalated as soon as they are raised (a deadline passed), so a manager's SMS says
nothing of hours nobody acknowledged them."""


def render_staff_alert(a: StaffAlertText) -> str:
    """The SMS to staff, in Thai; it names the case and the flag number, never the person.
    Shortened only when the full text would not fit: the office's short name, shorter words,
    no office, then the case number cut (the flag number always finds it)."""
    if a.kind not in (OFFICER_ALERT, MANAGER_ALERT):
        raise ValueError(f"no template for a staff alert of kind {a.kind!r}")
    office = a.office_name_th
    short_office = short_office_name(office, "th")
    case = " ".join(a.case_number.split())

    def forms() -> Iterator[str]:
        yield _staff(a, office, case, False)
        yield _staff(a, short_office, case, False)
        yield _staff(a, short_office, case, True)
        yield _staff(a, None, case, True)
        for cut in cut_forms(case, "th"):
            yield _staff(a, None, cut, True)

    return first_fitting(forms())


def _flag_words(a: StaffAlertText, short: bool) -> str:
    full, brief = STAFF_FLAG_WORDS.get(a.flag_kind, OTHER_FLAG_WORDS)
    when = ""
    if a.due_date is not None:
        when = " " + (thai_day_month(a.due_date) if short else format_thai_date(a.due_date))
    return (brief if short else full).replace("{when}", when)


def _staff(a: StaffAlertText, office: str | None, case: str, short: bool) -> str:
    what = _flag_words(a, short)
    where = f" ({office})" if office else ""
    if a.kind == OFFICER_ALERT:
        if short:
            return f"เรื่อง {a.flag_id}: คดี {case} {what}"
        return f"แจ้งเจ้าหน้าที่ (เรื่อง {a.flag_id}): คดี {case} {what} โปรดตรวจสอบในระบบ"
    head = f"ยกระดับ เรื่อง {a.flag_id}" if short else f"ยกระดับ (เรื่อง {a.flag_id})"
    if a.flag_kind in ESCALATED_WHEN_RAISED:
        return f"{head}: คดี {case}{where} {what}"
    hours = a.hours_unacknowledged
    late = f"ไม่รับทราบ {hours} ชม." if short else f"ไม่มีผู้รับทราบภายใน {hours} ชม."
    return f"{head}: คดี {case}{where} {what} {late}"


# The widest date each language prints: a two-digit day and the longest month abbreviation.
LONGEST_DATE = date(2026, 3, 30)
LONGEST_CODE = "x" * 12
"""A check-in code as long as they come (`services.reminders.CHECK_IN_CODE_BYTES`: 12)."""


def widest_base_url(length: int = MAX_PUBLIC_BASE_URL_LENGTH) -> str:
    """A ``PUBLIC_BASE_URL`` of ``length`` characters (at least 9), for the worst cases."""
    return "https://" + "x" * (length - len("https://"))


def worst_case_offices() -> tuple[tuple[str, str], ...]:
    """(Thai name, English name) pairs whose texts are the longest: the shipped offices with
    the longest full or short name in either language."""
    from reporting_api.offices_data import load_offices

    offices = load_offices()
    keys: list[Callable[[tuple[str, str]], int]] = [
        lambda o: len(o[0]),
        lambda o: len(o[1]),
        lambda o: len(short_office_name(o[0], "th")),
        lambda o: len(short_office_name(o[1], "en")),
    ]
    names = [(o.name_th, o.name_en) for o in offices]
    return tuple(dict.fromkeys(max(names, key=key) for key in keys))


def reminder_kinds() -> list[str]:
    """One reminder of each wording: a two-digit and a one-digit offset, tomorrow, the day."""
    from reporting_api.reminder_schedule import MAX_OFFSET_DAYS, before_kind

    return [before_kind(MAX_OFFSET_DAYS), before_kind(2), before_kind(1), DUE_DAY, MISSED_FOLLOW_UP]


def worst_case_reminders(public_base_url: str) -> list[str]:
    """Every reminder text at its longest: the offices with the longest names, the widest
    date, a two-digit offset, the longest code, the last check-in, both languages."""
    link = checkin_link(public_base_url, LONGEST_CODE)
    return [
        render_reminder(ReminderText(kind, language, name_th, name_en, LONGEST_DATE, link, last))
        for name_th, name_en in worst_case_offices()
        for kind in reminder_kinds()
        for language in ("th", "en")
        for last in (False, True)
    ]


def longest_reminder_segments(public_base_url: str) -> int:
    """The most SMS segments any reminder can take with this PUBLIC_BASE_URL."""
    return max(count_segments(text).segments for text in worst_case_reminders(public_base_url))


__all__ = [
    "DUE_DAY",
    "MAX_PUBLIC_BASE_URL_LENGTH",
    "MAX_SEGMENTS",
    "ReminderText",
    "SegmentCount",
    "StaffAlertText",
    "checkin_link",
    "count_segments",
    "render_reminder",
    "render_staff_alert",
]
