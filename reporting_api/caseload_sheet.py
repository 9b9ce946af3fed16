"""An office's caseload as a spreadsheet: the import template's columns, reading CSV and XLSX
files row by row (never the whole file at once), and turning each cell's text into a value.

Pure: files in, rows of text out; a cell that cannot be read is an InvalidInput naming the
column, in English and Thai, as the enrolment form would say it. The rules a row must then
keep (check digit, mobile number, office, plan...) are the enrolment service's, applied by
`services.caseload_import`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from reporting_api.errors import InvalidInput
from reporting_api.thai_dates import FIRST_BUDDHIST_YEAR, input_date_text, parse_date_input


@dataclass(frozen=True)
class Column:
    key: str
    th: str
    en: str
    required: bool = False
    example: str = ""

    @property
    def header(self) -> str:
        """The template's header cell: Thai, then English."""
        return f"{self.th} / {self.en}"


COLUMNS: tuple[Column, ...] = (
    Column("national_id", "เลขประจำตัวประชาชน", "National ID", True, "1101700000010"),
    Column("title_th", "คำนำหน้า", "Title", False, "นาย"),
    Column("sex", "เพศ (ชาย/หญิง/ไม่ระบุ)", "Sex (male/female/not stated)", False, ""),
    Column("first_name_th", "ชื่อ", "First name (Thai)", True, "สมชาย"),
    Column("last_name_th", "นามสกุล", "Last name (Thai)", True, "ใจดี"),
    Column("first_name_en", "ชื่อ (อังกฤษ)", "First name (English)", False, "Somchai"),
    Column("last_name_en", "นามสกุล (อังกฤษ)", "Last name (English)", False, "Jaidee"),
    Column("date_of_birth", "วันเกิด", "Date of birth", True, "15/01/2533"),
    Column("phone", "เบอร์โทรศัพท์มือถือ", "Mobile number", True, "0812345678"),
    Column("preferred_language", "ภาษา (th/en)", "Language (th/en)", False, "th"),
    Column("consent", "ได้รับความยินยอม PDPA", "PDPA consent", True, "ใช่"),
    Column("office_code", "รหัสสำนักงาน", "Office code", False, ""),
    Column("court", "ศาล", "Court", True, "ศาลอาญา"),
    Column("black_case_number", "คดีหมายเลขดำ", "Black case number", True, "อ.1234/2569"),
    Column("red_case_number", "คดีหมายเลขแดง", "Red case number", False, ""),
    Column("charge", "ข้อหา", "Charge", True, "ลักทรัพย์"),
    Column("bail_amount", "จำนวนเงินประกัน (บาท)", "Bail amount (baht)", True, "50000"),
    Column("release_date", "วันที่ได้รับการปล่อยตัว", "Release date", True, "01/11/2569"),
    Column("conditions", "เงื่อนไข", "Conditions", False, ""),
    Column("every_days", "รายงานตัวทุก (วัน)", "Report every (days)", True, "30"),
    Column("start_date", "เริ่มแผน", "Plan starts", True, "15/12/2569"),
    Column("end_date", "สิ้นสุดแผน", "Plan ends", True, "15/12/2570"),
    Column(
        "window_opens_days_before", "เปิดให้รายงานก่อน (วัน)", "Window opens (days before)",
        False, "2",
    ),
    Column("grace_days", "ผ่อนผันหลังกำหนด (วัน)", "Grace (days after)", False, "2"),
    Column("next_court_date", "วันนัดศาลครั้งถัดไป", "Next court date", False, ""),
)  # fmt: skip
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)
MAX_CELL_CHARS = 2000
"""A cell longer than this is refused (the longest field, a charge, takes 2,000)."""
MAX_COLUMNS = 60

_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    return _SPACES.sub(" ", (text or "").strip()).casefold()


_HEADER_NAMES: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.key, _c.th, _c.en, _c.header, f"{_c.th}/{_c.en}"):
        _HEADER_NAMES[_fold(_name)] = _c.key


class SheetRefused(Exception):
    """The file as a whole cannot be read (no header, unknown or missing columns, not UTF-8,
    not a spreadsheet): nothing in it is imported."""

    def __init__(self, reason: str, reason_th: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_th = reason_th


@dataclass(frozen=True)
class SheetRow:
    """One data row: its line in the file (the header is line 1) and its cells by column key
    (text, stripped; a column the file does not have is absent)."""

    line: int
    cells: dict[str, str]


def header_keys(header: list[Any]) -> list[str | None]:
    """The column key of each header cell (None for an empty trailing one); SheetRefused
    naming any header that is not a template column, or a required column that is missing."""
    keys: list[str | None] = []
    unknown = []
    for cell in header[:MAX_COLUMNS]:
        text = "" if cell is None else str(cell)
        if not text.strip():
            keys.append(None)
            continue
        key = _HEADER_NAMES.get(_fold(text))
        if key is None:
            unknown.append(text.strip()[:60])
        keys.append(key)
    if len(header) > MAX_COLUMNS:
        raise SheetRefused(
            f"the file has more than {MAX_COLUMNS} columns", f"ไฟล์มีเกิน {MAX_COLUMNS} คอลัมน์"
        )
    if unknown:
        names = ", ".join(unknown)
        raise SheetRefused(
            f"unknown columns: {names}; use the template's headers",
            f"ไม่รู้จักคอลัมน์: {names} โปรดใช้หัวตารางตามแบบฟอร์ม",
        )
    seen = [k for k in keys if k]
    twice = sorted({k for k in seen if seen.count(k) > 1})
    if twice:
        names = ", ".join(COLUMN_BY_KEY[k].header for k in twice)
        raise SheetRefused(f"columns given twice: {names}", f"มีคอลัมน์ซ้ำ: {names}")
    missing = [COLUMN_BY_KEY[k] for k in REQUIRED if k not in seen]
    if missing:
        raise SheetRefused(
            "missing columns: " + ", ".join(c.en for c in missing),
            "ไม่มีคอลัมน์: " + ", ".join(c.th for c in missing),
        )
    return keys


def _cell_text(value: Any) -> str:
    """A cell as text: Excel dates as day/month/B.E. year, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return input_date_text(value.date())
    if isinstance(value, date):
        return input_date_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _row(keys: list[str | None], values: list[Any], line: int) -> SheetRow | None:
    cells = {}
    for key, value in zip(keys, values, strict=False):
        if key is not None:
            cells[key] = _cell_text(value)[: MAX_CELL_CHARS + 1]
    if not any(cells.values()):
        return None  # a blank line
    return SheetRow(line, cells)


def read_csv(stream: IO[bytes]) -> Iterator[SheetRow]:
    """The rows of a CSV file (UTF-8, with or without Excel's byte-order mark; comma,
    semicolon or tab between cells), one at a time."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        first = text.readline()
        if not first.strip():
            raise SheetRefused("the file is empty", "ไฟล์ว่างเปล่า")
        delimiter = max((",", ";", "\t"), key=first.count)
        header = next(csv.reader([first], delimiter=delimiter))
        keys = header_keys(header)
        reader = csv.reader(text, delimiter=delimiter)
        for index, values in enumerate(reader, start=2):
            row = _row(keys, values, index)
            if row is not None:
                yield row
    except UnicodeDecodeError:
        raise SheetRefused(
            "the file is not UTF-8 text: in Excel choose Save As, then 'CSV UTF-8'",
            "ไฟล์ไม่ได้บันทึกเป็น UTF-8 ใน Excel ให้เลือก บันทึกเป็น แล้วเลือก 'CSV UTF-8'",
        ) from None
    except csv.Error as error:
        raise SheetRefused(
            f"the CSV file cannot be read: {error}", f"อ่านไฟล์ CSV ไม่ได้: {error}"
        ) from None
    finally:
        try:
            text.detach()  # the caller closes its own stream
        except ValueError:
            pass  # closed already


def read_xlsx(stream: IO[bytes]) -> Iterator[SheetRow]:
    """The rows of the first sheet of an XLSX workbook, one at a time (openpyxl's read-only
    mode: the sheet is parsed as it is read, not loaded whole)."""
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError):
        raise SheetRefused(
            "the file is not an Excel workbook (.xlsx)", "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx)"
        ) from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise SheetRefused("the sheet is empty", "แผ่นงานว่างเปล่า")
        keys = header_keys(list(header))
        for index, values in enumerate(rows, start=2):
            row = _row(keys, list(values), index)
            if row is not None:
                yield row
    finally:
        book.close()


def read_sheet(stream: IO[bytes], kind: str) -> Iterator[SheetRow]:
    if kind == "xlsx":
        return read_xlsx(stream)
    if kind == "csv":
        return read_csv(stream)
    raise SheetRefused(
        "the file must be .csv or .xlsx", "ไฟล์ต้องเป็น .csv หรือ .xlsx"
    )  # pragma: no cover - callers pass one of the two


def kind_of(filename: str, head: bytes) -> str:
    """``xlsx`` or ``csv`` from the file's first bytes (an XLSX is a ZIP), checked against its
    name; SheetRefused for anything else."""
    name = (filename or "").lower()
    is_zip = head.startswith(b"PK\x03\x04")
    if name.endswith(".xlsx") and is_zip:
        return "xlsx"
    if name.endswith(".csv") and not is_zip and b"\x00" not in head:
        return "csv"
    raise SheetRefused(
        "the file must be a .csv (UTF-8) or an .xlsx workbook, as the template",
        "ไฟล์ต้องเป็น .csv (UTF-8) หรือ .xlsx ตามแบบฟอร์ม",
    )


# --- cells to values ---------------------------------------------------------------------


def text(cells: dict[str, str], key: str, *, limit: int = 200) -> str:
    value = cells.get(key, "").strip()
    if len(value) > limit:
        raise InvalidInput(key, f"must be at most {limit} characters", f"ยาวเกิน {limit} ตัวอักษร")
    return value


def required(cells: dict[str, str], key: str, *, limit: int = 200) -> str:
    value = text(cells, key, limit=limit)
    if not value:
        raise InvalidInput(key, "is required", "ต้องกรอก")
    return value


def date_cell(cells: dict[str, str], key: str) -> date | None:
    """A date typed as on the forms (15/01/2570 or 15/01/2027, or 2027-01-15), or None when
    the cell is empty."""
    value = cells.get(key, "").strip()
    if not value:
        return None
    return parse_date_input(value, key)


def year_era(cell: str) -> str | None:
    """``be`` or ``ce`` for the era a date cell's year is written in; None if it has none."""
    years = re.findall(r"[0-9๐-๙]{4}", cell or "")
    if not years:
        return None
    year = int(years[-1].translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))
    return "be" if year > FIRST_BUDDHIST_YEAR else "ce"


def whole_number(cells: dict[str, str], key: str, default: int | None, low: int, high: int) -> int:
    value = cells.get(key, "").strip().replace(",", "")
    if not value:
        if default is None:
            raise InvalidInput(key, "is required", "ต้องกรอก")
        return default
    if not re.fullmatch(r"[0-9]{1,6}", value):
        raise InvalidInput(key, "must be a whole number", "ต้องเป็นจำนวนเต็ม")
    number = int(value)
    if not low <= number <= high:
        raise InvalidInput(key, f"must be from {low} to {high}", f"ต้องอยู่ระหว่าง {low} ถึง {high}")
    return number


def amount(cells: dict[str, str], key: str) -> Decimal:
    value = cells.get(key, "").strip().replace(",", "").replace("฿", "").strip()
    if not value:
        raise InvalidInput(key, "is required", "ต้องกรอก")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise InvalidInput(
            key, "must be an amount in baht, e.g. 50000", "ต้องเป็นจำนวนเงินบาท เช่น 50000"
        ) from None


_YES = {"1", "y", "yes", "true", "ใช่", "ให้", "ยินยอม", "x", "✓"}
_NO = {"", "0", "n", "no", "false", "ไม่", "ไม่ใช่", "ไม่ยินยอม"}


def yes_no(cells: dict[str, str], key: str) -> bool:
    value = _fold(cells.get(key, ""))
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise InvalidInput(key, "must be yes or no (ใช่ / ไม่)", "ต้องเป็น ใช่ หรือ ไม่")


# --- the template ------------------------------------------------------------------------


def example_row(today: date) -> list[str]:
    """The template's example row, its dates near ``today`` (Buddhist era), so that the
    example itself passes the checks."""
    from datetime import timedelta

    dates = {
        "release_date": today - timedelta(days=30),
        "start_date": today + timedelta(days=7),
        "end_date": today + timedelta(days=7 + 365),
    }
    return [input_date_text(dates[c.key]) if c.key in dates else c.example for c in COLUMNS]


def template_csv(today: date) -> bytes:
    """The CSV template: the headers and one example row (UTF-8 with a byte-order mark, so
    Excel opens the Thai correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow(example_row(today))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(today: date) -> bytes:
    """The XLSX template: headers, one example row, and a second sheet explaining each
    column (required or not, the example)."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "caseload"
    sheet.append([c.header for c in COLUMNS])
    # Dates and numbers are text cells, as typed: Excel would turn 0812345678 into a number.
    sheet.append(example_row(today))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.number_format = "@"
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.header) * 0.9)
    help_sheet = book.create_sheet("คำอธิบาย (help)")
    help_sheet.append(["คอลัมน์ / Column", "ต้องกรอก / Required", "ตัวอย่าง / Example"])
    for column, example in zip(COLUMNS, example_row(today), strict=True):
        help_sheet.append([column.header, "ใช่ / yes" if column.required else "-", example])
    help_sheet.append([])
    help_sheet.append(
        [
            "วันที่: วว/ดด/ปปปป ปี พ.ศ. หรือ ค.ศ. (ทุกวันที่ในแถวเดียวกันใช้ปีแบบเดียวกัน) / "
            "Dates: dd/mm/yyyy, Buddhist or Christian era (one era within a row)"
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
