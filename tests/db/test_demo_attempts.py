"""The demo's remote verification attempts as loaded (reporting_api/demo/attempts.py through
store/bulk_load): they belong to remote check-ins and agree with them, read like the verifier's
rows, are not loaded twice, and leave the id sequence ready for the next real attempt."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from reporting_api.db import bind_tables, engine_from_url
from reporting_api.tables import CheckIn, VerificationAttempt
from tests.db.test_demo import rows, seed


def attempts(url: str) -> list[dict[str, Any]]:
    return rows(url, VerificationAttempt)


def test_remote_check_ins_get_attempts_that_agree_and_ids_keep_increasing(database_url):
    seed(database_url, 60)
    found = attempts(database_url)
    assert found
    check_ins = {r["id"]: r for r in rows(database_url, CheckIn)}
    by_check_in: dict[int, list[dict[str, Any]]] = {}
    for a in found:
        c = check_ins[a["check_in"]]
        assert c["method"] == "remote" and c["status"] in ("verified", "pending_review")
        assert (a["case"], a["office"]) == (c["case"], c["office"])
        assert a["state"] == "done" and a["media_kind"] == "clip" and a["tries"] == 1
        assert a["media"] is None and a["media_bytes"] == 0
        outcome = {"verified": "verified", "rejected": "retry", "review": "review"}
        assert a["outcome"] == outcome[a["decision"]]
        assert a["created_at"] < a["completed_at"] <= (c["completed_at"] or c["updated_at"])
        reasons = a["reasons"]
        reasons = reasons if isinstance(reasons, list) else json.loads(reasons)
        assert [set(r) >= {"code", "en", "th"} for r in reasons] == [True]
        by_check_in.setdefault(a["check_in"], []).append(a)
    assert len({a["idempotency_key"] for a in found}) == len(found)
    decisions = {a["decision"] for a in found}
    assert "verified" in decisions and "review" in decisions
    for check_in_id, mine in by_check_in.items():
        last = max(mine, key=lambda a: (a["created_at"], a["id"]))
        if check_ins[check_in_id]["status"] == "pending_review":
            assert last["decision"] == "review" and last["needs_review"]
            assert last["reviewed_by"] is None and last["review_decision"] is None
        else:
            assert last["decision"] == "verified" or last["review_decision"] == "accept"
    accepted = [a for a in found if a["review_decision"] == "accept"]
    assert all(a["reviewed_by"] and a["reviewed_at"] > a["completed_at"] for a in accepted)

    seed(database_url, 60)  # again: nothing added
    assert len(attempts(database_url)) == len(found)
    seed(database_url, 90)  # more people: their attempts come after the others
    grown = attempts(database_url)
    before = max(a["id"] for a in found)
    assert len(grown) > len(found)
    assert min(a["id"] for a in grown if a["idempotency_key"] not in
               {f["idempotency_key"] for f in found}) > before  # fmt: skip

    async def insert_one() -> int:
        bind_tables(engine_from_url(database_url))
        template = grown[0]
        now = datetime.now(UTC)
        row = VerificationAttempt(
            check_in=template["check_in"], case=template["case"], office=template["office"],
            idempotency_key="after-the-demo", media_kind="clip", created_at=now,
        )  # fmt: skip
        await row.save()
        return int(row.id)

    assert asyncio.run(insert_one()) > max(a["id"] for a in grown)
