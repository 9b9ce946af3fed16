"""A person's requests to their officer (issue 14): made on the link, decided by an officer,
told to the person, holding the check-in out of "missed" while open. Both databases."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from reporting_api.clock import utcnow
from reporting_api.thai_dates import bangkok_today
from tests.checkin.helpers import (
    audit_rows,
    check_in_row,
    db,
    flags_of,
    identify,
    later_check_in,
    open_check_in,
    set_check_in,
)
from tests.conftest import settings_for_test


def as_person(api, world):
    """The test client is shared with staff, whose requests drop the link cookie: the person
    confirms who they are again (as they would on a new visit)."""
    assert identify(api.client, world).status_code == 200


def ask(api, world, **body):
    as_person(api, world)
    return api.client.post(f"/c/{world['code']}/requests", json=body)


def mine(api, world):
    as_person(api, world)
    return api.client.get(f"/c/{world['code']}/requests")


def decide(api, request_id, action, username="officer_bkk", **body):
    return api.request(
        username,
        "POST",
        f"/api/v1/requests/{request_id}/decision",
        json={"action": action, **body},
    )


def notices_of(case_id):
    from reporting_api.tables import Reminder

    return db(
        Reminder.select()
        .where((Reminder.case == case_id) & (Reminder.kind == "notice_request_status"))
        .order_by(Reminder.id)
    )


def field_of(response):
    """The field a refusal names (it also says why in Thai and English)."""
    [extra] = response.json()["extra"]
    assert extra["message"] and extra["message_th"]
    return extra["key"]


def db_check_ins(case_id):
    from reporting_api.tables import CheckIn

    return db(CheckIn.select().where(CheckIn.case == case_id))


def run_sweep(database_url, now):
    from reporting_api.services.sweep import sweep

    return asyncio.run(sweep(now, settings_for_test(database_url)))


def working_day(day: date) -> date:
    """``day`` or the first working day after it (weekends and Thai holidays skipped)."""
    from reporting_api.planning import is_working_day, thai_holidays

    while not is_working_day(day, thai_holidays([day.year], {})):
        day += timedelta(days=1)
    return day


@pytest.fixture
def world(api):
    found = open_check_in(api)
    assert identify(api.client, found).status_code == 200
    return found


def due_of(world) -> date:
    """The check-in's due date: today, or the next working day when today is not one."""
    return date.fromisoformat(world["check_in"]["due_date"])


def test_a_request_needs_the_person_identified_on_the_link(api):
    found = open_check_in(api)
    refused = api.client.post(f"/c/{found['code']}/requests", json={"kind": "call_me"})
    assert refused.status_code == 401
    assert field_of(refused) == "session"
    assert api.client.get(f"/c/{found['code']}/requests").status_code == 401


def test_cant_come_with_a_new_date_is_submitted_and_listed(api, world):
    today = bangkok_today(utcnow())
    proposed = working_day(today + timedelta(days=3))
    made = ask(
        api, world, kind="cant_come", reason="illness", proposed_date=proposed.isoformat(),
        text="  มีไข้สูง   ไปไม่ได้ ",
    )  # fmt: skip
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["status"] == "submitted"
    assert body["text"] == "มีไข้สูง ไปไม่ได้"
    assert body["proposed_date"] == proposed.isoformat()
    assert [h["status"] for h in body["history"]] == ["submitted"]
    listed = mine(api, world).json()
    assert [r["id"] for r in listed["requests"]] == [body["id"]]
    assert listed["latest_new_date"] == (due_of(world) + timedelta(days=14)).isoformat()
    assert audit_rows(body["id"], "request.submit", "person_request")
    # The words are sealed in the table, never stored as typed.
    from reporting_api.tables import PersonRequest

    stored = db(PersonRequest.select().where(PersonRequest.id == body["id"]).first())
    assert "มีไข้".encode() not in stored["text_sealed"]
    assert stored["due_at"] is not None and stored["due_at"] > stored["created_at"]
    # The officer sees it in the queue with the person's words.
    queue = api.request("officer_bkk", "GET", "/api/v1/requests?status=open").json()
    assert [r["id"] for r in queue["items"]] == [body["id"]]
    one = api.request("officer_bkk", "GET", f"/api/v1/requests/{body['id']}").json()
    assert one["text"] == "มีไข้สูง ไปไม่ได้"
    assert one["actions"] == ["contact", "approve", "reject"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "holiday"}, "kind"),
        ({"kind": "cant_come"}, "reason"),
        ({"kind": "cant_come", "reason": "other"}, "text"),
        ({"kind": "cant_come", "reason": "work", "proposed_date": "2020-01-01"}, "proposed_date"),
        ({"kind": "need_help", "help_kind": "car"}, "help_kind"),
        ({"kind": "phone_changed", "new_phone": "02-141-5100"}, "new_phone"),
        ({"kind": "phone_changed"}, "new_phone"),
        ({"kind": "away", "province": "เชียงใหม่"}, "away_from"),
        ({"kind": "message", "text": "   "}, "text"),
        ({"kind": "message", "text": "ก" * 1001}, "text"),
    ],
)
def test_bad_requests_are_refused_naming_the_field_in_thai_and_english(api, world, body, field):
    refused = ask(api, world, **body)
    assert refused.status_code == 400, refused.text
    assert field_of(refused) == field


def test_a_new_date_beyond_the_offices_limit_is_refused(api, world):
    late = working_day(due_of(world) + timedelta(days=15))
    refused = ask(api, world, kind="cant_come", reason="work", proposed_date=late.isoformat())
    assert refused.status_code == 400
    assert field_of(refused) == "proposed_date"
    # A weekend or a Thai holiday is refused, naming the next working day.
    saturday = bangkok_today(utcnow()) + timedelta(days=1)
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    weekend = ask(api, world, kind="cant_come", reason="work", proposed_date=saturday.isoformat())
    assert weekend.status_code == 400 and field_of(weekend) == "proposed_date"
    assert "ไม่ใช่วันทำการ" in weekend.json()["extra"][0]["message_th"]
    # A Buddhist-era year is read as such.
    ok = working_day(bangkok_today(utcnow()) + timedelta(days=2))
    be = f"{ok.year + 543}-{ok.month:02d}-{ok.day:02d}"
    made = ask(api, world, kind="cant_come", reason="work", proposed_date=be)
    assert made.status_code == 201
    assert made.json()["proposed_date"] == ok.isoformat()


def test_away_dates_must_be_in_order(api, world):
    today = bangkok_today(utcnow())
    refused = ask(
        api, world, kind="away", province="เชียงใหม่",
        away_from=(today + timedelta(days=5)).isoformat(),
        away_to=(today + timedelta(days=2)).isoformat(),
    )  # fmt: skip
    assert refused.status_code == 400
    assert field_of(refused) == "away_to"


def test_more_than_six_requests_an_hour_are_refused(api, world):
    for _ in range(6):
        assert ask(api, world, kind="call_me").status_code == 201
    refused = ask(api, world, kind="call_me")
    assert refused.status_code == 429
    from reporting_api.tables import PersonRequest

    assert db(PersonRequest.count()) == 6


def test_approving_a_new_date_excuses_the_open_check_in_and_adds_one(api, world):
    today = bangkok_today(utcnow())
    made = ask(api, world, kind="cant_come", reason="illness").json()
    contacted = decide(api, made["id"], "contact")
    assert contacted.status_code == 200, contacted.text
    new = working_day(today + timedelta(days=7))
    approved = decide(api, made["id"], "approve", new_date=new.isoformat(), note="หายป่วยแล้วมา")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["request"]["status"] == "approved"
    assert [t["to_status"] for t in body["history"]] == [
        "submitted",
        "awaiting_contact",
        "approved",
    ]
    assert body["history"][-1]["actor_kind"] == "staff"
    assert check_in_row(world["check_in"]["id"])["status"] == "excused"
    dates = [
        c["due_date"]
        for c in api.request(
            "officer_bkk", "GET", f"/api/v1/cases/{world['case']['id']}/checkins"
        ).json()
    ]
    assert new.isoformat() in dates
    # Each officer's change is told once, with the link to the person's page.
    sent = notices_of(world["case"]["id"])
    assert len(sent) == 2
    assert world["code"] in sent[-1]["body"]
    assert "อนุมัติ" in sent[-1]["body"]
    # The person's page shows it.
    shown = mine(api, world).json()["requests"][0]
    assert shown["status"] == "approved" and shown["new_date"] == new.isoformat()
    assert shown["outcome_note"] == "หายป่วยแล้วมา"
    # A completed or approved request cannot be approved again.
    again = decide(api, made["id"], "approve")
    assert again.status_code == 409


def test_approving_a_new_date_moves_a_check_in_not_yet_open(api, world):
    second = later_check_in(api, world)
    due = date.fromisoformat(second["due_date"])
    # The person asks from the later check-in's link (it works from its first reminder).
    from tests.checkin.test_link_page import first_reminder_sent

    first_reminder_sent(second["id"])
    later = {**world, "code": second["code"], "check_in": second}
    assert identify(api.client, later).status_code == 200
    made = ask(api, later, kind="cant_come", reason="work").json()
    new = working_day(due + timedelta(days=2))
    approved = decide(api, made["id"], "approve", new_date=new.isoformat())
    assert approved.status_code == 200, approved.text
    # Re-planning may give the moved check-in a new row: the request follows it.
    from reporting_api.tables import PersonRequest

    now_on = db(PersonRequest.select().where(PersonRequest.id == made["id"]).first())["check_in"]
    moved = check_in_row(now_on)
    assert moved["due_date"] == new
    assert moved["status"] == "upcoming"
    dates = [r["due_date"] for r in db_check_ins(world["case"]["id"])]
    assert due not in dates and new in dates
    # The notice links to the person's page of the moved check-in.
    assert moved["code"] in notices_of(world["case"]["id"])[-1]["body"]


def test_a_date_outside_the_limits_and_a_closed_case_are_refused_to_the_officer(api, world):
    made = ask(api, world, kind="cant_come", reason="work").json()
    far = bangkok_today(utcnow()) + timedelta(days=40)
    refused = decide(api, made["id"], "approve", new_date=far.isoformat())
    assert refused.status_code == 400
    assert field_of(refused) == "proposed_date"
    assert field_of(decide(api, made["id"], "reject")) == "note"
    closed = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{world['case']['id']}/close",
        json={"status": "concluded", "outcome": "ศาลพิพากษาแล้ว"},
    )
    assert closed.status_code in (200, 201), closed.text
    assert decide(api, made["id"], "approve").status_code == 409
    # The person cannot make a new request on an ended case either.
    assert ask(api, world, kind="call_me").status_code == 409


def test_another_offices_officer_cannot_see_or_decide(api, world):
    made = ask(api, world, kind="call_me").json()
    other = "officer_cnx"
    assert api.request(other, "GET", f"/api/v1/requests/{made['id']}").status_code == 404
    assert decide(api, made["id"], "contact", username=other).status_code == 404
    assert decide(api, made["id"], "contact", username="manager").status_code == 403


def test_an_open_request_holds_the_check_in_out_of_missed_until_the_decision(
    api, world, database_url
):
    made = ask(api, world, kind="cant_come", reason="transport_cost").json()
    closes = check_in_row(world["check_in"]["id"])["closes_at"]
    after = closes + timedelta(minutes=5)
    report = run_sweep(database_url, after)
    assert report.missed == 0 and report.held == 1
    assert check_in_row(world["check_in"]["id"])["status"] == "held"
    assert flags_of(world["check_in"]["id"], "missed_checkin") == []
    # Sweeping again changes nothing.
    assert run_sweep(database_url, after + timedelta(hours=1)).missed == 0
    # Rejected: the check-in is judged like any other at the next sweep.
    rejected = decide(api, made["id"], "reject", note="ไม่มีเหตุอันสมควร โปรดมารายงานตัว")
    assert rejected.status_code == 200, rejected.text
    assert check_in_row(world["check_in"]["id"])["status"] == "late"
    report = run_sweep(database_url, after + timedelta(hours=2))
    assert report.missed == 1
    assert check_in_row(world["check_in"]["id"])["status"] == "missed"
    assert len(flags_of(world["check_in"]["id"], "missed_checkin")) == 1


def test_a_request_made_after_the_window_closed_does_not_hold_it(api, world, database_url):
    check_in = check_in_row(world["check_in"]["id"])
    made = ask(api, world, kind="call_me").json()
    from reporting_api.tables import PersonRequest

    db(
        PersonRequest.update({PersonRequest.created_at: check_in["closes_at"]}).where(
            PersonRequest.id == made["id"]
        )
    )
    report = run_sweep(database_url, check_in["closes_at"] + timedelta(minutes=1))
    assert report.missed == 1 and report.held == 0


def test_a_request_past_its_deadline_goes_to_a_manager_once(api, world, database_url):
    made = ask(api, world, kind="call_me").json()
    from reporting_api.tables import PersonRequest

    row = db(PersonRequest.select().where(PersonRequest.id == made["id"]).first())
    later = row["due_at"] + timedelta(minutes=1)
    set_check_in(world["check_in"]["id"], closes_at=later + timedelta(days=3))

    async def two_sweeps() -> list[int]:
        from reporting_api.reminder_schedule import QuietHours
        from reporting_api.services.person_requests import escalate_overdue_requests

        settings = settings_for_test(database_url)
        quiet = QuietHours(*settings.scheduler.quiet_hours)
        outcomes = await asyncio.gather(
            escalate_overdue_requests(later, settings, quiet),
            escalate_overdue_requests(later, settings, quiet),
        )
        return [o.escalated for o in outcomes]

    assert sorted(asyncio.run(two_sweeps())) == [0, 1]
    flags = flags_of(world["check_in"]["id"], "request_overdue")
    assert len(flags) == 1 and flags[0]["escalated_at"] is not None
    assert run_sweep(database_url, later + timedelta(hours=1)).requests_overdue == 0
    # The officer's decision settles the flag.
    assert decide(api, made["id"], "approve").status_code == 200
    assert flags_of(world["check_in"]["id"], "request_overdue")[0]["resolved_at"] is not None


def test_the_deadline_counts_working_hours_only(api, world):
    from reporting_api.services.person_requests import request_hours
    from reporting_api.tables import PersonRequest
    from reporting_api.working_hours import add_working_hours

    made = ask(api, world, kind="call_me").json()
    row = db(PersonRequest.select().where(PersonRequest.id == made["id"]).first())
    hours = asyncio.run(request_hours(row["office"]))
    assert row["due_at"] == add_working_hours(row["created_at"], hours, declared={})


def test_a_link_stays_open_for_a_month_after_its_request_changed(api, world):
    made = ask(api, world, kind="call_me").json()
    assert decide(api, made["id"], "contact").status_code == 200
    check_in = check_in_row(world["check_in"]["id"])
    # The check-in's link time is long over, but the request changed just now.
    set_check_in(
        world["check_in"]["id"],
        opens_at=check_in["opens_at"] - timedelta(days=60),
        due_at=check_in["due_at"] - timedelta(days=60),
        closes_at=check_in["closes_at"] - timedelta(days=60),
    )
    assert api.client.get(f"/c/{world['code']}").status_code in (200, 410)
    listed = mine(api, world)
    assert listed.status_code == 200, listed.text
    assert listed.json()["requests"][0]["status"] == "awaiting_contact"


def test_the_office_sets_its_own_reschedule_limit_and_request_deadline(api, world):
    from reporting_api.tables import PersonRequest
    from reporting_api.working_hours import add_working_hours

    office_id = world["case"]["office_id"]
    url = f"/api/v1/offices/{office_id}/reminder-settings"
    body = {"offsets_days": [3, 1, 0], "request_deadline_hours": 2, "reschedule_max_days": 3}
    for bad, field in (({"reschedule_max_days": 61}, "reschedule_max_days"),
                       ({"request_deadline_hours": 0}, "request_deadline_hours")):  # fmt: skip
        refused = api.request("admin", "PUT", url, json=body | bad)
        assert refused.status_code == 400 and field_of(refused) == field
    saved = api.request("admin", "PUT", url, json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["reschedule_max_days"] == 3
    assert saved.json()["request_deadline_hours"] == 2
    far = working_day(due_of(world) + timedelta(days=4))
    refused = ask(api, world, kind="cant_come", reason="work", proposed_date=far.isoformat())
    assert refused.status_code == 400 and field_of(refused) == "proposed_date"
    made = ask(api, world, kind="call_me").json()
    row = db(PersonRequest.select().where(PersonRequest.id == made["id"]).first())
    assert row["due_at"] == add_working_hours(row["created_at"], 2, declared={})


def test_the_persons_export_holds_their_requests_and_anonymising_removes_their_words(api, world):
    from reporting_api.tables import PersonRequest, RequestTransition

    made = ask(api, world, kind="phone_changed", new_phone="089-123-4567", text="เบอร์เก่าหาย").json()
    assert decide(api, made["id"], "contact", note="โทรยืนยันแล้ว").status_code == 200
    person = world["defendant"]["id"]
    export = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person}/export")
    assert export.status_code == 200, export.text
    [request] = export.json()["requests"]
    assert request["text"] == "เบอร์เก่าหาย" and request["new_phone"] == "+66891234567"
    assert [h["to_status"] for h in request["history"]] == ["submitted", "awaiting_contact"]
    assert request["history"][1]["by"] == "officer_bkk"
    # Close the case, then anonymise: the kind and statuses stay, the words go.
    closed = api.request(
        "officer_bkk", "POST", f"/api/v1/cases/{world['case']['id']}/close",
        json={"status": "concluded", "outcome": "ศาลพิพากษาแล้ว"},
    )  # fmt: skip
    assert closed.status_code == 200, closed.text
    done = api.request(
        "officer_bkk", "POST", f"/api/v1/defendants/{person}/erasure",
        json={"mode": "anonymise", "reason": "คำขอของเจ้าของข้อมูล"},
    )  # fmt: skip
    assert done.status_code == 200, done.text
    row = db(PersonRequest.select().where(PersonRequest.id == made["id"]).first())
    assert row["kind"] == "phone_changed" and row["status"] == "awaiting_contact"
    assert row["text_sealed"] is None and row["new_phone_sealed"] is None
    notes = db(RequestTransition.select(RequestTransition.note))
    assert all(n["note"] is None for n in notes)


def test_the_link_page_offers_the_requests_in_thai_on_any_working_link(api):
    found = open_check_in(api)
    page = api.client.get(f"/c/{found['code']}")
    assert 'id="requests"' in page.text and "ติดต่อเจ้าหน้าที่" in page.text
    assert "/c/static/requests.js" in page.text
    assert "มารายงานตัวไม่ได้" in page.text and "ปี (พ.ศ.)" in page.text
    english = api.client.get(f"/c/{found['code']}?lang=en").text
    assert "Contact my officer" in english
    # A locked link offers nothing.
    set_check_in(found["check_in"]["id"], link_locked_at=utcnow())
    locked = api.client.get(f"/c/{found['code']}")
    assert locked.status_code == 423 and 'id="requests"' not in locked.text
