"""Buddhist-era dates, Thai and English month names, and Bangkok time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from reporting_api.thai_dates import (
    BANGKOK,
    THAI_MONTHS_ABBR,
    THAI_MONTHS_LONG,
    bangkok_today,
    buddhist_year,
    end_of_local_day_utc,
    format_english_date,
    format_thai_date,
    format_thai_date_long,
    format_thai_datetime,
    local_midnight_utc,
)

SONGKRAN = date(2026, 4, 13)


def test_buddhist_year_adds_543() -> None:
    assert buddhist_year(SONGKRAN) == 2569
    assert buddhist_year(date(2024, 12, 31)) == 2567


def test_format_thai_date() -> None:
    assert format_thai_date(SONGKRAN) == "13 เม.ย. 2569"
    assert format_thai_date(date(2026, 1, 1)) == "1 ม.ค. 2569"
    assert format_thai_date(date(2025, 12, 31)) == "31 ธ.ค. 2568"


def test_format_thai_date_long() -> None:
    assert format_thai_date_long(SONGKRAN) == "13 เมษายน 2569"
    assert format_thai_date_long(date(2026, 2, 5)) == "5 กุมภาพันธ์ 2569"


def test_format_english_date() -> None:
    assert format_english_date(SONGKRAN) == "13 Apr 2026"
    assert format_english_date(date(2026, 9, 3)) == "3 Sep 2026"


def test_every_month_has_its_thai_name() -> None:
    abbrs = [format_thai_date(date(2026, month, 1)).split()[1] for month in range(1, 13)]
    longs = [format_thai_date_long(date(2026, month, 1)).split()[1] for month in range(1, 13)]
    assert abbrs == ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                     "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]  # fmt: skip
    assert abbrs == list(THAI_MONTHS_ABBR)
    assert longs == list(THAI_MONTHS_LONG)
    assert longs[6] == "กรกฎาคม"


@pytest.mark.parametrize(
    "formatter", [format_thai_date, format_thai_date_long, format_english_date]
)
def test_date_formatters_refuse_datetimes(formatter) -> None:  # type: ignore[no-untyped-def]
    # 20:00 UTC on the 12th is already the 13th in Bangkok: the caller must pick the day.
    with pytest.raises(TypeError):
        formatter(datetime(2026, 4, 12, 20, 0, tzinfo=UTC))


def test_format_thai_datetime_converts_utc_to_bangkok() -> None:
    assert format_thai_datetime(datetime(2026, 4, 13, 2, 0, tzinfo=UTC)) == "13 เม.ย. 2569 09:00 น."


def test_format_thai_datetime_crosses_midnight() -> None:
    instant = datetime(2026, 4, 12, 17, 30, tzinfo=UTC)
    assert format_thai_datetime(instant) == "13 เม.ย. 2569 00:30 น."


def test_format_thai_datetime_accepts_any_aware_zone() -> None:
    new_york_ish = timezone(timedelta(hours=-4))
    assert format_thai_datetime(datetime(2026, 4, 12, 13, 30, tzinfo=new_york_ish)) == (
        "13 เม.ย. 2569 00:30 น."
    )


def test_format_thai_datetime_rejects_naive() -> None:
    with pytest.raises(ValueError):
        format_thai_datetime(datetime(2026, 4, 13, 9, 0))


def test_bangkok_today() -> None:
    assert bangkok_today(datetime(2026, 4, 12, 16, 59, tzinfo=UTC)) == date(2026, 4, 12)
    assert bangkok_today(datetime(2026, 4, 12, 17, 0, tzinfo=UTC)) == date(2026, 4, 13)
    with pytest.raises(ValueError):
        bangkok_today(datetime(2026, 4, 12, 17, 0))


def test_local_midnight_utc_is_17_00_utc_the_day_before() -> None:
    # Bangkok is UTC+7 all year (no daylight saving).
    assert local_midnight_utc(SONGKRAN) == datetime(2026, 4, 12, 17, 0, tzinfo=UTC)
    assert local_midnight_utc(date(2026, 1, 1)) == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    assert local_midnight_utc(SONGKRAN).tzinfo is UTC
    assert local_midnight_utc(SONGKRAN).astimezone(BANGKOK).hour == 0


def test_end_of_local_day_utc() -> None:
    assert end_of_local_day_utc(SONGKRAN) == datetime(2026, 4, 13, 17, 0, tzinfo=UTC)


# -- dates as officers type them -------------------------------------------------------------

from hypothesis import given as _given  # noqa: E402
from hypothesis import strategies as _st  # noqa: E402

from reporting_api.errors import InvalidInput  # noqa: E402
from reporting_api.thai_dates import input_date_text, parse_date_input  # noqa: E402


@pytest.mark.parametrize(
    "typed",
    ["15/01/2570", "15/1/2570", "15-01-2570", "15.01.2570", "15/01/2027", "2027-01-15",
     "2570-01-15", "๑๕/๐๑/๒๕๗๐", " 15/01/2570 "],
)  # fmt: skip
def test_a_date_typed_either_way_is_the_same_day(typed):
    assert parse_date_input(typed, "day") == date(2027, 1, 15)


@pytest.mark.parametrize("typed", ["31/02/2570", "15/13/2570", "2570/01/15", "15/01/70", "", "x"])
def test_a_date_that_is_not_one_names_the_field(typed):
    with pytest.raises(InvalidInput) as caught:
        parse_date_input(typed, "due_date")
    assert caught.value.field == "due_date"


@_given(_st.dates(date(1900, 1, 1), date(2199, 12, 31)))
def test_what_an_input_shows_reads_back_as_the_same_day(d):
    shown = input_date_text(d)
    assert shown.endswith(str(d.year + 543))
    assert parse_date_input(shown, "d") == d


# -- the check-in receipt's dates and times, and the birth date the page composes -----------

import re  # noqa: E402

from reporting_api.thai_dates import (  # noqa: E402
    ENGLISH_MONTHS_LONG,
    format_english_date_long,
    format_english_datetime_long,
    format_thai_datetime_long,
    parse_date_either_era,
)

_instants = _st.datetimes(datetime(1990, 1, 1), datetime(2199, 12, 30), timezones=_st.just(UTC))


def test_the_receipt_time_in_thai_and_in_english() -> None:
    at = datetime(2026, 4, 13, 2, 5, tzinfo=UTC)  # 09:05 in Bangkok
    assert format_thai_datetime_long(at) == "13 เมษายน 2569 เวลา 09:05 น."
    assert format_english_datetime_long(at) == "13 April 2026 (B.E. 2569), 09:05"
    late = datetime(2026, 4, 13, 17, 30, tzinfo=UTC)  # already the 14th in Bangkok
    assert format_thai_datetime_long(late) == "14 เมษายน 2569 เวลา 00:30 น."
    assert format_english_date_long(date(2026, 2, 5)) == "5 February 2026 (B.E. 2569)"
    with pytest.raises(ValueError):
        format_thai_datetime_long(datetime(2026, 4, 13, 2, 5))


@_given(_instants)
def test_the_thai_receipt_time_reads_back_as_the_bangkok_minute(instant: datetime) -> None:
    text = format_thai_datetime_long(instant)
    match = re.fullmatch(r"(\d{1,2}) (\S+) (\d{4}) เวลา (\d{2}):(\d{2}) น\.", text)
    assert match, text
    day, month, year, hour, minute = match.groups()
    local = instant.astimezone(BANGKOK)
    read = datetime(
        int(year) - 543, THAI_MONTHS_LONG.index(month) + 1, int(day), int(hour), int(minute)
    )
    assert read == local.replace(tzinfo=None, second=0, microsecond=0)


@_given(_instants)
def test_the_english_receipt_time_carries_both_eras(instant: datetime) -> None:
    text = format_english_datetime_long(instant)
    match = re.fullmatch(r"(\d{1,2}) (\w+) (\d{4}) \(B\.E\. (\d{4})\), (\d{2}):(\d{2})", text)
    assert match, text
    day, month, year, be, hour, minute = match.groups()
    assert int(be) == int(year) + 543
    local = instant.astimezone(BANGKOK)
    read = datetime(
        int(year), ENGLISH_MONTHS_LONG.index(month) + 1, int(day), int(hour), int(minute)
    )
    assert read == local.replace(tzinfo=None, second=0, microsecond=0)


@_given(_st.dates(date(1900, 1, 1), date(2100, 12, 31)))
def test_a_birth_date_from_the_page_is_the_same_day_in_either_era(born: date) -> None:
    """The page's three controls send the day in the Christian era; a Buddhist-era year (as
    typed, were the page's conversion skipped) names the same day."""
    assert parse_date_either_era(born.isoformat(), "date_of_birth") == born
    typed_be = f"{born.year + 543}-{born.month:02d}-{born.day:02d}"
    assert parse_date_either_era(typed_be, "date_of_birth") == born


from reporting_api.thai_dates import month_keys  # noqa: E402


def test_month_keys_cover_the_range_across_a_new_year():
    assert month_keys(date(2026, 11, 30), date(2027, 2, 1)) == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    assert month_keys(date(2026, 5, 9), date(2026, 5, 9)) == ["2026-05"]
    assert month_keys(date(2026, 5, 9), date(2026, 4, 30)) == []


@_given(_st.dates(), _st.dates())
def test_month_keys_are_every_month_once_in_order(first, last):
    keys = month_keys(first, last)
    span = (last.year - first.year) * 12 + last.month - first.month
    assert len(keys) == max(span + 1, 0)
    assert keys == sorted(set(keys))
    if keys:
        assert keys[0] == f"{first.year:04d}-{first.month:02d}"
        assert keys[-1] == f"{last.year:04d}-{last.month:02d}"
