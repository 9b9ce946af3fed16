"""The admin pages' words, Thai first and English; page-specific words live with each page."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("th", "en")

COMMON: dict[str, dict[str, str]] = {
    "th": {
        "app_name": "ระบบติดตามการรายงานตัว กองทุนยุติธรรม",
        "other_language": "English",
        "login": "เข้าสู่ระบบ",
        "logout": "ออกจากระบบ",
        "username": "ชื่อผู้ใช้",
        "password": "รหัสผ่าน",
        "wrong_login": "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง",
        "nav_today": "วันนี้",
        "nav_caseload": "ผู้อยู่ในความดูแล",
        "nav_enrol": "ลงทะเบียน",
        "nav_review": "รอตรวจสอบ",
        "nav_flags": "การแจ้งเตือน",
        "nav_outbox": "SMS ขาออก",
        "nav_reports": "รายงานความเสี่ยง",
        "nav_staff": "เจ้าหน้าที่",
        "nav_offices": "สำนักงาน",
        "save": "บันทึก",
        "search": "ค้นหา",
        "previous": "ก่อนหน้า",
        "next": "ถัดไป",
        "pager": "หน้า {page} จาก {pages}",
        "none": "ไม่มีรายการ",
        "not_found": "ไม่พบข้อมูลที่ขอ หรือท่านไม่มีสิทธิ์เข้าถึง",
        "forbidden": "บทบาทของท่านไม่มีสิทธิ์ทำรายการนี้",
        "csrf_failed": "แบบฟอร์มหมดอายุ โปรดโหลดหน้าใหม่แล้วลองอีกครั้ง",
        "form_errors": "โปรดแก้ไขช่องที่มีข้อผิดพลาด",
        "saved": "บันทึกแล้ว",
        "role_officer": "เจ้าหน้าที่",
        "role_manager": "ผู้บริหาร",
        "role_admin": "ผู้ดูแลระบบ",
    },
    "en": {
        "app_name": "Justice Fund bail check-in",
        "other_language": "ภาษาไทย",
        "login": "Log in",
        "logout": "Log out",
        "username": "Username",
        "password": "Password",
        "wrong_login": "Wrong username or password",
        "nav_today": "Today",
        "nav_caseload": "Caseload",
        "nav_enrol": "Enrol",
        "nav_review": "Review queue",
        "nav_flags": "Flags",
        "nav_outbox": "SMS outbox",
        "nav_reports": "Risk report",
        "nav_staff": "Staff",
        "nav_offices": "Offices",
        "save": "Save",
        "search": "Search",
        "previous": "Previous",
        "next": "Next",
        "pager": "Page {page} of {pages}",
        "none": "Nothing here",
        "not_found": "Not found, or not yours to see",
        "forbidden": "Your role may not do this",
        "csrf_failed": "The form has expired: reload the page and try again",
        "form_errors": "Please correct the fields marked below",
        "saved": "Saved",
        "role_officer": "Officer",
        "role_manager": "Manager",
        "role_admin": "Administrator",
    },
}


def words(lang: str, *extra: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The common words plus each page's own, in ``lang`` (Thai when unknown)."""
    lang = lang if lang in LANGUAGES else "th"
    merged = dict(COMMON[lang])
    for table in extra:
        merged.update(table[lang])
    return merged
