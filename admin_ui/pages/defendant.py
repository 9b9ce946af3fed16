"""A person's page: profile and ID photo, cases and plans, and one timeline of everything
that happened, with the check-in actions on the rows they apply to."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from admin_ui.pages.caseload import STATE_WORDS, phone_text, reminder_kind
from admin_ui.web import render
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import timeline

WORDS = {
    "th": {
        "profile": "ข้อมูลบุคคล",
        "id_photo": "รูปถ่ายจากบัตรประจำตัวประชาชน",
        "no_photo": "ยังไม่มีรูปถ่าย",
        "national_id": "เลขประจำตัวประชาชน",
        "date_of_birth": "วันเกิด",
        "phone": "โทรศัพท์มือถือ",
        "language": "ภาษาที่รับข้อความ",
        "lang_th": "ไทย",
        "lang_en": "อังกฤษ",
        "sms_reminders": "SMS เตือนการรายงานตัว",
        "sms_on": "เปิด",
        "sms_off_state": "ปิด (ไม่ส่ง SMS เตือน)",
        "sms_turn_off": "ปิด SMS เตือน",
        "sms_turn_on": "เปิด SMS เตือน",
        "consent": "ความยินยอม (PDPA)",
        "office": "สำนักงาน",
        "cases": "คดีและแผนการรายงานตัว",
        "court": "ศาล",
        "black_case": "คดีหมายเลขดำ",
        "red_case": "คดีหมายเลขแดง",
        "charge": "ข้อหา",
        "bail_amount": "จำนวนเงินประกัน (บาท)",
        "release_date": "วันปล่อยชั่วคราว",
        "next_court_date": "นัดศาลครั้งถัดไป",
        "conditions": "เงื่อนไข",
        "case_status": "สถานะคดี",
        "officer": "เจ้าหน้าที่ผู้รับผิดชอบ",
        "plan": "แผนการรายงานตัว",
        "no_plan": "ยังไม่มีแผนการรายงานตัว",
        "plan_interval": "ทุก {n} วัน",
        "plan_dates": "ตามวันที่กำหนด",
        "plan_period": "ช่วงเวลา",
        "plan_window": "เปิดก่อนกำหนด {before} วัน ผ่อนผัน {grace} วัน",
        "upcoming_dates": "กำหนดถัดไป",
        "timeline": "ลำดับเหตุการณ์ (ล่าสุดก่อน)",
        "ev_check_in": "การรายงานตัว",
        "ev_reminder": "SMS",
        "ev_attempt": "การยืนยันตัวตนทางออนไลน์",
        "ev_flag": "การแจ้งเตือน",
        "scheduled": "กำหนดไว้",
        "due": "กำหนด",
        "method": "วิธี",
        "m_remote": "ออนไลน์ (ยืนยันใบหน้า)",
        "m_in_person": "ที่สำนักงาน",
        "m_video_call": "วิดีโอคอล",
        "recorded_by": "บันทึกโดย",
        "note": "บันทึก",
        "note_optional": "บันทึก (ไม่บังคับ)",
        "record_in_person": "บันทึกมารายงานตัวที่สำนักงาน",
        "excuse": "ยกเว้นการรายงานตัวครั้งนี้…",
        "excuse_button": "ยกเว้น",
        "reason": "เหตุผล",
        "choose": "— เลือก —",
        "excuse_note": "รายละเอียด (ต้องกรอกเมื่อเลือก อื่น ๆ)",
        "to_staff": "ถึงเจ้าหน้าที่",
        "to_person": "ถึงผู้ถูกปล่อยตัว",
        "sent_at": "ส่งเมื่อ",
        "delivered_at": "ถึงผู้รับเมื่อ",
        "error_code": "รหัสข้อผิดพลาด",
        "text_sent": "ข้อความที่ส่ง",
        "decision": "ผลของระบบ",
        "outcome": "ผลที่แจ้งผู้รายงานตัว",
        "d_verified": "ผ่าน",
        "d_rejected": "ไม่ผ่าน",
        "d_review": "ส่งให้เจ้าหน้าที่ตรวจสอบ",
        "o_verified": "ยืนยันแล้ว",
        "o_review": "รอตรวจสอบ",
        "o_retry": "ให้ลองใหม่",
        "processing": "กำลังประมวลผล",
        "reviewed": "ตรวจสอบแล้ว",
        "open_review": "เปิดหน้าตรวจสอบ",
        "severity": "ความเร่งด่วน",
        "escalated": "ส่งต่อผู้บริหาร",
        "open_flag": "เปิดเรื่อง",
        "read_only": "ผู้บริหารดูได้อย่างเดียว",
    },
    "en": {
        "profile": "Profile",
        "id_photo": "ID-card photo",
        "no_photo": "No photo yet",
        "national_id": "National ID",
        "date_of_birth": "Date of birth",
        "phone": "Mobile",
        "language": "Message language",
        "lang_th": "Thai",
        "lang_en": "English",
        "sms_reminders": "SMS reminders",
        "sms_on": "On",
        "sms_off_state": "Off (no reminders sent)",
        "sms_turn_off": "Turn SMS reminders off",
        "sms_turn_on": "Turn SMS reminders on",
        "consent": "Consent (PDPA)",
        "office": "Office",
        "cases": "Cases and reporting plans",
        "court": "Court",
        "black_case": "Black case number",
        "red_case": "Red case number",
        "charge": "Charge",
        "bail_amount": "Bail amount (THB)",
        "release_date": "Released",
        "next_court_date": "Next court date",
        "conditions": "Conditions",
        "case_status": "Case status",
        "officer": "Officer",
        "plan": "Reporting plan",
        "no_plan": "No reporting plan yet",
        "plan_interval": "Every {n} days",
        "plan_dates": "On set dates",
        "plan_period": "Period",
        "plan_window": "Opens {before} day(s) before, {grace} grace day(s)",
        "upcoming_dates": "Next dates",
        "timeline": "Timeline (newest first)",
        "ev_check_in": "Check-in",
        "ev_reminder": "SMS",
        "ev_attempt": "Remote verification",
        "ev_flag": "Flag",
        "scheduled": "Scheduled",
        "due": "Due",
        "method": "Method",
        "m_remote": "Remote (face match)",
        "m_in_person": "In person",
        "m_video_call": "Video call",
        "recorded_by": "Recorded by",
        "note": "Note",
        "note_optional": "Note (optional)",
        "record_in_person": "Record in person",
        "excuse": "Excuse this check-in…",
        "excuse_button": "Excuse",
        "reason": "Reason",
        "choose": "— choose —",
        "excuse_note": "Details (required for Other)",
        "to_staff": "To staff",
        "to_person": "To the person",
        "sent_at": "Sent",
        "delivered_at": "Delivered",
        "error_code": "Error code",
        "text_sent": "Text sent",
        "decision": "Machine decision",
        "outcome": "Told the person",
        "d_verified": "Verified",
        "d_rejected": "Rejected",
        "d_review": "Sent for review",
        "o_verified": "Verified",
        "o_review": "Waiting for review",
        "o_retry": "Asked to retry",
        "processing": "Processing",
        "reviewed": "Reviewed",
        "open_review": "Open review",
        "severity": "Severity",
        "escalated": "Escalated to",
        "open_flag": "Open flag",
        "read_only": "Managers read only",
    },
}


def page(request: Request[Any, Any, Any], data: dict[str, Any], **extra: Any) -> Template:
    """The person's page (also shown again, with errors, by the check-in actions)."""
    status_code = extra.pop("status_code", 200)
    return render(
        request,
        "admin/defendant.html",
        WORDS,
        STATE_WORDS,
        status_code=status_code,
        phone_text=phone_text,
        reminder_kind=reminder_kind,
        **(
            {"errors": None, "values": None, "form_check_in": None, "form_kind": None}
            | data
            | extra
        ),
    )


class DefendantPage(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/defendants/{defendant_id:int}")
    async def defendant(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Template:
        return page(request, await timeline.defendant_page(ctx, defendant_id))
