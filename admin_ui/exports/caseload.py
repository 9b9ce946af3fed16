"""The caseload as an Excel workbook: the people the caseload page's filters select, each
with their case, next check-in and open flags; headers in Thai and English, dates in the
Buddhist era (as text) and as dates.

Written row by row in openpyxl's write-only mode, a batch at a time as the service reads
them (`CaseloadSheet.add`), so a large office's export never holds every row as cells. Text
that starts like a formula is stored as quote-prefixed text, as `neutralise_formulas` does
for the other workbooks."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from admin_ui.exports.xlsx import FORMULA_STARTS
from admin_ui.labels import labels
from admin_ui.web import date_text
from reporting_api.phones import format_thai_mobile_display

if TYPE_CHECKING:
    from openpyxl.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from reporting_api.services.caseload import CaseloadEntry

HEADER = (
    "ชื่อ-นามสกุล / Name",
    "เลขประจำตัวประชาชน / National ID",
    "โทรศัพท์ / Mobile",
    "สำนักงาน / Office",
    "คดีหมายเลขดำ / Black case number",
    "สถานะคดี / Case status",
    "จำนวนคดี / Cases",
    "รายงานตัวครั้งถัดไป (พ.ศ.) / Next check-in (B.E.)",
    "รายงานตัวครั้งถัดไป / Next check-in (date)",
    "สถานะการรายงานตัว / Check-in status",
    "การแจ้งเตือนที่ยังไม่ปิด / Open flags",
    "SMS",
)
WIDTHS = (28, 20, 14, 30, 18, 14, 8, 22, 14, 18, 10, 8)
SORT_WORDS = {
    "name": "ชื่อ / name",
    "due": "กำหนดรายงานตัว / next check-in due",
    "status": "สถานะ / status",
}
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _phone(e164: str) -> str:
    try:
        return format_thai_mobile_display(e164)
    except Exception:  # a number stored before the rule: shown as it is
        return e164


class CaseloadSheet:
    """One workbook being written: `add` each batch of people, then `finish`."""

    def __init__(self, lang: str, *, q: str, sort: str) -> None:
        from openpyxl import Workbook

        self.words = labels(lang)
        self.book = Workbook(write_only=True)
        self.sheet: WriteOnlyWorksheet = self.book.create_sheet("caseload")
        for n, width in enumerate(WIDTHS):
            self.sheet.column_dimensions[chr(ord("A") + n)].width = width
        filters = [f"ค้นหา / search: {q}"] if q else []
        filters.append(f"เรียงตาม / sorted by: {SORT_WORDS.get(sort, sort)}")
        self._append(["ผู้อยู่ในความดูแล / Caseload", " · ".join(filters)])
        self._append(list(HEADER), bold=True)

    def _cell(self, value: Any, *, bold: bool = False) -> Cell:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)
        return cell

    def _append(self, values: Sequence[Any], *, bold: bool = False) -> None:
        self.sheet.append([self._cell(v, bold=bold) for v in values])

    def add(self, rows: Sequence[CaseloadEntry]) -> None:
        words = self.words
        for row in rows:
            due = self._cell(row["next_due_date"])
            due.number_format = "yyyy-mm-dd"
            cells = [
                self._cell(value)
                for value in (
                    f"{row['title_th']}{row['first_name_th']} {row['last_name_th']}",
                    row["national_id_masked"],
                    _phone(row["phone"]),
                    f"{row['office_code']} {row['office_name_th']}",
                    row["black_case_number"] or "",
                    words.case_status.get(row["case_status"] or "", row["case_status"] or ""),
                    row["case_count"],
                    date_text("th", row["next_due_date"]),
                )
            ]
            cells.append(due)
            cells += [
                self._cell(value)
                for value in (
                    words.check_in_status.get(row["next_status"] or "", ""),
                    row["unresolved_flags"],
                    "ปิด / off" if row["sms_opt_out"] else "เปิด / on",
                )
            ]
            self.sheet.append(cells)

    def finish(self, *, truncated_at: int | None) -> bytes:
        if truncated_at is not None:
            self._append(
                [
                    f"(ตัดที่ {truncated_at:,} คน: โปรดค้นหาให้แคบลง / "
                    f"cut at {truncated_at:,} people: narrow the search)"
                ]
            )
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()
