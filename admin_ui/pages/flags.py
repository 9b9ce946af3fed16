"""Flags inbox: open, acknowledged and resolved flags of the office; one flag in full, with
acknowledge (note optional) and resolve (note required)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from admin_ui.pages.checkin_actions import safe_next, text
from admin_ui.web import field_errors, fields_of, list_link, render
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep, PagingDep, PathId
from reporting_api.services import flags as flag_service
from reporting_api.services.context import Ctx
from reporting_api.services.flags import FlagDetail


def detail_page(
    request: Request[Any, Any, Any], flag: FlagDetail, status_code: int = 200, **extra: Any
) -> Template:
    return render(
        request,
        "admin/flag.html",
        status_code=status_code,
        flag=flag,
        **({"errors": None, "values": None, "form": None} | extra),
    )


async def shown_again(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    flag_id: int,
    form: str,
    error: InvalidInput | Conflict,
    note: str,
) -> Template:
    flag = await flag_service.read_flag(ctx, flag_id)
    return detail_page(
        request,
        flag,
        status_code=409 if isinstance(error, Conflict) else 400,
        errors=field_errors(error),
        values={"note": note},
        form=form,
    )


class FlagPages(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/flags")
    async def inbox(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        paging: PagingDep,
        flag_state: Annotated[str, QueryParameter(name="state", max_length=16)] = "open",
        kind: Annotated[str | None, QueryParameter(max_length=32)] = None,
        check_in_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Template:
        listed = await flag_service.inbox(
            ctx,
            office_id=office_id,
            state=flag_state,
            kind=kind or None,
            check_in_id=check_in_id,
            offset=paging.offset,
            limit=paging.page_size,
        )
        return render(
            request,
            "admin/flags.html",
            **fields_of(listed),
            kinds=flag_service.KINDS,
            states=flag_service.STATES,
            page=paging.page,
            page_size=paging.page_size,
            link=list_link(
                "/admin/flags",
                {
                    "state": listed.state,
                    "kind": listed.kind,
                    "check_in_id": check_in_id,
                    "office_id": office_id,
                    "page_size": paging.page_size,
                },
            ),
        )

    @get("/flags/{flag_id:int}")
    async def detail(
        self, request: Request[Any, Any, Any], ctx: CtxDep, flag_id: PathId
    ) -> Template:
        return detail_page(request, await flag_service.read_flag(ctx, flag_id))

    @post("/flags/{flag_id:int}/acknowledge")
    async def acknowledge(
        self, request: Request[Any, Any, Any], ctx: CtxDep, flag_id: PathId
    ) -> Redirect | Template:
        form = await request.form()
        note = text(form, "note")
        try:
            await flag_service.acknowledge(ctx, flag_id, note)
        except (InvalidInput, Conflict) as error:
            return await shown_again(request, ctx, flag_id, "acknowledge", error, note)
        return Redirect(safe_next(form.get("next")) or f"/admin/flags/{flag_id}", status_code=303)

    @post("/flags/{flag_id:int}/resolve")
    async def resolve(
        self, request: Request[Any, Any, Any], ctx: CtxDep, flag_id: PathId
    ) -> Redirect | Template:
        form = await request.form()
        note = text(form, "note")
        try:
            await flag_service.resolve(ctx, flag_id, note)
        except (InvalidInput, Conflict) as error:
            return await shown_again(request, ctx, flag_id, "resolve", error, note)
        return Redirect(safe_next(form.get("next")) or f"/admin/flags/{flag_id}", status_code=303)
