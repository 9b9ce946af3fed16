"""A person's page: profile and ID photo, cases and plans, and one timeline of everything
that happened, with the check-in actions on the rows they apply to."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from admin_ui.pages.caseload import phone_text
from admin_ui.web import fields_of, render
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import timeline
from reporting_api.services.timeline import PersonPage


def page(request: Request[Any, Any, Any], data: PersonPage, **extra: Any) -> Template:
    """The person's page (also shown again, with errors, by the check-in actions)."""
    status_code = extra.pop("status_code", 200)
    return render(
        request,
        "admin/defendant.html",
        status_code=status_code,
        phone_text=phone_text,
        **(
            {"errors": None, "values": None, "form_check_in": None, "form_kind": None}
            | fields_of(data)
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
