"""The person's handout: a printable sheet of their coming dates, how reminders reach them,
whom to call and (while LINE is on) the fund's LINE account, in Thai and then in English."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template
from markupsafe import Markup

from admin_ui.i18n import translations
from admin_ui.web import date_text, datetime_text, fields_of, render
from reporting_api.http.context import CtxDep, PathId
from reporting_api.i18n import template_callables
from reporting_api.qr import svg_inline
from reporting_api.services import handout as service


class HandoutPage(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/defendants/{defendant_id:int}/handout")
    async def handout(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Template:
        sheet = await service.handout(ctx, defendant_id)
        line_qr = Markup(svg_inline(sheet.line_add_friend)) if sheet.line_add_friend else None
        return render(
            request,
            "admin/handout.html",
            sections=[_section(lang) for lang in ("th", "en")],
            line_qr=line_qr,
            **fields_of(sheet),
        )


def _section(lang: str) -> dict[str, Any]:
    """The words and date formats of one language's half of the sheet."""
    return {
        "lang": lang,
        **template_callables(translations(lang)),
        "date_text": lambda value: date_text(lang, value),
        "datetime_text": lambda value: datetime_text(lang, value),
    }
