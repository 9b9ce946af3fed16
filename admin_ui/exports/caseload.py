"""The caseload as an Excel workbook: the people the caseload page's filters select, each
with their case, next check-in and open flags; headers in Thai and English, dates in the
Buddhist era (as text) and as dates."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from admin_ui.exports.xlsx import neutralise_formulas
from admin_ui.labels import labels
from admin_ui.web import date_text
from reporting_api.phones import format_thai_mobile_display

if TYPE_CHECKING:
    from reporting_api.services.caseload import CaseloadExport

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


def _phone(e164: str) -> str:
    try:
        return format_thai_mobile_display(e164)
    except Exception:  # a number stored before the rule: shown as it is
        return e164


def caseload_xlsx(data: CaseloadExport, lang: str) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    words = labels(lang)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "caseload"
    filters = []
    if data.q:
        filters.append(f"ค้นหา / search: {data.q}")
    filters.append(f"เรียง / sort: {data.sort}")
    sheet.append(["ผู้อยู่ในความดูแล / Caseload", " · ".join(filters)])
    sheet.append(list(HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in data.rows:
        sheet.append(
            [
                f"{row['title_th']}{row['first_name_th']} {row['last_name_th']}",
                row["national_id_masked"],
                _phone(row["phone"]),
                f"{row['office_code']} {row['office_name_th']}",
                row["black_case_number"] or "",
                words.case_status.get(row["case_status"] or "", row["case_status"] or ""),
                row["case_count"],
                date_text("th", row["next_due_date"]) if row["next_due_date"] else "",
                row["next_due_date"],
                words.check_in_status.get(row["next_status"] or "", ""),
                row["unresolved_flags"],
                "ปิด / off" if row["sms_opt_out"] else "เปิด / on",
            ]
        )
        sheet.cell(row=sheet.max_row, column=9).number_format = "yyyy-mm-dd"
    if data.truncated:
        sheet.append(["(ตัดที่ 20,000 คน: โปรดค้นหาให้แคบลง / cut at 20,000 people: narrow the search)"])
    for letter, width in zip(
        "ABCDEFGHIJKL", (28, 20, 14, 30, 18, 14, 8, 22, 14, 18, 10, 8), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    neutralise_formulas(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
