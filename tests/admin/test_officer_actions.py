"""The officer's POST actions from a person's page and Today: in person, excuse, SMS on/off;
their CSRF and office refusals, form errors, redirects and audit rows."""

from __future__ import annotations

from reporting_api.clock import utcnow
from tests.admin.test_officer_pages import audit_rows, check_in_of, person_with_plan, raise_flag
from tests.checkin.helpers import open_check_in


def _row(html: str, check_in_id: int) -> str:
    """The part of the person's page that shows one check-in and its forms."""
    return html[html.index(f'id="checkin-{check_in_id}"') :].split("</li>")[0]


def test_in_person_verifies_the_check_in_goes_back_to_next_and_is_audited(site):
    browser, api = site
    world = person_with_plan(api)
    past = world["check_ins"][0]
    page = f"/admin/defendants/{world['defendant']['id']}"
    browser.as_("officer_bkk")

    note = "มาที่สำนักงานพร้อมทนายความ"
    response = browser.post_form(
        page, f"/admin/checkins/{past['id']}/in-person", {"note": note, "next": "/admin/"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin/"
    row = check_in_of(api, world, past["id"])
    assert (row["status"], row["method"], row["note"]) == ("verified", "in_person", note)
    audit = audit_rows(api, "checkin.verified", past["id"])
    assert audit and audit[0]["detail"]["from"] == "missed" and audit[0]["detail"]["note"] == note
    shown = browser.client.get(page).text
    assert "รายงานตัวแล้ว" in _row(shown, past["id"]) and note in _row(shown, past["id"])
    assert f'action="/admin/checkins/{past["id"]}/in-person"' not in shown

    # Once verified it cannot be recorded again: the page says why, 409.
    again = browser.post_form(page, f"/admin/checkins/{past['id']}/in-person", {"note": ""})
    assert again.status_code == 409
    assert "สถานะของการรายงานตัวนี้เปลี่ยนไปแล้ว" in _row(again.text, past["id"])


def test_todays_form_without_next_lands_on_the_persons_page(site):
    browser, api = site
    world = open_check_in(api)
    check_in = world["check_in"]
    browser.as_("officer_bkk")
    today = browser.client.get("/admin/")
    assert f'action="/admin/checkins/{check_in["id"]}/in-person"' in today.text
    response = browser.post_form("/admin/", f"/admin/checkins/{check_in['id']}/in-person", {})
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/defendants/{world['defendant']['id']}"
    rows = api.request("officer_bkk", "GET", f"/api/v1/cases/{world['case']['id']}/checkins")
    assert next(c for c in rows.json() if c["id"] == check_in["id"])["status"] == "verified"


def test_next_that_leaves_the_admin_pages_is_ignored(site):
    browser, api = site
    world = person_with_plan(api)
    future = world["check_ins"][1]
    page = f"/admin/defendants/{world['defendant']['id']}"
    browser.as_("officer_bkk")
    for target in ("//evil.example/admin/", "https://evil.example/admin/", "/api/v1/offices"):
        response = browser.post_form(
            page,
            f"/admin/defendants/{world['defendant']['id']}/reminders",
            {"sms": "off", "next": target},
        )
        assert response.status_code == 303 and response.headers["location"] == page, target
    response = browser.post_form(page, f"/admin/checkins/{future['id']}/in-person", {"next": "//x"})
    assert response.headers["location"] == page


def test_excuse_needs_a_reason_and_keeps_what_was_typed(site):
    browser, api = site
    world = person_with_plan(api)
    future = world["check_ins"][1]
    page = f"/admin/defendants/{world['defendant']['id']}"
    url = f"/admin/checkins/{future['id']}/excuse"
    browser.as_("officer_bkk")

    note = "ป่วยเข้าโรงพยาบาลศิริราช"
    response = browser.post_form(page, url, {"reason": "", "note": note})
    assert response.status_code == 400
    row = _row(response.text, future["id"])
    # Beside the field, in Thai and English, with the form open and the note kept.
    assert "โปรดเลือกเหตุผลที่ยกเว้นการรายงานตัว / choose why the check-in is excused" in row
    assert 'id="reason-error"' in row and 'aria-describedby="reason-error"' in row
    assert f">{note}</textarea>" in row
    assert "<details open>" in row
    assert check_in_of(api, world, future["id"])["status"] == "upcoming"

    # "Other" must say why.
    response = browser.post_form(page, url, {"reason": "other", "note": "  "})
    assert response.status_code == 400
    row = _row(response.text, future["id"])
    assert "โปรดระบุเหตุผลที่ยกเว้น" in row and 'id="note-error"' in row
    assert '<option value="other" selected>' in row

    # In English the page says it in English.
    browser.client.get("/admin/lang/en?next=/admin/")
    response = browser.post_form(page, url, {"reason": "", "note": note})
    assert response.status_code == 400
    row = _row(response.text, future["id"])
    assert "choose why the check-in is excused" in row and "โปรดเลือก" not in row

    response = browser.post_form(page, url, {"reason": "illness", "note": "ไข้เลือดออก"})
    assert response.status_code == 303 and response.headers["location"] == page
    row = check_in_of(api, world, future["id"])
    assert row["status"] == "excused" and row["note"] == "เจ็บป่วย (Illness): ไข้เลือดออก"
    audit = audit_rows(api, "checkin.excused", future["id"])
    assert audit and audit[0]["detail"]["note"] == "เจ็บป่วย (Illness): ไข้เลือดออก"


def test_sms_reminders_off_and_on_are_audited(site):
    browser, api = site
    world = person_with_plan(api)
    person = world["defendant"]
    page = f"/admin/defendants/{person['id']}"
    url = f"/admin/defendants/{person['id']}/reminders"
    browser.as_("officer_bkk")
    assert "ปิด SMS เตือน" in browser.client.get(page).text

    response = browser.post_form(page, url, {"sms": "off", "next": page})
    assert response.status_code == 303
    assert api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}").json()[
        "sms_opt_out"
    ]
    shown = browser.client.get(page).text
    assert "ปิด (ไม่ส่ง SMS เตือน)" in shown and "เปิด SMS เตือน" in shown
    response = browser.post_form(page, url, {"sms": "on"})
    assert response.status_code == 303
    changes = [
        row["detail"]["changes"]["sms_opt_out"]
        for row in audit_rows(api, "defendant.update", person["id"])
    ]
    assert changes == [{"from": True, "to": False}, {"from": False, "to": True}]  # newest first

    response = browser.post_form(page, url, {"sms": "maybe"})
    assert response.status_code == 400 and "เลือกเปิดหรือปิด" in response.text


def test_another_offices_check_in_or_person_answers_not_found(site):
    browser, api = site
    world = person_with_plan(api)
    past = world["check_ins"][0]
    person = world["defendant"]
    browser.as_("officer_cnx")
    for url, data in (
        (f"/admin/checkins/{past['id']}/in-person", {"note": ""}),
        (f"/admin/checkins/{past['id']}/excuse", {"reason": "illness", "note": ""}),
        (f"/admin/checkins/{past['id']}/excuse", {"reason": "", "note": "x"}),
        (f"/admin/defendants/{person['id']}/reminders", {"sms": "off"}),
    ):
        response = browser.post_form("/admin/caseload", url, data)
        assert response.status_code == 404, url
        assert "ไม่พบข้อมูลที่ขอ" in response.text and person["first_name_th"] not in response.text
    assert check_in_of(api, world, past["id"])["status"] == "missed"
    person_now = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}").json()
    assert person_now["sms_opt_out"] is False


def test_every_action_refuses_a_missing_or_stale_csrf_token(site):
    browser, api = site
    world = person_with_plan(api)
    past = world["check_ins"][0]
    flag_id = raise_flag(past, world["case"], utcnow())
    browser.as_("officer_bkk")
    for url, data in (
        (f"/admin/checkins/{past['id']}/in-person", {"note": ""}),
        (f"/admin/checkins/{past['id']}/excuse", {"reason": "illness", "note": ""}),
        (f"/admin/defendants/{world['defendant']['id']}/reminders", {"sms": "off"}),
        (f"/admin/flags/{flag_id}/acknowledge", {"note": ""}),
        (f"/admin/flags/{flag_id}/resolve", {"note": "done"}),
    ):
        for token in ({}, {"_csrf": "0" * 40}):
            response = browser.client.post(url, data={**data, **token}, follow_redirects=False)
            assert response.status_code == 403, (url, token)
            assert "แบบฟอร์มหมดอายุ" in response.text
    assert check_in_of(api, world, past["id"])["status"] == "missed"
    open_flags = api.request("officer_bkk", "GET", "/api/v1/flags?state=open").json()["items"]
    assert [f["id"] for f in open_flags] == [flag_id]
