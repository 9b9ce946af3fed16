"""Leases that prove life (issue 15), on both databases: the process verifying a recording holds
it by a short lease it renews on a heartbeat; one that stops renewing loses it within the
lease, one that renews keeps it through a long verification, a late finisher cannot overwrite
the new holder's verdict, and a process told to stop hands back what it has not started."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from concurrent.futures import Future
from datetime import timedelta
from typing import Any

import pytest

from reporting_api.clock import utcnow
from reporting_api.store import attempts as store
from reporting_api.tables import VerificationAttempt
from reporting_api.verification import verify_upload
from tests.checkin.helpers import (
    attempts_of,
    audit_rows,
    cached_clip,
    challenge_of,
    db,
    identify,
    link_client,
    open_check_in,
    upload,
    wait_done,
)
from tests.conftest import shared_verifier

LEASE = timedelta(seconds=20)
FAST = {
    "verify_lease_seconds": 3,
    "verify_heartbeat_seconds": 1,
    "recover_every_seconds": 1,
    "shutdown_grace_seconds": 1,
}


def insert(world: dict[str, Any], owner: str, lease_until: Any) -> int:
    """A recording being verified by ``owner`` (no upload: only its lease is exercised)."""
    check_in = world["check_in"]

    async def run() -> int:
        return await store.insert_attempt(
            {
                "check_in": check_in["id"],
                "case": check_in["case_id"],
                "office": check_in["office_id"],
                "idempotency_key": uuid.uuid4().hex,
                "state": "processing",
                "media_kind": "clip",
                "media_bytes": 0,
                "lease_until": lease_until,
                "lease_owner": owner,
                "created_at": utcnow(),
            }
        )

    return asyncio.run(run())


def row(attempt_id: int) -> dict[str, Any]:
    return db(VerificationAttempt.select().where(VerificationAttempt.id == attempt_id).first())


VERDICT = {"decision": "rejected", "outcome": "retry", "reasons": [], "needs_review": False}


def test_a_holder_that_stops_renewing_loses_its_attempt_and_cannot_write_after(api):
    world = open_check_in(api)
    # A month ahead: the service's own recovery loop (real time) leaves these alone.
    t0 = utcnow() + timedelta(days=30)
    attempt_id = insert(world, "A", t0 + LEASE)
    run = asyncio.run
    assert run(store.take_over(attempt_id, t0 + timedelta(seconds=10), t0 + 2 * LEASE, "B")) is None
    assert run(store.renew(attempt_id, "A", t0 + timedelta(seconds=10) + LEASE))
    # Renewed at 10 s: at 25 s it is still A's.
    assert run(store.take_over(attempt_id, t0 + timedelta(seconds=25), t0 + LEASE, "B")) is None
    # A stops renewing (it died): past its lease B takes it over, counting the run that died.
    later = t0 + timedelta(seconds=31)
    assert run(store.take_over(attempt_id, later, later + LEASE, "B")) == 1
    assert row(attempt_id)["lease_owner"] == "B"
    # A comes back late: it can neither renew nor store its verdict.
    assert not run(store.renew(attempt_id, "A", later + LEASE))
    assert not run(store.finish_attempt(attempt_id, {**VERDICT, "completed_at": later}, "A"))
    assert row(attempt_id)["state"] == "processing"
    assert run(store.finish_attempt(attempt_id, {**VERDICT, "completed_at": later}, "B"))
    assert (row(attempt_id)["state"], row(attempt_id)["lease_until"]) == ("done", None)
    # Finished: nobody takes it over or renews it.
    assert run(store.take_over(attempt_id, later + 2 * LEASE, later + 3 * LEASE, "C")) is None
    assert not run(store.renew(attempt_id, "B", later + 2 * LEASE))


def test_a_handed_back_attempt_is_taken_over_at_once_without_counting_a_try(api):
    world = open_check_in(api)
    t0 = utcnow() + timedelta(days=30)
    mine = [insert(world, "A", t0 + LEASE) for _ in range(2)]
    other = insert(world, "C", t0 + LEASE)
    assert asyncio.run(store.hand_back("A", t0, mine[:1])) == 1
    assert asyncio.run(store.take_over(mine[0], t0, t0 + LEASE, "B")) == 0
    assert asyncio.run(store.hand_back("A", t0)) == 1  # the other one of A's, not C's
    assert row(mine[1])["lease_owner"] is None and row(other)["lease_owner"] == "C"
    # A handed-back attempt that A finishes after all (no one took it yet) is stored once.
    assert asyncio.run(store.finish_attempt(mine[1], {**VERDICT, "completed_at": t0}, "A"))
    assert asyncio.run(store.take_over(mine[1], t0, t0 + LEASE, "B")) is None


def test_a_burst_of_take_overs_gives_a_lapsed_attempt_to_one_process(api, database_url):
    from reporting_api.db import bind_tables, engine_from_url

    world = open_check_in(api)
    t0 = utcnow() + timedelta(days=30)
    attempt_id = insert(world, "A", t0)
    bind_tables(engine_from_url(database_url))

    async def burst() -> list[int | None]:
        return list(
            await asyncio.gather(
                *(
                    store.take_over(attempt_id, t0 + LEASE, t0 + 2 * LEASE, f"P{n}")
                    for n in range(6)
                )
            )
        )

    won = [r for r in asyncio.run(burst()) if r is not None]
    assert won == [1]
    assert row(attempt_id)["tries"] == 1


class _Slow:
    """Verifies a recording in ``seconds`` (longer than the lease) on a thread; ID photos go
    to the shared pool."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.recordings = 0

    async def run_memo(self, data: bytes, function: Any) -> Any:
        return await shared_verifier().run_memo(data, function)

    def submit(self, function: Any, *args: Any) -> Future[Any]:
        if function is not verify_upload:
            return shared_verifier().submit(function, *args)
        self.recordings += 1
        job: Future[Any] = Future()
        job.set_running_or_notify_cancel()
        result = {
            "verdict": {
                "decision": "rejected",
                "reasons": [{"code": "no_face", "en": "no face", "th": "ไม่พบใบหน้า"}],
                "scores": {},
                "timings_ms": {"total": self.seconds * 1000},
            },
            "evidence": [],
        }
        threading.Timer(self.seconds, job.set_result, (result,)).start()
        return job

    def close(self) -> None:
        pass


class _Stuck(_Slow):
    """Recordings wait in the queue for ever (never taken by a worker) unless cancelled, or,
    ``running``, are taken by a worker that never comes back."""

    def __init__(self, running: bool) -> None:
        super().__init__(0)
        self.running = running

    def submit(self, function: Any, *args: Any) -> Future[Any]:
        if function is not verify_upload:
            return shared_verifier().submit(function, *args)
        self.recordings += 1
        job: Future[Any] = Future()
        if self.running:
            job.set_running_or_notify_cancel()
        return job


def _upload(client: Any, world: dict[str, Any]) -> int:
    assert identify(client, world).status_code == 200
    challenge = challenge_of(client.post(f"/c/{world['code']}/challenge").json())
    response = upload(client, world["code"], challenge.id, clip=cached_clip(challenge))
    assert response.status_code == 202, response.text
    return int(response.json()["attempt_id"])


def test_a_holder_that_renews_keeps_its_attempt_through_a_long_verification(api, database_url):
    world = open_check_in(api)
    slow, other = _Slow(seconds=7), _Slow(seconds=0.1)
    # A verifies for 7 s with a 3 s lease renewed every second; B looks every second.
    with link_client(database_url, seed=1515, verifier=slow, **FAST) as a:
        with link_client(database_url, verifier=other, **FAST):
            attempt_id = _upload(a, world)
            result = wait_done(a, world["code"], attempt_id, timeout=60)
    assert (slow.recordings, other.recordings) == (1, 0)
    assert [r["code"] for r in result["reasons"]] == ["no_face"]
    [attempt] = attempts_of(world["check_in"]["id"])
    assert attempt["tries"] == 0 and attempt["state"] == "done"
    assert len(audit_rows(world["check_in"]["id"], "checkin.verdict")) == 1


@pytest.mark.parametrize("started", [False, True], ids=["queued", "running"])
def test_a_stopping_process_hands_its_attempts_back(api, database_url, started):
    """On shutdown (SIGTERM) a queued recording is handed back at once and a running one
    after the grace period; another process verifies it without counting a try."""
    world = open_check_in(api)
    stuck = _Stuck(running=started)
    with link_client(database_url, seed=1515, verifier=stuck, **FAST) as a:
        attempt_id = _upload(a, world)
        deadline = time.monotonic() + 10
        while not stuck.recordings and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stuck.recordings == 1
        began = time.monotonic()
    stopped_in = time.monotonic() - began
    attempt = db(
        VerificationAttempt.select(
            VerificationAttempt.state,
            VerificationAttempt.lease_owner,
            VerificationAttempt.lease_until,
            VerificationAttempt.tries,
        )
        .where(VerificationAttempt.id == attempt_id)
        .first()
    )
    assert attempt["state"] == "processing" and attempt["lease_owner"] is None
    assert attempt["lease_until"] <= utcnow() and attempt["tries"] == 0
    assert stopped_in < 10, stopped_in
    with link_client(database_url, **FAST) as b:
        assert identify(b, world).status_code == 200
        result = wait_done(b, world["code"], attempt_id, timeout=90)
    assert result["outcome"] == "verified"
    [attempt] = attempts_of(world["check_in"]["id"])
    assert attempt["tries"] == 0
