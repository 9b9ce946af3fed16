"""Thai mobile numbers: parsing, refusing what cannot receive SMS, display, demo values."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from reporting_api.errors import InvalidInput
from reporting_api.phones import (
    format_thai_mobile_display,
    parse_thai_mobile,
    synthetic_thai_mobile,
)


@pytest.mark.parametrize(
    "raw",
    [
        "081-234-5678",
        "0812345678",
        "081 234 5678",
        "+66812345678",
        "+66 81 234 5678",
        "+66 (0) 81-234-5678",
        "66812345678",  # country code typed without the plus: accepted, it is unambiguous
        "๐๘๑๒๓๔๕๖๗๘",  # Thai digits
    ],
)
def test_accepts_the_ways_people_write_a_mobile(raw: str) -> None:
    assert parse_thai_mobile(raw) == "+66812345678"


@pytest.mark.parametrize("raw", ["0612345678", "0912345678", "0891234567"])
def test_accepts_other_mobile_ranges(raw: str) -> None:
    assert parse_thai_mobile(raw) == "+66" + raw[1:]


def _reason(raw: str, field: str = "phone") -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_thai_mobile(raw, field=field)
    assert caught.value.field == field
    assert caught.value.reason_th != caught.value.reason
    return caught.value


@pytest.mark.parametrize("raw", ["", "   ", "abc", "+66", "081-234-5678 / 089-876-5432"])
def test_rejects_what_is_not_a_phone_number(raw: str) -> None:
    assert _reason(raw).reason.startswith("not a phone number")


def test_rejects_a_foreign_number() -> None:
    error = _reason("+14155552671", field="contact_phone")
    assert "+66" in error.reason


@pytest.mark.parametrize("raw", ["081234567", "08123456789", "1234", "0501234567"])
def test_rejects_an_invalid_thai_number(raw: str) -> None:
    assert _reason(raw).reason.startswith("not a valid Thai phone number")


@pytest.mark.parametrize("raw", ["02-123-4567", "021234567", "+66 2 123 4567", "053-123-456"])
def test_rejects_a_landline(raw: str) -> None:
    error = _reason(raw)
    assert error.reason == "a landline cannot receive SMS; give a mobile number"
    assert "SMS" in error.reason_th


def test_rejects_a_toll_free_number() -> None:
    assert _reason("1800123456").reason.startswith("this number cannot receive SMS")


def test_rejects_an_extension() -> None:
    assert "extension" in _reason("0812345678 ext 12").reason


def test_display_uses_the_national_format_with_dashes() -> None:
    assert format_thai_mobile_display("+66812345678") == "081-234-5678"
    assert format_thai_mobile_display("+66912345678") == "091-234-5678"


def test_display_round_trips_through_parse() -> None:
    assert parse_thai_mobile(format_thai_mobile_display("+66612345678")) == "+66612345678"


def test_synthetic_mobiles_parse_as_mobile_and_are_reproducible() -> None:
    rng = random.Random(7)
    numbers = [synthetic_thai_mobile(rng) for _ in range(300)]
    for e164 in numbers:
        assert parse_thai_mobile(e164) == e164
        parsed = phonenumbers.parse(e164)
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
    again = random.Random(7)
    assert [synthetic_thai_mobile(again) for _ in range(300)] == numbers
