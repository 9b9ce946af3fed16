"""The risk report as an Excel workbook (openpyxl).

Names, courts and free text come from people: a text cell that starts like a formula is
written as text, never as a formula (OWASP's CSV injection), whatever sheet it lands on.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from admin_ui.exports.content import (
    aggregate_header,
    aggregate_values,
    backtest_header,
    backtest_note,
    backtest_values,
    channel_notes,
    channel_rows,
    office_label,
    ranking_columns,
    report_heading,
    score_explanation,
)
from admin_ui.i18n import translations
from admin_ui.labels import labels

if TYPE_CHECKING:
    from openpyxl import Workbook

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
AGGREGATE_SECTIONS = ("by_province", "by_office", "by_court", "by_officer")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""Text starting with one of these (or their full-width forms, which some Excel locales also
read) would be taken for a formula by a spreadsheet."""


def neutralise_formulas(book: Workbook) -> None:
    """Every text cell that starts like a formula is stored as text and marked quote-prefixed,
    so the spreadsheet shows it as typed and keeps it text when edited: a name such as
    ``=HYPERLINK(...)`` never runs. Numbers and dates are left as they are."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def _aggregate_titles(lang: str) -> dict[str, str]:
    _ = translations(lang).gettext
    return {
        "by_province": _("By province"),
        "by_office": _("By office"),
        "by_court": _("By court"),
        "by_officer": _("By officer"),
    }


def report_xlsx(data: dict[str, Any], lang: str) -> bytes:
    """Three sheets: the ranking (the page's rows, one per row, typed cells), the aggregates
    (with the filters on top), and the backtest."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    catalog = translations(lang)
    _, pgettext = catalog.gettext, catalog.pgettext
    band, compliance = labels(lang).band, labels(lang).compliance
    book = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    ranking = book.active
    if not isinstance(ranking, Worksheet):  # a new workbook starts with one worksheet
        raise RuntimeError("openpyxl made a workbook without a worksheet")
    ranking.title = pgettext("sheet name", "Ranking")[:31]
    ranking.append(ranking_columns(lang))
    for cell in ranking[1]:
        cell.font = bold
    for row in data["rows"]:
        ranking.append(
            [
                row["rank"],
                row["name_th"],
                row["office_th"] if lang == "th" else row["office_en"],
                row["court"],
                row["officer"],
                row["score"],
                band[row["band"]],
                row["bail_amount"],
                row["next_court_date"],
                score_explanation(row, lang),
            ]
        )
        line = ranking.max_row
        ranking.cell(line, 8).number_format = MONEY_FORMAT
        ranking.cell(line, 9).number_format = DATE_FORMAT
        ranking.cell(line, 10).alignment = wrap
    for column, width in enumerate((7, 28, 30, 26, 22, 8, 14, 14, 13, 80), start=1):
        ranking.column_dimensions[get_column_letter(column)].width = width
    ranking.freeze_panes = "C2"
    if data["rows"]:
        ranking.auto_filter.ref = ranking.dimensions

    sheet = book.create_sheet(pgettext("sheet name", "Aggregates")[:31])
    for text in report_heading(data, lang):
        sheet.append([text])
    sheet["A1"].font = Font(bold=True, size=14)

    def table(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        sheet.append([])
        sheet.append([title])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append(list(header))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for values in rows:
            sheet.append(list(values))
            for cell in sheet[sheet.max_row]:
                if hasattr(cell.value, "as_tuple"):  # Decimal: money
                    cell.number_format = MONEY_FORMAT
                elif isinstance(cell.value, float) and cell.column_letter == "F":
                    cell.number_format = "0.0"

    summary = data["summary"]
    table(
        _("Active cases"),
        aggregate_header(lang),
        [aggregate_values(summary, _("Total"))]
        + [aggregate_values(b, band[b["band"]]) for b in data["by_band"]],
    )
    titles = _aggregate_titles(lang)
    for section in AGGREGATE_SECTIONS:
        table(
            titles[section],
            aggregate_header(lang),
            (aggregate_values(r, office_label(r, lang)) for r in data[section]),
        )
    table(
        _("Check-ins by month (share of those due)"),
        [_("Month"), *compliance.values(), _("Total")],
        (
            [
                date.fromisoformat(m["month"] + "-01"),
                m["on_time"],
                m["late"],
                m["missed"],
                m["excused"],
                m["total"],
            ]
            for m in data["by_month"]
        ),
    )
    for cell_row in sheet.iter_rows(min_col=1, max_col=1):
        if isinstance(cell_row[0].value, date):
            cell_row[0].number_format = "yyyy-mm"
    table(
        _("Missed check-ins by office"),
        [_("Office"), compliance["missed"]],
        ([office_label(o, lang), o["missed"]] for o in data["missed_by_office"]),
    )
    channels = data.get("channels")
    if channels:  # only while LINE is on, or when messages of the range went on LINE
        table(
            _("Messages by channel"),
            [_("Channel"), _("Messages")],
            ([label, value] for label, value in channel_rows(channels, lang)),
        )
        for note in channel_notes(channels, lang):
            sheet.append([note])
    sheet.column_dimensions["A"].width = 42
    for column in range(2, 11):
        sheet.column_dimensions[get_column_letter(column)].width = 16

    backtest = data["backtest"]
    sheet = book.create_sheet(pgettext("sheet name", "Backtest")[:31])
    sheet.append([_("Backtest on closed cases")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([backtest_note(lang)])
    sheet.append([_("Closed cases"), backtest["cases"]])
    sheet.append([_("Absconded"), backtest["absconded"]])
    sheet.append([_("Base rate"), backtest["base_rate"]])
    sheet.cell(sheet.max_row, 2).number_format = PERCENT_FORMAT
    sheet.append([])
    sheet.append(backtest_header(lang))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for b in backtest["bands"]:
        sheet.append(backtest_values(b, lang))
        sheet.cell(sheet.max_row, 6).number_format = PERCENT_FORMAT
        sheet.cell(sheet.max_row, 7).number_format = PERCENT_FORMAT
    sheet.column_dimensions["A"].width = 34
    for column in range(2, 8):
        sheet.column_dimensions[get_column_letter(column)].width = 18

    neutralise_formulas(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
