"""Holidays the cabinet declares, through the JSON API on both databases: a due date on the
declared day moves to the next working day with its reminders, the person is told, removing
the day moves it back; and every refusal names its field."""

from __future__ import annotations

from datetime import date, timedelta

from reporting_api.clock import utcnow
from reporting_api.planning import is_working_day, thai_holidays
from reporting_api.tables import Reminder
from reporting_api.thai_dates import bangkok_today
from tests.api.helpers import dates_plan, enrol_with_case


def quiet_working_pair(start: date) -> date:
    """The first working day from ``start`` whose next day is a working day too."""
    off = thai_holidays([start.year, start.year + 1])
    d = start
    while not (is_working_day(d, off) and is_working_day(d + timedelta(days=1), off)):
        d += timedelta(days=1)
    return d


def put_plan(api, case_id, due):
    response = api.request(
        "officer_bkk",
        "PUT",
        f"/api/v1/cases/{case_id}/plan",
        json=dates_plan([due], due + timedelta(days=30), window_opens_days_before=2, grace_days=1),
    )
    assert response.status_code == 200, response.text
    return response.json()


def check_ins(api, case_id):
    response = api.request("officer_bkk", "GET", f"/api/v1/cases/{case_id}/checkins")
    assert response.status_code == 200, response.text
    return response.json()


def notices(case_id):
    return (
        Reminder.select(Reminder.kind, Reminder.body, Reminder.status)
        .where((Reminder.case == case_id) & (Reminder.kind == "notice_dates_changed"))
        .run_sync()
    )


def test_a_declared_day_moves_the_due_date_and_its_reminders_and_tells_the_person(api):
    today = bangkok_today(utcnow())
    due = quiet_working_pair(today + timedelta(days=21))
    _, case = enrol_with_case(api, "officer_bkk")
    plan = put_plan(api, case["id"], due)
    assert len(plan["check_ins"]) == 1
    reminders_before = api.request(
        "officer_bkk", "GET", f"/api/v1/cases/{case['id']}/reminders"
    ).json()["items"]
    assert reminders_before

    response = api.request(
        "admin",
        "POST",
        "/api/v1/holidays",
        json={"day": due.isoformat(), "name_th": "วันหยุดพิเศษ", "name_en": "Special holiday"},
    )
    assert response.status_code == 201, response.text
    change = response.json()
    assert (change["cases_replanned"], change["check_ins_moved"]) == (1, 1)
    assert change["people_notified"] == 1 and change["cases_failed"] == []
    (after,) = check_ins(api, case["id"])
    assert after["due_date"] == (due + timedelta(days=1)).isoformat()
    assert after["moved_reason"] == "Special holiday"
    reminders = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/reminders").json()[
        "items"
    ]
    queued = [r for r in reminders if r["status"] == "queued" and r["check_in_id"] == after["id"]]
    assert queued, reminders
    # The old check-in is gone (SQLite may give its id to the new one): its reminders stay
    # as history, cancelled.
    old = [r for r in reminders if r["check_in_id"] is None and not r["kind"].startswith("notice")]
    assert len(old) == len(reminders_before) and {r["status"] for r in old} == {"cancelled"}
    (notice,) = notices(case["id"])
    assert notice["status"] == "queued"
    assert "เลื่อนวันรายงานตัว" in notice["body"]

    listed = api.request("admin", "GET", "/api/v1/holidays", params={"year": due.year}).json()
    declared = [h for h in listed if h["source"] == "declared"]
    assert [(h["day"], h["name_th"]) for h in declared] == [(due.isoformat(), "วันหยุดพิเศษ")]
    assert any(h["source"] == "package" for h in listed)

    # Removed: the date moves back; the waiting notice is reworded, not doubled.
    removed = api.request("admin", "DELETE", f"/api/v1/holidays/{change['id']}")
    assert removed.status_code == 200, removed.text
    assert removed.json()["removed_at"] is not None
    (back,) = check_ins(api, case["id"])
    assert back["due_date"] == due.isoformat()
    (notice,) = notices(case["id"])
    assert "ครั้งถัดไป" in notice["body"]


def test_refusals_name_the_field(api):
    today = bangkok_today(utcnow())
    workday = quiet_working_pair(today + timedelta(days=10))
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    package = next(d for d in sorted(thai_holidays([today.year + 1])) if d.weekday() < 5)

    def declare(day: str, who: str = "admin", **names: str):
        body = {"day": day, "name_th": "วันหยุด", "name_en": "Holiday", **names}
        return api.request(who, "POST", "/api/v1/holidays", json=body)

    def field_of(response) -> str:
        return response.json()["extra"][0]["key"]

    past = declare((today - timedelta(days=3)).isoformat())
    assert past.status_code == 400 and field_of(past) == "day"
    weekend = declare(saturday.isoformat())
    assert weekend.status_code == 400 and "weekend" in weekend.text
    already = declare(package.isoformat())
    assert already.status_code == 400 and thai_holidays([package.year])[package] in already.text
    buddhist = declare(workday.replace(year=workday.year + 543).isoformat())
    assert buddhist.status_code == 400 and f"did you mean {workday.year}?" in buddhist.text
    blank = declare(workday.isoformat(), name_en="   ")
    assert blank.status_code == 400 and field_of(blank) == "name_en"
    assert declare(workday.isoformat(), who="officer_bkk").status_code == 403
    assert declare(workday.isoformat(), who="manager").status_code == 403
    first = declare(workday.isoformat())
    assert first.status_code == 201, first.text
    again = declare(workday.isoformat())
    assert again.status_code == 409 and field_of(again) == "day"
    assert api.request("admin", "DELETE", "/api/v1/holidays/999999").status_code == 404
    hid = first.json()["id"]
    assert api.request("officer_bkk", "DELETE", f"/api/v1/holidays/{hid}").status_code == 403
    assert api.request("admin", "DELETE", f"/api/v1/holidays/{hid}").status_code == 200
    assert api.request("admin", "DELETE", f"/api/v1/holidays/{hid}").status_code == 404
    # Removed, the day can be declared again (history kept).
    assert declare(workday.isoformat()).status_code == 201


def test_a_plan_on_a_declared_day_is_planned_around_it(api):
    today = bangkok_today(utcnow())
    due = quiet_working_pair(today + timedelta(days=15))
    response = api.request(
        "admin",
        "POST",
        "/api/v1/holidays",
        json={"day": due.isoformat(), "name_th": "วันหยุดพิเศษ", "name_en": "Special holiday"},
    )
    assert response.status_code == 201, response.text
    _, case = enrol_with_case(api, "officer_bkk")
    (planned,) = put_plan(api, case["id"], due)["check_ins"]
    assert planned["due_date"] == (due + timedelta(days=1)).isoformat()
    assert notices(case["id"]) == []  # a first plan is no change
