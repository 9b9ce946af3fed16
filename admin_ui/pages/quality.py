"""The verification quality page for managers (issue 18): how the machine's face checks did by
age group and sex, office, phone type and month, with the officers' overturns as the ground
truth, Wilson intervals, "too few to say" for small groups and a warning for a group whose
false rejections stand out; the same as Excel and PDF (admin_ui/exports/quality.py).

Filters are the risk report's plain GET form (date range, office), so a view is a link."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Controller, Request, get
from litestar.response import Response, Template
from markupsafe import Markup

from admin_ui import charts, exports
from admin_ui.exports import quality as content
from admin_ui.i18n import translations
from admin_ui.pages.reports import XLSX_TYPE, _download, read_filters, refused_filters
from admin_ui.web import language, render
from reporting_api import verification_quality as q
from reporting_api.errors import InvalidInput
from reporting_api.http.context import CtxDep
from reporting_api.services import quality as service
from reporting_api.services.quality import QualityReport


def _trend(report: QualityReport, lang: str) -> Markup | None:
    """Monthly shares verified by the machine and false rejections (gaps where too few)."""
    _ = translations(lang).gettext
    if not any(t.attempts for _m, t in report.months):
        return None

    def share(rate: Any) -> float | None:
        return rate.value if q.enough(rate) else None

    months = report.months
    return charts.line_chart(
        _("Remote recordings by month"),
        _(
            "Share of recordings the machine verified, and false rejections among recordings "
            "known to show the person, by month; months with too few recordings are left out"
        ),
        [content.month_label(lang, m) for m, _t in months],
        [
            charts.Series(
                _("Machine verified"), [share(t.verified_share) for _m, t in months], "on_time"
            ),
            charts.Series(
                _("False rejections"), [share(t.false_rejection) for _m, t in months], "missed"
            ),
        ],
    )


def _query(report: QualityReport) -> str:
    f = report.filters
    query = f"date_from={f.date_from.isoformat()}&date_to={f.date_to.isoformat()}"
    return query + (f"&office_id={f.office_id}" if f.office_id is not None else "")


class QualityPage(Controller):
    path = "/admin/quality"
    include_in_schema = False

    async def _report(
        self, request: Request[Any, Any, Any], ctx: CtxDep, export: str | None
    ) -> tuple[QualityReport | None, Template | None]:
        filters = read_filters(request)
        if not filters.errors:
            try:
                report = await service.quality_report(
                    ctx, filters.office_id, filters.date_from, filters.date_to, export=export
                )
                return report, None
            except InvalidInput as error:
                filters.errors.append(error)
        return None, await refused_filters(request, ctx, "admin/quality.html", filters)

    @get("/")
    async def page(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        report, refused = await self._report(request, ctx, None)
        if refused is not None:
            return refused
        assert report is not None
        lang = language(request)
        offices = report.all_offices
        f = report.filters
        return render(
            request,
            "admin/quality.html",
            report=report,
            offices=report.offices,
            values={
                "date_from": f.date_from,
                "date_to": f.date_to,
                "office_id": "" if f.office_id is None else str(f.office_id),
            },
            errors={},
            tables=content.tables(report, lang, offices),
            warnings=content.warning_lines(report, lang, offices),
            method_note=content.method_note(lang),
            trend=_trend(report, lang),
            overall=content.row_of("", report.overall, lang),
            overall_header=content.header(lang, ""),
            query=_query(report),
        )

    @get("/export.xlsx")
    async def export_xlsx(
        self, request: Request[Any, Any, Any], ctx: CtxDep
    ) -> Response[bytes] | Template:
        return await self._export(request, ctx, "xlsx")

    @get("/export.pdf")
    async def export_pdf(
        self, request: Request[Any, Any, Any], ctx: CtxDep
    ) -> Response[bytes] | Template:
        return await self._export(request, ctx, "pdf")

    async def _export(
        self, request: Request[Any, Any, Any], ctx: CtxDep, kind: str
    ) -> Response[bytes] | Template:
        report, refused = await self._report(request, ctx, kind)
        if refused is not None:
            return refused
        assert report is not None
        lang = language(request)
        offices = report.all_offices
        build, media_type = {
            "xlsx": (content.quality_xlsx, XLSX_TYPE),
            "pdf": (content.quality_pdf, "application/pdf"),
        }[kind]
        try:
            body = await anyio.to_thread.run_sync(build, report, lang, offices)
        except exports.ThaiFontMissing:
            return render(request, "admin/error.html", status_code=503, message_key="font_missing")
        f = report.filters
        office = f"-office{f.office_id}" if f.office_id is not None else ""
        name = f"verification-quality{office}-{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}.{kind}"
        return _download(body, media_type, name)
