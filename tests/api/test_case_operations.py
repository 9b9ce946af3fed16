"""Operations on a case after it is opened, through the JSON API on both databases: closing
(and what the person hears), reopening, reassigning, transferring to another office, a new
phone number; each refusal names its field."""

from __future__ import annotations

from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.tables import AuditLog, Reminder
from reporting_api.thai_dates import bangkok_today
from tests.api.helpers import enrol_with_case, interval_plan


def planned_case(api, username="officer_bkk", **case):
    person, opened = enrol_with_case(api, username, **case)
    today = bangkok_today(utcnow())
    plan = interval_plan(today + timedelta(days=2), today + timedelta(days=120), every=14)
    response = api.request(username, "PUT", f"/api/v1/cases/{opened['id']}/plan", json=plan)
    assert response.status_code == 200, response.text
    return person, opened, response.json()


def rows(case_id, kind_prefix=""):
    return (
        Reminder.select(
            Reminder.id, Reminder.kind, Reminder.status, Reminder.to_phone, Reminder.body
        )
        .where((Reminder.case == case_id) & Reminder.kind.like(f"{kind_prefix}%"))
        .order_by(Reminder.id)
        .run_sync()
    )


def post(api, who, url, body):
    return api.request(who, "POST", url, json=body)


def key_of(response):
    return response.json()["extra"][0]["key"]


def test_closing_tells_the_person_reporting_ended_unless_they_absconded(api):
    _, concluded, _ = planned_case(api)
    _, absconded, _ = planned_case(api)
    done = post(
        api,
        "officer_bkk",
        f"/api/v1/cases/{concluded['id']}/close",
        {"status": "concluded", "outcome": "ศาลพิพากษาแล้ว"},
    )
    assert done.status_code == 200, done.text
    (notice,) = rows(concluded["id"], "notice_")
    assert notice["kind"] == "notice_case_ended" and "สิ้นสุดแล้ว" in notice["body"]
    assert {r["status"] for r in rows(concluded["id"], "before_")} == {"cancelled"}
    gone = post(
        api,
        "officer_bkk",
        f"/api/v1/cases/{absconded['id']}/close",
        {"status": "absconded", "outcome": "ติดต่อไม่ได้ 30 วัน"},
    )
    assert gone.status_code == 200, gone.text
    assert rows(absconded["id"], "notice_") == []


def test_a_closed_case_reopens_with_its_plan_and_its_reminders(api):
    _, case, plan = planned_case(api)
    future = len(plan["check_ins"])
    url = f"/api/v1/cases/{case['id']}"
    assert post(
        api, "officer_bkk", f"{url}/close", {"status": "revoked", "outcome": "x"}
    ).is_success
    assert api.request("officer_bkk", "GET", f"{url}/checkins").json() == []
    refused = post(api, "officer_cnx", f"{url}/reopen", {"reason": "ปิดผิดคดี"})
    assert refused.status_code == 404
    blank = post(api, "officer_bkk", f"{url}/reopen", {"reason": "   "})
    assert blank.status_code == 400 and key_of(blank) == "reason"
    reopened = post(api, "officer_bkk", f"{url}/reopen", {"reason": "ปิดผิดคดี"})
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "active"
    check_ins = api.request("officer_bkk", "GET", f"{url}/checkins").json()
    assert len(check_ins) == future
    assert any(r["status"] == "queued" for r in rows(case["id"], "before_"))
    again = post(api, "officer_bkk", f"{url}/reopen", {"reason": "อีกครั้ง"})
    assert again.status_code == 409
    actions = AuditLog.select(AuditLog.action).where(AuditLog.entity_id == str(case["id"]))
    assert "case.reopen" in {a["action"] for a in actions.run_sync()}


def test_a_transferred_case_is_the_receiving_offices_at_once(api):
    person, case, plan = planned_case(api)
    cnx = api.office_id("TH-50")
    url = f"/api/v1/cases/{case['id']}"
    moved = post(api, "officer_bkk", f"{url}/transfer", {"office_id": cnx, "reason": "ย้ายภูมิลำเนา"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["office_id"] == cnx
    assert moved.json()["officer_id"] == api.staff["officer_cnx"].id
    # The receiving office sees the case, the person and the check-ins; the sender does not.
    assert api.request("officer_cnx", "GET", url).status_code == 200
    assert api.request("officer_cnx", "GET", f"/api/v1/defendants/{person['id']}").is_success
    assert len(api.request("officer_cnx", "GET", f"{url}/checkins").json()) == len(
        plan["check_ins"]
    )
    assert api.request("officer_bkk", "GET", url).status_code == 404
    assert (
        api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}").status_code == 404
    )
    listed = api.request("officer_bkk", "GET", "/api/v1/cases").json()["items"]
    assert case["id"] not in {c["id"] for c in listed}


def test_transfer_refusals_name_their_field(api):
    _, case, _ = planned_case(api)
    url = f"/api/v1/cases/{case['id']}/transfer"
    bkk, cnx = api.office_id("TH-10"), api.office_id("TH-50")
    unknown = post(api, "officer_bkk", url, {"office_id": 999_999, "reason": "x"})
    assert unknown.status_code == 400 and key_of(unknown) == "office_id"
    same = post(api, "officer_bkk", url, {"office_id": bkk, "reason": "x"})
    assert same.status_code == 400 and key_of(same) == "office_id"
    wrong = post(
        api,
        "officer_bkk",
        url,
        {"office_id": cnx, "officer_id": api.staff["officer_bkk2"].id, "reason": "x"},
    )
    assert wrong.status_code == 400 and key_of(wrong) == "officer_id"
    assert post(api, "manager", url, {"office_id": cnx, "reason": "x"}).status_code == 403
    closed = post(
        api,
        "officer_bkk",
        f"/api/v1/cases/{case['id']}/close",
        {"status": "concluded", "outcome": "x"},
    )
    assert closed.is_success
    assert post(api, "officer_bkk", url, {"office_id": cnx, "reason": "x"}).status_code == 409


def test_reassigning_within_the_office(api):
    _, case, _ = planned_case(api)
    url = f"/api/v1/cases/{case['id']}/reassign"
    other = api.staff["officer_bkk2"].id
    done = post(api, "officer_bkk", url, {"officer_id": other, "reason": "แบ่งงาน"})
    assert done.status_code == 200 and done.json()["officer_id"] == other
    same = post(api, "officer_bkk", url, {"officer_id": other})
    assert same.status_code == 400 and key_of(same) == "officer_id"
    outside = post(api, "officer_bkk", url, {"officer_id": api.staff["officer_cnx"].id})
    assert outside.status_code == 400 and key_of(outside) == "officer_id"


def test_a_new_number_is_told_and_what_was_addressed_to_the_old_one_is_cancelled(api):
    person, case, _ = planned_case(api)
    old = person["phone"]
    queued = rows(case["id"], "before_")
    tried, untried = queued[0], queued[1]
    # One reminder was tried on the old number and waits to retry.
    Reminder.update({Reminder.to_phone: old, Reminder.attempts: 1}).where(
        Reminder.id == tried["id"]
    ).run_sync()
    response = api.request(
        "officer_bkk", "PATCH", f"/api/v1/defendants/{person['id']}", json={"phone": "089-555-0142"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["phone"] == "+66895550142"
    by_id = {r["id"]: r for r in rows(case["id"])}
    assert by_id[tried["id"]]["status"] == "cancelled"
    assert by_id[untried["id"]]["status"] == "queued"  # addressed when sent: to the new number
    (notice,) = [r for r in by_id.values() if r["kind"] == "notice_phone_changed"]
    assert notice["to_phone"] == "+66895550142" and "เบอร์นี้" in notice["body"]
    audit = (
        AuditLog.select(AuditLog.detail)
        .where(AuditLog.action == "defendant.phone_changed")
        .first()
        .run_sync()
    )
    assert old not in str(audit["detail"]) and "xx42" in str(audit["detail"])
    landline = api.request(
        "officer_bkk", "PATCH", f"/api/v1/defendants/{person['id']}", json={"phone": "02-141-5100"}
    )
    assert landline.status_code == 400 and key_of(landline) == "phone"
