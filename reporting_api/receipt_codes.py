"""A check-in receipt's reference number: short, read aloud, and a typo caught.

A verified check-in's reference is its id, mixed so that neighbours do not look alike, written
as seven characters of Crockford's base 32 (digits and capital letters without I, L, O and U,
so nothing reads as something else) and one check character, grouped ``K7M4-Q2X9``. The mixing
is a fixed, public bijection: a reference is not a secret and grants nothing (only an officer
can look one up, and sees whose check-in it is).

The check character makes the weighted sum of all eight characters zero in GF(32) (weights the
powers of the field's generator ``x``; the Damm construction ``a·x + y`` over the field): any
one character changed, and any two neighbours swapped, leave it non-zero, so the mistyped
reference is caught rather than found as someone else's.
"""

from __future__ import annotations

import re

from reporting_api.errors import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U."""
PAYLOAD_CHARS = 7
"""Characters carrying the number: 35 bits, 34 billion check-ins."""
_BITS = 5 * PAYLOAD_CHARS
_MASK = (1 << _BITS) - 1
_MULTIPLIER = 0x2545F491
"""Odd, so multiplying by it modulo 2**35 is a bijection; its bits spread one step of the id
over every character."""
_OFFSET = 0x1B873593
_SHIFT = 18
"""More than half of 35 bits: ``x ^ (x >> 18)`` is its own inverse."""
_INVERSE = pow(_MULTIPLIER, -1, 1 << _BITS)
_POLYNOMIAL = 0b100101
"""x^5 + x^2 + 1, primitive: GF(32)'s multiplication by x reduces by it."""
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
"""What a person may read or type for a digit (Crockford's decoding)."""
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
_SHAPE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}")
MAX_CHECK_IN_ID = _MASK
"""The largest id a reference can carry."""


def _times_x(value: int) -> int:
    """``value`` times the generator in GF(32)."""
    value <<= 1
    return value ^ _POLYNOMIAL if value & 0b100000 else value


def _fold(values: list[int]) -> int:
    interim = 0
    for value in values:
        interim = _times_x(interim) ^ value
    return interim


def check_character(payload: str) -> str:
    """The character that completes ``payload`` (characters of `ALPHABET`)."""
    return ALPHABET[_times_x(_fold([_VALUE[c] for c in payload]))]


def _mix(number: int) -> int:
    mixed = (number * _MULTIPLIER + _OFFSET) & _MASK
    return mixed ^ (mixed >> _SHIFT)


def _unmix(mixed: int) -> int:
    mixed ^= mixed >> _SHIFT
    return ((mixed - _OFFSET) * _INVERSE) & _MASK


def reference_for(check_in_id: int) -> str:
    """The reference of check-in ``check_in_id``, like ``K7M4-Q2X9``."""
    if not 0 <= check_in_id <= MAX_CHECK_IN_ID:
        raise ValueError(f"check-in id {check_in_id} does not fit a reference")
    mixed = _mix(check_in_id)
    payload = "".join(ALPHABET[(mixed >> (5 * i)) & 31] for i in reversed(range(PAYLOAD_CHARS)))
    code = payload + check_character(payload)
    return f"{code[:4]}-{code[4:]}"


def normalise(text: str) -> str:
    """``text`` as the characters of `ALPHABET` it stands for: capitals, no spaces or
    dashes, O read as 0 and I or L as 1."""
    return re.sub(r"[\s-]", "", (text or "").upper()).translate(_ALIASES)


def looks_like_reference(text: str) -> bool:
    """Whether ``text`` has a reference's shape (four characters, a dash, four), whether or
    not its check character is right: a search box takes it for a reference."""
    typed = (text or "").strip().upper().translate(_ALIASES)
    return bool(_SHAPE.fullmatch(typed)) and all(c in _VALUE for c in typed if c != "-")


def parse_reference(text: str, field: str) -> int:
    """The check-in id a reference names; InvalidInput naming ``field`` when it is not eight
    characters of `ALPHABET` or its check character does not match (a typo)."""
    code = normalise(text)
    if len(code) != PAYLOAD_CHARS + 1 or any(c not in _VALUE for c in code):
        raise InvalidInput(
            field,
            "a reference number has 8 letters and digits, like K7M4-Q2X9",
            "เลขอ้างอิงมีตัวอักษรและตัวเลข 8 ตัว เช่น K7M4-Q2X9",
        )
    if _fold([_VALUE[c] for c in code]) != 0:
        raise InvalidInput(
            field,
            f"{code[:4]}-{code[4:]} is not a reference number: a character is mistyped; "
            "read it again from the receipt",
            f"{code[:4]}-{code[4:]} ไม่ใช่เลขอ้างอิงที่ถูกต้อง มีตัวอักษรที่พิมพ์ผิด "
            "โปรดอ่านจากหลักฐานการรายงานตัวอีกครั้ง",
        )
    mixed = 0
    for c in code[:PAYLOAD_CHARS]:
        mixed = (mixed << 5) | _VALUE[c]
    return _unmix(mixed)
