"""Receipt reference numbers: one per check-in, read back to the same check-in, and every
single mistyped character and every swap of two neighbours caught by the check character."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api.errors import InvalidInput
from reporting_api.receipt_codes import (
    ALPHABET,
    MAX_CHECK_IN_ID,
    check_character,
    looks_like_reference,
    parse_reference,
    reference_for,
)

ids = st.integers(0, MAX_CHECK_IN_ID)
SHAPE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def _mistyped(reference: str) -> bool:
    try:
        parse_reference(reference, "q")
    except InvalidInput as error:
        assert error.field == "q"
        return True
    return False


@given(ids)
def test_a_reference_reads_back_as_its_check_in(check_in_id: int) -> None:
    reference = reference_for(check_in_id)
    assert SHAPE.fullmatch(reference), reference
    assert looks_like_reference(reference)
    assert parse_reference(reference, "q") == check_in_id


@given(ids)
def test_read_aloud_and_typed_loosely_it_is_the_same(check_in_id: int) -> None:
    """Lower case, spaces or no dash, and the letters people read for 0 and 1."""
    reference = reference_for(check_in_id)
    loose = reference.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert parse_reference(f"  {loose} ", "q") == check_in_id
    assert parse_reference(reference.replace("-", ""), "q") == check_in_id


@given(ids, st.integers(0, 7), st.sampled_from(ALPHABET))
def test_any_one_character_mistyped_is_caught(check_in_id: int, at: int, typed: str) -> None:
    code = reference_for(check_in_id).replace("-", "")
    if code[at] == typed:
        return
    assert _mistyped(code[:at] + typed + code[at + 1 :])


@given(ids, st.integers(0, 6))
def test_two_neighbours_swapped_are_caught(check_in_id: int, at: int) -> None:
    code = reference_for(check_in_id).replace("-", "")
    if code[at] == code[at + 1]:
        return
    assert _mistyped(code[:at] + code[at + 1] + code[at] + code[at + 2 :])


def test_neighbouring_check_ins_do_not_look_alike() -> None:
    first, second = reference_for(41), reference_for(42)
    assert sum(a != b for a, b in zip(first, second, strict=True)) >= 4


def test_the_check_character_completes_the_payload() -> None:
    code = reference_for(12345).replace("-", "")
    assert check_character(code[:7]) == code[7]


@pytest.mark.parametrize(
    "text",
    ["", "K7M4", "K7M4-Q2X9-1", "K7M4-Q2XU", "สมชาย", "1234567890123"],
)
def test_what_is_not_a_reference_is_refused_by_its_shape(text: str) -> None:
    with pytest.raises(InvalidInput, match="8 letters and digits"):
        parse_reference(text, "q")


@pytest.mark.parametrize(
    ("text", "looks"),
    [
        ("K7M4-Q2X9", True),
        ("k7m4-q2x9", True),
        (" K7M4-Q2X9 ", True),
        ("K7M4Q2X9", False),  # no dash: a name or a number typed in a search box
        ("0812345678", False),
        ("081-234-5678", False),
        ("1101", False),
        ("Somchai", False),
        ("JEAN-PAUL", False),  # U is not in the alphabet, and it is 4-4 only by chance
    ],
)
def test_a_search_box_takes_only_the_shape_for_a_reference(text: str, looks: bool) -> None:
    assert looks_like_reference(text) is looks


def test_an_id_too_large_has_no_reference() -> None:
    with pytest.raises(ValueError):
        reference_for(MAX_CHECK_IN_ID + 1)
    with pytest.raises(ValueError):
        reference_for(-1)
