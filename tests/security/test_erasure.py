"""Finding 5: a data subject's right to erasure. An officer of the person's office anonymises
(keeping the cases' figures, nothing that names the person) or erases (everything) a person
whose cases are all closed; refused while a case is active or a legal hold is set; audited,
with counts and never the data."""

from __future__ import annotations

import json
from typing import Any

from reporting_api.tables import (
    AuditLog,
    BailCase,
    CheckIn,
    Defendant,
    EvidenceFrame,
    Flag,
    IdentifyAttempt,
    Reminder,
    VerificationAttempt,
)
from tests.checkin.helpers import db
from tests.security.person_record import FLAG_NOTE, close_case, person_with_everything


def _erase(api: Any, defendant_id: int, mode: str, user: str = "officer_bkk", **extra: Any):
    body = {"mode": mode, "reason": "คำขอลบข้อมูลของเจ้าของข้อมูล (PDPA ม.33)"} | extra
    return api.request(user, "POST", f"/api/v1/defendants/{defendant_id}/erasure", json=body)


def _audit(action: str) -> list[dict[str, Any]]:
    return db(AuditLog.select().where(AuditLog.action == action).output(load_json=True))


def test_erasure_is_refused_while_a_case_is_active_or_a_hold_is_set(api):
    world = person_with_everything(api)
    person_id = world["defendant"]["id"]
    refused = _erase(api, person_id, "anonymise")
    assert refused.status_code == 409
    assert refused.json()["extra"][0]["key"] == "cases"
    assert "ยังมีคดีที่ดำเนินอยู่" in json.dumps(refused.json(), ensure_ascii=False)

    close_case(api, world["case"]["id"])
    held = api.request(
        "officer_bkk",
        "PUT",
        f"/api/v1/defendants/{person_id}/legal-hold",
        json={"reason": "อัยการขอให้เก็บหลักฐาน"},
    )
    assert held.status_code == 200, held.text
    for mode in ("anonymise", "erase"):
        refused = _erase(api, person_id, mode)
        assert refused.status_code == 409 and refused.json()["extra"][0]["key"] == "legal_hold"
    assert db(Defendant.count().where(Defendant.id == person_id)) == 1

    lifted = api.request("officer_bkk", "DELETE", f"/api/v1/defendants/{person_id}/legal-hold")
    assert lifted.status_code == 200
    assert _erase(api, person_id, "anonymise").status_code == 200
    assert {"defendant.legal_hold.set", "defendant.legal_hold.lift"} <= {
        r["action"] for r in db(AuditLog.select(AuditLog.action))
    }


def test_anonymising_keeps_the_figures_and_removes_everything_that_names_the_person(api):
    world = person_with_everything(api)
    person = world["defendant"]
    case_id = world["case"]["id"]
    close_case(api, case_id)
    check_ins_kept = db(CheckIn.count().where(CheckIn.case == case_id))
    assert check_ins_kept >= 1

    done = _erase(api, person["id"], "anonymise")

    assert done.status_code == 200, done.text
    removed = done.json()["removed"]
    assert removed["cases"] == 1 and removed["evidence_frames"] == 1
    assert removed["identify_attempts"] == 1 and removed["flags"] >= 1
    row = db(Defendant.select().where(Defendant.id == person["id"]).first())
    assert row["anonymised_at"] is not None
    assert row["national_id"] != person["national_id"] and row["phone"] == ""
    assert row["first_name_th"] != "สมชาย" and row["first_name_en"] is None
    assert row["date_of_birth"].month == 1 and row["date_of_birth"].day == 1  # the year only
    assert row["id_photo_sealed"] is None and row["face_template"] is None
    case = db(BailCase.select().where(BailCase.id == case_id).first())
    assert case["court"] == "ศาลอาญา" and float(case["bail_amount"]) == 50000.0
    assert case["black_case_number"] == "" and case["fund_request_ref"] is None
    assert case["charge"] == "" and case["conditions"] == ""
    assert db(CheckIn.count().where(CheckIn.case == case_id)) == check_ins_kept  # statuses stay
    assert db(CheckIn.count().where((CheckIn.case == case_id) & CheckIn.code.is_not_null())) == 0
    message = db(Reminder.select().where(Reminder.id == world["message_id"]).first())
    assert message["body"] is None and message["to_phone"] is None
    assert message["status"] == "delivered"
    attempt = db(
        VerificationAttempt.select()
        .where(VerificationAttempt.id == world["attempt_id"])
        .output(load_json=True)
        .first()
    )
    assert attempt["client"] == {} and attempt["client_address"] is None
    assert attempt["decision"] == "rejected"  # the figures of face matching stay
    assert db(EvidenceFrame.count().where(EvidenceFrame.attempt == world["attempt_id"])) == 0
    assert (
        db(IdentifyAttempt.count().where(IdentifyAttempt.check_in == world["check_in"]["id"])) == 0
    )
    assert all(f["acknowledge_note"] is None for f in db(Flag.select().where(Flag.case == case_id)))

    # Nothing that named the person is left anywhere the API shows it.
    record = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}/export")
    shown = record.text
    for personal in (person["national_id"], "สมชาย", "Somchai", FLAG_NOTE, "203.0.113.7"):
        assert personal not in shown, personal
    assert record.json()["images"] == []
    photo = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}/photo")
    assert photo.status_code == 404

    (audited,) = _audit("defendant.anonymise")
    assert audited["actor_username"] == "officer_bkk" and audited["detail"]["counts"]["cases"] == 1
    assert person["national_id"] not in json.dumps(audited["detail"], ensure_ascii=False)
    again = _erase(api, person["id"], "anonymise")
    assert again.status_code == 409 and again.json()["extra"][0]["key"] == "mode"


def test_erasing_deletes_the_person_and_everything_of_theirs(api):
    world = person_with_everything(api)
    person = world["defendant"]
    case_id = world["case"]["id"]
    close_case(api, case_id)

    done = _erase(api, person["id"], "erase")

    assert done.status_code == 200, done.text
    assert db(Defendant.count().where(Defendant.id == person["id"])) == 0
    assert db(BailCase.count().where(BailCase.id == case_id)) == 0
    assert db(CheckIn.count().where(CheckIn.case == case_id)) == 0
    assert db(Reminder.count().where(Reminder.case == case_id)) == 0
    assert db(VerificationAttempt.count().where(VerificationAttempt.id == world["attempt_id"])) == 0
    assert db(EvidenceFrame.count()) == 0
    assert (
        api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}").status_code == 404
    )
    (audited,) = _audit("defendant.erase")
    assert audited["entity_id"] == str(person["id"]) and audited["detail"]["mode"] == "erase"
    assert person["national_id"] not in json.dumps(audited["detail"], ensure_ascii=False)


def test_only_an_officer_of_the_persons_office_removes_and_bad_input_names_its_field(api):
    world = person_with_everything(api)
    person_id = world["defendant"]["id"]
    close_case(api, world["case"]["id"])
    assert _erase(api, person_id, "erase", user="officer_cnx").status_code == 404
    assert _erase(api, person_id, "erase", user="manager").status_code == 403
    assert _erase(api, person_id, "erase", user="admin").status_code == 403
    for body, field in (
        ({"mode": "delete", "reason": "x"}, "mode"),
        ({"mode": "erase"}, "reason"),
        ({"mode": "erase", "reason": "   "}, "reason"),
        ({"mode": "erase", "reason": "x", "also": 1}, "also"),
    ):
        response = api.request(
            "officer_bkk", "POST", f"/api/v1/defendants/{person_id}/erasure", json=body
        )
        assert response.status_code == 400, (body, response.text)
        assert field in json.dumps(response.json()), (body, response.text)
    assert db(Defendant.count().where(Defendant.id == person_id)) == 1


def test_the_persons_page_removes_only_with_a_reason_and_a_confirmation(site):
    browser, api = site
    world = person_with_everything(api)
    person_id = world["defendant"]["id"]
    page_url = f"/admin/defendants/{person_id}"
    officer = browser.as_("officer_bkk")
    assert "/erasure" not in officer.client.get(page_url).text  # a case is still active
    close_case(api, world["case"]["id"])
    page = officer.client.get(page_url).text
    assert f"/admin/defendants/{person_id}/erasure" in page
    assert f"/admin/defendants/{person_id}/legal-hold" in page
    assert "/erasure" not in browser.as_("manager").client.get(page_url).text
    officer = browser.as_("officer_bkk")  # one browser: back to the officer's session

    unconfirmed = officer.post_form(
        page_url, f"{page_url}/erasure", {"mode": "anonymise", "reason": "คำขอของเจ้าของข้อมูล"}
    )
    assert unconfirmed.status_code == 400
    assert "โปรดทำเครื่องหมายเพื่อยืนยัน" in unconfirmed.text
    assert "tick the box to confirm" in unconfirmed.text
    assert (
        db(Defendant.select(Defendant.anonymised_at).where(Defendant.id == person_id).first())[
            "anonymised_at"
        ]
        is None
    )

    hold = officer.post_form(
        page_url, f"{page_url}/legal-hold", {"action": "set", "reason": "คดีอุทธรณ์"}
    )
    assert hold.status_code == 303
    held = officer.post_form(
        page_url,
        f"{page_url}/erasure",
        {"mode": "anonymise", "reason": "คำขอของเจ้าของข้อมูล", "confirm": "yes"},
    )
    assert held.status_code == 409  # the page no longer offers it; a stale form is refused
    officer.post_form(page_url, f"{page_url}/legal-hold", {"action": "lift"})

    done = officer.post_form(
        page_url,
        f"{page_url}/erasure",
        {"mode": "anonymise", "reason": "คำขอของเจ้าของข้อมูล", "confirm": "yes"},
    )
    assert done.status_code == 303 and done.headers["location"] == page_url
    assert "ทำให้ไม่ระบุตัวตนแล้วเมื่อ" in officer.client.get(page_url).text
