"""Finding 5: the retention purge covers everything personal that outlives its purpose:
recordings' client details and the check-in link's client addresses, the text and number of
sent messages, search terms in the audit log, and closed cases (with their photos and
templates) after the case retention, unless a legal hold keeps them; the nightly housekeeping
runs it and `bail-checkin purge-evidence` reports each count."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from reporting_api.clock import utcnow
from reporting_api.services.housekeeping import housekeeping
from reporting_api.services.retention import purge
from reporting_api.store import attempts, audit
from reporting_api.tables import (
    AuditLog,
    BailCase,
    CheckIn,
    Defendant,
    EvidenceFrame,
    Flag,
    Reminder,
    VerificationAttempt,
)
from tests.checkin.helpers import db, open_check_in
from tests.conftest import run_cli, settings_for_test

CLIENT = {
    "user_agent": "Mozilla/5.0 (Linux; Android 10; SM-A105F)",
    "screen": {"width": 720, "height": 1520},
    "location": {"latitude": 13.7563, "longitude": 100.5018, "accuracy_m": 20},
}


def _attempt(world: dict[str, Any], key: str, *, waiting: bool, at: Any) -> int:
    check_in = world["check_in"]
    return asyncio.run(
        attempts.insert_attempt(
            {
                "check_in": check_in["id"],
                "case": world["case"]["id"],
                "office": check_in["office_id"],
                "idempotency_key": key,
                "state": "done",
                "media_kind": "clip",
                "decision": "review" if waiting else "rejected",
                "outcome": "review" if waiting else "retry",
                "needs_review": waiting,
                "client": CLIENT,
                "client_address": "203.0.113.7",
                "created_at": at,
            }
        )
    )


def _attempt_row(attempt_id: int) -> dict[str, Any]:
    A = VerificationAttempt
    return db(A.select(A.client, A.client_address).where(A.id == attempt_id).first())


def test_recordings_lose_location_user_agent_and_address_after_the_evidence_period(
    api, database_url
):
    world = open_check_in(api)
    now = utcnow()
    old, recent = now - timedelta(days=40), now - timedelta(days=3)
    settled = _attempt(world, "k-old", waiting=False, at=old)
    waiting = _attempt(world, "k-waiting", waiting=True, at=old)
    fresh = _attempt(world, "k-fresh", waiting=False, at=recent)

    report = asyncio.run(purge(now, settings_for_test(database_url)))

    assert report.client_details == 1
    gone = _attempt_row(settled)
    assert gone["client_address"] is None and gone["client"] in ({}, "{}")
    for kept in (waiting, fresh):  # an officer still has to look; or still within retention
        row = _attempt_row(kept)
        assert row["client_address"] == "203.0.113.7" and "13.7563" in str(row["client"])
    again = asyncio.run(purge(now, settings_for_test(database_url)))
    assert again.client_details == 0


def test_the_check_in_links_audit_rows_lose_the_persons_address(api, database_url):
    now = utcnow()
    for at, actor in ((now - timedelta(days=40), "checkin-link"), (now, "checkin-link")):
        asyncio.run(
            audit.record(
                actor_id=None,
                actor_username=actor,
                action="checkin.identified",
                entity="check_in",
                entity_id=1,
                at=at,
                client_address="198.51.100.23",
            )
        )
    staff = api.staff["officer_bkk"]
    asyncio.run(
        audit.record(
            actor_id=staff.id,
            actor_username=staff.username,
            action="defendant.read",
            entity="defendant",
            entity_id=1,
            at=now - timedelta(days=40),
            client_address="10.1.1.1",
        )
    )

    report = asyncio.run(purge(now, settings_for_test(database_url)))

    assert report.link_addresses == 1
    rows = db(AuditLog.select(AuditLog.actor_username, AuditLog.client_address, AuditLog.at))
    link = sorted((r for r in rows if r["actor_username"] == "checkin-link"), key=lambda r: r["at"])
    assert [r["client_address"] for r in link] == [None, "198.51.100.23"]
    assert any(r["client_address"] == "10.1.1.1" for r in rows)  # staff rows are not the person's


def test_sent_messages_lose_their_text_and_number_after_the_message_period(api, database_url):
    world = open_check_in(api)
    now = utcnow()
    ids = [
        r["id"]
        for r in db(Reminder.select(Reminder.id).where(Reminder.case == world["case"]["id"]))
    ]
    assert len(ids) >= 3
    body = f"รายงานตัว https://example.go.th/c/{world['code']}"
    for reminder_id, status, age in (
        (ids[0], "delivered", 100),
        (ids[1], "sent", 10),
        (ids[2], "queued", 100),
    ):
        db(
            Reminder.update(
                {
                    Reminder.status: status,
                    Reminder.body: body,
                    Reminder.to_phone: "+66812345678",
                    Reminder.updated_at: now - timedelta(days=age),
                }
            ).where(Reminder.id == reminder_id)
        )

    report = asyncio.run(purge(now, settings_for_test(database_url)))

    assert report.message_texts == 1
    rows = {
        r["id"]: r
        for r in db(Reminder.select(Reminder.id, Reminder.body, Reminder.to_phone, Reminder.status))
    }
    assert rows[ids[0]]["body"] is None and rows[ids[0]]["to_phone"] is None
    assert rows[ids[0]]["status"] == "delivered"  # the fact it was delivered stays
    assert rows[ids[1]]["body"] == body  # sent ten days ago: kept
    assert rows[ids[2]]["body"] == body  # not sent yet: the dispatcher needs it


def test_search_terms_leave_the_audit_log_after_the_search_period(api, database_url):
    open_check_in(api)
    now = utcnow()
    for q in ("สมชาย", "0812345678"):
        response = api.request("officer_bkk", "GET", "/api/v1/defendants", params={"q": q})
        assert response.status_code == 200, response.text
    searches = db(AuditLog.select(AuditLog.id).where(AuditLog.action == "defendant.search"))
    old = searches[0]["id"]
    db(AuditLog.update({AuditLog.at: now - timedelta(days=100)}).where(AuditLog.id == old))

    report = asyncio.run(purge(now, settings_for_test(database_url)))

    assert report.search_terms == 1
    rows = {
        r["id"]: r["detail"]
        for r in db(
            AuditLog.select(AuditLog.id, AuditLog.detail)
            .where(AuditLog.action == "defendant.search")
            .output(load_json=True)
        )
    }
    assert "q" not in rows[old] and "returned" in rows[old]  # who searched and what was shown
    assert all("q" in detail for key, detail in rows.items() if key != old)


def _close(api: Any, case_id: int, days_ago: int) -> None:
    response = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{case_id}/close",
        json={"status": "concluded", "outcome": "ศาลพิพากษาแล้ว"},
    )
    assert response.status_code == 200, response.text
    closed = utcnow() - timedelta(days=days_ago)
    db(BailCase.update({BailCase.closed_at: closed}).where(BailCase.id == case_id))


def _person(defendant_id: int) -> dict[str, Any]:
    return db(Defendant.select().where(Defendant.id == defendant_id).first())


def test_closed_cases_go_after_the_case_period_unless_a_legal_hold_keeps_them(api, database_url):
    now = utcnow()
    gone, held, recent, active = (open_check_in(api) for _ in range(4))
    attempt = _attempt(gone, "k-gone", waiting=False, at=now - timedelta(days=2))
    asyncio.run(
        attempts.insert_frames(
            [
                {
                    "attempt": attempt,
                    "position": 0,
                    "t": 0.5,
                    "image": b"sealed",
                    "width": 320,
                    "height": 240,
                    "created_at": now,
                }
            ]
        )
    )
    for world in (gone, held):
        _close(api, world["case"]["id"], days_ago=6 * 365)
    _close(api, recent["case"]["id"], days_ago=30)
    hold = api.request(
        "officer_bkk",
        "PUT",
        f"/api/v1/defendants/{held['defendant']['id']}/legal-hold",
        json={"reason": "คดีแพ่งเรียกคืนเงินประกันยังไม่สิ้นสุด"},
    )
    assert hold.status_code == 200, hold.text
    assert hold.json()["legal_hold_reason"] == "คดีแพ่งเรียกคืนเงินประกันยังไม่สิ้นสุด"

    report = asyncio.run(purge(now, settings_for_test(database_url)))

    assert report.closed_cases == 1 and report.people_anonymised == 1
    case_id = gone["case"]["id"]
    assert db(BailCase.count().where(BailCase.id == case_id)) == 0
    assert db(CheckIn.count().where(CheckIn.case == case_id)) == 0
    assert db(Reminder.count().where(Reminder.case == case_id)) == 0
    assert db(Flag.count().where(Flag.case == case_id)) == 0
    assert db(VerificationAttempt.count().where(VerificationAttempt.id == attempt)) == 0
    assert db(EvidenceFrame.count().where(EvidenceFrame.attempt == attempt)) == 0
    person = _person(gone["defendant"]["id"])
    assert person["anonymised_at"] is not None
    assert person["id_photo_sealed"] is None and person["id_photo"] is None
    assert person["face_template"] is None
    assert person["national_id"] != gone["defendant"]["national_id"]
    assert person["first_name_th"] != "สมชาย" and person["phone"] == ""
    for world in (held, recent, active):
        kept = _person(world["defendant"]["id"])
        assert kept["anonymised_at"] is None and kept["id_photo_sealed"] is not None
        assert db(BailCase.count().where(BailCase.id == world["case"]["id"])) == 1
    # Setting the hold is audited with its reason; the purge and the anonymisation too.
    actions = {r["action"] for r in db(AuditLog.select(AuditLog.action))}
    assert {"defendant.legal_hold.set", "retention.purge", "defendant.anonymise"} <= actions
    # Lifting the hold lets the next night's purge take it.
    lifted = api.request(
        "officer_bkk", "DELETE", f"/api/v1/defendants/{held['defendant']['id']}/legal-hold"
    )
    assert lifted.status_code == 200 and lifted.json()["legal_hold_reason"] is None
    later = asyncio.run(purge(now, settings_for_test(database_url)))
    assert later.closed_cases == 1 and later.people_anonymised == 1


def test_only_the_persons_own_officers_set_or_lift_a_hold(api):
    world = open_check_in(api)
    url = f"/api/v1/defendants/{world['defendant']['id']}/legal-hold"
    body = {"reason": "appeal pending"}
    assert api.request("officer_cnx", "PUT", url, json=body).status_code == 404
    assert api.request("manager", "PUT", url, json=body).status_code == 403
    assert api.request("admin", "PUT", url, json=body).status_code == 403
    blank = api.request("officer_bkk", "PUT", url, json={"reason": "   "})
    assert blank.status_code == 400 and blank.json()["extra"][0]["key"] == "reason"
    not_held = api.request("officer_bkk", "DELETE", url)
    assert not_held.status_code == 409


def test_housekeeping_runs_the_purge_and_the_cli_reports_each_count(api, database_url):
    world = open_check_in(api)
    now = utcnow()
    first = db(Reminder.select(Reminder.id).where(Reminder.case == world["case"]["id"]).first())
    db(
        Reminder.update(
            {
                Reminder.status: "delivered",
                Reminder.body: "link",
                Reminder.to_phone: "+66812345678",
                Reminder.updated_at: now - timedelta(days=100),
            }
        ).where(Reminder.id == first["id"])
    )
    _attempt(world, "k-old", waiting=False, at=now - timedelta(days=40))

    nightly = asyncio.run(housekeeping(now, settings_for_test(database_url)))
    assert nightly.purged is not None
    assert nightly.purged.message_texts == 1 and nightly.purged.client_details == 1

    db(Reminder.update({Reminder.body: "link again"}).where(Reminder.id == first["id"]))
    result = run_cli("purge-evidence", database_url=database_url)
    assert result.returncode == 0, result.stderr
    for line in (
        "0 evidence frames",
        "0 identification records",
        "0 recordings' client details",
        "0 client addresses in the check-in link's audit rows",
        "1 message texts and phone numbers",
        "0 search terms in the audit log",
        "0 closed cases past retention",
        "0 people anonymised",
    ):
        assert line in result.stdout, result.stdout
