"""SMS outbox: the office's reminders and staff alerts, newest first, with what each said,
to which (masked) number, and what became of it."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from admin_ui.pages.caseload import PAGE_SIZE, STATE_WORDS, reminder_kind
from admin_ui.web import render
from reporting_api.api.deps import CtxDep, PagingDep
from reporting_api.services import outbox as service

WORDS = {
    "th": {
        "outbox_title": "SMS ขาออก",
        "all": "ทั้งหมด",
        "due": "กำหนดส่ง",
        "kind": "ประเภท",
        "to": "ถึง",
        "staff": "เจ้าหน้าที่",
        "text": "ข้อความ",
        "not_written": "ยังไม่ได้สร้างข้อความ",
        "state": "สถานะการส่ง",
        "attempts": "ครั้งที่ลอง",
        "sent_at": "ส่งเมื่อ",
        "delivered_at": "ถึงผู้รับเมื่อ",
        "error": "ข้อผิดพลาด",
        "check_in_due": "กำหนดรายงานตัว",
        "page_of": "หน้า",
        "of": "จาก",
    },
    "en": {
        "outbox_title": "SMS outbox",
        "all": "All",
        "due": "Due to send",
        "kind": "Kind",
        "to": "To",
        "staff": "Staff",
        "text": "Text",
        "not_written": "Not written yet",
        "state": "Delivery state",
        "attempts": "Tries",
        "sent_at": "Sent",
        "delivered_at": "Delivered",
        "error": "Error",
        "check_in_due": "Check-in due",
        "page_of": "Page",
        "of": "of",
    },
}


def outbox_link(
    status: str | None, office_id: int | None, page: int = 1, page_size: int = PAGE_SIZE
) -> str:
    params: dict[str, Any] = {}
    if status:
        params["status"] = status
    if office_id:
        params["office_id"] = office_id
    if page > 1:
        params["page"] = page
    if page_size != PAGE_SIZE:
        params["page_size"] = page_size
    return "/admin/outbox" + ("?" + urlencode(params) if params else "")


class OutboxPage(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/outbox")
    async def outbox(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        paging: PagingDep,
        status: Annotated[str | None, QueryParameter(max_length=16)] = None,
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Template:
        data = await service.outbox(
            ctx,
            office_id=office_id,
            status=status or None,
            offset=paging.offset,
            limit=paging.page_size,
        )
        return render(
            request,
            "admin/outbox.html",
            WORDS,
            STATE_WORDS,
            **data,
            statuses=service.STATUSES,
            reminder_kind=reminder_kind,
            page=paging.page,
            page_size=paging.page_size,
            link=lambda **change: outbox_link(
                **(
                    {
                        "status": data["status"],
                        "office_id": office_id,
                        "page_size": paging.page_size,
                    }
                    | change
                )
            ),
        )
