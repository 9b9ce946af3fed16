"""Court hearings from the person's page: add one to a case, record a result (a postponement
with the next hearing's day and time), cancel one. The services are the JSON API's
(`services/hearings.py`); a refused form is shown again open with its error."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, post
from litestar.response import Redirect, Template

from admin_ui.i18n import N_, in_both
from admin_ui.pages import defendant
from admin_ui.pages.checkin_actions import text
from admin_ui.web import date_field, field_errors
from reporting_api.commands import HearingIn, HearingResultIn
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import cases, hearings, timeline
from reporting_api.services.context import Ctx

TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")
RESULTS = ("attended", "absent", "postponed")


def hhmm(value: str, field: str) -> str:
    """``9:30``, ``09.30`` or ``09:30`` as ``09:30``; anything else refused by name."""
    match = TIME.fullmatch(value.strip())
    if match is None:
        raise InvalidInput(field, *in_both(N_("must be a time such as 09:30")))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


async def _again(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    case_id: int,
    kind: str,
    error: InvalidInput | Conflict,
    values: dict[str, str],
    hearing_id: int | None = None,
) -> Template:
    case = await cases.read(ctx, case_id)
    data = await timeline.defendant_page(ctx, case["defendant"])
    return defendant.page(
        request,
        data,
        status_code=409 if isinstance(error, Conflict) else 400,
        errors=field_errors(error),
        values=values,
        form_kind=kind,
        form_case=case_id,
        form_hearing=hearing_id,
    )


async def _back(ctx: Ctx, case_id: int) -> Redirect:
    case = await cases.read(ctx, case_id)
    return Redirect(f"/admin/defendants/{case['defendant']}#hearings-{case_id}", status_code=303)


class HearingActions(Controller):
    path = "/admin"
    include_in_schema = False

    @post("/cases/{case_id:int}/hearings")
    async def add(
        self, request: Request[Any, Any, Any], ctx: CtxDep, case_id: PathId
    ) -> Redirect | Template:
        form = await request.form()
        names = ("day", "time", "court", "room", "purpose")
        values = {name: text(form, name) for name in names}
        try:
            day = date_field(values, "day", required=True)
            assert day is not None
            data = HearingIn(
                day=day,
                time=hhmm(values["time"], "time"),
                court=values["court"][:200],
                room=values["room"][:64] or None,
                purpose=values["purpose"][:500],
            )
            await hearings.add(ctx, case_id, data)
        except (InvalidInput, Conflict) as error:
            return await _again(request, ctx, case_id, "hearing", error, values)
        return await _back(ctx, case_id)

    @post("/hearings/{hearing_id:int}/result")
    async def result(
        self, request: Request[Any, Any, Any], ctx: CtxDep, hearing_id: PathId
    ) -> Redirect | Template:
        form = await request.form()
        names = ("result", "next_day", "next_time", "note")
        values = {name: text(form, name) for name in names}
        case_id = (await hearings.read(ctx, hearing_id))["case"]
        try:
            if values["result"] not in RESULTS:
                raise InvalidInput("result", *in_both(N_("is not one of the choices")))
            postponed = values["result"] == "postponed"
            next_day = date_field(values, "next_day", required=postponed)
            next_time = hhmm(values["next_time"], "next_time") if postponed else None
            data = HearingResultIn(
                result=values["result"],  # type: ignore[arg-type]
                note=values["note"],
                next_day=next_day if postponed else None,
                next_time=next_time,
            )
            await hearings.record_result(ctx, hearing_id, data)
        except (InvalidInput, Conflict) as error:
            return await _again(request, ctx, case_id, "result", error, values, hearing_id)
        return await _back(ctx, case_id)

    @post("/hearings/{hearing_id:int}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], ctx: CtxDep, hearing_id: PathId
    ) -> Redirect | Template:
        case_id = (await hearings.read(ctx, hearing_id))["case"]
        try:
            await hearings.cancel(ctx, hearing_id, text(await request.form(), "reason"))
        except (InvalidInput, Conflict) as error:
            return await _again(request, ctx, case_id, "result", error, {}, hearing_id)
        return await _back(ctx, case_id)
