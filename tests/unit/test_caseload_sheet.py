"""The import's pure parts: the template's headers, cells to values, the era rule, reading
CSV and XLSX, and a ZIP of photos (examples and properties)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting_api.caseload_sheet import (
    COLUMNS,
    REQUIRED,
    SheetRefused,
    date_cell,
    header_keys,
    read_csv,
    read_xlsx,
    template_csv,
    template_xlsx,
    year_era,
)
from reporting_api.errors import InvalidInput
from reporting_api.photo_zip import ZipRefused, read_photos
from reporting_api.services.caseload_import import parse_row
from reporting_api.thai_dates import input_date_text

TODAY = date(2026, 12, 3)
HEADER_FORMS = st.sampled_from(["header", "th", "en", "key"])


def header_of(column, form: str) -> str:
    return {"header": column.header, "th": column.th, "en": column.en, "key": column.key}[form]


@given(
    st.permutations(COLUMNS), st.lists(HEADER_FORMS, min_size=len(COLUMNS), max_size=len(COLUMNS))
)
def test_any_order_and_any_form_of_the_headers_is_read(columns, forms) -> None:
    header = [
        f"  {header_of(c, f).upper() if f == 'en' else header_of(c, f)} "
        for c, f in zip(columns, forms, strict=True)
    ]
    assert header_keys(header) == [c.key for c in columns]


@given(st.sets(st.sampled_from(REQUIRED), min_size=1))
def test_a_missing_required_column_is_named(missing) -> None:
    header = [c.header for c in COLUMNS if c.key not in missing]
    with pytest.raises(SheetRefused) as refused:
        header_keys(header)
    assert "missing columns" in refused.value.reason
    for key in missing:
        assert next(c.en for c in COLUMNS if c.key == key) in refused.value.reason


def test_unknown_and_doubled_columns_refuse_the_file() -> None:
    with pytest.raises(SheetRefused, match="unknown columns: Nickname"):
        header_keys([*(c.header for c in COLUMNS), "Nickname"])
    with pytest.raises(SheetRefused, match="columns given twice"):
        header_keys([*(c.header for c in COLUMNS), "national_id"])


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_a_date_reads_the_same_in_either_era(day: date) -> None:
    be = input_date_text(day)
    ce = f"{day.day:02d}/{day.month:02d}/{day.year}"
    assert date_cell({"d": be}, "d") == day
    if day.year < 2400:  # a C.E. year above it would read as B.E.
        assert date_cell({"d": ce}, "d") == day
        assert year_era(ce) == "ce"
    assert year_era(be) == "be"
    assert date_cell({"d": day.isoformat()}, "d") == day or day.year > 2400


def test_an_empty_date_cell_is_none_and_a_wrong_one_names_the_column() -> None:
    assert date_cell({}, "release_date") is None
    with pytest.raises(InvalidInput) as refused:
        date_cell({"release_date": "31/02/2569"}, "release_date")
    assert refused.value.field == "release_date"


def good_cells(**overrides: str) -> dict[str, str]:
    cells = {
        "national_id": "1101700000010",
        "first_name_th": "สมชาย",
        "last_name_th": "ใจดี",
        "date_of_birth": "17/05/2533",
        "phone": "0812345678",
        "consent": "ใช่",
        "court": "ศาลอาญา",
        "black_case_number": "อ.1/2569",
        "charge": "ลักทรัพย์",
        "bail_amount": "50000",
        "release_date": "01/11/2569",
        "every_days": "30",
        "start_date": "15/12/2569",
        "end_date": "15/06/2570",
    }
    cells.update(overrides)
    return cells


def test_a_good_row_gives_the_enrolment_services_values() -> None:
    values, problems = parse_row(good_cells(bail_amount="1,234.5"), TODAY)
    assert problems == [] and values is not None
    assert values.defendant.date_of_birth == date(1990, 5, 17)
    assert values.defendant.phone == "+66812345678"
    assert str(values.case["bail_amount"]) == "1234.50"
    assert values.plan.start_date == date(2026, 12, 15) and values.plan.every_days == 30


@given(
    st.sampled_from(["date_of_birth", "release_date", "start_date", "end_date"]),
    st.booleans(),
)
def test_a_row_that_mixes_eras_names_the_odd_date(key: str, odd_in_ce: bool) -> None:
    cells = good_cells()
    if not odd_in_ce:  # every date C.E. but one in B.E.
        for k in ("date_of_birth", "release_date", "start_date", "end_date"):
            d, m, y = cells[k].split("/")
            cells[k] = f"{d}/{m}/{int(y) - 543}"
    d, m, y = cells[key].split("/")
    cells[key] = f"{d}/{m}/{int(y) - 543 if odd_in_ce else int(y) + 543}"
    _, problems = parse_row(cells, TODAY)
    era = [p for p in problems if "era" in p.reason]
    assert [p.field for p in era] == [key]


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([c.key for c in COLUMNS]), st.text(max_size=40)))
def test_no_row_crashes_the_check(cells: dict[str, str]) -> None:
    values, problems = parse_row(cells, TODAY)
    assert (values is None) == bool(problems)
    for problem in problems:
        assert problem.field and problem.reason and problem.reason_th


def test_the_templates_read_back_as_a_valid_row() -> None:
    for rows in (
        read_csv(io.BytesIO(template_csv(TODAY))),
        read_xlsx(io.BytesIO(template_xlsx(TODAY))),
    ):
        (row,) = list(rows)
        values, problems = parse_row(row.cells, TODAY)
        assert problems == [], problems


def test_a_csv_with_semicolons_and_blank_lines_is_read() -> None:
    text = (
        ";".join(c.header for c in COLUMNS)
        + "\n\n"
        + ";".join(good_cells().get(c.key, "") for c in COLUMNS)
        + "\n;;;\n"
    )
    rows = list(read_csv(io.BytesIO(text.encode("utf-8"))))
    assert [r.line for r in rows] == [3]
    assert rows[0].cells["court"] == "ศาลอาญา"


def _zip(entries: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    out.seek(0)
    return out


def test_zip_entries_are_bounded_and_named() -> None:
    entries = list(
        read_photos(
            _zip(
                {
                    "a/1101700000010.JPG": b"\xff\xd8\xff" + b"x" * 100,
                    "1101700000010.gif": b"GIF89a",
                    "big/3101700000010.png": b"\0" * (3 * 1024 * 1024),
                    "__MACOSX/._1101700000010.jpg": b"",
                }
            ),
            max_bytes=2 * 1024 * 1024,
        )
    )
    assert [(e.national_id, e.problem is None) for e in entries] == [
        ("1101700000010", True),
        (None, False),
        ("3101700000010", False),
    ]
    assert "larger than 2 MB" in entries[2].problem.reason


@settings(max_examples=50)
@given(st.binary(max_size=600))
def test_any_bytes_as_a_zip_are_refused_or_read_never_a_crash(data: bytes) -> None:
    try:
        for entry in read_photos(io.BytesIO(b"PK\x03\x04" + data), max_bytes=1024):
            assert entry.data is None or len(entry.data) <= 1024
    except ZipRefused as refused:
        assert refused.reason and refused.reason_th


def test_a_release_date_far_ahead_is_refused_relative_to_today() -> None:
    later = TODAY + timedelta(days=60)
    _, problems = parse_row(good_cells(release_date=input_date_text(later)), TODAY)
    assert [p.field for p in problems] == ["release_date"]
