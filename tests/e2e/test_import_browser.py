"""An office's caseload imported from the officers' pages in headless Chromium (issue 13): an
officer of Bangkok downloads the Excel template, fills in 50 people (3 of them wrong: a check
digit, a landline, a row mixing Buddhist- and Christian-era years) with a ZIP of 5 ID photos,
sees the dry run, imports the 47, downloads the report, imports the same file again and gets
nothing new; the people without a photo are listed on Today. Screenshots:
test-output/e2e-admin/<test>/NN-step.png.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest

from reporting_api.national_id import synthetic_national_id
from reporting_api.tables import BailCase, Defendant
from tests.conftest import id_photo_bytes
from tests.e2e.admin_data import admin_server
from tests.e2e.test_admin_browser import desktop_page, log_in, text_of
from tests.e2e.test_admin_browser import shots as shots  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.db, pytest.mark.browser, pytest.mark.timeout(600)]

PEOPLE = 50
PHOTOS = 5


def filled_template(template: Path, folder: Path) -> tuple[Path, Path, list[str]]:
    """The downloaded template with its example row replaced by 50 people (3 wrong), and a
    ZIP of the first five people's photos; the national IDs in order."""
    rng = random.Random(13)
    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    keys = [cell.value for cell in sheet[1]]
    example = {k: sheet.cell(row=2, column=i + 1).value for i, k in enumerate(keys)}
    sheet.delete_rows(2)
    ids = []
    for n in range(PEOPLE):
        row = dict(example)
        ids.append(synthetic_national_id(rng))
        row[keys[0]] = ids[-1]
        row[_key(keys, "Mobile number")] = "08" + str(rng.randint(10_000_000, 99_999_999))
        row[_key(keys, "First name (Thai)")] = f"ทดสอบ{n:02d}"
        row[_key(keys, "Black case number")] = f"อ.{1000 + n}/2569"
        if n == 10:
            row[keys[0]] = ids[-1][:12] + str((int(ids[-1][12]) + 1) % 10)  # check digit
        if n == 20:
            row[_key(keys, "Mobile number")] = "02-123-4567"  # a Bangkok landline
        if n == 30:
            # The birth date in the Christian era, the other dates in the Buddhist era.
            row[_key(keys, "Date of birth")] = "15/01/1990"
        sheet.append([row[k] for k in keys])
    sheet_path = folder / "caseload.xlsx"
    book.save(sheet_path)
    zip_path = folder / "photos.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        for national_id in ids[:PHOTOS]:
            archive.writestr(f"{national_id}.jpg", id_photo_bytes())
    return sheet_path, zip_path, ids


def _key(keys: list[str], english: str) -> str:
    return next(k for k in keys if k.endswith(f"/ {english}"))


def test_an_office_imports_its_caseload(api, database_url, chromium_path, shots, tmp_path):
    with admin_server(database_url) as base, desktop_page(chromium_path) as page:
        log_in(page, base, "officer_bkk", shots, "/admin/")
        page.goto(f"{base}/admin/import")
        with page.expect_download() as download:
            page.click("#template-xlsx")
        template = tmp_path / "template.xlsx"
        download.value.save_as(template)
        shots.take(page, "import-page")
        sheet_path, zip_path, ids = filled_template(template, tmp_path)

        def dry_run() -> None:
            page.goto(f"{base}/admin/import")
            page.set_input_files("input[name=file]", str(sheet_path))
            page.set_input_files("input[name=photos]", str(zip_path))
            with page.expect_navigation():
                page.click("#import-form button")

        dry_run()
        assert text_of(page.locator("#rows-total")) == "50"
        assert text_of(page.locator("#rows-valid")) == "47"
        assert text_of(page.locator("#photos-total")) == "5"
        problems = {
            int(row.get_attribute("data-line")): row.locator("li").first.get_attribute("data-field")
            for row in page.locator("#problem-rows tbody tr").all()
        }
        assert problems == {12: "national_id", 22: "phone", 32: "date_of_birth"}
        assert "เลขตรวจสอบ" in text_of(page.locator("#problem-rows"))
        assert Defendant.count().where(Defendant.national_id.is_in(ids)).run_sync() == 0
        shots.take(page, "dry-run")

        with page.expect_navigation():
            page.click("#run-form button")
        page.wait_for_selector("#import-done", timeout=180_000)  # the page reloads itself
        assert "47" in text_of(page.locator("#import-done"))
        shots.take(page, "imported")
        assert Defendant.count().where(Defendant.national_id.is_in(ids)).run_sync() == 47
        with_photo = Defendant.count().where(
            Defendant.national_id.is_in(ids[:PHOTOS]) & Defendant.id_photo_mime.is_not_null()
        )
        assert with_photo.run_sync() == PHOTOS

        with page.expect_download() as download:
            page.click("#report-link")
        report = Path(download.value.path()).read_bytes().decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(report)))
        assert len(lines) == 1 + PEOPLE
        assert sum("created" in line[3] for line in lines[1:]) == 47
        assert sum("skipped" in line[3] for line in lines[1:]) == 3

        # The same file again: everything is already there.
        dry_run()
        assert text_of(page.locator("#rows-existing")) == "47"
        shots.take(page, "re-import-dry-run")
        with page.expect_navigation():
            page.click("#run-form button")
        page.wait_for_selector("#import-done", timeout=180_000)
        assert "สร้าง 0" in text_of(page.locator("#import-done"))
        shots.take(page, "re-imported")
        people = Defendant.select(Defendant.id).where(Defendant.national_id.is_in(ids))
        cases = BailCase.count().where(
            BailCase.defendant.is_in([p["id"] for p in people.run_sync()])
        )
        assert cases.run_sync() == 47

        # Today lists the 42 people who still need an ID photo.
        page.goto(f"{base}/admin/")
        assert "42" in text_of(page.locator("#needs-photo"))
        page.locator("#needs-photo").scroll_into_view_if_needed()
        shots.take(page, "today-needs-photo")
