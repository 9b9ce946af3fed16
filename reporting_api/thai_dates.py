"""Dates and times as people in Thailand read them: Buddhist era, Thai months, Bangkok time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BUDDHIST_ERA_OFFSET = 543

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
