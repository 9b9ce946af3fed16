"""Today: the officer's day, each row one click from the action it needs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from admin_ui.pages.caseload import phone_text
from admin_ui.web import fields_of, home_for, render
from reporting_api.access import OFFICER
from reporting_api.http.context import CtxDep
from reporting_api.services import today as service


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
        day = await service.today_page(ctx, office_id)
        return render(
            request, "admin/today.html", phone_text=phone_text, now=ctx.now, **fields_of(day)
        )
