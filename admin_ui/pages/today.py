"""Today: the officer's day, each row one click from the action it needs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from admin_ui.pages.caseload import STATE_WORDS, phone_text
from admin_ui.web import home_for, render
from reporting_api.access import OFFICER
from reporting_api.http.context import CtxDep
from reporting_api.services import dashboard

WORDS = {
    "th": {
        "today_title": "งานวันนี้",
        "due_today": "ครบกำหนดวันนี้",
        "open_now": "เปิดให้รายงานตัวแล้ว",
        "overdue": "เลยกำหนด (ยังอยู่ในช่วงผ่อนผัน)",
        "missed": "ไม่มารายงานตัว (14 วันล่าสุด)",
        "review": "รอเจ้าหน้าที่ตรวจสอบ",
        "unreachable": "ติดต่อทางโทรศัพท์ไม่ได้",
        "open_flags": "การแจ้งเตือนที่ยังไม่ปิด",
        "name": "ชื่อ",
        "due": "กำหนด",
        "closes": "ปิดรับ",
        "status": "สถานะ",
        "phone": "โทรศัพท์",
        "action": "ดำเนินการ",
        "open_person": "เปิดข้อมูล",
        "record_in_person": "บันทึกมารายงานตัว",
        "review_now": "ตรวจสอบ",
        "see_flags": "ดูการแจ้งเตือน",
        "reasons": "เหตุผล",
        "received": "ได้รับเมื่อ",
        "detail": "รายละเอียด",
        "shown_of": "แสดง {shown} จาก {total} รายการ",
        "see_all": "ดูทั้งหมด",
    },
    "en": {
        "today_title": "Today",
        "due_today": "Due today",
        "open_now": "Window open",
        "overdue": "Overdue (in grace days)",
        "missed": "Missed (last 14 days)",
        "review": "Waiting for review",
        "unreachable": "Phone unreachable",
        "open_flags": "Open flags",
        "name": "Name",
        "due": "Due",
        "closes": "Closes",
        "status": "Status",
        "phone": "Phone",
        "action": "Action",
        "open_person": "Open",
        "record_in_person": "Record in person",
        "review_now": "Review",
        "see_flags": "See flags",
        "reasons": "Reasons",
        "received": "Received",
        "detail": "Detail",
        "shown_of": "Showing {shown} of {total}",
        "see_all": "See all",
    },
}


class TodayPage(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/")
    async def today(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Template | Redirect:
        if ctx.principal.role != OFFICER and office_id is None:
            # Managers start at the report, administrators at the staff list.
            return Redirect(home_for(ctx.principal), status_code=303)
        data = await dashboard.today(ctx, office_id)
        return render(
            request, "admin/today.html", WORDS, STATE_WORDS, phone_text=phone_text, **data
        )
