"""Thai 13-digit national ID numbers (เลขประจำตัวประชาชน): checking, masking, demo values."""

from __future__ import annotations

import random

from reporting_api.errors import InvalidInput

ID_LENGTH = 13

# People type on Thai keyboards, and some phones offer Thai digits (๐-๙) first.
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ASCII_DIGITS = frozenset("0123456789")
# Separators printed on the card or commonly typed between the digit groups.
_SEPARATORS = str.maketrans("", "", " -\u00a0\t")


def national_id_check_digit(first12: str) -> int:
    """Return the check digit (13th digit) for the first 12 digits of a Thai ID number."""
    if len(first12) != ID_LENGTH - 1 or not set(first12) <= _ASCII_DIGITS:
        raise ValueError("first12 must be exactly 12 ASCII digits")
    total = sum(int(digit) * (13 - i) for i, digit in enumerate(first12))
    return (11 - total % 11) % 10


def _digits_only(raw: str) -> str:
    return raw.strip().translate(_SEPARATORS).translate(_THAI_DIGITS)


def normalise_national_id(raw: str, field: str = "national_id") -> str:
    """Return the 13 digits of ``raw`` or raise InvalidInput saying what to fix."""
    digits = _digits_only(raw)
    if len(digits) != ID_LENGTH or not set(digits) <= _ASCII_DIGITS:
        raise InvalidInput(
            field,
            "must be 13 digits",
            "ต้องเป็นตัวเลข 13 หลัก",
        )
    if digits[0] == "0":
        raise InvalidInput(
            field,
            "a Thai national ID number does not start with 0; please check the number on the ID card",
            "เลขประจำตัวประชาชนไม่ขึ้นต้นด้วย 0 กรุณาตรวจสอบเลขจากบัตรประจำตัวประชาชน",
        )
    if national_id_check_digit(digits[:12]) != int(digits[12]):
        raise InvalidInput(
            field,
            "check digit does not match; please re-type the number from the ID card",
            "เลขตรวจสอบ (หลักสุดท้าย) ไม่ถูกต้อง กรุณาพิมพ์เลขจากบัตรประจำตัวประชาชนอีกครั้ง",
        )
    return digits


def is_valid_national_id(raw: str) -> bool:
    """Say whether ``raw`` is a well-formed Thai national ID number."""
    try:
        normalise_national_id(raw)
    except InvalidInput:
        return False
    return True


def synthetic_national_id(rng: random.Random) -> str:
    """Return a checksum-valid 13-digit number for demo data (first digit 1-8)."""
    first12 = str(rng.randint(1, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return first12 + str(national_id_check_digit(first12))


def mask_national_id(nid: str) -> str:
    """Show only the first five digits and the last one, e.g. ``1-2345-xxxxx-xx-3``.

    Lists and exports use this so a screen or a spreadsheet never carries the full number.
    The check digit is not verified: masking must work on any stored value.
    """
    digits = _digits_only(nid)
    if len(digits) != ID_LENGTH or not set(digits) <= _ASCII_DIGITS:
        raise ValueError("a national ID number to mask must have 13 digits")
    return f"{digits[0]}-{digits[1:5]}-xxxxx-xx-{digits[12]}"
