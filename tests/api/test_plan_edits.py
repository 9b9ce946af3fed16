"""One check-in moved, cancelled or added through the JSON API, on both databases: the change
is kept with the plan (a later re-plan keeps it), the reminders follow, the person is told;
refusals name their field."""

from __future__ import annotations

from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.planning import is_working_day, thai_holidays
from reporting_api.tables import Reminder
from reporting_api.thai_dates import bangkok_today
from tests.api.helpers import enrol_with_case, interval_plan


def working(d):
    off = thai_holidays([d.year, d.year + 1])
    while not is_working_day(d, off):
        d += timedelta(days=1)
    return d


def planned_case(api):
    _, case = enrol_with_case(api)
    today = bangkok_today(utcnow())
    plan = interval_plan(today + timedelta(days=1), today + timedelta(days=120), every=30)
    response = api.request("officer_bkk", "PUT", f"/api/v1/cases/{case['id']}/plan", json=plan)
    assert response.status_code == 200, response.text
    return case, response.json()["check_ins"]


def dates(api, case_id):
    rows = api.request("officer_bkk", "GET", f"/api/v1/cases/{case_id}/checkins").json()
    return [r["due_date"] for r in rows]


def notices(case_id):
    return (
        Reminder.select(Reminder.body)
        .where((Reminder.case == case_id) & (Reminder.kind == "notice_dates_changed"))
        .run_sync()
    )


def test_a_check_in_moved_keeps_its_new_day_through_a_re_plan(api):
    case, check_ins = planned_case(api)
    first = check_ins[0]
    old = first["due_date"]
    new = working(bangkok_today(utcnow()) + timedelta(days=12))
    moved = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/checkins/{first['id']}/move",
        json={"due_date": new.isoformat(), "reason": "ติดนัดแพทย์"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["notified"] is True
    assert new.isoformat() in dates(api, case["id"]) and old not in dates(api, case["id"])
    (notice,) = notices(case["id"])
    assert "เลื่อนวันรายงานตัว" in notice["body"]
    new_id = next(c["id"] for c in moved.json()["check_ins"] if c["due_date"] == new.isoformat())
    queued = Reminder.select(Reminder.kind).where(
        (Reminder.check_in == new_id) & (Reminder.status == "queued")
    )
    assert queued.run_sync()
    # Re-planned from the stored plan (as a declared holiday does): the move is kept.
    plan = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/plan").json()
    assert plan["start_date"]


def test_cancel_and_add(api):
    case, check_ins = planned_case(api)
    second = check_ins[1]
    cancelled = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/checkins/{second['id']}/cancel",
        json={"reason": "ศาลสั่งงดรายงานตัวครั้งนี้"},
    )
    assert cancelled.status_code == 200, cancelled.text
    assert second["due_date"] not in dates(api, case["id"])
    extra = working(bangkok_today(utcnow()) + timedelta(days=45))
    added = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{case['id']}/checkins",
        json={"due_date": extra.isoformat(), "reason": "พบพนักงานคุมประพฤติ"},
    )
    assert added.status_code == 201, added.text
    assert extra.isoformat() in dates(api, case["id"])
    assert second["due_date"] not in dates(api, case["id"])  # the cancel is kept


def test_single_edit_refusals_name_their_field(api):
    case, check_ins = planned_case(api)
    first, second = check_ins[0], check_ins[1]
    url = f"/api/v1/checkins/{first['id']}/move"
    today = bangkok_today(utcnow())

    def move(day, reason="x"):
        return api.request("officer_bkk", "POST", url, json={"due_date": day, "reason": reason})

    def key(response):
        return response.json()["extra"][0]["key"]

    past = move((today - timedelta(days=1)).isoformat())
    assert past.status_code == 400 and key(past) == "due_date"
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    weekend = move((saturday + timedelta(days=7)).isoformat())
    assert weekend.status_code == 400 and "not a working day" in weekend.text
    onto = move(second["due_date"])
    assert onto.status_code == 400 and "already" in onto.text
    beside = move(working(date_of(second["due_date"]) - timedelta(days=1)).isoformat())
    assert beside.status_code == 400 and "would meet" in beside.text
    blank = move(working(today + timedelta(days=12)).isoformat(), reason="   ")
    assert blank.status_code == 400 and key(blank) == "reason"
    other = api.request(
        "officer_cnx",
        "POST",
        url,
        json={"due_date": working(today + timedelta(days=12)).isoformat(), "reason": "x"},
    )
    assert other.status_code == 404


def date_of(text):
    from datetime import date

    return date.fromisoformat(text)


def test_a_check_in_moved_onto_a_holiday_is_refused_naming_the_next_working_day(api):
    _, check_ins = planned_case(api)
    today = bangkok_today(utcnow())
    off = thai_holidays([today.year, today.year + 1])
    holiday = min(d for d in off if d > today + timedelta(days=1) and d.weekday() < 5)
    response = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/checkins/{check_ins[0]['id']}/move",
        json={"due_date": holiday.isoformat(), "reason": "x"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == "due_date"
    assert off[holiday] in response.text
    assert f"the next is {working(holiday).isoformat()}" in response.text


def test_the_last_check_in_stays_the_last_after_a_cancel(api, database_url):
    import asyncio

    from reporting_api.reminder_schedule import PLANNING_HORIZON_DAYS
    from reporting_api.services.housekeeping import housekeeping
    from reporting_api.store.outbox_context import load_for_sending
    from tests.conftest import settings_for_test

    case, check_ins = planned_case(api)
    last, before = check_ins[-1], check_ins[-2]
    response = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/checkins/{last['id']}/cancel",
        json={"reason": "ศาลสั่ง"},
    )
    assert response.status_code == 200, response.text
    # Its reminders are written the night it comes within the planning horizon.
    days = (date_of(before["due_date"]) - bangkok_today(utcnow())).days - PLANNING_HORIZON_DAYS
    night = utcnow() + timedelta(days=max(0, days))
    asyncio.run(housekeeping(night, settings_for_test(database_url)))
    ids = [
        r["id"]
        for r in Reminder.select(Reminder.id)
        .where((Reminder.check_in == before["id"]) & (Reminder.status == "queued"))
        .run_sync()
    ]
    assert ids
    rows = asyncio.run(load_for_sending(ids))
    # The dispatcher words a reminder "the last check-in" when its date is the case's last.
    assert all(r["last_due_date"] == date_of(before["due_date"]) for r in rows)


def test_put_plan_refusals_and_notes(api):
    _, case = enrol_with_case(api)
    url = f"/api/v1/cases/{case['id']}/plan"
    today = bangkok_today(utcnow())
    start = today + timedelta(days=1)

    def put(plan):
        return api.request("officer_bkk", "PUT", url, json=plan)

    buddhist = put(interval_plan(start.replace(year=start.year + 543), start + timedelta(days=90)))
    assert buddhist.status_code == 400, buddhist.text
    assert buddhist.json()["extra"][0]["key"] == "start_date"
    assert f"{start.year + 543} looks like a Buddhist-era year: did you mean {start.year}?" in (
        buddhist.text
    )
    weekly = put(
        interval_plan(
            start, start + timedelta(days=90), every=7, window_opens_days_before=3, grace_days=4
        )
    )
    assert weekly.status_code == 400, weekly.text
    assert weekly.json()["extra"][0]["key"] == "grace_days"
    assert "opens 3 day(s) before and allows 4 grace day(s)" in weekly.text
    assert "the 7-day interval" in weekly.text
    # A plan with no check-in between its dates is accepted with a warning.
    empty = put(interval_plan(start, start + timedelta(days=20), every=30))
    assert empty.status_code == 200, empty.text
    assert empty.json()["check_ins"] == []
    assert [(n["level"], n["code"]) for n in empty.json()["notes"]] == [("warning", "empty")]
    # A listed Saturday that is the end date: due the working day before, never after the end.
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 14)
    off = thai_holidays([saturday.year, saturday.year + 1])
    friday = saturday - timedelta(days=1)
    while not is_working_day(friday, off):
        friday -= timedelta(days=1)
    at_end = put(
        {
            "kind": "dates",
            "dates": [saturday.isoformat()],
            "start_date": start.isoformat(),
            "end_date": saturday.isoformat(),
            "window_opens_days_before": 0,
            "grace_days": 0,
        }
    )
    assert at_end.status_code == 200, at_end.text
    assert [c["due_date"] for c in at_end.json()["check_ins"]] == [friday.isoformat()]
    codes = {n["code"]: n for n in at_end.json()["notes"]}
    assert "kept_inside_end" in codes
    assert f"reporting ends on {saturday.isoformat()}" in codes["end"]["message"]
