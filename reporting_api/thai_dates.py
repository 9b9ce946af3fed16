"""Dates and times as people in Thailand read them: Buddhist era, Thai months, Bangkok time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reporting_api.errors import InvalidInput

BANGKOK = ZoneInfo("Asia/Bangkok")
BUDDHIST_ERA_OFFSET = 543
EARLIEST_DATE = date(1900, 1, 1)
"""The earliest date the service takes in any field (births, bail, plans, court dates)."""
LATEST_DATE = date(2199, 12, 31)
"""The latest date the service takes: far past any plan, yet far enough inside `date`'s own
range (years 1 to 9999) that adding ten years, a day or a time zone cannot overflow."""
FIRST_BUDDHIST_YEAR = 2400
"""A typed year above this is a Buddhist-era year (C.E. 1857 on): no one alive was born in
C.E. 2400, and people in Thailand often write the year they know."""
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

THAI_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
THAI_MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
# Spelled out rather than strftime("%b"), which follows the process locale.
ENGLISH_MONTHS_ABBR = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
ENGLISH_MONTHS_LONG = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def check_date_range(value: date, field: str) -> date:
    """``value`` itself if it lies from `EARLIEST_DATE` to `LATEST_DATE`, else InvalidInput
    naming ``field``."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput(
            field,
            f"must be a date from {EARLIEST_DATE} to {LATEST_DATE} (Christian era)",
            f"ต้องเป็นวันที่ระหว่าง {format_thai_date(EARLIEST_DATE)} ถึง {format_thai_date(LATEST_DATE)}",
        )
    return value


def parse_date_either_era(text: str, field: str) -> date:
    """A date typed as ``YYYY-MM-DD`` whose year may be Buddhist era (above
    `FIRST_BUDDHIST_YEAR`: taken back 543 years before the day is checked, so 29 February
    2543 is 29 February 2000). Anything else, or a date outside the service's range, is
    InvalidInput naming ``field``."""
    match = _ISO_DATE.fullmatch((text or "").strip())
    if match is None:
        raise InvalidInput(field, "must be a date such as 1990-01-31", "ต้องเป็นวันที่ เช่น 1990-01-31")
    year, month, day = (int(part) for part in match.groups())
    if year > FIRST_BUDDHIST_YEAR:
        year -= BUDDHIST_ERA_OFFSET
    try:
        value = date(year, month, day)
    except ValueError:
        raise InvalidInput(
            field,
            f"{match.group(0)} is not a day of the calendar",
            f"ไม่มีวันที่ {match.group(0)} ในปฏิทิน",
        ) from None
    return check_date_range(value, field)


_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def parse_date_input(text: str, field: str) -> date:
    """A date as Thai officers type it: ``dd/mm/yyyy`` (``-`` or ``.`` between, Thai digits
    too) or ``yyyy-mm-dd``, the year Buddhist era (above `FIRST_BUDDHIST_YEAR`) or Christian.
    Anything else is InvalidInput naming ``field`` with the form expected."""
    typed = (text or "").strip().translate(_THAI_DIGITS)
    match = _DAY_FIRST.fullmatch(typed)
    if match is None:
        if _ISO_DATE.fullmatch(typed):
            return parse_date_either_era(typed, field)
        raise InvalidInput(
            field,
            "must be a date as day/month/year, e.g. 15/01/2570 (Buddhist era) or 15/01/2027",
            "ต้องเป็นวันที่แบบ วว/ดด/ปปปป เช่น 15/01/2570",
        )
    day, month, year = (int(part) for part in match.groups())
    return parse_date_either_era(f"{year:04d}-{month:02d}-{day:02d}", field)


def input_date_text(d: date | None) -> str:
    """``d`` as a date input shows it: ``15/01/2570`` (Buddhist era); empty for None."""
    if d is None:
        return ""
    d = _plain_date(d)
    return f"{d.day:02d}/{d.month:02d}/{buddhist_year(d)}"


def _plain_date(d: date) -> date:
    # A datetime is a date too, but its calendar day depends on its zone: a UTC instant at
    # 20:00 is already the next day in Bangkok. Make callers say which day they mean.
    if isinstance(d, datetime):
        raise TypeError("pass a date; convert an instant with bangkok_today() first")
    return d


def _require_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def buddhist_year(d: date) -> int:
    """Return the Buddhist-era year (C.E. + 543) of ``d``."""
    return d.year + BUDDHIST_ERA_OFFSET


def format_thai_date(d: date) -> str:
    """Return ``d`` like ``13 เม.ย. 2569`` (abbreviated month, Buddhist era)."""
    d = _plain_date(d)
    return f"{d.day} {THAI_MONTHS_ABBR[d.month - 1]} {buddhist_year(d)}"


def format_thai_date_long(d: date) -> str:
    """Return ``d`` like ``13 เมษายน 2569`` (full month name, Buddhist era)."""
    d = _plain_date(d)
    return f"{d.day} {THAI_MONTHS_LONG[d.month - 1]} {buddhist_year(d)}"


def format_english_date(d: date) -> str:
    """Return ``d`` like ``13 Apr 2026`` (Common Era)."""
    d = _plain_date(d)
    return f"{d.day} {ENGLISH_MONTHS_ABBR[d.month - 1]} {d.year}"


def format_thai_datetime(instant: datetime) -> str:
    """Return an aware instant in Bangkok time like ``13 เม.ย. 2569 09:00 น.``."""
    _require_aware(instant, "instant")
    local = instant.astimezone(BANGKOK)
    return f"{format_thai_date(local.date())} {local:%H:%M} น."


def format_english_date_long(d: date) -> str:
    """Return ``d`` like ``13 April 2026 (B.E. 2569)``: an officer reading it over the
    person's shoulder finds the Buddhist-era year Thai papers carry."""
    d = _plain_date(d)
    return f"{d.day} {ENGLISH_MONTHS_LONG[d.month - 1]} {d.year} (B.E. {buddhist_year(d)})"


def format_thai_datetime_long(instant: datetime) -> str:
    """Return an aware instant in Bangkok time like ``13 เมษายน 2569 เวลา 09:05 น.``."""
    _require_aware(instant, "instant")
    local = instant.astimezone(BANGKOK)
    return f"{format_thai_date_long(local.date())} เวลา {local:%H:%M} น."


def format_english_datetime_long(instant: datetime) -> str:
    """Return an aware instant in Bangkok time like ``13 April 2026 (B.E. 2569), 09:05``."""
    _require_aware(instant, "instant")
    local = instant.astimezone(BANGKOK)
    return f"{format_english_date_long(local.date())}, {local:%H:%M}"


def bangkok_today(now: datetime) -> date:
    """Return the calendar day in Bangkok at the aware instant ``now``."""
    _require_aware(now, "now")
    return now.astimezone(BANGKOK).date()


def local_midnight_utc(d: date) -> datetime:
    """Return the UTC instant at which day ``d`` begins (00:00) in Bangkok."""
    d = _plain_date(d)
    return datetime.combine(d, time(0, 0), tzinfo=BANGKOK).astimezone(UTC)


def end_of_local_day_utc(d: date) -> datetime:
    """Return the UTC instant at which day ``d`` ends in Bangkok (00:00 of the next day)."""
    return local_midnight_utc(_plain_date(d) + timedelta(days=1))


def month_keys(first: date, last: date) -> list[str]:
    """Every calendar month from ``first``'s to ``last``'s as ``YYYY-MM``, both included (none
    when ``last`` is in an earlier month), so that a month with nothing in it still shows."""
    keys, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys
