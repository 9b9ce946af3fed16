"""Caseload: the office's people, searchable and sortable, each with their next check-in.

The search box asks for the table alone through HTMX as the officer types; without
JavaScript the same form is a plain GET of the whole page.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template
from phonenumbers import NumberParseException

from admin_ui.web import field_errors, list_link, render
from reporting_api.errors import InvalidInput
from reporting_api.http.context import CtxDep, PagingDep
from reporting_api.phones import format_thai_mobile_display
from reporting_api.reminder_schedule import days_before
from reporting_api.services import caseload as service

# Words of check-in, case, flag and reminder states: the caseload, person, flags and outbox
# pages all show them.
STATE_WORDS = {
    "th": {
        "st_upcoming": "ยังไม่ถึงช่วงรายงานตัว",
        "st_open": "เปิดให้รายงานตัว",
        "st_verified": "รายงานตัวแล้ว",
        "st_pending_review": "รอเจ้าหน้าที่ตรวจสอบ",
        "st_late": "เลยกำหนด",
        "st_missed": "ไม่มารายงานตัว",
        "st_excused": "ได้รับการยกเว้น",
        "case_active": "อยู่ระหว่างปล่อยชั่วคราว",
        "case_concluded": "คดีสิ้นสุด",
        "case_absconded": "หลบหนี",
        "case_revoked": "ถูกเพิกถอนการปล่อยชั่วคราว",
        "flag_open": "ยังไม่รับทราบ",
        "flag_acknowledged": "รับทราบแล้ว",
        "flag_resolved": "แก้ไขแล้ว",
        "kind_missed_checkin": "ไม่มารายงานตัว",
        "kind_failed_verification": "ยืนยันตัวตนไม่ผ่าน",
        "kind_unreachable_phone": "ติดต่อทางโทรศัพท์ไม่ได้",
        "kind_identity_lockout": "ลิงก์ถูกล็อก (ตอบข้อมูลผิดหลายครั้ง)",
        "kind_other": "อื่น ๆ",
        "sev_low": "ต่ำ",
        "sev_medium": "ปานกลาง",
        "sev_high": "สูง",
        "sms_queued": "รอส่ง",
        "sms_sending": "กำลังส่ง",
        "sms_sent": "ส่งแล้ว",
        "sms_delivered": "ถึงผู้รับแล้ว",
        "sms_undelivered": "ส่งไม่ถึง",
        "sms_failed": "ส่งไม่สำเร็จ",
        "sms_skipped": "ไม่ได้ส่ง",
        "sms_cancelled": "ยกเลิก",
        "decision_accept": "ยอมรับ",
        "decision_reject": "ไม่ยอมรับ",
        "decision_superseded": "ยืนยันด้วยวิธีอื่นแล้ว",
        "rk_before": "เตือน {n} วันก่อนกำหนด",
        "rk_due_day": "เตือนในวันกำหนด",
        "rk_missed_followup": "ติดตามหลังไม่มารายงานตัว",
        "rk_officer_alert": "แจ้งเจ้าหน้าที่",
        "rk_manager_alert": "แจ้งผู้บริหาร",
    },
    "en": {
        "st_upcoming": "Not open yet",
        "st_open": "Window open",
        "st_verified": "Checked in",
        "st_pending_review": "Waiting for review",
        "st_late": "Overdue",
        "st_missed": "Missed",
        "st_excused": "Excused",
        "case_active": "On bail",
        "case_concluded": "Concluded",
        "case_absconded": "Absconded",
        "case_revoked": "Bail revoked",
        "flag_open": "Open",
        "flag_acknowledged": "Acknowledged",
        "flag_resolved": "Resolved",
        "kind_missed_checkin": "Missed check-in",
        "kind_failed_verification": "Failed verification",
        "kind_unreachable_phone": "Phone unreachable",
        "kind_identity_lockout": "Link locked (wrong answers)",
        "kind_other": "Other",
        "sev_low": "Low",
        "sev_medium": "Medium",
        "sev_high": "High",
        "sms_queued": "Queued",
        "sms_sending": "Sending",
        "sms_sent": "Sent",
        "sms_delivered": "Delivered",
        "sms_undelivered": "Undelivered",
        "sms_failed": "Failed",
        "sms_skipped": "Skipped",
        "sms_cancelled": "Cancelled",
        "decision_accept": "accepted",
        "decision_reject": "rejected",
        "decision_superseded": "settled another way",
        "rk_before": "{n} day(s) before",
        "rk_due_day": "On the due day",
        "rk_missed_followup": "Follow-up after a miss",
        "rk_officer_alert": "Officer alert",
        "rk_manager_alert": "Manager alert",
    },
}

WORDS = {
    "th": {
        "caseload_title": "ผู้อยู่ในความดูแล",
        "search_label": "ค้นหาด้วยชื่อ เลขประจำตัวประชาชน (13 หลัก หรือ 4 หลักแรกขึ้นไป) หรือเบอร์มือถือ",
        "search_hint": "เช่น สมชาย, 1101, 0812345678",
        "all_offices": "ทุกสำนักงาน",
        "office": "สำนักงาน",
        "found": "พบ",
        "people": "คน",
        "truncated": "ผลการค้นหามีมากเกินไป เรียงเฉพาะ 1,000 รายการแรก โปรดค้นหาให้แคบลง",
        "name": "ชื่อ",
        "national_id": "เลขประจำตัวประชาชน",
        "phone": "โทรศัพท์",
        "case": "คดี",
        "cases_more": "คดี",
        "next_due": "กำหนดรายงานตัวครั้งถัดไป",
        "status": "สถานะ",
        "flags": "เรื่องค้าง",
        "nothing_due": "ไม่มีกำหนด",
        "sms_off": "ปิด SMS",
        "sort_by": "เรียงตาม",
    },
    "en": {
        "caseload_title": "Caseload",
        "search_label": "Search by name, national ID (13 digits, or the first 4 or more) or mobile",
        "search_hint": "e.g. Somchai, 1101, 0812345678",
        "all_offices": "All offices",
        "office": "Office",
        "found": "Found",
        "people": "people",
        "truncated": "Too many matches: only the first 1,000 are sorted. Narrow the search.",
        "name": "Name",
        "national_id": "National ID",
        "phone": "Phone",
        "case": "Case",
        "cases_more": "cases",
        "next_due": "Next check-in due",
        "status": "Status",
        "flags": "Open flags",
        "nothing_due": "Nothing due",
        "sms_off": "SMS off",
        "sort_by": "Sort by",
    },
}


def phone_text(e164: str | None) -> str:
    """A stored E.164 number as Thai people write it (081-234-5678)."""
    if not e164:
        return ""
    try:
        return format_thai_mobile_display(e164)
    except NumberParseException:
        return e164


def reminder_kind(t: dict[str, str], kind: str) -> str:
    """A reminder's kind in words: `before_3d` is "3 days before", `due_day` "on the day"."""
    days = days_before(kind)
    if days:
        return t["rk_before"].format(n=days)
    return t.get(f"rk_{kind}", kind)


class CaseloadPage(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/caseload")
    async def caseload(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        paging: PagingDep,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        sort: Annotated[str, QueryParameter(max_length=16)] = "name",
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Template:
        # HTMX live search swaps only the table; a plain GET gets the whole page.
        fragment = bool(request.headers.get("hx-request"))
        template = "admin/caseload_table.html" if fragment else "admin/caseload.html"
        text = (q or "").strip()
        sort = sort if sort in service.SORTS else "name"
        common = {
            "page": paging.page,
            "page_size": paging.page_size,
            "phone_text": phone_text,
            "link": list_link(
                "/admin/caseload",
                {"q": text, "sort": sort, "office_id": office_id, "page_size": paging.page_size},
                {"sort": "name"},
            ),
        }
        try:
            data = await service.caseload(
                ctx,
                q=text,
                office_id=office_id,
                sort=sort,
                offset=paging.offset,
                limit=paging.page_size,
            )
        except InvalidInput as error:
            # HTMX swaps only 2xx answers: the fragment with the error comes back as 200.
            page = render(
                request,
                template,
                WORDS,
                STATE_WORDS,
                status_code=200 if fragment else 400,
                errors=field_errors(error),
                rows=[],
                total=0,
                truncated=False,
                offices=[],
                q=text,
                sort=sort,
                office_id=office_id,
                **common,
            )
        else:
            page = render(request, template, WORDS, STATE_WORDS, **data, **common)
        page.headers["Vary"] = "HX-Request"  # the same address answers a page or a fragment
        return page
