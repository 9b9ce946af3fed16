"""The officers' and managers' pages end to end in headless Chromium on a desktop screen.

An officer of Bangkok (TH-10) logs in through the form, finds the missed check-in on Today,
acknowledges its flag with a note, opens the recording waiting for review (the ID photo and the
evidence frames load) and accepts it, and sees the check-in verified on the person's page. A
manager logs in, opens the risk report and downloads it as Excel and PDF through the page's
links; both files carry the rows and names the page shows.

The data comes from the service itself (tests/e2e/admin_data.py): the flag is raised by the
scheduler's sweep, the review item by three still-photo recordings through the real upload flow.
Each step leaves a screenshot in test-output/e2e-admin/<test>/NN-step.png.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from admin_ui.i18n import translations
from admin_ui.labels import labels
from tests.conftest import ROOT, TEST_PASSWORD
from tests.e2e.admin_data import OfficeDay, admin_server, office_day, open_flags
from tests.e2e.conftest import LAUNCH_FLAGS
from tests.e2e.waits import wait_until

pytestmark = [pytest.mark.db, pytest.mark.browser, pytest.mark.timeout(600)]

OUTPUT = ROOT / "test-output" / "e2e-admin"
DESKTOP = {
    "viewport": {"width": 1366, "height": 900},
    "locale": "th-TH",
    "timezone_id": "Asia/Bangkok",
    "accept_downloads": True,
}
# The check-in test's flags without its fake camera: these pages never open one.
FLAGS = [flag for flag in LAUNCH_FLAGS if "media-stream" not in flag]


class Shots:
    """Numbered full-page screenshots in one folder, each page's width, and the steps' times
    (written to run.json beside them)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: list[Path] = []
        self.started = time.monotonic()
        self.steps: list[dict[str, Any]] = []

    def take(self, page: Any, step: str) -> Path:
        path = self.folder / f"{len(self.paths) + 1:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.paths.append(path)
        self.steps.append(
            {
                "step": step,
                "url": page.url,
                "at_s": round(time.monotonic() - self.started, 2),
                "width_px": page.evaluate("document.documentElement.scrollWidth"),
            }
        )
        return path

    def write(self, **timings: float) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        report = json.dumps(
            {"timings_s": {k: round(v, 2) for k, v in timings.items()}, "steps": self.steps},
            ensure_ascii=False,
            indent=1,
        )
        (self.folder / "run.json").write_text(report, encoding="utf-8")
        return report

    def too_wide(self) -> list[dict[str, Any]]:
        """The pages that scroll sideways on the desktop screen."""
        return [s for s in self.steps if s["width_px"] > DESKTOP["viewport"]["width"]]


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    """test-output/e2e-admin/<test name>/, emptied first (the folder is git-ignored)."""
    folder = OUTPUT / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Shots(folder)


@contextmanager
def desktop_page(chromium_path: Path) -> Iterator[Any]:
    """A page in a desktop-sized Thai context of a fresh headless Chromium. Playwright's sync
    API holds an event loop on this thread: nothing may call asyncio.run inside the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=FLAGS
        )
        try:
            context = browser.new_context(**DESKTOP)
            context.set_default_timeout(30_000)
            yield context.new_page()
        finally:
            browser.close()


def log_in(page: Any, base: str, username: str, shots: Shots, lands_on: str) -> None:
    """Open a page, get sent to the login form, log in, and land on ``lands_on``."""
    page.goto(f"{base}/admin/")
    assert page.url.startswith(f"{base}/admin/login"), page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    shots.take(page, "login")
    with page.expect_navigation():
        page.click("form[action='/admin/login'] button[type=submit]")
    if page.url.startswith(f"{base}/admin/login/two-factor"):
        # A manager's first sign-in sets up two-factor: the key under the QR code goes into
        # the authenticator app (pyotp here), its first code confirms it, and the recovery
        # codes are shown once before the page they came for.
        import pyotp

        assert page.locator(".qr svg").count() == 1
        shots.take(page, "two-factor-setup")
        secret = page.locator("code.secret").inner_text()
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        with page.expect_navigation():
            page.click("form[action='/admin/login/two-factor'] button[type=submit]")
        assert page.locator("ul.codes li").count() >= 8, page.content()[:2000]
        shots.take(page, "recovery-codes")
        with page.expect_navigation():
            page.click("a.button")
    # Litestar hands the page its path without the trailing slash: /admin/ comes back as /admin.
    assert page.url.split("?")[0].rstrip("/") == f"{base}{lands_on}".rstrip("/"), page.url
    assert page.locator("html").get_attribute("lang") == "th"


def text_of(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


def loaded_images(page: Any, selector: str) -> list[dict[str, Any]]:
    """Each image's source and natural size, once every one finished loading (or failing)."""
    wait_until(
        page, "sel => [...document.querySelectorAll(sel)].every(img => img.complete)", selector
    )
    return page.eval_on_selector_all(
        selector,
        "imgs => imgs.map(img => ({src: img.getAttribute('src'), width: img.naturalWidth,"
        " height: img.naturalHeight}))",
    )


# The pages run on both databases in tests/admin; in the browser one database is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_officers_day(api, database_url, chromium_path, shots):
    day: OfficeDay = office_day(api, database_url)
    setup_s = time.monotonic() - shots.started
    assert day.waiting is not None
    flags_open = open_flags(api, "officer_bkk")
    missed, waiting = day.missed, day.waiting
    missed_id, waiting_check_in = missed.check_in["id"], waiting.check_in["id"]
    attempt_id = waiting.extra["attempt_id"]
    _, pgettext, th = translations("th").gettext, translations("th").pgettext, labels("th")
    t_today = {"today_title": _("Today"), "see_flags": _("See flags")}
    t_flag = {
        "kind_missed_checkin": th.flag_kind["missed_checkin"],
        "open": pgettext("open the flag", "Open"),
        "flag_open": th.flag_state["open"],
        "flag_acknowledged": th.flag_state["acknowledged"],
        "note": _("Note"),
    }
    t_review = {
        "st_pending_review": th.check_in_status_brief["pending_review"],
        "review_now": _("Review"),
        "decided_accept": th.decided["accept"],
    }
    t_person = {
        "st_verified": th.check_in_status["verified"],
        "m_remote": th.check_in_method["remote"],
    }
    note_flag = "โทรหาแล้ว จะมารายงานตัวที่สำนักงานพรุ่งนี้"
    note_review = "ใบหน้าในภาพตรงกับรูปบัตรประชาชน ยืนยันทางโทรศัพท์แล้ว"

    started = time.monotonic()
    with admin_server(database_url) as base, desktop_page(chromium_path) as page:
        log_in(page, base, "officer_bkk", shots, "/admin/")

        # Today: the missed check-in in its table, the open flags counted on their card.
        assert text_of(page.locator("h1")).startswith(t_today["today_title"])
        card = page.locator("a.card[href='/admin/flags'] .n")
        assert text_of(card) == str(flags_open) and flags_open >= 1
        row = page.locator(f"h2#missed + table tr#checkin-{missed_id}")
        assert missed.name_th in text_of(row)
        assert text_of(page.locator("a.card[href='#missed'] .n")) == "1"
        assert page.locator(f"table#review-queue a[href='/admin/review/{attempt_id}']").count() == 1
        shots.take(page, "today")

        # The flag: from the missed row to the inbox filtered on it, then the flag itself.
        with page.expect_navigation():
            row.locator("a", has_text=t_today["see_flags"]).click()
        assert page.url == f"{base}/admin/flags?check_in_id={missed_id}", page.url
        flag_row = page.locator(f"tr#flag-{day.missed_flag_id}")
        assert missed.name_th in text_of(flag_row)
        assert t_flag["kind_missed_checkin"] in text_of(flag_row)
        assert page.locator("table.flags tbody tr").count() == 1
        shots.take(page, "flags")
        with page.expect_navigation():
            flag_row.locator("a.button", has_text=t_flag["open"]).click()
        flag_url = f"{base}/admin/flags/{day.missed_flag_id}"
        assert page.url == flag_url, page.url
        assert text_of(page.locator("h1 .badge.flag-open")) == t_flag["flag_open"]
        shots.take(page, "flag")

        acknowledge = page.locator(f"form[action='/admin/flags/{day.missed_flag_id}/acknowledge']")
        acknowledge.locator("textarea[name=note]").fill(note_flag)
        with page.expect_navigation():
            acknowledge.locator("button").click()
        assert page.url == flag_url, page.url
        assert text_of(page.locator("h1 .badge.flag-acknowledged")) == t_flag["flag_acknowledged"]
        facts = text_of(page.locator("dl.facts"))
        assert f"{t_flag['note']}: {note_flag}" in facts and "officer_bkk" in facts
        assert acknowledge.count() == 0  # acknowledged once; resolving is what is left
        assert page.locator(f"form[action='/admin/flags/{day.missed_flag_id}/resolve']").count()
        shots.take(page, "flag-acknowledged")

        # The review queue, from the navigation bar.
        with page.expect_navigation():
            page.click("header nav a[href='/admin/review']")
        queue_row = page.locator(f"tr#attempt-{attempt_id}")
        assert waiting.name_th in text_of(queue_row)
        assert t_review["st_pending_review"] in text_of(queue_row)
        shots.take(page, "review-queue")
        with page.expect_navigation():
            queue_row.locator("a.button", has_text=t_review["review_now"]).click()
        assert page.url == f"{base}/admin/review/{attempt_id}", page.url

        # The evidence: the ID photo and every frame really load (not broken images).
        images = loaded_images(page, "section.evidence img")
        assert images[0]["src"] == f"/api/v1/defendants/{waiting.defendant['id']}/photo", images
        frames = [i for i in images[1:] if "/frames/" in i["src"]]
        assert len(frames) == len(images) - 1 and frames, images
        assert all(i["width"] > 0 and i["height"] > 0 for i in images), images
        person_href = page.locator("h1 a").get_attribute("href")
        assert person_href == f"/admin/defendants/{waiting.defendant['id']}"
        shots.take(page, "review-item")

        decide = page.locator(f"form.decide[action='/admin/review/{attempt_id}']")
        decide.locator("textarea[name=note]").fill(note_review)
        with page.expect_navigation():
            decide.locator("button[name=decision][value=accept]").click()
        assert page.url == f"{base}/admin/review?decided=accept", page.url
        notice = text_of(page.locator("p.notice[role=status]"))
        assert notice.startswith(t_review["decided_accept"]), notice
        assert page.locator(f"tr#attempt-{attempt_id}").count() == 0
        shots.take(page, "review-accepted")

        # The person's page: the check-in verified, the recording reviewed with the note.
        page.goto(f"{base}{person_href}")
        check_in = page.locator(f"li#checkin-{waiting_check_in}")
        assert text_of(check_in.locator(".badge.verified")) == t_person["st_verified"]
        assert t_person["m_remote"] in text_of(check_in)
        assert note_review in text_of(page.locator(f"li#attempt-{attempt_id}"))
        shots.take(page, "person-verified")
    browser_s = time.monotonic() - started

    # What the pages did is what the service holds.
    rows = api.request("officer_bkk", "GET", f"/api/v1/cases/{waiting.case['id']}/checkins")
    stored = next(c for c in rows.json() if c["id"] == waiting_check_in)
    assert (stored["status"], stored["method"]) == ("verified", "remote"), stored
    acknowledged = api.request(
        "officer_bkk",
        "GET",
        "/api/v1/flags",
        params={"state": "acknowledged", "case_id": missed.case["id"]},
    ).json()["items"]
    assert [(f["id"], f["acknowledge_note"]) for f in acknowledged] == [
        (day.missed_flag_id, note_flag)
    ]
    report = shots.write(setup_s=setup_s, browser_s=browser_s)
    assert not shots.too_wide(), report
    assert browser_s < 90, report


def report_rows(page: Any) -> list[list[str]]:
    """The ranked table's first seven columns (rank .. band), as the page shows them."""
    return page.eval_on_selector_all(
        "table.report-ranking tbody tr[id^=case-]",
        "rows => rows.map(r => [...r.cells].slice(0, 7).map(c => c.innerText.trim()))",
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_managers_report(api, database_url, chromium_path, shots, tmp_path):
    day = office_day(api, database_url, review=False)
    setup_s = time.monotonic() - shots.started
    _ = translations("th").gettext
    t = {
        "report_title": _("Absconding-risk report"),
        "band_high": labels("th").band["high"],
        "export_xlsx": _("Export Excel"),
        "export_pdf": _("Export PDF"),
        "rank": _("#"),
        "name": _("Name"),
    }
    names = {day.missed.name_th, *(p.name_th for p in day.others)}

    started = time.monotonic()
    with admin_server(database_url) as base, desktop_page(chromium_path) as page:
        # A manager starts at the report.
        log_in(page, base, "manager", shots, "/admin/reports")
        assert text_of(page.locator("h1")) == t["report_title"]
        rows = report_rows(page)
        assert {r[1] for r in rows} == names, rows  # every office's active cases
        assert [r[0] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
        top = rows[0]
        assert top[1] == day.missed.name_th, rows  # missed, big bail, court soon, long quiet
        assert top[6] == t["band_high"], rows
        assert [int(r[5]) for r in rows] == sorted((int(r[5]) for r in rows), reverse=True)
        factors = page.locator(f"tr#case-{day.missed.case['id']} ul.factors li")
        assert "missed_checkin" in factors.evaluate_all("els => els.map(e => e.dataset.factor)")
        shots.take(page, "report")

        xlsx_link = page.locator("a[href^='/admin/reports/export.xlsx']")
        assert text_of(xlsx_link) == t["export_xlsx"]
        with page.expect_download() as xlsx_download:
            xlsx_link.click()
        xlsx = tmp_path / xlsx_download.value.suggested_filename
        xlsx_download.value.save_as(xlsx)
        pdf_link = page.locator("a[href^='/admin/reports/export.pdf']")
        assert text_of(pdf_link) == t["export_pdf"]
        with page.expect_download() as pdf_download:
            pdf_link.click()
        pdf = tmp_path / pdf_download.value.suggested_filename
        pdf_download.value.save_as(pdf)
        assert page.url.startswith(f"{base}/admin/reports"), page.url  # downloads stay put
    browser_s = time.monotonic() - started
    for export in (xlsx, pdf):  # kept beside the screenshots for a person to open
        shutil.copy(export, shots.folder / export.name)

    assert xlsx.suffix == ".xlsx" and pdf.suffix == ".pdf", (xlsx, pdf)
    from openpyxl import load_workbook

    book = load_workbook(xlsx, read_only=True)  # read-only books keep the file open
    try:
        lines = [
            ["" if v is None else str(v).strip() for v in line[:7]]
            for line in book.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        book.close()
    assert lines[0][:2] == [t["rank"], t["name"]], lines[0]
    assert lines[1 : 1 + len(rows)] == rows, (lines, rows)

    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    flat = " ".join(text.split())
    assert top[1] in flat, f"{top[1]!r} not in the PDF's text:\n{text[:3000]}"
    assert t["report_title"] in flat
    # The PDF's first page as a picture beside the page's screenshots.
    picture = shots.folder / f"{len(shots.paths) + 1:02d}-export-pdf"
    render = "pdftoppm -png -r 80 -f 1 -l 1 -singlefile".split()
    subprocess.run([*render, str(pdf), str(picture)], check=True, timeout=60)
    report = shots.write(setup_s=setup_s, browser_s=browser_s)
    assert not shots.too_wide(), report
    assert browser_s < 90, report
