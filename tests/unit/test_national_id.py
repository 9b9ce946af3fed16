"""Thai national ID numbers: check digit, normalising, masking, demo values."""

from __future__ import annotations

import random

import pytest

from reporting_api.errors import InvalidInput
from reporting_api.national_id import (
    is_valid_national_id,
    mask_national_id,
    national_id_check_digit,
    normalise_national_id,
    synthetic_national_id,
)

# 1-2345-67890-12-? : s = 1*13 + 2*12 + 3*11 + 4*10 + 5*9 + 6*8 + 7*7 + 8*6 + 9*5 + 0*4 + 1*3 + 2*2
# = 352; 352 % 11 = 0; (11 - 0) % 10 = 1.
VALID = "1234567890121"


def test_check_digit_worked_example() -> None:
    assert national_id_check_digit("123456789012") == 1


def test_check_digit_for_other_remainders() -> None:
    # s = 13: 13 % 11 = 2 -> 9.   s = 12 (digit 1 at weight 12): 12 % 11 = 1 -> 10 -> 0.
    assert national_id_check_digit("100000000000") == 9
    assert national_id_check_digit("010000000000") == 0


@pytest.mark.parametrize(
    "bad", ["", "12345678901", "1234567890123", "12345678901a", "๑๑๑๒๓๔๕๖๗๘๑๒"]
)
def test_check_digit_requires_twelve_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        national_id_check_digit(bad)


@pytest.mark.parametrize(
    "raw",
    [VALID, "1-2345-67890-12-1", "1 2345 67890 12 1", "  1234567890121  ", "๑๒๓๔๕๖๗๘๙๐๑๒๑"],
)
def test_normalise_accepts_common_ways_of_typing(raw: str) -> None:
    assert normalise_national_id(raw) == VALID


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "123456789012",
        "12345678901211",
        "123456789012l",
        "１２３４５６７８９０１２１",
        "1.2345.67890.12.1",
    ],
)
def test_normalise_rejects_wrong_length_or_characters(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_national_id(raw, field="defendant.national_id")
    assert caught.value.field == "defendant.national_id"
    assert caught.value.reason == "must be 13 digits"
    assert "13 หลัก" in caught.value.reason_th


def test_normalise_rejects_leading_zero_even_with_a_good_check_digit() -> None:
    first12 = "023456789012"
    raw = first12 + str(national_id_check_digit(first12))
    with pytest.raises(InvalidInput) as caught:
        normalise_national_id(raw)
    assert caught.value.field == "national_id"
    assert "start with 0" in caught.value.reason


def test_normalise_rejects_a_wrong_check_digit_and_says_what_to_do() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_national_id("1234567890122")
    assert caught.value.reason == (
        "check digit does not match; please re-type the number from the ID card"
    )
    assert "บัตรประจำตัวประชาชน" in caught.value.reason_th


def test_only_one_check_digit_fits() -> None:
    others = [VALID[:12] + digit for digit in "0123456789" if digit != VALID[12]]
    assert not any(is_valid_national_id(nid) for nid in others)


def test_most_single_digit_typos_are_caught() -> None:
    # The rule cannot see every typo: the third digit has weight 11, and the final "% 10"
    # folds remainders 0 and 1 together. Officers still compare against the card.
    typos = [
        VALID[:position] + digit + VALID[position + 1 :]
        for position in range(13)
        for digit in "0123456789"
        if digit != VALID[position]
    ]
    missed = [typo for typo in typos if is_valid_national_id(typo)]
    assert len(missed) / len(typos) < 0.2


def test_is_valid_national_id() -> None:
    assert is_valid_national_id(VALID)
    assert not is_valid_national_id("1234567890122")
    assert not is_valid_national_id("not a number")


def test_synthetic_ids_are_valid_and_reproducible() -> None:
    rng = random.Random(2569)
    ids = [synthetic_national_id(rng) for _ in range(500)]
    assert all(is_valid_national_id(nid) for nid in ids)
    assert {nid[0] for nid in ids} <= set("12345678")
    assert len(set(ids)) == len(ids)
    again = random.Random(2569)
    assert [synthetic_national_id(again) for _ in range(500)] == ids


def test_mask_shows_first_five_and_last_digit_only() -> None:
    assert mask_national_id(VALID) == "1-2345-xxxxx-xx-1"
    assert mask_national_id("1-2345-67890-12-1") == "1-2345-xxxxx-xx-1"
    assert "67890" not in mask_national_id(VALID)


def test_mask_rejects_values_that_are_not_13_digits() -> None:
    with pytest.raises(ValueError):
        mask_national_id("12345")
