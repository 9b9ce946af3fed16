"""Persons' requests: the queue (by status and age) and one request in full, with the
person's other requests beside it and the officer's decisions as forms."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Stream, Template

from admin_ui.pages.checkin_actions import text
from admin_ui.web import field_errors, list_link, render
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep, PathId
from reporting_api.http.downloads import download_response
from reporting_api.services import attachments
from reporting_api.services import person_requests as service
from reporting_api.services.context import Ctx
from reporting_api.thai_dates import parse_date_input


def _new_date(value: str) -> Any:
    """As officers type dates: 31/12/2569 (Buddhist era) or 2026-12-31; empty: none."""
    return parse_date_input(value, "new_date") if value.strip() else None


async def detail_page(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    request_id: int,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    view = await service.detail(ctx, request_id)
    return render(
        request,
        "admin/request.html",
        status_code=status_code,
        view=view,
        r=view.request,
        now=ctx.now,
        **({"errors": None, "values": None, "form": None} | extra),
    )


class RequestPages(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/requests")
    async def queue(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        status: Annotated[str, QueryParameter(max_length=16)] = "open",
        age: Annotated[str, QueryParameter(max_length=8)] = "any",
        page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Template:
        found = await service.queue(ctx, office_id, status, age, page)
        return render(
            request,
            "admin/requests.html",
            rows=found.rows,
            total=found.total,
            oldest_open=found.oldest_open,
            status=status,
            age=age,
            statuses=list(service.STATUS_FILTERS),
            ages=list(service.AGE_FILTERS),
            page=page,
            page_size=service.QUEUE_PAGE,
            now=ctx.now,
            link=list_link(
                "/admin/requests", {"status": status, "age": age, "office_id": office_id}
            ),
        )

    @get("/requests/{request_id:int}")
    async def detail(
        self, request: Request[Any, Any, Any], ctx: CtxDep, request_id: PathId
    ) -> Template:
        return await detail_page(request, ctx, request_id)

    @get("/requests/{request_id:int}/attachments/{attachment_id:int}")
    async def attachment(self, ctx: CtxDep, request_id: PathId, attachment_id: PathId) -> Stream:
        """A file the person sent, as a download (audited)."""
        return download_response(
            await attachments.open_for_officer(ctx, request_id, attachment_id)
        )

    @post("/requests/{request_id:int}/decision")
    async def decide(
        self, request: Request[Any, Any, Any], ctx: CtxDep, request_id: PathId
    ) -> Redirect | Template:
        form = await request.form()
        action = text(form, "action")
        note = text(form, "note")
        new_date = text(form, "new_date")
        try:
            await service.decide(ctx, request_id, action, note, _new_date(new_date))
        except (InvalidInput, Conflict) as error:
            return await detail_page(
                request,
                ctx,
                request_id,
                status_code=409 if isinstance(error, Conflict) else 400,
                errors=field_errors(error),
                values={"note": note, "new_date": new_date},
                form=action,
            )
        return Redirect(f"/admin/requests/{request_id}", status_code=303)
