"""The caseload import pages on both databases: the templates, the dry run's table, the write
with its progress page, the report, and who may see what."""

from __future__ import annotations

import csv
import io
import time

import openpyxl

from reporting_api.caseload_sheet import COLUMNS
from reporting_api.tables import Defendant, ImportJob
from tests.admin.test_officer_pages import audit_rows
from tests.db.test_caseload_import import csv_file, person_row


def upload(browser, content: bytes, name: str = "caseload.csv", photos: bytes | None = None):
    files = {"file": (name, content, "text/csv")}
    if photos is not None:
        files["photos"] = ("photos.zip", photos, "application/zip")
    return browser.post_form("/admin/import", "/admin/import", {}, files=files)


def wait_done(browser, url: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        html = browser.client.get(url).text
        if 'id="import-done"' in html:
            return html
        assert 'http-equiv="refresh"' in html  # the running page follows its progress
        time.sleep(0.3)
    raise AssertionError("the import did not finish")


def test_the_templates_carry_every_column_in_thai_and_english(site):
    browser, _ = site
    browser.as_("officer_bkk")
    page = browser.client.get("/admin/import")
    assert page.status_code == 200 and 'href="/admin/import/template.xlsx"' in page.text
    sheet = browser.client.get("/admin/import/template.csv")
    assert sheet.headers["content-disposition"].startswith("attachment")
    header = next(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert header == [c.header for c in COLUMNS] and "เลขประจำตัวประชาชน / National ID" in header
    book = openpyxl.load_workbook(
        io.BytesIO(browser.client.get("/admin/import/template.xlsx").content)
    )
    assert [c.value for c in book.worksheets[0][1]] == header
    # The template's own example row is valid: an officer who fills it in the same way is
    # not refused for the format.
    dry = upload(browser, browser.client.get("/admin/import/template.csv").content)
    assert dry.status_code == 303
    html = browser.client.get(dry.headers["location"]).text
    assert 'id="rows-total">1<' in html and 'id="rows-valid">1<' in html, html


def test_dry_run_then_import_then_the_same_file_again(site):
    browser, api = site
    browser.as_("officer_bkk")
    rows = [person_row() for _ in range(4)] + [person_row(national_id="1101700000014")]
    content = csv_file(rows).getvalue()
    checked = upload(browser, content)
    assert checked.status_code == 303
    job_url = checked.headers["location"]
    html = browser.client.get(job_url).text
    assert 'id="rows-total">5<' in html and 'id="rows-valid">4<' in html
    assert 'data-line="6"' in html and 'data-field="national_id"' in html
    assert "เลขตรวจสอบ" in html  # the check digit's reason, in Thai first
    assert (
        Defendant.count()
        .where(Defendant.national_id.is_in([r["national_id"] for r in rows]))
        .run_sync()
        == 0
    )
    run = browser.post_form(job_url, f"{job_url}/run", {})
    assert run.status_code == 303
    done = wait_done(browser, job_url)
    assert "Created 4" in done or "สร้าง 4" in done
    again = upload(browser, content)
    second = again.headers["location"]
    assert 'id="rows-existing">4<' in browser.client.get(second).text
    browser.post_form(second, f"{second}/run", {})
    done = wait_done(browser, second)
    assert "Created 0" in done or "สร้าง 0" in done
    report = browser.client.get(f"{job_url}/report.csv")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert len(lines) == 6
    job_id = int(job_url.rsplit("/", 1)[1])
    assert audit_rows(api, "import.check", job_id) and audit_rows(api, "import.done", job_id)
    # Another office sees nothing of it; nor does a manager.
    browser.as_("officer_cnx")
    assert browser.client.get(job_url).status_code == 404
    assert browser.client.get(f"{job_url}/report.csv").status_code == 404
    browser.as_("manager")
    assert browser.client.get("/admin/import").status_code == 403


def test_an_unreadable_file_is_refused_on_the_page_naming_why(site):
    browser, _ = site
    browser.as_("officer_bkk")
    jobs_before = ImportJob.count().run_sync()
    refused = upload(browser, "ชื่อเล่น\n".encode(), "caseload.csv")
    assert refused.status_code == 400
    assert 'id="import-error"' in refused.text and "ไม่รู้จักคอลัมน์" in refused.text
    assert ImportJob.count().run_sync() == jobs_before


def test_people_imported_without_a_photo_are_listed_on_today_until_they_have_one(site):
    browser, api = site
    browser.as_("officer_bkk")
    rows = [person_row(), person_row()]
    checked = upload(browser, csv_file(rows).getvalue())
    job_url = checked.headers["location"]
    browser.post_form(job_url, f"{job_url}/run", {})
    wait_done(browser, job_url)
    people = (
        Defendant.select(Defendant.id)
        .where(Defendant.national_id.is_in([r["national_id"] for r in rows]))
        .run_sync()
    )
    today = browser.client.get("/admin/").text
    assert 'id="needs-photo"' in today
    for person in people:
        assert f'id="needs-photo-{person["id"]}"' in today
    # A photo added on the person's page takes them off the list.
    from tests.conftest import id_photo_bytes

    added = api.request(
        "officer_bkk",
        "PUT",
        f"/api/v1/defendants/{people[0]['id']}/photo",
        files={"photo": ("photo.jpg", id_photo_bytes(), "image/jpeg")},
    )
    assert added.status_code in (200, 204), added.text
    today = browser.client.get("/admin/").text
    assert f'id="needs-photo-{people[0]["id"]}"' not in today
    assert f'id="needs-photo-{people[1]["id"]}"' in today
    # Another office's Today page does not list them.
    browser.as_("officer_cnx")
    assert f'id="needs-photo-{people[1]["id"]}"' not in browser.client.get("/admin/").text
