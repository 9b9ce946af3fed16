"""Editing a case's reporting plan (`/admin/cases/{id}/plan`): the form with the stored plan,
a preview of what the change would do (each check-in new, moved, removed or kept, the holiday
a date moved for, each reminder added, moved or cancelled, the plan's notes), then saving the
same values. Dates are typed in the Buddhist era (`dd/mm/yyyy`); the Christian era is taken too.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from admin_ui.i18n import N_, in_both
from admin_ui.pages import defendant
from admin_ui.pages.checkin_actions import shown_again, text
from admin_ui.web import date_field, field_errors, render
from reporting_api.commands import PlanIn
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import cases, check_in_edits, plan_preview, plans, timeline
from reporting_api.services.context import Ctx
from reporting_api.thai_dates import input_date_text, parse_date_input

FIELDS = (
    "kind",
    "every_days",
    "dates",
    "start_date",
    "end_date",
    "window_opens_days_before",
    "grace_days",
)
MAX_DATES = 400
NEW_PLAN = {
    "kind": "interval",
    "every_days": "30",
    "window_opens_days_before": "2",
    "grace_days": "2",
}


def _number(values: dict[str, str], name: str, low: int, high: int) -> int:
    raw = values.get(name, "").strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidInput(
            name,
            *in_both(N_("must be a whole number from %(low)s to %(high)s"), low=low, high=high),
        )
    return int(raw)


def read_plan(values: dict[str, str]) -> PlanIn:
    """The form as the plan command; the first field that cannot be read is refused by name."""
    kind = values.get("kind", "")
    if kind not in ("interval", "dates"):
        raise InvalidInput("kind", *in_both(N_("is not one of the choices")))
    start = date_field(values, "start_date", required=True)
    end = date_field(values, "end_date", required=True)
    assert start is not None and end is not None
    window = _number(values, "window_opens_days_before", 0, 60)
    grace = _number(values, "grace_days", 0, 30)
    if kind == "interval":
        every = _number(values, "every_days", 1, 365)
        return PlanIn("interval", start, end, every, [], window, grace)
    typed = [d for d in re.split(r"[\s,;]+", values.get("dates", "")) if d]
    if not typed:
        raise InvalidInput("dates", *in_both(N_("give at least one date")))
    dates = [parse_date_input(d, "dates") for d in typed[:MAX_DATES]]
    return PlanIn("dates", start, end, None, dates, window, grace)


def stored_values(plan: Any) -> dict[str, str]:
    """The stored plan as the form shows it (dates in the Buddhist era)."""
    return {
        "kind": plan["kind"],
        "every_days": str(plan["every_days"] or ""),
        "dates": " ".join(
            input_date_text(parse_date_input(str(d), "dates")) for d in plan["dates"] or []
        ),
        "start_date": input_date_text(plan["start_date"]),
        "end_date": input_date_text(plan["end_date"]),
        "window_opens_days_before": str(plan["window_opens_days_before"]),
        "grace_days": str(plan["grace_days"]),
    }


async def _page(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    case_id: int,
    values: dict[str, str],
    *,
    preview: plan_preview.PlanPreview | None = None,
    error: InvalidInput | Conflict | None = None,
) -> Template:
    case = await cases.read(ctx, case_id)
    return render(
        request,
        "admin/plan_edit.html",
        status_code=(409 if isinstance(error, Conflict) else 400) if error else 200,
        case=case,
        values=values,
        errors=field_errors(error) if error else {},
        preview=preview,
        needs_confirm=bool(preview and any(n.level == "warning" for n in preview.notes)),
    )


class PlanEditPage(Controller):
    path = "/admin/cases"
    include_in_schema = False

    @get("/{case_id:int}/plan")
    async def form(self, request: Request[Any, Any, Any], ctx: CtxDep, case_id: PathId) -> Template:
        """The plan form, filled with the stored plan (or a plan of every 30 days from today)."""
        await cases.load_for_change(ctx, case_id)
        try:
            values = stored_values(await plans.get_plan(ctx, case_id))
        except NotFound:  # no plan yet: every 30 days, from today for a year
            values = dict(NEW_PLAN)
        return await _page(request, ctx, case_id, values)

    @post("/{case_id:int}/plan")
    async def submit(
        self, request: Request[Any, Any, Any], ctx: CtxDep, case_id: PathId
    ) -> Template | Redirect:
        """`action=preview` shows what the plan would do; `action=save` stores it (a plan the
        preview warned about needs `confirm`)."""
        form = await request.form()
        values = {name: text(form, name) for name in FIELDS}
        try:
            plan = read_plan(values)
            preview = await plan_preview.preview_plan(ctx, case_id, plan)
            if text(form, "action") != "save":
                return await _page(request, ctx, case_id, values, preview=preview)
            warned = any(n.level == "warning" for n in preview.notes)
            if warned and text(form, "confirm") != "yes":
                raise InvalidInput(
                    "confirm", *in_both(N_("read the warning and tick the box to save this plan"))
                )
            change = await plans.set_plan(ctx, case_id, plan)
        except (InvalidInput, Conflict) as error:
            shown = None if error.field != "confirm" else preview
            return await _page(request, ctx, case_id, values, preview=shown, error=error)
        case = await cases.read(ctx, case_id)
        summary = (
            f"created={change.created}&removed={change.deleted}&notified={int(change.notified)}"
        )
        return Redirect(
            f"/admin/defendants/{case['defendant']}?plan_saved={case_id}&{summary}#case-{case_id}",
            status_code=303,
        )


class CheckInEdits(Controller):
    """One check-in moved or cancelled from its row on the person's page, or one added to a
    case; a refusal shows the person's page again with the form open."""

    path = "/admin"
    include_in_schema = False

    @post("/checkins/{check_in_id:int}/move")
    async def move(
        self, request: Request[Any, Any, Any], ctx: CtxDep, check_in_id: PathId
    ) -> Template | Redirect:
        form = await request.form()
        values = {"due_date": text(form, "due_date"), "reason": text(form, "reason")}
        try:
            new = date_field(values, "due_date", required=True)
            assert new is not None
            change = await check_in_edits.move(ctx, check_in_id, new, values["reason"])
        except (InvalidInput, Conflict) as error:
            return await shown_again(request, ctx, check_in_id, "move", error, values)
        return await _to_person(ctx, change)

    @post("/checkins/{check_in_id:int}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], ctx: CtxDep, check_in_id: PathId
    ) -> Template | Redirect:
        values = {"reason": text(await request.form(), "reason")}
        try:
            change = await check_in_edits.cancel(ctx, check_in_id, values["reason"])
        except (InvalidInput, Conflict) as error:
            return await shown_again(request, ctx, check_in_id, "cancel", error, values)
        return await _to_person(ctx, change)

    @post("/cases/{case_id:int}/checkins")
    async def add(
        self, request: Request[Any, Any, Any], ctx: CtxDep, case_id: PathId
    ) -> Template | Redirect:
        form = await request.form()
        values = {"due_date": text(form, "due_date"), "reason": text(form, "reason")}
        try:
            new = date_field(values, "due_date", required=True)
            assert new is not None
            change = await check_in_edits.add(ctx, case_id, new, values["reason"])
        except (InvalidInput, Conflict) as error:
            case = await cases.read(ctx, case_id)
            data = await timeline.defendant_page(ctx, case["defendant"])
            return defendant.page(
                request,
                data,
                status_code=409 if isinstance(error, Conflict) else 400,
                errors=field_errors(error),
                values=values,
                form_kind="add_check_in",
                form_case=case_id,
            )
        return await _to_person(ctx, change)


async def _to_person(ctx: Ctx, change: plans.PlanChange) -> Redirect:
    case = await cases.read(ctx, change.plan["case"])
    notified = int(change.notified)
    return Redirect(
        f"/admin/defendants/{case['defendant']}?plan_saved={case['id']}&created={change.created}"
        f"&removed={change.deleted}&notified={notified}#case-{case['id']}",
        status_code=303,
    )
