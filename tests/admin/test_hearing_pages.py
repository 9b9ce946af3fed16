"""Court hearings on the officers' pages, on both databases: added from the person's page
(B.E. date, its reminders queued), listed on Today's week, a result recorded (absent raises a
flag; postponed needs the new date), refusals shown beside their field."""

from __future__ import annotations

from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.tables import CourtHearing, Flag, Reminder
from reporting_api.thai_dates import bangkok_today, input_date_text
from tests.api.helpers import enrol_with_case


def test_a_hearing_from_the_persons_page_to_todays_week_and_its_result(site):
    browser, api = site
    person, case = enrol_with_case(api, "officer_bkk")
    page = f"/admin/defendants/{person['id']}"
    url = f"/admin/cases/{case['id']}/hearings"
    today = bangkok_today(utcnow())
    day = today + timedelta(days=3)
    browser.as_("officer_bkk")
    form = {
        "day": input_date_text(day),
        "time": "9.30",
        "court": "ศาลอาญา",
        "room": "801",
        "purpose": "สืบพยาน",
    }
    past = browser.post_form(page, url, form | {"day": input_date_text(today - timedelta(days=2))})
    assert past.status_code == 400 and 'id="day-error"' in past.text
    bad_time = browser.post_form(page, url, form | {"time": "9 โมง"})
    assert bad_time.status_code == 400 and 'id="time-error"' in bad_time.text
    added = browser.post_form(page, url, form)
    assert added.status_code == 303, added.text[:1500]
    (hearing,) = CourtHearing.select().where(CourtHearing.case == case["id"]).run_sync()
    kinds = {
        r["kind"]
        for r in Reminder.select(Reminder.kind).where(Reminder.hearing == hearing["id"]).run_sync()
    }
    # Three days ahead: the 7-day one is past; the 3-day one is today's (or past at night).
    assert "hearing_1d" in kinds and "hearing_7d" not in kinds
    html = browser.client.get(page).text
    assert f'id="hearing-{hearing["id"]}"' in html and "สืบพยาน" in html
    today_page = browser.client.get("/admin/").text
    week = today_page[today_page.index('id="hearings"') :]
    assert f'id="hearing-{hearing["id"]}"' in week and person["last_name_th"] in week

    result = f"/admin/hearings/{hearing['id']}/result"
    early = browser.post_form(page, result, {"result": "absent"})
    assert early.status_code == 400 and 'id="result-error"' in early.text
    no_date = browser.post_form(page, result, {"result": "postponed"})
    assert no_date.status_code == 400 and 'id="next_day-error"' in no_date.text
    # Once its time has passed, an absence is recorded and flagged.
    CourtHearing.update({CourtHearing.starts_at: utcnow() - timedelta(hours=1)}).where(
        CourtHearing.id == hearing["id"]
    ).run_sync()
    absent = browser.post_form(page, result, {"result": "absent", "note": "ไม่มา"})
    assert absent.status_code == 303
    flags = Flag.select(Flag.kind, Flag.severity).where(Flag.case == case["id"]).run_sync()
    assert {"kind": "hearing_absent", "severity": "high"} in flags
    assert "ไม่มาศาล" in browser.client.get(page).text


def test_a_manager_sees_hearings_but_no_forms(site):
    browser, api = site
    person, case = enrol_with_case(api, "officer_bkk")
    response = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{case['id']}/hearings",
        json={
            "day": (bangkok_today(utcnow()) + timedelta(days=20)).isoformat(),
            "time": "10:00",
            "court": "ศาลแขวงดุสิต",
        },
    )
    assert response.status_code == 201
    browser.as_("manager")
    html = browser.client.get(f"/admin/defendants/{person['id']}").text
    assert "ศาลแขวงดุสิต" in html
    assert f'action="/admin/cases/{case["id"]}/hearings"' not in html
