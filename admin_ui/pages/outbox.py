"""SMS outbox: the office's reminders and staff alerts, newest first, with what each said,
to which (masked) number, and what became of it."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from admin_ui.web import fields_of, list_link, render
from reporting_api.http.context import CtxDep, PagingDep
from reporting_api.services import outbox_list as service


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
            **fields_of(data),
            statuses=service.STATUSES,
            page=paging.page,
            page_size=paging.page_size,
            link=list_link(
                "/admin/outbox",
                {"status": data.status, "office_id": office_id, "page_size": paging.page_size},
            ),
        )
