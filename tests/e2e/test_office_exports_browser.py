"""The rest of an office's first day in headless Chromium (issue 13): an officer sees on Today
that a recording has waited for review past its deadline in working hours; the sweep sends it
to a manager, who finds it among the escalated flags; the officer downloads the caseload as
Excel and a person's reporting history for a court as a PDF (read back with openpyxl and
pdftotext). Screenshots: test-output/e2e-admin/<test>/NN-step.png.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from reporting_api.clock import utcnow
from reporting_api.services.sweep import sweep
from reporting_api.tables import CheckIn, Flag
from reporting_api.thai_dates import bangkok_today, buddhist_year
from tests.admin.test_officer_pages import add_attempt, person_with_plan
from tests.conftest import settings_for_test
from tests.e2e.admin_data import admin_server
from tests.e2e.test_admin_browser import desktop_page, log_in, text_of
from tests.e2e.test_admin_browser import shots as shots  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.db, pytest.mark.browser, pytest.mark.timeout(600)]


def test_a_late_review_escalates_and_the_exports_download(
    api, database_url, chromium_path, shots, tmp_path
):
    world = person_with_plan(api, first_name_th="ประภา", last_name_th="ส่งศาล")
    person, case = world["defendant"], world["case"]
    past, _ = world["check_ins"]
    # A recording the machine sent to an officer thirty days ago: past any deadline. Its
    # check-in waits for review (never "missed" while it does).
    add_attempt(past, case, utcnow() - timedelta(days=30))
    CheckIn.update({CheckIn.status: "pending_review"}).where(CheckIn.id == past["id"]).run_sync()

    with admin_server(database_url) as base:
        with desktop_page(chromium_path) as page:
            log_in(page, base, "officer_bkk", shots, "/admin/")
            wait = page.locator(".oldest-wait")
            assert "เกินกำหนด" in text_of(wait)
            wait.scroll_into_view_if_needed()
            shots.take(page, "today-review-overdue")

            page.goto(f"{base}/admin/caseload?q=ประภา")
            with page.expect_download() as download:
                page.click("#caseload-xlsx")
            book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
            rows = [[c.value for c in r] for r in book.worksheets[0].iter_rows()]
            names = [str(r[0]) for r in rows if r and r[0] and "ประภา" in str(r[0])]
            assert len(names) == 1
            shots.take(page, "caseload-search")

            page.goto(f"{base}/admin/defendants/{person['id']}")
            with page.expect_download() as download:
                page.click("#court-pdf")
            pdf = tmp_path / "court.pdf"
            download.value.save_as(pdf)
            text = subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout
            assert "ประภา" in text and case["black_case_number"] in text
            assert str(buddhist_year(bangkok_today(utcnow()))) in text
            shots.take(page, "person-page")

        # The scheduler's sweep (outside the browser: Playwright holds this thread's loop).
        report = asyncio.run(sweep(utcnow(), settings_for_test(database_url)))
        assert report is not None
        (flag,) = (
            Flag.select(Flag.id, Flag.escalated_to)
            .where((Flag.case == case["id"]) & (Flag.kind == "review_overdue"))
            .run_sync()
        )
        assert flag["escalated_to"] is not None
        status = CheckIn.select(CheckIn.status).where(CheckIn.id == past["id"]).first().run_sync()
        assert status["status"] == "pending_review"  # the sweep did not make it "missed"

        with desktop_page(chromium_path) as page:
            log_in(page, base, "manager", shots, "/admin/reports")
            page.goto(f"{base}/admin/flags/{flag['id']}")
            shown = text_of(page.locator("main"))
            assert "เกินกำหนด" in shown and "ประภา" in shown, shown
            shots.take(page, "manager-sees-the-overdue-review")
