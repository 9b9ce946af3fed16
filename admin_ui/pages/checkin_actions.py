"""The officer's actions on a person's check-ins and reminders (forms that POST here).

After a success the browser goes back (303) to the page the form named in `next` when that
is an /admin page, else to the person's page. A form that fails is shown again on the
person's page, with the error beside its field and what was typed kept.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from litestar import Controller, Request, post
from litestar.response import Redirect, Template

from admin_ui.i18n import N_, in_both
from admin_ui.pages import defendant
from admin_ui.web import field_errors
from reporting_api.errors import Conflict, InvalidInput, TransitionNotAllowed
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import checkins, defendants, timeline
from reporting_api.services.context import Ctx

FIELD_MAX = 4000
"""Longer form fields are cut here; the service refuses what is still too long."""


def safe_next(value: Any) -> str | None:
    """A path of the admin pages (no scheme, no host), never an open redirect."""
    if not isinstance(value, str) or not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc or "\\" in value:
        return None
    if value != "/admin" and not value.startswith("/admin/"):
        return None
    return value


def text(form: Any, name: str) -> str:
    value = form.get(name)
    return value[:FIELD_MAX] if isinstance(value, str) else ""


def transition_error(error: TransitionNotAllowed) -> dict[str, dict[str, str]]:
    return {
        "status": {
            "en": f"This check-in is {error.current} now and cannot become {error.target}.",
            "th": "สถานะของการรายงานตัวนี้เปลี่ยนไปแล้ว จึงบันทึกรายการนี้ไม่ได้",
        }
    }


async def shown_again(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    check_in_id: int,
    kind: str,
    error: Exception,
    values: dict[str, str],
) -> Template:
    """The person's page with the failed form open, its error and what was typed."""
    if isinstance(error, TransitionNotAllowed):
        errors, status = transition_error(error), 409
    else:
        errors, status = field_errors(error), 409 if isinstance(error, Conflict) else 400
    data = await timeline.page_for_check_in(ctx, check_in_id)
    return defendant.page(
        request,
        data,
        status_code=status,
        errors=errors,
        values=values,
        form_check_in=check_in_id,
        form_kind=kind,
    )


class CheckInActions(Controller):
    path = "/admin"
    include_in_schema = False

    @post("/checkins/{check_in_id:int}/in-person")
    async def in_person(
        self, request: Request[Any, Any, Any], ctx: CtxDep, check_in_id: PathId
    ) -> Redirect | Template:
        """The person reported at the office (Today's page and the person's page post here)."""
        form = await request.form()
        note = text(form, "note")
        try:
            row = await checkins.record_in_person(ctx, check_in_id, note)
        except (InvalidInput, Conflict) as error:
            return await shown_again(request, ctx, check_in_id, "in_person", error, {"note": note})
        target = safe_next(form.get("next")) or f"/admin/defendants/{row['defendant_id']}"
        return Redirect(target, status_code=303)

    @post("/checkins/{check_in_id:int}/excuse")
    async def excuse(
        self, request: Request[Any, Any, Any], ctx: CtxDep, check_in_id: PathId
    ) -> Redirect | Template:
        form = await request.form()
        values = {"reason": text(form, "reason"), "note": text(form, "note")}
        try:
            row = await checkins.excuse(ctx, check_in_id, values["reason"], values["note"])
        except (InvalidInput, Conflict) as error:
            return await shown_again(request, ctx, check_in_id, "excuse", error, values)
        target = safe_next(form.get("next")) or f"/admin/defendants/{row['defendant_id']}"
        return Redirect(target, status_code=303)

    @post("/defendants/{defendant_id:int}/reminders")
    async def reminders(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        """Turn the person's SMS reminders on or off (`sms` = on | off); audited old -> new."""
        form = await request.form()
        choice = text(form, "sms")
        if choice not in ("on", "off"):
            error = InvalidInput("sms", *in_both(N_("choose on or off")))
            data = await timeline.defendant_page(ctx, defendant_id)
            return defendant.page(request, data, status_code=400, errors=field_errors(error))
        await defendants.update(ctx, defendant_id, {"sms_opt_out": choice == "off"})
        target = safe_next(form.get("next")) or f"/admin/defendants/{defendant_id}"
        return Redirect(target, status_code=303)
