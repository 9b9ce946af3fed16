"""The fitted risk model beside the hand-set points (`/admin/reports/model`, managers; issue 18):
both scores on the test period side by side (AUC, Brier, precision and recall at each band,
calibration as an SVG chart, the same by sex, age group and province), the scorecard's points
next to the hand-set and the active ones, and the forms to adopt the fitted points as a new
version or roll the active version back (POST, CSRF, a note required). Linked from the report.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template
from markupsafe import Markup

from admin_ui import charts
from admin_ui.i18n import translations
from admin_ui.pages.checkin_actions import text
from admin_ui.web import field_errors, language, render
from reporting_api import risk, risk_model
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep
from reporting_api.services import risk_model as fitting
from reporting_api.services import risk_weights
from reporting_api.services.context import Ctx


def _calibration(report: risk_model.FitReport, lang: str) -> Markup:
    _ = translations(lang).gettext
    return charts.calibration_chart(
        _("Calibration on the test period"),
        _(
            "Predicted chance of absconding against the share who absconded, test cases in "
            "ten equal groups by predicted chance; a calibrated score lies on the diagonal"
        ),
        [
            (
                charts.Series(
                    _("Fitted model"), [b.observed for b in report.fitted.calibration], "band-high"
                ),
                [b.predicted for b in report.fitted.calibration],
            ),
            (
                charts.Series(
                    _("Hand-set points"),
                    [b.observed for b in report.hand_set.calibration],
                    "excused",
                ),
                [b.predicted for b in report.hand_set.calibration],
            ),
        ],
        axis_predicted=_("Predicted chance"),
        axis_observed=_("Share who absconded"),
    )


def _rows(report: risk_model.FitReport | None, active: risk_weights.WeightsVersion) -> list[Any]:
    """Each rule of the points: hand-set, fitted and active, each explained in both languages."""
    hand = risk.describe_rules(risk.HAND_SET)
    fitted = risk.describe_rules(report.weights) if report else [None] * len(hand)
    now = risk.describe_rules(active.weights)
    return list(zip(hand, fitted, now, strict=True))


async def _page(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    *,
    values: dict[str, str] | None = None,
    error: InvalidInput | Conflict | None = None,
    done: str | None = None,
    version: risk_weights.WeightsVersion | None = None,
) -> Template:
    report = await fitting.fit(ctx)
    active = await risk_weights.active(ctx)
    fitted = report if isinstance(report, risk_model.FitReport) else None
    return render(
        request,
        "admin/risk_model.html",
        status_code=(409 if isinstance(error, Conflict) else 400) if error else 200,
        report=fitted,
        refusal=report if isinstance(report, risk_model.Refusal) else None,
        fingerprint=risk_model.fingerprint(fitted.weights) if fitted else "",
        calibration=_calibration(fitted, language(request)) if fitted else None,
        rules=_rows(fitted, active),
        active=active,
        history=await risk_weights.history(ctx),
        minimums={
            "fit_cases": risk_model.MIN_FIT_CASES,
            "fit_absconded": risk_model.MIN_FIT_ABSCONDED,
            "test_cases": risk_model.MIN_TEST_CASES,
            "test_absconded": risk_model.MIN_TEST_ABSCONDED,
            "test_share": risk_model.TEST_SHARE,
        },
        values=values or {},
        errors=field_errors(error) if error else {},
        done=done,
        version=version,
    )


class RiskModelPage(Controller):
    path = "/admin/reports/model"
    include_in_schema = False

    @get("/")
    async def show(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        return await _page(request, ctx)

    @post("/adopt")
    async def adopt(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        form = await request.form()
        values = {"note": text(form, "note")[:2000]}
        try:
            version = await risk_weights.adopt(ctx, values["note"], text(form, "fingerprint"))
        except (InvalidInput, Conflict) as error:
            return await _page(request, ctx, values=values, error=error)
        return await _page(request, ctx, done="adopted", version=version)

    @post("/rollback")
    async def roll_back(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        form = await request.form()
        values = {"rollback_note": text(form, "rollback_note")[:2000]}
        try:
            version = await risk_weights.roll_back(ctx, values["rollback_note"])
        except (InvalidInput, Conflict) as error:
            if isinstance(error, InvalidInput) and error.field == "note":
                error = InvalidInput("rollback_note", error.reason, error.reason_th)
            return await _page(request, ctx, values=values, error=error)
        return await _page(request, ctx, done="rolled_back", version=version)
