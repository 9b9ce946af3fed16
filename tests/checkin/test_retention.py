"""Evidence frames and identification records go after the retention period (PDPA)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.services.retention import purge
from reporting_api.store import attempts, links
from reporting_api.tables import AuditLog, EvidenceFrame, IdentifyAttempt
from tests.checkin.helpers import open_check_in
from tests.conftest import settings_for_test


def _attempt(world, key, *, needs_review, at):
    row = world["check_in"]
    return asyncio.run(
        attempts.insert_attempt(
            {
                "check_in": row["id"],
                "case": world["case"]["id"],
                "office": row["office_id"],
                "idempotency_key": key,
                "state": "done",
                "media_kind": "clip",
                "decision": "review" if needs_review else "rejected",
                "outcome": "review" if needs_review else "retry",
                "needs_review": needs_review,
                "created_at": at,
            }
        )
    )


def _frames(attempt_id, at, count=2):
    rows = [
        {
            "attempt": attempt_id,
            "position": position,
            "t": 0.5 * position,
            "image": b"sealed",
            "width": 320,
            "height": 240,
            "created_at": at,
        }
        for position in range(count)
    ]
    asyncio.run(attempts.insert_frames(rows))


def _run(query):
    async def run():
        return await query

    return asyncio.run(run())


def test_purge_keeps_recent_and_waiting_evidence(api, database_url):
    world = open_check_in(api)
    now = utcnow()
    old, recent = now - timedelta(days=40), now - timedelta(days=3)
    settled = _attempt(world, "k-settled-old", needs_review=False, at=old)
    waiting = _attempt(world, "k-waiting-old", needs_review=True, at=old)
    fresh = _attempt(world, "k-recent", needs_review=False, at=recent)
    for attempt_id, at in ((settled, old), (waiting, old), (fresh, recent)):
        _frames(attempt_id, at)
    asyncio.run(links.record_identify(world["check_in"]["id"], "10.0.0.9", False, old))
    asyncio.run(links.record_identify(world["check_in"]["id"], "10.0.0.9", True, recent))

    report = asyncio.run(purge(now, settings_for_test(database_url)))

    assert report.evidence_frames == 2
    assert report.identify_attempts == 1
    left = _run(EvidenceFrame.select(EvidenceFrame.attempt))
    assert sorted({r["attempt"] for r in left}) == sorted([waiting, fresh])
    assert _run(IdentifyAttempt.count()) == 1
    audit = _run(AuditLog.select().where(AuditLog.action == "retention.purge"))
    assert len(audit) == 1 and audit[0]["actor_username"] == "retention"
    # Purging again finds nothing more: the job is idempotent.
    again = asyncio.run(purge(now, settings_for_test(database_url)))
    assert again.evidence_frames == 0 and again.identify_attempts == 0


def test_purge_with_zero_days_takes_everything_settled(api, database_url):
    world = open_check_in(api)
    now = utcnow()
    settled = _attempt(world, "k-settled", needs_review=False, at=now - timedelta(minutes=5))
    _frames(settled, now - timedelta(minutes=5), count=3)
    report = asyncio.run(purge(now, settings_for_test(database_url), days=0))
    assert report.evidence_frames == 3
