"""SMS segments counted as senders split them: GSM-7 160 septets alone, 153 a segment; UCS-2 70
units alone, 67 a segment; an extension character (escape + character) or a surrogate pair is
never split across two segments (issue 14, item 5)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api.sms_templates import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    GSM7_PART,
    GSM7_SINGLE,
    UCS2_PART,
    UCS2_SINGLE,
    SegmentCount,
    count_segments,
)

BASIC = "".join(sorted(GSM7_BASIC))
EXTENSION = "".join(sorted(GSM7_EXTENSION))
gsm_basic_text = st.text(alphabet=BASIC, max_size=700)
gsm_text = st.text(alphabet=BASIC + EXTENSION, max_size=700)
bmp_ucs2_text = st.text(
    alphabet=st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",)), max_size=500
).map(lambda t: "ก" + t)  # one Thai letter: the whole text is UCS-2
any_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(BASIC + EXTENSION),
        st.sampled_from("กขคงจฉชซญดตถทธนบปผพฟมยรลวศสหอฮะาำิีึืุูเแโใไ่้๊๋็์"),
        st.characters(min_codepoint=0x1F600, max_codepoint=0x1F64F),  # outside the BMP
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=600,
)


def naive(count: SegmentCount) -> int:
    """Segments if a text could be cut anywhere: the total length over the segment size."""
    single, part = (
        (GSM7_SINGLE, GSM7_PART) if count.encoding == "GSM-7" else (UCS2_SINGLE, UCS2_PART)
    )
    return 1 if count.units <= single else math.ceil(count.units / part)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("€" * 152, "GSM-7", 304, 2),  # 76 pairs a segment
        ("€" * 153, "GSM-7", 306, 3),  # 153 septets cannot hold a 77th pair
        # The example: the euro sign would straddle septets 153 and 154.
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
        ("a" * 151 + "€" + "a" * 153, "GSM-7", 306, 2),  # it ends the first segment exactly
        ("ก" * 134, "UCS-2", 134, 2),
        ("ก" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),
        ("😀" * 66, "UCS-2", 132, 2),  # 33 pairs a segment
        ("😀" * 67, "UCS-2", 134, 3),  # 67 units cannot hold a 34th pair
        ("ก" * 66 + "😀" + "ก" * 66, "UCS-2", 134, 3),  # the pair would straddle 67 and 68
        ("ก" * 65 + "😀" + "ก" * 67, "UCS-2", 134, 2),
    ],
)
def test_examples(text, encoding, units, segments):
    assert count_segments(text) == SegmentCount(encoding, units, segments)


@given(any_text)
def test_never_fewer_than_the_naive_count_nor_more_than_one_unit_lost_a_segment(text):
    count = count_segments(text)
    assert count.segments >= naive(count)
    part = GSM7_PART if count.encoding == "GSM-7" else UCS2_PART
    if count.segments > 1:
        # A character not split leaves at most one unit of a segment empty.
        assert count.segments <= math.ceil(count.units / (part - 1))


@given(any_text, any_text)
def test_appending_never_saves_a_segment(text, more):
    assert count_segments(text + more).segments >= count_segments(text).segments


@given(gsm_basic_text)
def test_gsm_without_extension_characters_is_the_naive_count(text):
    count = count_segments(text)
    assert count.encoding == "GSM-7" and count.units == len(text)
    assert count.segments == naive(count)


@given(bmp_ucs2_text)
def test_pure_bmp_ucs2_is_the_ceiling(text):
    count = count_segments(text)
    assert count.encoding == "UCS-2" and count.units == len(text)
    assert count.segments == (1 if len(text) <= UCS2_SINGLE else math.ceil(len(text) / UCS2_PART))


@given(gsm_text)
def test_gsm_units_count_extension_characters_twice(text):
    count = count_segments(text)
    assert count.units == len(text) + sum(ch in GSM7_EXTENSION for ch in text)


@given(any_text)
def test_units_are_utf16_units_once_ucs2(text):
    count = count_segments(text)
    if count.encoding == "UCS-2":
        assert count.units == len(text.encode("utf-16-le")) // 2


@given(st.integers(min_value=0, max_value=700), st.integers(min_value=0, max_value=400))
def test_one_extension_character_costs_a_septet_more_only_where_it_would_straddle(before, after):
    text = "a" * before + "€" + "a" * after
    units = before + 2 + after
    straddles = before % GSM7_PART == GSM7_PART - 1  # escape last in a segment, char next
    expected = 1 if units <= GSM7_SINGLE else math.ceil((units + straddles) / GSM7_PART)
    assert count_segments(text) == SegmentCount("GSM-7", units, expected)


@given(st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=200))
def test_one_surrogate_pair_costs_a_unit_more_only_where_it_would_straddle(before, after):
    text = "ก" * before + "😀" + "ก" * after
    units = before + 2 + after
    straddles = before % UCS2_PART == UCS2_PART - 1
    expected = 1 if units <= UCS2_SINGLE else math.ceil((units + straddles) / UCS2_PART)
    assert count_segments(text) == SegmentCount("UCS-2", units, expected)
