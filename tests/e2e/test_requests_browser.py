"""A request from the person's phone to the officer's decision, in headless Chromium (issue 14).

On the phone profile and a slow network (DevTools' Slow 3G), a person whose check-in is open
today opens the link of their SMS, says who they are, and sends "I can't come" (illness, a
day they can come picked by day, Thai month name and Buddhist-era year); the page says it was
submitted and lists it. An officer of the same office approves it in the officers' pages with
that day. On the way, the person attaches a doctor's certificate (a 1.25 MB PDF) on a 1 Mbit/s
connection that drops once: the upload goes on from where it stopped; the officer downloads
the same bytes. The person's SMS (the outbox row the dispatcher sends) and their page then say
"approved" and the new date; the sweep after the old window closed flags nothing.
Screenshots: test-output/e2e/<test>/.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reporting_api.checkin_page.request_words import request_words
from reporting_api.planning import is_working_day, thai_holidays
from reporting_api.services.sweep import sweep
from reporting_api.sms_templates import thai_day_month
from reporting_api.tables import CheckIn, Flag, PersonRequest, Reminder, RequestAttachment
from reporting_api.thai_dates import format_thai_date
from tests import attachment_files
from tests.checkin.helpers import BIRTH, open_check_in
from tests.conftest import Api, settings_for_test
from tests.e2e.admin_data import admin_server
from tests.e2e.phone import SLOW_3G, fill_birth_date
from tests.e2e.test_admin_browser import desktop_page, log_in
from tests.e2e.test_admin_browser import shots as shots  # noqa: F401 (the fixture)
from tests.e2e.waits import wait_until

pytestmark = [pytest.mark.db, pytest.mark.browser, pytest.mark.timeout(600)]

WORDS = request_words("th")
CERTIFICATE = attachment_files.pdf(5 * 256 * 1024)  # five chunks of 256 KB
ONE_MBIT = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_000_000 / 8,
    "uploadThroughput": 1_000_000 / 8,
}
LIMITS = "() => fetch(location.pathname + '/requests').then(r => r.json())"
MY_REQUESTS = """() => [...document.querySelectorAll('#my-requests li.request')].map(li => ({
  status: li.querySelector('.badge').textContent,
  new_date: (li.querySelector('.new-date') || {}).textContent || null,
  cls: li.className,
}))"""


def _first_working_day(first: date, last: date) -> date:
    off = thai_holidays([first.year, first.year + 1])
    day = first
    while not is_working_day(day, off):
        day += timedelta(days=1)
    assert day <= last, (first, last)
    return day


def _page_date(when: date) -> str:
    """How requests.js writes a date on the Thai page: 3 ธันวาคม 2569."""
    return f"{when.day} {WORDS['months'][when.month - 1]} {when.year + 543}"  # type: ignore[index]


def test_i_cannot_come_from_the_sms_link_to_the_officers_approval(
    api: Api, database_url: str, mobile_page: Any, chromium_path: Path, output_dir: Path, shots: Any
) -> None:
    world = open_check_in(api)
    code, case_id, check_in = world["code"], world["case"]["id"], world["check_in"]
    last4 = world["defendant"]["national_id"][-4:]
    # When today's window closes, as first planned (the approval moves the check-in).
    first_closes: datetime = (
        CheckIn.select(CheckIn.closes_at).where(CheckIn.id == check_in["id"]).first().run_sync()
    )["closes_at"]

    def shot(page: Any, name: str) -> None:
        page.screenshot(path=output_dir / f"{name}.png", full_page=True, scale="css")

    with admin_server(database_url) as base:
        # 1. The person, on a cheap phone and a slow network, from the link of their SMS.
        with mobile_page(None) as page:
            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            page.goto(f"{base}/c/{code}", wait_until="load")
            fill_birth_date(page, BIRTH)
            page.locator("input[name=national_id_last4]").fill(last4)
            page.locator("#identify button[type=submit]").tap()
            wait_until(page, "!document.getElementById('requests').hidden", timeout=60_000)
            limits = page.evaluate(LIMITS)
            # A day after the check-in's own (today's, or the next working day's when
            # today is a weekend or a holiday).
            new_day = _first_working_day(
                max(
                    date.fromisoformat(limits["earliest_new_date"]),
                    date.fromisoformat(check_in["due_date"]) + timedelta(days=1),
                ),
                date.fromisoformat(limits["latest_new_date"]),
            )
            assert limits["requests"] == []
            shot(page, "01-contact-my-officer")

            page.locator("label.big", has_text=str(WORDS["kind"]["cant_come"])).tap()  # type: ignore[index]
            page.locator("select[name=reason]").select_option("illness")
            page.locator("select[name=proposed_day]").select_option(str(new_day.day))
            page.locator("select[name=proposed_month]").select_option(
                label=str(WORDS["months"][new_day.month - 1])  # type: ignore[index]
            )
            page.locator("select[name=proposed_year]").select_option(label=str(new_day.year + 543))
            page.locator("textarea[name=text]").fill("เป็นไข้ หมอให้พักสามวัน")
            shot(page, "02-i-cannot-come")

            # The doctor's certificate, 1.25 MB, on a 1 Mbit/s connection that drops once
            # mid-upload: the page goes on from where the server stopped, it does not start over.
            chunks: list[int] = []
            page.on(
                "request",
                lambda r: (
                    chunks.append(int(r.headers["upload-offset"])) if r.method == "PATCH" else None
                ),
            )
            cdp.send("Network.emulateNetworkConditions", ONE_MBIT)
            started = time.monotonic()
            page.locator("input[name=file]").set_input_files(
                files=[
                    {
                        "name": "ใบรับรองแพทย์.pdf",
                        "mimeType": "application/pdf",
                        "buffer": CERTIFICATE,
                    }
                ]
            )
            wait_until(
                page, "document.getElementById('attachment-progress').value >= 20", timeout=60_000
            )
            cdp.send("Network.emulateNetworkConditions", {**ONE_MBIT, "offline": True})
            wait_until(
                page,
                f"document.getElementById('attachment-state').textContent == {json.dumps(WORDS['reconnecting'])}",
                timeout=30_000,
            )
            shot(page, "02b-connection-lost")
            dropped_at = max(chunks)
            cdp.send("Network.emulateNetworkConditions", ONE_MBIT)
            wait_until(
                page,
                "document.getElementById('attached-files').children.length == 1",
                timeout=120_000,
            )
            upload_seconds = round(time.monotonic() - started, 1)
            shot(page, "02c-certificate-attached")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            page.locator("#request-form button[type=submit]").tap()
            wait_until(
                page, "!document.querySelector('#request-form .sent').hidden", timeout=60_000
            )
            wait_until(page, "document.querySelectorAll('#my-requests li.request').length == 1")
            sent = page.evaluate(MY_REQUESTS)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            shot(page, "03-submitted")

            # A trusted contact, with consent to the words shown.
            contact = page.locator("#contact-form")
            contact.locator("input[name=name]").fill("สมศรี ใจดี")
            contact.locator("select[name=relationship]").select_option("relative")
            contact.locator("input[name=phone]").fill("089-999-0001")
            consent = page.locator("#consent-text").text_content() or ""
            contact.locator("input[name=consent]").check()
            contact.locator("button[type=submit]").tap()
            wait_until(page, "!document.getElementById('contact-withdraw').hidden", timeout=60_000)
            named = page.locator("#contact-state").text_content() or ""
            shot(page, "03b-trusted-contact")
        assert [r["status"] for r in sent] == [WORDS["status"]["submitted"]]  # type: ignore[index]
        # Every chunk went forward from where the last one ended, the one cut by the drop
        # at most sent again, never the file from the start.
        assert chunks[0] == 0 and chunks.count(0) == 1, chunks
        assert sorted(set(chunks)) == [o for o in range(0, len(CERTIFICATE), 256 * 1024)], chunks
        assert len(chunks) - len(set(chunks)) <= 1, chunks
        assert 0 < dropped_at < len(CERTIFICATE) - 256 * 1024, chunks
        assert "ยินยอม" in consent and "สมศรี ใจดี" in named and "+66899990001" in named

        (request,) = PersonRequest.select().where(PersonRequest.case == case_id).run_sync()
        assert request["kind"] == "cant_come" and request["proposed_date"] == new_day
        assert request["check_in"] == check_in["id"]
        (attached,) = (
            RequestAttachment.select().where(RequestAttachment.request == request["id"]).run_sync()
        )
        assert (attached["kind"], attached["stored_size"]) == ("pdf", len(CERTIFICATE))

        # 2. The officer approves that day in the officers' pages.
        with desktop_page(chromium_path) as page:
            log_in(page, base, "officer_bkk", shots, "/admin/")
            page.goto(f"{base}/admin/requests")
            with page.expect_navigation():
                page.click(f"a[href='/admin/requests/{request['id']}']")
            shots.take(page, "request")
            # The certificate, downloaded by the officer as it was sent (audited).
            with page.expect_download() as download:
                page.locator("#request-attachments a").first.click()
            assert Path(download.value.path()).read_bytes() == CERTIFICATE
            assert download.value.suggested_filename == "ใบรับรองแพทย์.pdf"
            approve = page.locator("form#approve-form")
            approve.locator("textarea[name=note]").fill("หายป่วยแล้วมาตามวันใหม่")
            with page.expect_navigation():
                approve.locator("button").click()
            shots.take(page, "approved")

        # 3. The person's SMS says so, with the new date.
        notices = (
            Reminder.select(Reminder.body, Reminder.status)
            .where((Reminder.case == case_id) & (Reminder.kind == "notice_request_status"))
            .run_sync()
        )
        approved = [n for n in notices if "เจ้าหน้าที่อนุมัติคำร้อง" in n["body"]]
        assert len(approved) == 1, notices
        body = approved[0]["body"]
        assert thai_day_month(new_day) in body or format_thai_date(new_day) in body, body
        assert f"/c/{code}" in body, body  # the link to see the request
        # Today's window was open: that check-in is excused and one is added on the new day.
        rows = CheckIn.select(CheckIn.id, CheckIn.due_date, CheckIn.status).where(
            CheckIn.case == case_id
        )
        by_id = {r["id"]: r for r in rows.run_sync()}
        assert by_id[check_in["id"]]["status"] == "excused", by_id
        assert [r["status"] for r in by_id.values() if r["due_date"] == new_day] == ["upcoming"]

        # ... and their page, opened again from the link.
        with mobile_page(None) as page:
            page.goto(f"{base}/c/{code}", wait_until="load")
            # Excused, not "you reported": the page says the officer excused this date.
            notice = page.locator(".notice-box").first.text_content() or ""
            assert "เจ้าหน้าที่ยกเว้นการรายงานตัววันนี้ให้แล้ว" in notice, notice
            if page.locator("#identify").is_visible():
                fill_birth_date(page, BIRTH)
                page.locator("input[name=national_id_last4]").fill(last4)
                page.locator("#identify button[type=submit]").tap()
            wait_until(page, "document.querySelectorAll('#my-requests li.request').length == 1")
            after = page.evaluate(MY_REQUESTS)
            shot(page, "04-approved-on-the-page")
        assert after[0]["status"] == WORDS["status"]["approved"], after  # type: ignore[index]
        assert after[0]["new_date"].endswith(_page_date(new_day)), after

    # 4. The old window closes: the sweep flags nothing for this check-in.
    settings = settings_for_test(database_url, public_base_url="https://checkin.example.go.th")
    asyncio.run(sweep(first_closes + timedelta(hours=1), settings))
    flags = Flag.select(Flag.kind).where(Flag.case == case_id).run_sync()
    assert [f for f in flags if f["kind"] == "missed_checkin"] == [], flags
    (output_dir / "requests.json").write_text(
        json.dumps(
            {
                "sent": sent,
                "after": after,
                "sms": body,
                "certificate": {"chunks": chunks, "seconds": upload_seconds},
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    assert not shots.too_wide(), shots.write()
