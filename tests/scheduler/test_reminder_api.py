"""The staff API around reminders: opt-out and language changes (audited old -> new), a case's
reminders, an office's reminder days (both databases)."""

from __future__ import annotations

from datetime import date, timedelta

from reporting_api.clock import utcnow
from reporting_api.thai_dates import bangkok_today
from tests.api.helpers import enrol_with_case


def _plan(api, case_id: int, *dates: date) -> dict:
    body = {
        "kind": "dates",
        "start_date": (min(dates) - timedelta(days=1)).isoformat(),
        "end_date": (max(dates) + timedelta(days=1)).isoformat(),
        "dates": [d.isoformat() for d in dates],
        "window_opens_days_before": 1,
        "grace_days": 1,
    }
    response = api.request("officer_bkk", "PUT", f"/api/v1/cases/{case_id}/plan", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_opt_out_and_language_changes_are_audited_old_to_new(api):
    defendant, _ = enrol_with_case(api)
    url = f"/api/v1/defendants/{defendant['id']}"
    response = api.request(
        "officer_bkk", "PATCH", url, json={"sms_opt_out": True, "preferred_language": "en"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["sms_opt_out"] is True
    audit = api.request(
        "manager",
        "GET",
        "/api/v1/audit",
        params={
            "entity": "defendant",
            "entity_id": str(defendant["id"]),
            "action": "defendant.update",
        },
    ).json()["items"]
    detail = audit[0]["detail"]
    assert detail["changes"] == {
        "sms_opt_out": {"from": False, "to": True},
        "preferred_language": {"from": "th", "to": "en"},
    }
    # A change of phone number is its own audited operation, both numbers masked.
    api.request("officer_bkk", "PATCH", url, json={"phone": "0899999999"})
    latest = api.request(
        "manager",
        "GET",
        "/api/v1/audit",
        params={
            "entity": "defendant",
            "entity_id": str(defendant["id"]),
            "action": "defendant.phone_changed",
        },
    ).json()["items"][0]["detail"]
    assert latest["to"] == "08x-xxx-xx99" and "0899999999" not in str(latest)


def test_a_case_lists_its_reminders_for_its_office_only(api):
    _, case = enrol_with_case(api)
    due = bangkok_today(utcnow()) + timedelta(days=20)
    _plan(api, case["id"], due)
    response = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/reminders")
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 4
    kinds = [r["kind"] for r in page["items"]]
    assert kinds == ["before_3d", "before_1d", "due_day", "missed_followup"]
    assert {r["status"] for r in page["items"]} == {"queued"}
    assert {r["recipient"] for r in page["items"]} == {"defendant"}
    assert (
        api.request("officer_cnx", "GET", f"/api/v1/cases/{case['id']}/reminders").status_code
        == 404
    )
    assert api.request("manager", "GET", f"/api/v1/cases/{case['id']}/reminders").status_code == 200
    audit = api.request(
        "manager", "GET", "/api/v1/audit", params={"action": "reminder.list"}
    ).json()
    assert audit["total"] >= 2


def test_office_reminder_days_are_set_by_admins(api):
    office = api.office_id("TH-10")
    url = f"/api/v1/offices/{office}/reminder-settings"
    default = api.request("officer_bkk", "GET", url).json()
    assert default == {
        "office_id": office,
        "offsets_days": [3, 1, 0],
        "send_hour": 9,
        "follow_up_missed": True,
        "updated_at": None,
        "hearing_offsets_days": [7, 3, 1],
        "review_deadline_hours": 8,
        "request_deadline_hours": None,
        "reschedule_max_days": 14,
    }
    body = {"offsets_days": [0, 7, 2], "send_hour": 10, "follow_up_missed": False}
    assert api.request("officer_bkk", "PUT", url, json=body).status_code == 403
    response = api.request("admin", "PUT", url, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["offsets_days"] == [7, 2, 0]
    own = api.request("admin", "PUT", url, json={**body, "review_deadline_hours": 16})
    assert own.status_code == 200 and own.json()["review_deadline_hours"] == 16, own.text
    response = api.request("admin", "PUT", url, json=body)
    assert response.json()["review_deadline_hours"] == 8  # back to the default
    for bad in (
        {"offsets_days": [3, 3]},
        {"offsets_days": [31]},
        {"offsets_days": [1], "send_hour": 22},
        {"offsets_days": [1, 2, 3, 4, 5, 6]},
        {"offsets_days": [1], "review_deadline_hours": 0},
        {"offsets_days": [1], "review_deadline_hours": 81},
    ):
        refused = api.request("admin", "PUT", url, json=bad)
        assert refused.status_code == 400, (bad, refused.text)
    # New plans follow the office's days.
    _, case = enrol_with_case(api)
    _plan(api, case["id"], bangkok_today(utcnow()) + timedelta(days=20))
    items = api.request("officer_bkk", "GET", f"/api/v1/cases/{case['id']}/reminders").json()[
        "items"
    ]
    assert [r["kind"] for r in items] == ["before_7d", "before_2d", "due_day"]
    assert api.request("admin", "GET", "/api/v1/offices/99999/reminder-settings").status_code == 404
