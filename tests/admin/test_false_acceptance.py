"""An officer marks a recording the machine verified as someone else (a false acceptance):
through the attempt's page and the API, with its flag and audit row; the check-in keeps its
verified record; accept or reject do not fit a machine-verified recording, nor the mark any
other; other offices see nothing. The machine-verified attempt is written straight to the
database (rendering and verifying a genuine clip costs seconds and is tested elsewhere)."""

from __future__ import annotations

import html
import uuid
from typing import Any

from reporting_api.clock import utcnow
from reporting_api.tables import VerificationAttempt
from tests.checkin.helpers import (
    audit_rows,
    check_in_row,
    db,
    flags_of,
    open_check_in,
    set_check_in,
)

ATTEMPTS = "/api/v1/verification-attempts"


def _attempt(world: dict[str, Any], decision: str) -> int:
    """A finished attempt with the machine's ``decision``; a verified one verifies the check-in."""
    now = utcnow()
    check_in = world["check_in"]
    row = VerificationAttempt(
        check_in=check_in["id"],
        case=check_in["case_id"],
        office=check_in["office_id"],
        idempotency_key=uuid.uuid4().hex,
        state="done",
        media_kind="clip",
        decision=decision,
        outcome="verified" if decision == "verified" else "retry",
        scores={"match_distance": 0.41},
        needs_review=False,
        created_at=now,
        completed_at=now,
    )
    db(row.save())
    if decision == "verified":
        set_check_in(check_in["id"], status="verified", method="remote", completed_at=now)
    return int(row.id)


def _review(api: Any, attempt_id: int, decision: str, user: str = "officer_bkk") -> Any:
    return api.request(
        user,
        "POST",
        f"{ATTEMPTS}/{attempt_id}/review",
        json={"decision": decision, "note": "the face is the brother's, seen at the office"},
    )


def test_marked_from_the_page_raises_a_high_flag_and_keeps_the_record(site):
    browser, api = site
    world = open_check_in(api)
    attempt = _attempt(world, "verified")
    browser.as_("officer_bkk")
    item = f"/admin/review/{attempt}"

    page = browser.client.get(item)
    assert page.status_code == 200
    assert 'value="someone_else"' in page.text and 'value="accept"' not in page.text

    blank = browser.post_form(item, item, {"decision": "someone_else", "note": " "})
    assert blank.status_code == 400 and 'id="note-error"' in blank.text
    assert (
        db(VerificationAttempt.select().where(VerificationAttempt.id == attempt).first())[
            "review_decision"
        ]
        is None
    )

    note = "the face is the brother's, seen at the office"
    done = browser.post_form(item, item, {"decision": "someone_else", "note": note})
    assert done.status_code == 303 and done.headers["location"] == f"{item}?decided=someone_else"
    after = html.unescape(browser.client.get(done.headers["location"]).text)
    assert "บุคคลอื่น" in after and note in after and 'value="someone_else"' not in after

    stored = db(VerificationAttempt.select().where(VerificationAttempt.id == attempt).first())
    assert stored["review_decision"] == "someone_else" and stored["review_note"] == note
    assert check_in_row(world["check_in"]["id"])["status"] == "verified"
    flags = flags_of(world["check_in"]["id"], "failed_verification")
    assert [(f["severity"], f["dedupe_key"]) for f in flags] == [
        ("high", f"someone_else:{attempt}")
    ]
    assert flags[0]["detail"].count(note) == 2  # in Thai and in English
    audits = audit_rows(attempt, "attempt.review", entity="verification_attempt")
    assert len(audits) == 1 and audits[0]["detail"]["decision"] == "someone_else"

    again = _review(api, attempt, "someone_else")
    assert again.status_code == 409, again.text
    assert len(flags_of(world["check_in"]["id"], "failed_verification")) == 1


def test_decisions_that_do_not_fit_the_machine_verdict_are_refused(api):
    world = open_check_in(api)
    verified = _attempt(world, "verified")
    for decision in ("accept", "reject"):
        response = _review(api, verified, decision)
        assert response.status_code == 409, response.text
        body = response.json()
        assert "someone else" in response.text and "บุคคลอื่น" in response.text, body
    other = open_check_in(api)
    rejected = _attempt(other, "rejected")
    response = _review(api, rejected, "someone_else")
    assert response.status_code == 409 and "only a recording the machine verified" in response.text
    assert _review(api, verified, "maybe").status_code == 400
    for attempt in (verified, rejected):
        row = db(VerificationAttempt.select().where(VerificationAttempt.id == attempt).first())
        assert row["reviewed_at"] is None
    assert flags_of(world["check_in"]["id"], "failed_verification") == []


def test_managers_and_other_offices_cannot_mark(api):
    world = open_check_in(api)
    attempt = _attempt(world, "verified")
    assert _review(api, attempt, "someone_else", user="officer_cnx").status_code == 404
    assert _review(api, attempt, "someone_else", user="manager").status_code == 403
    response = _review(api, attempt, "someone_else")
    assert response.status_code == 200, response.text
    assert response.json()["attempt"]["review_decision"] == "someone_else"
    assert response.json()["check_in"]["status"] == "verified"
