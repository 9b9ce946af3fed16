"""A case run from the officers' pages in headless Chromium (issue 12): an officer of Bangkok
edits a person's plan and sees in the preview which reminders change, saves it, moves one
check-in, adds a court hearing and later records it absent (a flag is raised), changes the
person's phone (the confirmation goes to the new number; what was already addressed to the old
one is cancelled), transfers another person's case to Chiang Mai and closes a third one (that
person's SMS says reporting has ended); an administrator declares a holiday on a due date, which
moves with its reminders. The people, cases and plans come from the JSON API; every step is a
page a person clicks through. Screenshots: test-output/e2e-admin/<test>/NN-step.png.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from reporting_api.clock import utcnow
from reporting_api.planning import is_working_day, thai_holidays
from reporting_api.reminder_schedule import PLANNING_HORIZON_DAYS
from reporting_api.services.housekeeping import housekeeping
from reporting_api.tables import CheckIn, CourtHearing, Flag, Reminder
from reporting_api.thai_dates import bangkok_today, input_date_text
from tests.api.helpers import enrol_with_case, interval_plan
from tests.conftest import TEST_PASSWORD, settings_for_test
from tests.e2e.admin_data import admin_server
from tests.e2e.test_admin_browser import desktop_page, log_in, text_of
from tests.e2e.test_admin_browser import shots as shots  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.db, pytest.mark.browser, pytest.mark.timeout(600)]


def working(d):
    off = thai_holidays([d.year, d.year + 1])
    while not is_working_day(d, off):
        d += timedelta(days=1)
    return d


def planned(api, **defendant):
    person, case = enrol_with_case(api, "officer_bkk", defendant)
    today = bangkok_today(utcnow())
    plan = interval_plan(today + timedelta(days=1), today + timedelta(days=150), every=14)
    response = api.request("officer_bkk", "PUT", f"/api/v1/cases/{case['id']}/plan", json=plan)
    assert response.status_code == 200, response.text
    return person, case


def check_ins(api, case_id):
    rows = api.request("officer_bkk", "GET", f"/api/v1/cases/{case_id}/checkins").json()
    return sorted(rows, key=lambda r: r["due_date"])


def open_details(page, form_selector):
    """Open the <details> a form sits in (the page keeps each action folded)."""
    page.locator(form_selector).locator("xpath=ancestor::details[1]/summary").click()


def submit(page, form_selector, **fields):
    form = page.locator(form_selector)
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button").last.click()


def test_a_case_run_from_the_officers_pages(api, database_url, chromium_path, shots):
    today = bangkok_today(utcnow())
    malee, case_a = planned(api, first_name_th="มาลี", last_name_th="ศรีสุข", phone="081-234-5611")
    somchai, case_b = planned(api, first_name_th="สมชาย", last_name_th="ใจดี", phone="081-234-5612")
    wanphen, case_c = planned(api, first_name_th="วันเพ็ญ", last_name_th="ทองดี", phone="081-234-5613")
    # A reminder already tried on Malee's old number, waiting to retry: one of her check-in
    # 43 days on, the last within the 45-day reminder horizon, which the new plan keeps.
    tried = (
        Reminder.select(Reminder.id)
        .where(Reminder.case == case_a["id"])
        .order_by(Reminder.due_at, ascending=False)
        .first()
        .run_sync()
    )
    Reminder.update({Reminder.to_phone: malee["phone"], Reminder.attempts: 1}).where(
        Reminder.id == tried["id"]
    ).run_sync()
    person_a = f"/admin/defendants/{malee['id']}"

    with admin_server(database_url) as base, desktop_page(chromium_path) as page:
        log_in(page, base, "officer_bkk", shots, "/admin/")

        # 1. The plan: every 21 days instead of 14; the preview shows what changes, then save.
        # Of the check-ins within the 45-day reminder horizon (their reminders written), those
        # 15 and 29 days on go, the one 43 days on stays, one 22 days on comes.
        page.goto(f"{base}{person_a}")
        with page.expect_navigation():
            page.click(f"a#edit-plan-{case_a['id']}")
        page.fill("input[name=every_days]", "21")
        with page.expect_navigation():
            page.click("button[name=action][value=preview]")
        assert page.locator("tr.change-new").count() >= 1
        assert page.locator("li.reminder-added").count() >= 1
        assert page.locator("li.reminder-cancelled").count() >= 1
        assert "ผลของแผนนี้" in text_of(page.locator("#preview h2"))
        shots.take(page, "plan-preview")
        with page.expect_navigation():
            page.click("button[name=action][value=save]")
        assert page.locator("#plan-saved").count() == 1
        plan = api.request("officer_bkk", "GET", f"/api/v1/cases/{case_a['id']}/plan").json()
        assert plan["every_days"] == 21
        shots.take(page, "plan-saved")

        # 2. Move the next check-in three working days on.
        first = check_ins(api, case_a["id"])[0]
        new_day = working(date_of(first["due_date"]) + timedelta(days=3))
        form = f"form[action='/admin/checkins/{first['id']}/move']"
        open_details(page, form)
        submit(page, form, due_date=input_date_text(new_day), reason="ติดนัดแพทย์")
        dates = [c["due_date"] for c in check_ins(api, case_a["id"])]
        assert new_day.isoformat() in dates and first["due_date"] not in dates
        shots.take(page, "check-in-moved")

        # 3. A court hearing in two days, with its reminders; later it is recorded absent.
        hearing_day = working(today + timedelta(days=2))
        form = f"form[action='/admin/cases/{case_a['id']}/hearings']"
        open_details(page, form)
        submit(
            page,
            form,
            day=input_date_text(hearing_day),
            time="09:30",
            court="ศาลอาญา",
            room="801",
            purpose="สืบพยาน",
        )
        (hearing,) = CourtHearing.select().where(CourtHearing.case == case_a["id"]).run_sync()
        assert Reminder.count().where(Reminder.hearing == hearing["id"]).run_sync() >= 1
        assert page.locator(f"tr#hearing-{hearing['id']}").count() == 1
        shots.take(page, "hearing-added")
        # ... the hearing's time passes (as the clock would) ...
        CourtHearing.update({CourtHearing.starts_at: utcnow() - timedelta(hours=1)}).where(
            CourtHearing.id == hearing["id"]
        ).run_sync()
        page.goto(f"{base}{person_a}")
        form = f"form[action='/admin/hearings/{hearing['id']}/result']"
        open_details(page, form)
        submit(page, form, result="absent", note="ไม่มาศาล ติดต่อไม่ได้")
        flags = Flag.select(Flag.kind, Flag.severity).where(Flag.case == case_a["id"]).run_sync()
        assert {"kind": "hearing_absent", "severity": "high"} in flags
        shots.take(page, "hearing-absent")

        # 4. A new number: its confirmation SMS; what was addressed to the old one cancelled.
        form = f"form[action='{person_a}/phone']"
        open_details(page, form)
        submit(page, form, phone="089-555-0188")
        notice = (
            Reminder.select(Reminder.to_phone, Reminder.body)
            .where((Reminder.case == case_a["id"]) & (Reminder.kind == "notice_phone_changed"))
            .run_sync()
        )
        assert [n["to_phone"] for n in notice] == ["+66895550188"]
        status = Reminder.select(Reminder.status, Reminder.error_message).where(
            Reminder.id == tried["id"]
        )
        assert status.first().run_sync() == {
            "status": "cancelled",
            "error_message": "number changed",
        }
        assert "089-555-0188" in text_of(page.locator("#profile"))
        shots.take(page, "phone-changed")

        # 5. Somchai's case goes to Chiang Mai: this office no longer sees him.
        person_b = f"/admin/defendants/{somchai['id']}"
        page.goto(f"{base}{person_b}")
        form = f"form[action='/admin/cases/{case_b['id']}/transfer']"
        open_details(page, form)
        submit(page, form, office_id=str(api.office_id("TH-50")), reason="ย้ายภูมิลำเนา")
        assert "/admin/caseload" in page.url
        assert somchai["last_name_th"] not in text_of(page.locator("main"))
        shots.take(page, "transferred")
        assert api.request("officer_cnx", "GET", f"/api/v1/cases/{case_b['id']}").status_code == 200

        # 6. Wanphen's case concluded: her SMS says reporting has ended.
        person_c = f"/admin/defendants/{wanphen['id']}"
        page.goto(f"{base}{person_c}")
        form = f"form[action='/admin/cases/{case_c['id']}/close']"
        open_details(page, form)
        submit(page, form, status="concluded", outcome="ศาลพิพากษายกฟ้อง")
        ended = (
            Reminder.select(Reminder.body)
            .where((Reminder.case == case_c["id"]) & (Reminder.kind == "notice_case_ended"))
            .run_sync()
        )
        assert ended and "สิ้นสุดแล้ว" in ended[0]["body"]
        shots.take(page, "case-closed")

    # 7. An administrator declares a holiday on Malee's next due date: it moves, with its
    # reminders, and she is told.
    # (The last one within the reminder horizon: its reminders are written and move with it.)
    horizon = today + timedelta(days=PLANNING_HORIZON_DAYS)
    target = [
        c
        for c in check_ins(api, case_a["id"])
        if c["status"] == "upcoming" and date_of(c["due_date"]) <= horizon
    ][-1]
    due = date_of(target["due_date"])
    with admin_server(database_url) as base, desktop_page(chromium_path) as page:
        # The administrator set up two-factor already (the API's sign-in): a code is asked.
        page.goto(f"{base}/admin/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", TEST_PASSWORD)
        with page.expect_navigation():
            page.click("form[action='/admin/login'] button[type=submit]")
        assert "/admin/login/code" in page.url, page.url
        page.fill("input[name=code]", api.keys.code("admin"))
        with page.expect_navigation():
            page.click("form[action='/admin/login/code'] button[type=submit]")
        with page.expect_navigation():
            page.click("header nav a[href='/admin/holidays']")
        submit(
            page,
            "form#declare-form",
            day=input_date_text(due),
            name_th="วันหยุดพิเศษตามมติคณะรัฐมนตรี",
            name_en="Special holiday (cabinet)",
        )
        assert page.locator("#holiday-done").count() == 1
        shots.take(page, "holiday-declared")
    after = [c["due_date"] for c in check_ins(api, case_a["id"])]
    assert target["due_date"] not in after
    # The same planned day, now due off the holiday. Its reason names the holiday unless the
    # planned day itself was a day off (a weekend, a public holiday): that still says why.
    moved = next(
        c for c in check_ins(api, case_a["id"]) if c["nominal_date"] == target["nominal_date"]
    )
    # Off the holiday: usually later, earlier when the next working day is past the plan's end.
    assert date_of(moved["due_date"]) != due
    expected = target["moved_reason"] or "Special holiday (cabinet)"
    assert moved["moved_reason"] == expected, moved
    # Its reminders: written with it, or, moved just past the 45-day horizon, by the nightly
    # housekeeping of the night it comes within it.
    beyond = max(0, (date_of(moved["due_date"]) - horizon).days)
    settings = settings_for_test(database_url)
    asyncio.run(housekeeping(utcnow() + timedelta(days=beyond), settings))
    queued = Reminder.count().where(
        (Reminder.check_in == moved["id"]) & (Reminder.status == "queued")
    )
    assert queued.run_sync() >= 1
    assert CheckIn.count().where(CheckIn.case == case_a["id"]).run_sync() == len(after)
    report = shots.write()
    assert not shots.too_wide(), report  # every page fits a 1366-pixel desktop screen


def date_of(text):
    from datetime import date

    return date.fromisoformat(text)
