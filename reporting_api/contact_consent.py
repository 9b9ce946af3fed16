"""What a person agrees to when they name a trusted contact (issue 14), versioned: the version
they agreed to is stored with their consent, so a later rewording never changes what they
agreed to. Pure."""

from __future__ import annotations

CONSENT_VERSION = "2026-12-04"
CONSENT_TEXTS: dict[str, dict[str, str]] = {
    "2026-12-04": {
        "th": (
            "ข้าพเจ้ายินยอมให้กองทุนยุติธรรมส่ง SMS ถึงผู้ติดต่อที่ข้าพเจ้าระบุ เมื่อข้าพเจ้าไม่ได้"
            "รายงานตัวตามนัดและไม่ได้ติดต่อกลับหลังได้รับ SMS ติดตาม โดยข้อความจะบอกเพียงว่า"
            ' "โปรดเตือน (ชื่อของข้าพเจ้า) ให้ติดต่อสำนักงาน" ไม่เกินหนึ่งครั้งต่อการรายงานตัวที่ขาด'
            " และข้าพเจ้าถอนความยินยอมได้ทุกเมื่อที่หน้านี้"
        ),
        "en": (
            "I agree that the Justice Fund may send an SMS to the contact I name when I have"
            ' missed a check-in and not answered the follow-up SMS. It will say only "please'
            ' remind (my first name) to contact the office", at most once for each missed'
            " check-in. I can withdraw this consent on this page at any time."
        ),
    },
}
RELATIONSHIPS = ("relative", "guarantor", "other")
"""Who the contact is to the person."""


def consent_text(version: str, language: str) -> str:
    """The words of consent ``version`` in ``language`` ("th" unless "en")."""
    texts = CONSENT_TEXTS[version]
    return texts["en" if language == "en" else "th"]
