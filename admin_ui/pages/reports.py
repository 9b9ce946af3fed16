"""The risk report: ranked active cases with reasons, aggregates, charts, a backtest, and the
same report as Excel and PDF.

Filters are a plain GET form (date range, office), so a report is a link a manager can share;
the exports take the same query string.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio.to_thread
from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Response, Template
from markupsafe import Markup

from admin_ui import charts, exports
from admin_ui.i18n import words
from admin_ui.web import field_errors, language, render
from reporting_api.errors import InvalidInput
from reporting_api.http.context import CtxDep
from reporting_api.risk import describe_rules
from reporting_api.services import reports as service

WORDS = {
    "th": {
        "report_title": "รายงานความเสี่ยงการหลบหนี",
        "as_of": "ข้อมูล ณ",
        "date_from": "ตั้งแต่วันที่",
        "date_to": "ถึงวันที่",
        "office": "สำนักงาน",
        "all_offices": "ทุกสำนักงาน",
        "show": "แสดงรายงาน",
        "export_xlsx": "ส่งออก Excel",
        "export_pdf": "ส่งออก PDF",
        "snapshot_note": "ลำดับ สรุป และแผนภูมิการรายงานตัว คำนวณจากข้อมูล ณ เวลานี้ "
        "และคำนวณใหม่ทุก {minutes} นาที",
        "range_note": "ช่วงวันที่ใช้กับแผนภูมิการรายงานตัวและการทดสอบย้อนหลัง ส่วนการทดสอบย้อนหลังคิดจากข้อมูลล่าสุด",
        "caveat": "คะแนนเป็นจุดเริ่มต้นสำหรับจัดลำดับงานของเจ้าหน้าที่ ยังไม่ผ่านการตรวจสอบความแม่นยำ "
        "และไม่เป็นเหตุให้ดำเนินการใด ๆ ต่อบุคคลด้วยตัวคะแนนเอง",
        "active_cases": "คดีที่ดำเนินอยู่",
        "band_high": "เสี่ยงสูง",
        "band_medium": "เสี่ยงปานกลาง",
        "band_low": "เสี่ยงต่ำ",
        "bail_high_card": "เงินประกันในคดีเสี่ยงสูง (บาท)",
        "bail_all_card": "เงินประกันทั้งหมด (บาท)",
        "ranking": "เรียงตามความเสี่ยง",
        "rank": "ลำดับ",
        "name": "ชื่อ",
        "court": "ศาล",
        "officer": "เจ้าหน้าที่",
        "score": "คะแนน",
        "band": "ระดับ",
        "why": "ที่มาของคะแนน",
        "bail": "เงินประกัน (บาท)",
        "next_court": "นัดศาลครั้งถัดไป",
        "no_factors": "ไม่มีปัจจัยเสี่ยง",
        "no_cases": "ไม่มีคดีที่ดำเนินอยู่ในขอบเขตนี้",
        "page_of": "หน้า {page} จาก {pages} · {total} คดี",
        "compliance_title": "การรายงานตัวรายเดือน (สัดส่วนของที่ครบกำหนด)",
        "compliance_desc": "สัดส่วนการรายงานตัวตรงเวลา ล่าช้า ไม่มา และได้รับการยกเว้น ในแต่ละเดือน",
        "on_time": "ตรงเวลา",
        "late": "ล่าช้า",
        "missed": "ไม่มา",
        "excused": "ยกเว้น",
        "month": "เดือน",
        "total": "รวม",
        "missed_by_office": "การไม่มารายงานตัวแยกตามสำนักงาน",
        "missed_by_office_desc": "จำนวนการไม่มารายงานตัวที่ครบกำหนดในช่วงวันที่ แยกตามสำนักงาน",
        "top_offices": "แสดง {n} สำนักงานแรก ตัวเลขทั้งหมดอยู่ในตาราง",
        "bail_by_band": "เงินประกันที่เสี่ยงแยกตามระดับความเสี่ยง (บาท)",
        "bail_by_band_desc": "ผลรวมเงินประกันของคดีที่ดำเนินอยู่ในแต่ละระดับความเสี่ยง",
        "chart_data": "ตัวเลขของแผนภูมิ",
        "no_checkins": "ไม่มีการรายงานตัวที่ครบกำหนดในช่วงนี้",
        "aggregates": "สรุปตามกลุ่ม",
        "by_province": "ตามจังหวัด",
        "by_office": "ตามสำนักงาน",
        "by_court": "ตามศาล",
        "by_officer": "ตามเจ้าหน้าที่",
        "group": "กลุ่ม",
        "cases": "คดี",
        "average": "คะแนนเฉลี่ย",
        "missed_180": "ไม่มารายงานตัว (180 วัน)",
        "unreachable": "โทรศัพท์ติดต่อไม่ได้",
        "bail_high": "เงินประกันคดีเสี่ยงสูง",
        "backtest": "ทดสอบย้อนหลังกับคดีที่ปิดแล้ว",
        "backtest_note": "คดีที่ปิดในช่วงวันที่ที่เลือกด้วยผลหลบหนีหรือเสร็จสิ้น คิดคะแนนจากข้อมูล ณ วันที่ปิดคดี "
        "ความแม่นยำ = ในคดีที่ถึงเกณฑ์ หลบหนีกี่ส่วน; ความครอบคลุม = ในคดีที่หลบหนีทั้งหมด ถึงเกณฑ์กี่ส่วน",
        "threshold": "เกณฑ์: ระดับนี้ขึ้นไป",
        "in_band": "คดีในระดับนี้",
        "absconded_in_band": "หลบหนี (ในระดับนี้)",
        "flagged": "คดีที่ถึงเกณฑ์",
        "flagged_absconded": "หลบหนี (ที่ถึงเกณฑ์)",
        "precision": "ความแม่นยำ",
        "recall": "ความครอบคลุม",
        "closed_cases": "คดีที่ปิด",
        "absconded": "หลบหนี",
        "base_rate": "อัตราหลบหนีโดยรวม",
        "no_closed": "ไม่มีคดีที่ปิด (หลบหนีหรือเสร็จสิ้น) ในช่วงนี้",
        "how_scored": "วิธีคิดคะแนน",
        "from_points": "ตั้งแต่ {n} คะแนน",
        "font_missing": "ส่งออก PDF ไม่ได้ เพราะไม่พบฟอนต์ภาษาไทยในเครื่องแม่ข่าย "
        "ผู้ดูแลระบบต้องติดตั้งแพ็กเกจ fonts-thai-tlwg",
        "sheet_ranking": "อันดับความเสี่ยง",
        "sheet_aggregates": "สรุป",
        "sheet_backtest": "ทดสอบย้อนหลัง",
        "central": "ส่วนกลาง",
    },
    "en": {
        "report_title": "Absconding-risk report",
        "as_of": "As of",
        "date_from": "From",
        "date_to": "To",
        "office": "Office",
        "all_offices": "All offices",
        "show": "Show report",
        "export_xlsx": "Export Excel",
        "export_pdf": "Export PDF",
        "snapshot_note": "The ranking, the aggregates and the compliance charts are computed "
        "as of that time, and again every {minutes} minutes.",
        "range_note": "The date range sets the months of the compliance charts and the closed "
        "cases of the backtest; the backtest is read live.",
        "caveat": "The score is a starting point for ordering officers' attention, not a "
        "validated model; it never justifies any action against a person by itself.",
        "active_cases": "Active cases",
        "band_high": "High risk",
        "band_medium": "Medium risk",
        "band_low": "Low risk",
        "bail_high_card": "Bail in high-risk cases (THB)",
        "bail_all_card": "All bail (THB)",
        "ranking": "Ranked by risk",
        "rank": "#",
        "name": "Name",
        "court": "Court",
        "officer": "Officer",
        "score": "Score",
        "band": "Band",
        "why": "Why",
        "bail": "Bail (THB)",
        "next_court": "Next court date",
        "no_factors": "No risk factors",
        "no_cases": "No active cases in this scope",
        "page_of": "Page {page} of {pages} · {total} cases",
        "compliance_title": "Check-ins by month (share of those due)",
        "compliance_desc": "Share of check-ins verified on time, late, missed and excused, "
        "by month",
        "on_time": "On time",
        "late": "Late",
        "missed": "Missed",
        "excused": "Excused",
        "month": "Month",
        "total": "Total",
        "missed_by_office": "Missed check-ins by office",
        "missed_by_office_desc": "Check-ins due in the date range and missed, by office",
        "top_offices": "The first {n} offices; the table has them all",
        "bail_by_band": "Bail at risk by band (THB)",
        "bail_by_band_desc": "Sum of the bail of active cases in each risk band",
        "chart_data": "The chart's numbers",
        "no_checkins": "No check-ins due in this range",
        "aggregates": "Aggregates",
        "by_province": "By province",
        "by_office": "By office",
        "by_court": "By court",
        "by_officer": "By officer",
        "group": "Group",
        "cases": "Cases",
        "average": "Average score",
        "missed_180": "Missed (180 days)",
        "unreachable": "Phone unreachable",
        "bail_high": "Bail, high risk",
        "backtest": "Backtest on closed cases",
        "backtest_note": "Cases closed in the date range as absconded or concluded, each "
        "scored with its facts as of the day it closed. Precision: of the cases at or above "
        "the threshold, the share that absconded; recall: of all who absconded, the share at "
        "or above it.",
        "threshold": "Threshold: this band or above",
        "in_band": "Cases in band",
        "absconded_in_band": "Absconded (in band)",
        "flagged": "At or above",
        "flagged_absconded": "Absconded (at or above)",
        "precision": "Precision",
        "recall": "Recall",
        "closed_cases": "Closed cases",
        "absconded": "Absconded",
        "base_rate": "Base rate",
        "no_closed": "No cases closed (absconded or concluded) in this range",
        "how_scored": "How the score is made",
        "from_points": "from {n} points",
        "font_missing": "PDF export is unavailable: the server has no Thai font. An "
        "administrator must install the package fonts-thai-tlwg.",
        "sheet_ranking": "Ranking",
        "sheet_aggregates": "Aggregates",
        "sheet_backtest": "Backtest",
        "central": "Central",
    },
}

TOP_OFFICES_CHARTED = 15
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parse_date(field: str, text: str | None, errors: list[InvalidInput]) -> date | None:
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors.append(
            InvalidInput(
                field,
                "use a date like 2026-10-01 (Christian era)",
                "ใช้วันที่รูปแบบ 2026-10-01 (ปี ค.ศ.)",
            )
        )
        return None


def _parse_office(text: str | None, errors: list[InvalidInput]) -> int | None:
    if not text or not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text.strip()) < 2**31:
        errors.append(
            InvalidInput("office_id", "choose an office from the list", "เลือกสำนักงานจากรายการ")
        )
        return None
    return int(text.strip())


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


def _charts(data: dict[str, Any], t: dict[str, str], lang: str) -> dict[str, Markup]:
    months = data["by_month"]
    labels = [_month_label(lang, m["month"]) for m in months]
    out: dict[str, Markup] = {}
    if any(m["total"] for m in months):
        out["compliance"] = charts.line_chart(
            t["compliance_title"],
            t["compliance_desc"],
            labels,
            [
                charts.Series(t[name], [m[f"{name}_share"] for m in months], name)
                for name in ("on_time", "late", "missed", "excused")
            ],
        )
    offices = data["missed_by_office"][:TOP_OFFICES_CHARTED]
    if offices:
        out["missed"] = charts.bar_chart(
            t["missed_by_office"],
            t["missed_by_office_desc"],
            [o["label_th"] if lang == "th" else o["label_en"] for o in offices],
            [o["missed"] for o in offices],
            css=["missed"] * len(offices),
        )
    bands = data["by_band"]
    if any(b["cases"] for b in bands):
        out["bail"] = charts.bar_chart(
            t["bail_by_band"],
            t["bail_by_band_desc"],
            [t[f"band_{b['band']}"] for b in bands],
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
        query = request.query_params
        typed = {k: query.get(k, "") for k in ("date_from", "date_to", "office_id")}
        errors: list[InvalidInput] = []
        date_from = _parse_date("date_from", typed["date_from"], errors)
        date_to = _parse_date("date_to", typed["date_to"], errors)
        office_id = _parse_office(typed["office_id"], errors)
        if not errors:
            try:
                data = await service.risk_report(
                    ctx, office_id, date_from, date_to, page, size, export=export
                )
                return data, None
            except InvalidInput as error:
                errors.append(error)
        return None, render(
            request,
            "admin/reports.html",
            WORDS,
            status_code=400,
            errors=field_errors(*errors),
            values=typed,
            report=None,
            offices=await service.filter_offices(ctx),
        )

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
        t = words(lang, WORDS)
        filters = data["filters"]
        return render(
            request,
            "admin/reports.html",
            WORDS,
            report=data,
            offices=data["offices"],
            values={
                "date_from": filters.date_from.isoformat(),
                "date_to": filters.date_to.isoformat(),
                "office_id": "" if filters.office_id is None else str(filters.office_id),
            },
            errors={},
            charts=_charts(data, t, lang),
            rules=describe_rules(),
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
            body = await anyio.to_thread.run_sync(build, data, lang, words(lang, WORDS))
        except exports.ThaiFontMissing:
            return render(
                request, "admin/error.html", WORDS, status_code=503, message_key="font_missing"
            )
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
