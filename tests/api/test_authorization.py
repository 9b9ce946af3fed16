"""Each role against each endpoint, including an officer reaching another office's records."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from reporting_api.clock import utcnow
from reporting_api.store import flags as flag_store
from tests.api.helpers import case_payload, enrol, enrol_with_case, interval_plan
from tests.conftest import id_photo_bytes

ROLES = ("admin", "manager", "officer_bkk", "officer_cnx")


def _world(api):
    defendant, case = enrol_with_case(api, "officer_bkk")
    today = date.today()
    plan = interval_plan(today - timedelta(days=1), today + timedelta(days=200), every=30)
    response = api.request("officer_bkk", "PUT", f"/api/v1/cases/{case['id']}/plan", json=plan)
    assert response.status_code == 200, response.text
    check_in = response.json()["check_ins"][0]
    flag_id = asyncio.run(
        flag_store.raise_flag(
            {
                "kind": "missed_checkin",
                "case": case["id"],
                "check_in": check_in["id"],
                "office": case["office_id"],
                "severity": "high",
                "detail": "test",
                "raised_at": utcnow(),
                "dedupe_key": f"missed_checkin:{check_in['id']}",
            }
        )
    )
    return defendant, case, check_in, flag_id


def test_authorisation_matrix(api):
    defendant, case, check_in, flag_id = _world(api)
    d, c, k, f = defendant["id"], case["id"], check_in["id"], flag_id
    bkk = case["office_id"]
    name = defendant["last_name_th"]
    # From after the check-in recorded in person below: a plan may not move a done one.
    start = date.today() + timedelta(days=31)
    plan = interval_plan(start, start + timedelta(days=90), every=14)
    photo = {"photo": ("id.jpg", id_photo_bytes(), "image/jpeg")}

    # (method, url, kwargs, expected status for admin, manager, officer_bkk, officer_cnx)
    matrix = [
        ("GET", "/api/v1/offices", {}, (200, 200, 200, 200)),
        ("GET", f"/api/v1/offices/{bkk}", {}, (200, 200, 200, 200)),
        (
            "PATCH",
            f"/api/v1/offices/{bkk}",
            {"json": {"phone": "02-141-5100"}},
            (200, 403, 403, 403),
        ),
        ("GET", "/api/v1/staff", {}, (200, 403, 403, 403)),
        ("GET", f"/api/v1/staff/{api.staff['officer_bkk'].id}", {}, (200, 403, 403, 403)),
        ("GET", f"/api/v1/defendants/{d}", {}, (403, 200, 200, 404)),
        ("GET", f"/api/v1/defendants/{d}/photo", {}, (403, 200, 200, 404)),
        ("GET", "/api/v1/defendants?q=" + name, {}, (403, 200, 200, 200)),
        (
            "PATCH",
            f"/api/v1/defendants/{d}",
            {"json": {"preferred_language": "en"}},
            (403, 403, 200, 404),
        ),
        ("PUT", f"/api/v1/defendants/{d}/photo", {"files": photo}, (403, 403, 200, 404)),
        ("GET", f"/api/v1/cases/{c}", {}, (403, 200, 200, 404)),
        ("GET", "/api/v1/cases", {}, (403, 200, 200, 200)),
        ("GET", f"/api/v1/cases?office_id={bkk}", {}, (403, 200, 200, 404)),
        ("GET", f"/api/v1/cases/{c}/plan", {}, (403, 200, 200, 404)),
        ("GET", f"/api/v1/cases/{c}/checkins", {}, (403, 200, 200, 404)),
        ("GET", f"/api/v1/offices/{bkk}/checkins/today", {}, (403, 200, 200, 404)),
        ("POST", f"/api/v1/checkins/{k}/excuse", {"json": {"reason": "illness"}}, (403, 403, 200, 404)),
        ("GET", "/api/v1/flags", {}, (403, 200, 200, 200)),
        (
            "POST",
            f"/api/v1/flags/{f}/acknowledge",
            {"json": {"note": "seen"}},
            (403, 403, 200, 404),
        ),
        ("GET", "/api/v1/audit", {}, (200, 200, 403, 403)),
        ("PUT", f"/api/v1/cases/{c}/plan", {"json": plan}, (403, 403, 200, 404)),
        (
            "POST",
            f"/api/v1/cases/{c}/close",
            {"json": {"status": "concluded", "outcome": "judgment"}},
            (403, 403, 200, 404),
        ),
    ]
    mismatches = []
    for method, url, kwargs, expected in matrix:
        # Denied roles go first, so a success by the owning officer cannot hide a leak.
        for role, want in sorted(
            zip(ROLES, expected, strict=False), key=lambda pair: pair[1] < 300
        ):
            response = api.request(role, method, url, **kwargs)
            if response.status_code != want:
                mismatches.append(f"{role} {method} {url}: {response.status_code} != {want}")
            if response.status_code in (403, 404):
                assert name not in response.text, f"{role} {method} {url} leaked the name"
    assert not mismatches, "\n".join(mismatches)


def test_lists_only_show_the_officers_own_office(api):
    defendant, case, _, _ = _world(api)
    other = enrol(api, "officer_cnx", first_name_th="มานี", last_name_th="ใจดี")
    assert other.status_code == 201
    for url in ("/api/v1/defendants?q=ใจดี", "/api/v1/cases", "/api/v1/flags?state=all"):
        cnx = api.request("officer_cnx", "GET", url).json()
        ids = {item.get("defendant_id", item["id"]) for item in cnx["items"]}
        assert defendant["id"] not in ids and case["id"] not in {i["id"] for i in cnx["items"]}
    manager = api.request("manager", "GET", "/api/v1/defendants?q=ใจดี").json()
    assert manager["total"] == 2


def test_officer_cannot_open_a_case_in_another_office(api):
    response = enrol(api, "officer_bkk")
    defendant = response.json()
    cnx_office = api.staff["officer_cnx"].office_id
    as_cnx = api.request("officer_cnx", "POST", "/api/v1/cases", json=case_payload(defendant["id"]))
    assert as_cnx.status_code == 400 and as_cnx.json()["extra"][0]["key"] == "defendant_id"
    elsewhere = api.request(
        "officer_bkk",
        "POST",
        "/api/v1/cases",
        json=case_payload(defendant["id"], office_id=cnx_office),
    )
    assert elsewhere.status_code == 404


def test_admin_manages_staff(api):
    office = api.office_id("TH-50")
    created = api.request(
        "admin",
        "POST",
        "/api/v1/staff",
        json={
            "username": "new.officer",
            "display_name": "เจ้าหน้าที่ใหม่",
            "role": "officer",
            "office_id": office,
            "password": "a long enough password",
        },
    )
    assert created.status_code == 201, created.text
    duplicate = api.request(
        "admin",
        "POST",
        "/api/v1/staff",
        json={
            "username": "new.officer",
            "display_name": "x",
            "role": "officer",
            "office_id": office,
            "password": "a long enough password",
        },
    )
    assert duplicate.status_code == 409 and duplicate.json()["extra"][0]["key"] == "username"
    login = api.client.post(
        "/api/v1/auth/login", json={"username": "new.officer", "password": "a long enough password"}
    )
    assert login.status_code == 200
    as_manager = api.request(
        "manager",
        "POST",
        "/api/v1/staff",
        json={
            "username": "sneaky",
            "display_name": "x",
            "role": "admin",
            "office_id": office,
            "password": "a long enough password",
        },
    )
    assert as_manager.status_code == 403
