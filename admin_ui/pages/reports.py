"""The risk report: ranked active cases with reasons, aggregates, charts, a backtest, and the
same report as Excel and PDF.

Filters are a plain GET form (date range, office), so a report is a link a manager can share;
the exports take the same query string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio.to_thread
from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Response, Template
from markupsafe import Markup

from admin_ui import charts, exports
from admin_ui.i18n import N_, in_both, translations
from admin_ui.labels import labels
from admin_ui.web import field_errors, language, render
from reporting_api.errors import InvalidInput
from reporting_api.http.context import CtxDep
from reporting_api.services import reports as service
from reporting_api.thai_dates import parse_date_input

TOP_OFFICES_CHARTED = 15
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parse_date(field: str, text: str | None, errors: list[InvalidInput]) -> date | None:
    """A filter's date as officers type it (`15/01/2570`, Buddhist or Christian era) or as a
    shared link carries it (`2027-01-15`)."""
    if not text or not text.strip():
        return None
    try:
        return parse_date_input(text[:40], field)
    except InvalidInput as error:
        errors.append(error)
        return None


def _parse_office(text: str | None, errors: list[InvalidInput]) -> int | None:
    if not text or not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text.strip()) < 2**31:
        errors.append(InvalidInput("office_id", *in_both(N_("choose an office from the list"))))
        return None
    return int(text.strip())


@dataclass(frozen=True)
class FilterInput:
    """A report's filters as typed (shown again with errors) and as read."""

    typed: dict[str, str]
    date_from: date | None
    date_to: date | None
    office_id: int | None
    errors: list[InvalidInput]


def read_filters(request: Request[Any, Any, Any]) -> FilterInput:
    """The date range and office of a report's plain GET form (every report's)."""
    query = request.query_params
    typed = {k: query.get(k, "") for k in ("date_from", "date_to", "office_id")}
    errors: list[InvalidInput] = []
    date_from = _parse_date("date_from", typed["date_from"], errors)
    date_to = _parse_date("date_to", typed["date_to"], errors)
    office_id = _parse_office(typed["office_id"], errors)
    return FilterInput(typed, date_from, date_to, office_id, errors)


async def refused_filters(
    request: Request[Any, Any, Any], ctx: CtxDep, template: str, filters: FilterInput
) -> Template:
    """A report's page with its form shown again, each wrong field marked (400)."""
    return render(
        request,
        template,
        status_code=400,
        errors=field_errors(*filters.errors),
        values=filters.typed,
        report=None,
        offices=await service.filter_offices(ctx),
    )


def query_string(filters: service.Filters, **change: Any) -> str:
    """The report's filters as a query string (for pages, exports and links)."""
    params: dict[str, Any] = {
        "date_from": filters.date_from.isoformat(),
        "date_to": filters.date_to.isoformat(),
    }
    if filters.office_id is not None:
        params["office_id"] = filters.office_id
    if filters.page > 1:
        params["page"] = filters.page
    if filters.size != service.PAGE_SIZE:
        params["size"] = filters.size
    params |= change
    return urlencode({k: v for k, v in params.items() if v is not None})


def _baht(value: Any) -> str:
    return f"{value:,.2f}"


def _month_label(lang: str, month: str) -> str:
    from reporting_api.thai_dates import ENGLISH_MONTHS_ABBR, THAI_MONTHS_ABBR

    year, number = int(month[:4]), int(month[5:7])
    if lang == "th":
        return f"{THAI_MONTHS_ABBR[number - 1]} {str(year + 543)[2:]}"
    return f"{ENGLISH_MONTHS_ABBR[number - 1]} {str(year)[2:]}"


def _charts(data: dict[str, Any], lang: str) -> dict[str, Markup]:
    _ = translations(lang).gettext
    words = labels(lang)
    months = data["by_month"]
    month_labels = [_month_label(lang, m["month"]) for m in months]
    out: dict[str, Markup] = {}
    if any(m["total"] for m in months):
        out["compliance"] = charts.line_chart(
            _("Check-ins by month (share of those due)"),
            _("Share of check-ins verified on time, late, missed and excused, by month"),
            month_labels,
            [
                charts.Series(words.compliance[name], [m[f"{name}_share"] for m in months], name)
                for name in ("on_time", "late", "missed", "excused")
            ],
        )
    offices = data["missed_by_office"][:TOP_OFFICES_CHARTED]
    if offices:
        out["missed"] = charts.bar_chart(
            _("Missed check-ins by office"),
            _("Check-ins due in the date range and missed, by office"),
            [o["label_th"] if lang == "th" else o["label_en"] for o in offices],
            [o["missed"] for o in offices],
            css=["missed"] * len(offices),
        )
    bands = data["by_band"]
    if any(b["cases"] for b in bands):
        out["bail"] = charts.bar_chart(
            _("Bail at risk by band (THB)"),
            _("Sum of the bail of active cases in each risk band"),
            [words.band[b["band"]] for b in bands],
            [float(b["bail"]) for b in bands],
            value_format=lambda v: f"{v:,.0f}",
            css=[f"band-{b['band']}" for b in bands],
            label_width=160,
        )
    return out


class ReportsPage(Controller):
    path = "/admin/reports"
    include_in_schema = False

    async def _report(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        export: str | None,
        page: int,
        size: int,
    ) -> tuple[dict[str, Any] | None, Template | None]:
        """The report for the query's filters, or the page showing why the filters are wrong."""
        filters = read_filters(request)
        if not filters.errors:
            try:
                data = await service.risk_report(
                    ctx,
                    filters.office_id,
                    filters.date_from,
                    filters.date_to,
                    page,
                    size,
                    export=export,
                )
                return data, None
            except InvalidInput as error:
                filters.errors.append(error)
        return None, await refused_filters(request, ctx, "admin/reports.html", filters)

    @get("/")
    async def report(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        size: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE_SIZE)] = service.PAGE_SIZE,
    ) -> Template:
        data, refused = await self._report(request, ctx, None, page, size)
        if refused is not None:
            return refused
        assert data is not None
        lang = language(request)
        filters = data["filters"]
        return render(
            request,
            "admin/reports.html",
            report=data,
            offices=data["offices"],
            values={
                "date_from": filters.date_from,
                "date_to": filters.date_to,
                "office_id": "" if filters.office_id is None else str(filters.office_id),
            },
            errors={},
            charts=_charts(data, lang),
            rules=data["rules"],
            query=lambda **change: query_string(filters, **change),
            baht=_baht,
            month_label=lambda m: _month_label(lang, m),
        )

    @get("/export.xlsx")
    async def export_xlsx(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        size: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE_SIZE)] = service.PAGE_SIZE,
    ) -> Response[bytes] | Template:
        return await self._export(request, ctx, "xlsx", page, size)

    @get("/export.pdf")
    async def export_pdf(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        size: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE_SIZE)] = service.PAGE_SIZE,
    ) -> Response[bytes] | Template:
        return await self._export(request, ctx, "pdf", page, size)

    async def _export(
        self, request: Request[Any, Any, Any], ctx: CtxDep, kind: str, page: int, size: int
    ) -> Response[bytes] | Template:
        """The report's rows for the query's filters as a download (xlsx or pdf)."""
        data, refused = await self._report(request, ctx, kind, page, size)
        if refused is not None:
            return refused
        assert data is not None
        lang = language(request)
        build, media_type = {
            "xlsx": (exports.report_xlsx, XLSX_TYPE),
            "pdf": (exports.report_pdf, "application/pdf"),
        }[kind]
        try:
            # A workbook takes about 0.1 s of CPU and a PDF about 0.8 s (bench/admin_pages.py):
            # built in a worker thread so that the event loop keeps serving other requests.
            body = await anyio.to_thread.run_sync(build, data, lang)
        except exports.ThaiFontMissing:
            return render(request, "admin/error.html", status_code=503, message_key="font_missing")
        return _download(body, media_type, _filename(data, kind))


def _filename(data: dict[str, Any], extension: str) -> str:
    filters = data["filters"]
    office = f"-office{filters.office_id}" if filters.office_id is not None else ""
    return (
        f"risk-report{office}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
        f"-p{filters.page}.{extension}"
    )


def _download(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content=body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
