"""Thai mobile numbers: parsing what people type into E.164, display, demo values."""

from __future__ import annotations

import random

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from reporting_api.errors import InvalidInput

REGION = "TH"
COUNTRY_CODE = 66


def parse_thai_mobile(raw: str, field: str = "phone") -> str:
    """Return ``raw`` as an E.164 Thai mobile number (``+66812345678``) or raise InvalidInput.

    Accepts the forms people write: ``081-234-5678``, ``0812345678``, ``+66 81 234 5678``,
    ``66812345678``, Thai digits. Reminders go by SMS, so anything but a mobile is refused.
    """
    try:
        number = phonenumbers.parse(raw, REGION)
    except NumberParseException:
        raise InvalidInput(
            field,
            "not a phone number; type a mobile number such as 081-234-5678",
            "ไม่ใช่หมายเลขโทรศัพท์ กรุณากรอกเบอร์มือถือ เช่น 081-234-5678",
        ) from None
    if number.country_code != COUNTRY_CODE:
        raise InvalidInput(
            field,
            "not a Thai number (+66); give a Thai mobile number",
            "ไม่ใช่หมายเลขของประเทศไทย (+66) กรุณากรอกเบอร์มือถือในประเทศไทย",
        )
    if number.extension:
        # An SMS cannot reach an extension; silently dropping it could hide a typing slip.
        raise InvalidInput(
            field,
            "a mobile number has no extension; give the 10-digit mobile number only",
            "เบอร์มือถือไม่มีเบอร์ต่อ กรุณากรอกเฉพาะเบอร์มือถือ 10 หลัก",
        )
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            field,
            "not a valid Thai phone number; check the digits (a mobile has 10 digits, e.g. 081-234-5678)",
            "หมายเลขโทรศัพท์ไม่ถูกต้อง กรุณาตรวจสอบตัวเลข (เบอร์มือถือมี 10 หลัก เช่น 081-234-5678)",
        )
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.FIXED_LINE:
        raise InvalidInput(
            field,
            "a landline cannot receive SMS; give a mobile number",
            "โทรศัพท์บ้านรับ SMS ไม่ได้ กรุณากรอกเบอร์มือถือ",
        )
    if kind != PhoneNumberType.MOBILE:
        # Toll-free, premium-rate and VoIP numbers cannot be relied on to receive SMS.
        raise InvalidInput(
            field,
            "this number cannot receive SMS; give a mobile number",
            "หมายเลขนี้รับ SMS ไม่ได้ กรุณากรอกเบอร์มือถือ",
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_thai_mobile_display(e164: str) -> str:
    """Return a stored E.164 number the way Thai people write it: ``081-234-5678``."""
    number = phonenumbers.parse(e164, REGION)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return national.replace(" ", "-")


# Mobile ranges; the loop below keeps only what the metadata calls MOBILE.
_MOBILE_PREFIXES = ("06", "08", "09")


def synthetic_thai_mobile(rng: random.Random) -> str:
    """Return a valid E.164 Thai mobile number for demo data.

    The number may belong to a real person: demo data must only ever be sent through the
    fake SMS sender, never through Twilio.
    """
    while True:
        candidate = rng.choice(_MOBILE_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(8))
        number = phonenumbers.parse(candidate, REGION)
        if phonenumbers.number_type(number) == PhoneNumberType.MOBILE:
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
