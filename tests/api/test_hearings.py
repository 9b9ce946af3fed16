"""Court hearings through the JSON API on both databases: added with reminders 7, 3 and 1 days
before that name the court and the time, moved (reminders follow), cancelled, a result recorded
(absent: a high-severity flag; postponed: the next hearing); the case's next court date follows;
refusals name their field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reporting_api.clock import utcnow
from reporting_api.tables import CourtHearing, Reminder
from reporting_api.thai_dates import BANGKOK, bangkok_today
from tests.api.helpers import enrol_with_case


def hearing_rows(hearing_id):
    return (
        Reminder.select(Reminder.kind, Reminder.status, Reminder.body, Reminder.due_at)
        .where(Reminder.hearing == hearing_id)
        .order_by(Reminder.due_at)
        .run_sync()
    )


def add(api, case_id, day, time="10:30", who="officer_bkk", **more):
    body = {"day": day.isoformat(), "time": time, "court": "ศาลอาญา", "room": "705"} | more
    return api.request(who, "POST", f"/api/v1/cases/{case_id}/hearings", json=body)


def test_a_hearing_gets_its_reminders_and_is_the_cases_next_court_date(api):
    _, case = enrol_with_case(api)
    today = bangkok_today(utcnow())
    day = today + timedelta(days=20)
    response = add(api, case["id"], day)
    assert response.status_code == 201, response.text
    hearing = response.json()
    starts = datetime.fromisoformat(hearing["starts_at"]).astimezone(BANGKOK)
    assert (starts.date(), starts.strftime("%H:%M")) == (day, "10:30")
    rows = hearing_rows(hearing["id"])
    assert [r["kind"] for r in rows] == ["hearing_7d", "hearing_3d", "hearing_1d"]
    assert all(r["status"] == "queued" for r in rows)
    assert "ศาลอาญา" in rows[0]["body"] and "10:30 น." in rows[0]["body"]
    assert "http" not in rows[0]["body"]  # a hearing has no link
    for r in rows:
        local = r["due_at"].astimezone(BANGKOK)
        assert 9 <= local.hour < 21  # never in the quiet hours
    read = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}").json()
    assert read["next_court_date"] == day.isoformat()

    # Moved: the untried reminders move with it and say the new day.
    later = day + timedelta(days=7)
    moved = api.request(
        "officer_bkk",
        "PATCH",
        f"/api/v1/hearings/{hearing['id']}",
        json={"day": later.isoformat(), "time": "13:00", "court": "ศาลอาญา"},
    )
    assert moved.status_code == 200, moved.text
    rows = hearing_rows(hearing["id"])
    assert len(rows) == 3 and all("13:00 น." in r["body"] for r in rows)
    assert (
        api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}").json()["next_court_date"]
        == later.isoformat()
    )

    cancelled = api.request("officer_bkk", "DELETE", f"/api/v1/hearings/{hearing['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"]
    assert {r["status"] for r in hearing_rows(hearing["id"])} == {"cancelled"}
    assert (
        api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}").json()["next_court_date"]
        is None
    )


def test_an_absence_raises_a_high_flag_and_a_postponement_sets_the_next_hearing(api):
    _, case = enrol_with_case(api)
    today = bangkok_today(utcnow())
    first = add(api, case["id"], today + timedelta(days=10)).json()
    early = api.request(
        "officer_bkk", "POST", f"/api/v1/hearings/{first['id']}/result", json={"result": "absent"}
    )
    assert early.status_code == 400 and early.json()["extra"][0]["key"] == "result"
    # The hearing took place: move its time into the past as the clock would.
    CourtHearing.update({CourtHearing.starts_at: utcnow() - timedelta(hours=2)}).where(
        CourtHearing.id == first["id"]
    ).run_sync()
    absent = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/hearings/{first['id']}/result",
        json={"result": "absent", "note": "ไม่มาศาล"},
    )
    assert absent.status_code == 200, absent.text
    flag_id = absent.json()["flag_id"]
    flags = api.request(
        "officer_bkk", "GET", "/api/v1/flags", params={"case_id": case["id"], "state": "open"}
    ).json()["items"]
    (flag,) = [f for f in flags if f["id"] == flag_id]
    assert (flag["kind"], flag["severity"]) == ("hearing_absent", "high")
    assert "ไม่ไปศาลตามนัด" in flag["detail"]
    again = api.request(
        "officer_bkk", "POST", f"/api/v1/hearings/{first['id']}/result", json={"result": "attended"}
    )
    assert again.status_code == 409

    second = add(api, case["id"], today + timedelta(days=12)).json()
    no_date = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/hearings/{second['id']}/result",
        json={"result": "postponed"},
    )
    assert no_date.status_code == 400 and no_date.json()["extra"][0]["key"] == "next_day"
    new_day = today + timedelta(days=40)
    postponed = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/hearings/{second['id']}/result",
        json={"result": "postponed", "next_day": new_day.isoformat(), "next_time": "09:30"},
    )
    assert postponed.status_code == 200, postponed.text
    done = postponed.json()
    assert done["hearing"]["postponed_to"] == done["next_hearing"]["id"]
    assert {r["status"] for r in hearing_rows(second["id"])} == {"cancelled"}
    assert len(hearing_rows(done["next_hearing"]["id"])) == 3
    listed = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/hearings").json()
    assert [h["result"] for h in listed] == ["absent", "postponed", None]


def test_hearing_refusals_name_their_field(api):
    _, case = enrol_with_case(api)
    today = bangkok_today(utcnow())
    past = add(api, case["id"], today - timedelta(days=1))
    assert past.status_code == 400 and past.json()["extra"][0]["key"] == "day"
    buddhist = add(api, case["id"], (today + timedelta(days=9)).replace(year=today.year + 543))
    assert buddhist.status_code == 400 and "did you mean" in buddhist.text
    bad_time = add(api, case["id"], today + timedelta(days=9), time="25:00")
    assert bad_time.status_code == 400
    assert add(api, case["id"], today + timedelta(days=9), who="officer_cnx").status_code == 404
    assert add(api, case["id"], today + timedelta(days=9), who="manager").status_code == 403
    closed = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{case['id']}/close",
        json={"status": "concluded", "outcome": "x"},
    )
    assert closed.is_success
    assert add(api, case["id"], today + timedelta(days=9)).status_code == 409


def test_a_case_opened_with_its_next_court_date_has_that_hearing(api):
    today = bangkok_today(utcnow())
    day = today + timedelta(days=15)
    _, case = enrol_with_case(api, next_court_date=day.isoformat())
    (hearing,) = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/hearings").json()
    starts = datetime.fromisoformat(hearing["starts_at"]).astimezone(BANGKOK)
    assert (starts.date(), starts.hour) == (day, 9)
    assert hearing["court"] == case["court"]
    assert datetime.fromisoformat(hearing["starts_at"]).tzinfo is not None
    assert starts.astimezone(UTC).hour == 2


def test_an_office_sets_its_own_days_before_a_hearing(api):
    office = api.office_id("TH-10")
    url = f"/api/v1/offices/{office}/reminder-settings"
    assert api.request("admin", "GET", url).json()["hearing_offsets_days"] == [7, 3, 1]
    body = {"offsets_days": [3, 1, 0], "send_hour": 9, "hearing_offsets_days": [5, 2]}
    saved = api.request("admin", "PUT", url, json=body)
    assert saved.status_code == 200 and saved.json()["hearing_offsets_days"] == [5, 2]
    repeated = api.request("admin", "PUT", url, json=body | {"hearing_offsets_days": [2, 2]})
    assert repeated.status_code == 400
    assert repeated.json()["extra"][0]["key"] == "hearing_offsets_days"
    _, case = enrol_with_case(api)
    hearing = add(api, case["id"], bangkok_today(utcnow()) + timedelta(days=20)).json()
    assert [r["kind"] for r in hearing_rows(hearing["id"])] == ["hearing_5d", "hearing_2d"]


def test_a_persons_export_holds_their_hearings_and_anonymising_clears_what_was_written(api):
    person, case = enrol_with_case(api)
    day = bangkok_today(utcnow()) + timedelta(days=20)
    hearing = add(api, case["id"], day, purpose="สืบพยานโจทก์ นายสมศักดิ์").json()
    record = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}/export").json()
    assert [(h["id"], h["purpose"]) for h in record["hearings"]] == [
        (hearing["id"], "สืบพยานโจทก์ นายสมศักดิ์")
    ]
    closed = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{case['id']}/close",
        json={"status": "concluded", "outcome": "x"},
    )
    assert closed.is_success
    done = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/defendants/{person['id']}/erasure",
        json={"mode": "anonymise", "reason": "คำขอตาม PDPA"},
    )
    assert done.status_code == 200, done.text
    row = CourtHearing.select().where(CourtHearing.id == hearing["id"]).first().run_sync()
    assert (row["purpose"], row["room"], row["result_note"]) == ("", None, None)
    assert row["starts_at"] is not None  # the times stay, for the statistics
