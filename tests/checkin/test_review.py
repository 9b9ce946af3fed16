"""Officers reviewing remote check-ins: the queue, the evidence, accept and reject, a video
call, and unlocking a link. Attempts come from the real flow (three still-photo clips use up
the tries and pass the check-in to an officer)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from typing import Any

from reporting_api.clock import utcnow
from tests.checkin.helpers import BIRTH, challenge_of, clip_bytes, open_check_in, wait_done

ATTEMPTS = "/api/v1/verification-attempts"
# One still-photo clip serves every upload: a recording with no motion is rejected whatever
# challenge it answers, and rendering one costs about a second.
_STATIC_CLIP: list[bytes] = []


def _identify(client: Any, world: dict[str, Any], birth: str = BIRTH) -> Any:
    client.cookies.clear()
    return client.post(
        f"/c/{world['code']}/identify",
        json={"date_of_birth": birth, "national_id_last4": world["defendant"]["national_id"][-4:]},
    )


def _record_static(client: Any, code: str) -> dict[str, Any]:
    """Upload a still-photo clip on an identified link; the page's result once verified."""
    response = client.post(f"/c/{code}/challenge")
    assert response.status_code == 201, response.text
    if not _STATIC_CLIP:
        _STATIC_CLIP.append(clip_bytes(challenge_of(response.json()), "static"))
    response = client.post(
        f"/c/{code}/attempts",
        data={
            "challenge_id": response.json()["id"],
            "client": json.dumps(
                {
                    "user_agent": "pytest-review",
                    "screen": [360, 800],
                    "location": {"lat": 13.75, "lon": 100.5, "accuracy_m": 30},
                }
            ),
        },
        files={"clip": ("clip.mp4", _STATIC_CLIP[0], "video/mp4")},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 202, response.text
    attempt_id = response.json()["attempt_id"]
    return wait_done(client, code, attempt_id) | {"attempt_id": attempt_id}


def _pending_review(api: Any) -> dict[str, Any]:
    """A person whose three recordings were rejected: the check-in waits for an officer."""
    world = open_check_in(api)
    response = _identify(api.client, world)
    assert response.status_code == 200, response.text
    results = [_record_static(api.client, world["code"]) for _ in range(3)]
    assert [r["outcome"] for r in results] == ["retry", "retry", "review"], results
    world["attempts"] = [r["attempt_id"] for r in results]
    assert _check_in(api, world)["status"] == "pending_review"
    return world


def _check_in(api: Any, world: dict[str, Any]) -> dict[str, Any]:
    rows = api.request("officer_bkk", "GET", f"/api/v1/cases/{world['case']['id']}/checkins")
    return next(c for c in rows.json() if c["id"] == world["check_in"]["id"])


def _flags(api: Any, world: dict[str, Any], state: str) -> list[dict[str, Any]]:
    response = api.request(
        "officer_bkk",
        "GET",
        "/api/v1/flags",
        params={"state": state, "case_id": world["case"]["id"], "kind": "failed_verification"},
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _audit(api: Any, entity: str, entity_id: int | None = None, **params: Any) -> list[dict]:
    query = {"entity": entity, "page_size": 100, **params}
    if entity_id is not None:
        query["entity_id"] = str(entity_id)
    response = api.request("manager", "GET", "/api/v1/audit", params=query)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _sealed_frame(attempt_id: int, position: int) -> bytes:
    from reporting_api.tables import EvidenceFrame

    async def read() -> bytes:
        row = (
            await EvidenceFrame.select(EvidenceFrame.image)
            .where((EvidenceFrame.attempt == attempt_id) & (EvidenceFrame.position == position))
            .first()
        )
        return bytes(row["image"])

    return asyncio.run(read())


def _notices(case_id: int) -> list[dict[str, Any]]:
    """The person's notices queued in the outbox, oldest first."""
    from reporting_api.tables import Reminder

    async def read() -> list[dict[str, Any]]:
        return await (
            Reminder.select(Reminder.kind, Reminder.body, Reminder.status)
            .where((Reminder.case == case_id) & Reminder.kind.like("notice_%"))
            .order_by(Reminder.id)
        )

    return asyncio.run(read())


def _window_status(check_in: dict[str, Any]) -> str:
    """What the window makes a check-in nobody completed, as of now."""
    now = utcnow()
    if now < datetime.fromisoformat(check_in["due_at"]):
        return "open"
    if now < datetime.fromisoformat(check_in["closes_at"]):
        return "late"
    return "missed"


def _error_key(response: Any) -> str:
    return response.json()["extra"][0]["key"]


def test_queue_evidence_and_accept(api):
    world = _pending_review(api)
    first, second, last = world["attempts"]
    defendant = world["defendant"]

    # The queue: the attempt that passed the check-in to an officer, not the two retries.
    page = api.request("officer_bkk", "GET", ATTEMPTS).json()
    assert page["total"] == 1 and [a["id"] for a in page["items"]] == [last]
    item = page["items"][0]
    assert item["check_in_id"] == world["check_in"]["id"]
    assert item["case_id"] == world["case"]["id"]
    assert item["defendant_id"] == defendant["id"]
    assert item["defendant_name_th"] == (
        f"{defendant['title_th']}{defendant['first_name_th']} {defendant['last_name_th']}"
    )
    assert item["check_in_status"] == "pending_review"
    assert (item["decision"], item["outcome"], item["needs_review"]) == ("rejected", "review", True)
    assert item["reasons"] and all(r["code"] and r["message_th"] for r in item["reasons"])
    assert item["scores"] and item["match_distance"] == item["scores"].get("match_distance")
    assert item["reviewed_at"] is None and item["review_decision"] is None
    history = api.request("officer_bkk", "GET", ATTEMPTS, params={"waiting": "false"}).json()
    assert [a["id"] for a in history["items"]] == [last, second, first]
    by_check_in = api.request(
        "officer_bkk",
        "GET",
        ATTEMPTS,
        params={"waiting": "false", "check_in_id": world["check_in"]["id"]},
    ).json()
    assert by_check_in["total"] == 3
    assert api.request("manager", "GET", ATTEMPTS).json()["total"] == 1
    assert api.request("officer_cnx", "GET", ATTEMPTS).json()["total"] == 0
    bkk = api.office_id("TH-10")
    assert api.request("officer_cnx", "GET", ATTEMPTS, params={"office_id": bkk}).status_code == 404
    assert api.request("admin", "GET", ATTEMPTS).status_code == 403
    listed = _audit(api, "office", bkk, action="attempt.list")
    assert listed and listed[-1]["detail"]["defendants"] == [defendant["id"]]

    # The evidence.
    detail = api.request("officer_bkk", "GET", f"{ATTEMPTS}/{last}").json()
    assert detail["id"] == last and detail["media_kind"] == "clip"
    assert detail["challenge_steps"] and {"action", "start_s", "end_s"} <= set(
        detail["challenge_steps"][0]
    )
    assert detail["timings_ms"]["total"] > 0
    assert detail["client"]["user_agent"] == "pytest-review"
    assert detail["client"]["screen"] == [360, 800]
    assert detail["client"]["location"] == {"lat": 13.75, "lon": 100.5, "accuracy_m": 30.0}
    assert detail["frames"], detail
    frame = detail["frames"][0]
    assert frame["url"] == f"{ATTEMPTS}/{last}/frames/{frame['position']}"
    response = api.request("officer_bkk", "GET", frame["url"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/jpeg")
    assert "no-store" in response.headers["cache-control"]
    assert response.content[:2] == b"\xff\xd8"
    sealed = _sealed_frame(last, frame["position"])
    assert response.content != sealed and response.content not in sealed
    assert api.request("manager", "GET", frame["url"]).status_code == 200
    assert api.request("officer_bkk", "GET", f"{ATTEMPTS}/{last}/frames/999").status_code == 404
    for url in (f"{ATTEMPTS}/{last}", frame["url"]):
        assert api.request("officer_cnx", "GET", url).status_code == 404
    assert api.request("officer_bkk", "GET", f"{ATTEMPTS}/{last + 1000}").status_code == 404
    actions = {row["action"] for row in _audit(api, "verification_attempt", last)}
    assert {"attempt.read", "attempt.frame.read"} <= actions

    # Deciding: only an officer of the office, and only with a note.
    review = f"{ATTEMPTS}/{last}/review"
    accept = {"decision": "accept", "note": "ID card shown on video; same person"}
    assert api.request("officer_cnx", "POST", review, json=accept).status_code == 404
    assert api.request("manager", "POST", review, json=accept).status_code == 403
    missing = api.request("officer_bkk", "POST", review, json={"decision": "accept"})
    assert missing.status_code == 400 and "note" in json.dumps(missing.json())
    blank = api.request("officer_bkk", "POST", review, json={"decision": "accept", "note": "  "})
    assert blank.status_code == 400 and _error_key(blank) == "note"
    assert _flags(api, world, "resolved") == []

    response = api.request("officer_bkk", "POST", review, json=accept)
    assert response.status_code == 200, response.text
    body = response.json()
    officer = api.staff["officer_bkk"].id
    assert body["attempt"]["review_decision"] == "accept"
    assert body["attempt"]["reviewed_by"] == officer
    assert body["attempt"]["review_note"] == accept["note"]
    assert body["attempt"]["check_in_status"] == "verified"
    assert body["check_in"]["status"] == "verified" and body["check_in"]["method"] == "remote"
    check_in = _check_in(api, world)
    assert (check_in["status"], check_in["method"]) == ("verified", "remote")
    assert check_in["recorded_by"] == officer and check_in["note"] == accept["note"]
    assert check_in["completed_at"] is not None
    resolved = _flags(api, world, "resolved")
    assert [f["id"] for f in resolved] == body["resolved_flag_ids"] and len(resolved) == 1
    assert resolved[0]["resolution_note"] == accept["note"]
    assert api.request("officer_bkk", "GET", ATTEMPTS).json()["total"] == 0
    rows = [r for r in _audit(api, "verification_attempt", last) if r["action"] == "attempt.review"]
    assert len(rows) == 1 and rows[0]["actor_id"] == officer
    change = rows[0]["detail"]
    assert change["before"]["check_in_status"] == "pending_review"
    assert change["before"]["review_decision"] is None
    assert change["after"] == change["after"] | {
        "check_in_status": "verified",
        "review_decision": "accept",
        "reviewed_by": officer,
    }
    assert {"checkin.verified"} <= {
        r["action"] for r in _audit(api, "check_in", world["check_in"]["id"])
    }
    # The person is told, with the next date (the plan has one 30 days on).
    (told,) = _notices(world["case"]["id"])
    assert told["kind"] == "notice_review_accepted" and told["status"] == "queued"
    assert "ผ่านการยืนยัน" in told["body"] and "ครั้งถัดไป" in told["body"]

    # Twice is a conflict; an earlier (retry) attempt may still be reviewed.
    again = api.request("officer_bkk", "POST", review, json=accept)
    assert again.status_code == 409 and _error_key(again) == "attempt"
    late_accept = api.request("officer_bkk", "POST", f"{ATTEMPTS}/{first}/review", json=accept)
    assert late_accept.status_code == 409 and _error_key(late_accept) == "status"
    note = {"decision": "reject", "note": "a still photo held to the camera"}
    response = api.request("officer_bkk", "POST", f"{ATTEMPTS}/{first}/review", json=note)
    assert response.status_code == 200, response.text
    assert response.json()["attempt"]["review_decision"] == "reject"
    assert response.json()["check_in"]["status"] == "verified"


def test_reject_reopens_then_video_call_settles(api):
    world = _pending_review(api)
    last = world["attempts"][-1]
    reject = {"decision": "reject", "note": "not the person in the ID photo"}
    response = api.request("officer_bkk", "POST", f"{ATTEMPTS}/{last}/review", json=reject)
    assert response.status_code == 200, response.text
    expected = _window_status(world["check_in"])
    assert response.json()["check_in"]["status"] == expected
    assert response.json()["resolved_flag_ids"] == []
    assert _check_in(api, world)["status"] == expected
    assert len(_flags(api, world, "open")) == 1  # a rejection settles nothing
    assert api.request("officer_bkk", "GET", ATTEMPTS).json()["total"] == 0
    again = api.request("officer_bkk", "POST", f"{ATTEMPTS}/{last}/review", json=reject)
    assert again.status_code == 409 and _error_key(again) == "attempt"
    rows = [r for r in _audit(api, "verification_attempt", last) if r["action"] == "attempt.review"]
    assert rows[0]["detail"]["after"]["check_in_status"] == expected
    # The person is told: record again on the link while the window is open.
    (told,) = _notices(world["case"]["id"])
    assert told["kind"] == "notice_review_rejected"
    if expected == "missed":
        assert "ติดต่อสำนักงาน" in told["body"]
    else:
        assert f"/c/{world['code']}" in told["body"] and "บันทึกใหม่" in told["body"]

    # The person records again; with no tries left it goes straight to the officer.
    assert _identify(api.client, world).status_code == 200
    result = _record_static(api.client, world["code"])
    assert result["outcome"] == "review"
    fourth = result["attempt_id"]
    assert [a["id"] for a in api.request("officer_bkk", "GET", ATTEMPTS).json()["items"]] == [
        fourth
    ]

    url = f"/api/v1/checkins/{world['check_in']['id']}/video-call"
    call = {"note": "video call at 14:05, face and ID card matched"}
    assert api.request("officer_cnx", "POST", url, json=call).status_code == 404
    missing = api.request("officer_bkk", "POST", url, json={})
    assert missing.status_code == 400 and "note" in json.dumps(missing.json())
    response = api.request("officer_bkk", "POST", url, json=call)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["check_in"]["status"] == "verified"
    assert body["check_in"]["method"] == "video_call"
    assert body["check_in"]["note"] == call["note"]
    assert body["superseded_attempt_ids"] == [fourth]
    assert len(body["resolved_flag_ids"]) == 1
    detail = api.request("officer_bkk", "GET", f"{ATTEMPTS}/{fourth}").json()
    assert (detail["review_decision"], detail["review_note"]) == ("superseded", call["note"])
    assert api.request("officer_bkk", "GET", ATTEMPTS).json()["total"] == 0
    assert _flags(api, world, "open") == []
    rows = [
        r
        for r in _audit(api, "check_in", world["check_in"]["id"])
        if r["action"] == "checkin.verified"
    ]
    assert rows and rows[0]["detail"]["method"] == "video_call"
    assert rows[0]["detail"]["attempts_superseded"] == [fourth]
    twice = api.request("officer_bkk", "POST", url, json=call)
    assert twice.status_code == 409 and _error_key(twice) == "status"
    # Not the last check-in: the video call itself tells nothing more.
    assert [n["kind"] for n in _notices(world["case"]["id"])] == ["notice_review_rejected"]


def test_unlock_link_after_wrong_answers(api):
    world = open_check_in(api)
    code = world["code"]
    statuses = [_identify(api.client, world, birth="1980-01-01").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 423]
    assert _identify(api.client, world).status_code == 423  # the right answer no longer helps

    url = f"/api/v1/checkins/{world['check_in']['id']}/unlock-link"
    note = {"note": "called the person; they mistyped their birth year"}
    assert api.request("officer_cnx", "POST", url, json=note).status_code == 404
    assert api.request("manager", "POST", url, json=note).status_code == 403
    missing = api.request("officer_bkk", "POST", url, json={"note": ""})
    assert missing.status_code == 400 and "note" in json.dumps(missing.json())
    response = api.request("officer_bkk", "POST", url, json=note)
    assert response.status_code == 200, response.text
    assert response.json()["link_locked"] is False
    assert response.json()["identify_failures"] == 0
    again = api.request("officer_bkk", "POST", url, json=note)
    assert again.status_code == 409 and _error_key(again) == "link"
    rows = [
        r
        for r in _audit(api, "check_in", world["check_in"]["id"])
        if r["action"] == "checkin.unlock_link"
    ]
    assert len(rows) == 1 and rows[0]["detail"]["note"] == note["note"]
    assert rows[0]["detail"]["before"]["identify_failures"] == 5
    assert rows[0]["detail"]["after"] == {"link_locked_at": None, "identify_failures": 0}
    response = _identify(api.client, world)
    assert response.status_code == 200, response.text
    assert api.client.get(f"/c/{code}").status_code == 200


def test_an_attempt_still_processing_cannot_be_reviewed(api):
    world = open_check_in(api)
    check_in = world["check_in"]

    async def insert() -> int:
        from reporting_api.store import attempts

        now = utcnow()
        return await attempts.insert_attempt(
            {
                "check_in": check_in["id"],
                "case": check_in["case_id"],
                "office": check_in["office_id"],
                "idempotency_key": uuid.uuid4().hex,
                "state": "processing",
                "media_kind": "clip",
                "media_bytes": 0,
                # Far off: the service's recovery loop must leave it alone during the test.
                "lease_until": now.replace(year=now.year + 1),
                "created_at": now,
            }
        )

    attempt_id = asyncio.run(insert())
    detail = api.request("officer_bkk", "GET", f"{ATTEMPTS}/{attempt_id}")
    assert detail.status_code == 200, detail.text
    assert (detail.json()["state"], detail.json()["frames"]) == ("processing", [])
    history = api.request("officer_bkk", "GET", ATTEMPTS, params={"waiting": "false"}).json()
    assert [a["id"] for a in history["items"]] == [attempt_id]
    response = api.request(
        "officer_bkk",
        "POST",
        f"{ATTEMPTS}/{attempt_id}/review",
        json={"decision": "accept", "note": "looks fine"},
    )
    assert response.status_code == 409 and _error_key(response) == "attempt"
    assert _check_in(api, world)["status"] == _window_status(check_in)
