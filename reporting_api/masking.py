"""National ID and phone numbers masked before they reach a record that outlives its
purpose (the audit log): enough to tell what kind of thing was there, not to use it.

Pure functions; `scrub` walks an audit row's detail and masks every number that looks like
a national ID (13 digits, with or without dashes or spaces) or a Thai mobile number.
"""

from __future__ import annotations

import re
from typing import Any

NATIONAL_ID = re.compile(r"(?<![\d+])\d(?:[ -]?\d){12}(?!\d)")
"""13 digits, grouped or not (1-2345-67890-12-3)."""
MOBILE = re.compile(r"(?<![\d+])(?:\+66[ -]?|66[ -]?|0)[689](?:[ -]?\d){8}(?!\d)")
"""A Thai mobile number as people type it: 08x..., +66 8x..., 668x..."""


def mask_digits(value: str) -> str:
    """An ID number or the leading digits of one (``1234567890123`` -> ``1xxxxxxxxxxxx``):
    the first digit (the kind of card) only. Stricter than `national_id.mask_national_id`,
    which lists show: never the last four, which the check-in link asks for."""
    digits = re.sub(r"\D", "", value)
    return digits[:1] + "x" * (len(digits) - 1)


def mask_phone(value: str) -> str:
    """``+66812345678`` -> ``08x-xxx-xx78``."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("66"):
        digits = "0" + digits[2:]
    return f"{digits[:2]}x-xxx-xx{digits[-2:]}" if len(digits) >= 6 else "x" * len(digits)


def scrub_text(text: str) -> str:
    """``text`` with every national ID and mobile number in it masked."""
    text = NATIONAL_ID.sub(lambda m: mask_digits(m.group()), text)
    return MOBILE.sub(lambda m: mask_phone(m.group()), text)


FINGERPRINT_SUFFIX = "_fingerprint"
"""Values under keys ending so are kept as they are: a keyed fingerprint
(`Sealer.fingerprint`, `key id:32 hex digits`) holds no number, yet its hex can hold a run
of ten digits shaped like a mobile number, which masking would spoil."""


def scrub(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, strings, numbers) with the numbers in every
    string masked, fingerprints aside; other values as they are."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: item if str(key).endswith(FINGERPRINT_SUFFIX) else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value
