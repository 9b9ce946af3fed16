"""The case operations on the officers' pages, on both databases: the plan page with its
preview (which reminders change; nothing written) and saving; closing, reopening, transferring,
a new phone number, a video-call verification, an unlocked link, a new case; the holidays page.
Refusals show the form again with the field named."""

from __future__ import annotations

import re
from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.tables import CheckIn, Reminder
from reporting_api.thai_dates import bangkok_today, input_date_text
from tests.admin.test_officer_pages import audit_rows, person_with_plan
from tests.api.helpers import enrol_with_case, interval_plan


def planned(api, every=14):
    person, case = enrol_with_case(api, "officer_bkk")
    today = bangkok_today(utcnow())
    plan = interval_plan(today + timedelta(days=3), today + timedelta(days=90), every=every)
    response = api.request("officer_bkk", "PUT", f"/api/v1/cases/{case['id']}/plan", json=plan)
    assert response.status_code == 200, response.text
    return person, case, response.json()


def plan_form(case_id, today, **changes):
    values = {
        "kind": "interval",
        "every_days": "10",
        "dates": "",
        "start_date": input_date_text(today + timedelta(days=3)),
        "end_date": input_date_text(today + timedelta(days=90)),
        "window_opens_days_before": "2",
        "grace_days": "2",
    }
    return values | changes


def test_the_plan_page_previews_the_reminders_that_change_and_writes_nothing(site):
    browser, api = site
    person, case, plan = planned(api)
    today = bangkok_today(utcnow())
    page = f"/admin/cases/{case['id']}/plan"
    browser.as_("officer_bkk")
    shown = browser.client.get(page)
    assert shown.status_code == 200
    # The stored plan, its dates in the Buddhist era.
    assert f'value="{input_date_text(today + timedelta(days=3))}"' in shown.text
    assert str(today.year + 543) in shown.text
    before = CheckIn.count().where(CheckIn.case == case["id"]).run_sync()
    reminders_before = Reminder.count().where(Reminder.case == case["id"]).run_sync()

    preview = browser.post_form(page, page, plan_form(case["id"], today, action="preview"))
    assert preview.status_code == 200, preview.text[:2000]
    html = preview.text
    assert "ผลของแผนนี้" in html
    assert 'class="change-new"' in html and 'class="change-removed"' in html
    assert 'class="reminder-added"' in html and 'class="reminder-cancelled"' in html
    assert CheckIn.count().where(CheckIn.case == case["id"]).run_sync() == before
    assert Reminder.count().where(Reminder.case == case["id"]).run_sync() == reminders_before

    saved = browser.post_form(page, page, plan_form(case["id"], today, action="save"))
    assert saved.status_code == 303, saved.text[:2000]
    assert saved.headers["location"].startswith(f"/admin/defendants/{person['id']}?plan_saved=")
    after = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/plan").json()
    assert after["every_days"] == 10
    landing = browser.client.get(saved.headers["location"])
    assert 'id="plan-saved"' in landing.text
    assert audit_rows(api, "plan.set", case["id"])


def test_the_plan_page_refuses_what_the_rules_refuse_naming_the_field(site):
    browser, api = site
    _, case, _ = planned(api)
    today = bangkok_today(utcnow())
    page = f"/admin/cases/{case['id']}/plan"
    browser.as_("officer_bkk")
    # Window and grace fill the week: two check-ins would be open at once.
    overlap = browser.post_form(
        page, page, plan_form(case["id"], today, grace_days="8", action="preview")
    )
    assert overlap.status_code == 400
    assert 'id="grace_days-error"' in overlap.text
    # Not a date at all.
    wrong = browser.post_form(
        page, page, plan_form(case["id"], today, start_date="31/02/2570", action="save")
    )
    assert wrong.status_code == 400 and 'id="start_date-error"' in wrong.text
    # An empty plan saves only once its warning is confirmed.
    short = plan_form(
        case["id"],
        today,
        every_days="30",
        end_date=input_date_text(today + timedelta(days=10)),
        action="save",
    )
    refused = browser.post_form(page, page, short)
    assert refused.status_code == 400 and 'id="confirm-error"' in refused.text
    assert 'data-code="empty"' in refused.text
    accepted = browser.post_form(page, page, short | {"confirm": "yes"})
    assert accepted.status_code == 303
    # A manager reads but does not change.
    browser.as_("manager")
    assert browser.client.get(page).status_code in (403, 404)


def test_close_and_reopen_from_the_persons_page(site):
    browser, api = site
    person, case, _ = planned(api)
    page = f"/admin/defendants/{person['id']}"
    browser.as_("officer_bkk")
    html = browser.client.get(page).text
    assert f'action="/admin/cases/{case["id"]}/close"' in html
    assert f'href="/admin/cases/{case["id"]}/plan"' in html
    missing = browser.post_form(page, f"/admin/cases/{case['id']}/close", {"status": "concluded"})
    assert missing.status_code == 400 and 'id="outcome-error"' in missing.text
    closed = browser.post_form(
        page, f"/admin/cases/{case['id']}/close", {"status": "concluded", "outcome": "คดีถึงที่สุด"}
    )
    assert closed.status_code == 303
    notice = (
        Reminder.select(Reminder.body)
        .where((Reminder.case == case["id"]) & (Reminder.kind == "notice_case_ended"))
        .run_sync()
    )
    assert notice and "สิ้นสุดแล้ว" in notice[0]["body"]
    html = browser.client.get(page).text
    assert "คดีถึงที่สุด" in html and f'action="/admin/cases/{case["id"]}/reopen"' in html
    reopened = browser.post_form(page, f"/admin/cases/{case['id']}/reopen", {"reason": "ปิดผิดคดี"})
    assert reopened.status_code == 303
    assert api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}").json()["status"] == (
        "active"
    )


def test_transfer_from_the_page_hands_the_person_to_the_other_office(site):
    browser, api = site
    person, case, _ = planned(api)
    page = f"/admin/defendants/{person['id']}"
    cnx = api.office_id("TH-50")
    browser.as_("officer_bkk")
    unknown = browser.post_form(
        page, f"/admin/cases/{case['id']}/transfer", {"office_id": "999999", "reason": "x"}
    )
    assert unknown.status_code == 400 and 'id="office_id-error"' in unknown.text
    moved = browser.post_form(
        page, f"/admin/cases/{case['id']}/transfer", {"office_id": str(cnx), "reason": "ย้ายบ้าน"}
    )
    assert moved.status_code == 303
    assert moved.headers["location"].startswith("/admin/caseload")
    assert browser.client.get(page).status_code == 404
    browser.as_("officer_cnx")
    assert browser.client.get(page).status_code == 200
    assert person["last_name_th"] in browser.client.get("/admin/caseload").text


def test_a_new_phone_number_from_the_page(site):
    browser, api = site
    person, case, _ = planned(api)
    page = f"/admin/defendants/{person['id']}"
    browser.as_("officer_bkk")
    landline = browser.post_form(page, f"{page}/phone", {"phone": "02-141-5100"})
    assert landline.status_code == 400 and 'id="phone-error"' in landline.text
    changed = browser.post_form(page, f"{page}/phone", {"phone": "089-555-0177"})
    assert changed.status_code == 303
    rows = (
        Reminder.select(Reminder.to_phone)
        .where((Reminder.case == case["id"]) & (Reminder.kind == "notice_phone_changed"))
        .run_sync()
    )
    assert rows == [{"to_phone": "+66895550177"}]
    assert (
        "089-555-0177" in browser.client.get(page).text
        or "0895550177" in browser.client.get(page).text
    )


def test_video_call_and_unlock_from_the_check_in_row(site):
    browser, api = site
    world = person_with_plan(api)
    missed = world["check_ins"][0]
    page = f"/admin/defendants/{world['defendant']['id']}"
    CheckIn.update({CheckIn.link_locked_at: utcnow(), CheckIn.identify_failures: 5}).where(
        CheckIn.id == missed["id"]
    ).run_sync()
    browser.as_("officer_bkk")
    html = browser.client.get(page).text
    assert f'action="/admin/checkins/{missed["id"]}/unlock"' in html
    no_note = browser.post_form(page, f"/admin/checkins/{missed['id']}/unlock", {"note": ""})
    assert no_note.status_code == 400
    unlocked = browser.post_form(
        page, f"/admin/checkins/{missed['id']}/unlock", {"note": "โทรคุยแล้ว เป็นเจ้าตัว"}
    )
    assert unlocked.status_code == 303
    assert CheckIn.select(CheckIn.link_locked_at).where(
        CheckIn.id == missed["id"]
    ).first().run_sync() == {"link_locked_at": None}
    verified = browser.post_form(
        page, f"/admin/checkins/{missed['id']}/video-call", {"note": "เห็นหน้าทางวิดีโอคอล"}
    )
    assert verified.status_code == 303
    row = CheckIn.select(CheckIn.status, CheckIn.method).where(CheckIn.id == missed["id"]).first()
    assert row.run_sync() == {"status": "verified", "method": "video_call"}


def test_a_new_case_for_a_person_already_enrolled(site):
    browser, api = site
    person, _, _ = planned(api)
    page = f"/admin/defendants/{person['id']}"
    today = bangkok_today(utcnow())
    form = {
        "court": "ศาลอาญา",
        "black_case_number": "อ.999/2569",
        "red_case_number": "",
        "charge": "ฉ้อโกง",
        "bail_amount": "80,000",
        "release_date": input_date_text(today - timedelta(days=2)),
        "next_court_date": "",
        "conditions": "",
    }
    browser.as_("officer_bkk")
    bad = browser.post_form(page, f"{page}/cases", form | {"bail_amount": "lots"})
    assert bad.status_code == 400 and 'id="bail_amount-error"' in bad.text
    opened = browser.post_form(page, f"{page}/cases", form)
    assert opened.status_code == 303
    assert re.fullmatch(r"/admin/cases/\d+/plan\?new=1", opened.headers["location"])
    cases = api.request("officer_bkk", "GET", f"/api/v1/cases?defendant_id={person['id']}")
    assert cases.json()["total"] == 2


def test_the_holidays_page_declares_and_removes_a_day(site):
    browser, api = site
    today = bangkok_today(utcnow())
    day = today + timedelta(days=40)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    browser.as_("officer_bkk")
    assert browser.client.get("/admin/holidays").status_code == 403
    browser.as_("admin")
    shown = browser.client.get(f"/admin/holidays?year={day.year}")
    assert shown.status_code == 200 and "holiday-package" in shown.text
    weekend = browser.post_form(
        "/admin/holidays",
        "/admin/holidays",
        {"day": "วันเสาร์", "name_th": "วันหยุด", "name_en": "Holiday"},
    )
    assert weekend.status_code == 400 and 'id="day-error"' in weekend.text
    declared = browser.post_form(
        "/admin/holidays",
        "/admin/holidays",
        {"day": input_date_text(day), "name_th": "วันหยุดพิเศษ", "name_en": "Special holiday"},
    )
    assert declared.status_code == 200, declared.text[:2000]
    assert 'id="holiday-done"' in declared.text and "วันหยุดพิเศษ" in declared.text
    hid = re.search(r'action="/admin/holidays/(\d+)/remove"', declared.text).group(1)
    removed = browser.post_form("/admin/holidays", f"/admin/holidays/{hid}/remove", {})
    assert removed.status_code == 200 and "holiday-declared" not in removed.text


def test_one_check_in_moved_cancelled_and_added_from_the_persons_page(site):
    from reporting_api.planning import is_working_day, thai_holidays

    def working(d):
        off = thai_holidays([d.year, d.year + 1])
        while not is_working_day(d, off):
            d += timedelta(days=1)
        return d

    browser, api = site
    person, case, plan = planned(api, every=30)
    first, second = plan["check_ins"][0], plan["check_ins"][1]
    page = f"/admin/defendants/{person['id']}"
    today = bangkok_today(utcnow())
    browser.as_("officer_bkk")
    html = browser.client.get(page).text
    assert f'action="/admin/checkins/{first["id"]}/move"' in html
    weekend = today + timedelta(days=(5 - today.weekday()) % 7 or 7) + timedelta(days=7)
    refused = browser.post_form(
        page,
        f"/admin/checkins/{first['id']}/move",
        {"due_date": input_date_text(weekend), "reason": "ติดธุระ"},
    )
    assert refused.status_code == 400 and 'id="due_date-error"' in refused.text
    new = working(today + timedelta(days=10))
    moved = browser.post_form(
        page,
        f"/admin/checkins/{first['id']}/move",
        {"due_date": input_date_text(new), "reason": "ติดนัดแพทย์"},
    )
    assert moved.status_code == 303, moved.text[:2000]
    due = {
        c["due_date"]
        for c in api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/checkins").json()
    }
    assert new.isoformat() in due and first["due_date"] not in due
    cancelled = browser.post_form(
        page, f"/admin/checkins/{second['id']}/cancel", {"reason": "ศาลงดรายงานตัว"}
    )
    assert cancelled.status_code == 303
    extra = working(today + timedelta(days=50))
    added = browser.post_form(
        page,
        f"/admin/cases/{case['id']}/checkins",
        {"due_date": input_date_text(extra), "reason": "x"},
    )
    assert added.status_code == 303
    due = {
        c["due_date"]
        for c in api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/checkins").json()
    }
    assert extra.isoformat() in due and second["due_date"] not in due
    assert audit_rows(api, "checkin.move", case["id"]) and audit_rows(
        api, "checkin.cancel", case["id"]
    )
