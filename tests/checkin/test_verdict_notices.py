"""A verdict the person did not see (issue 15, item 4): when no page shows a remote check-in's
verdict within two minutes (the person closed it, or the server verifying it changed), the sweep
sends it by SMS, once; a verdict the page showed is not sent. Both databases."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from reporting_api.services.sweep import sweep
from reporting_api.tables import Reminder, VerificationAttempt
from tests.checkin.helpers import (
    attempts_of,
    cached_clip,
    challenge_of,
    db,
    identify,
    link_client,
    open_check_in,
    upload,
    wait_done,
)
from tests.conftest import settings_for_test

PUBLIC = "https://checkin.example.go.th"


def recorded(database_url: str, world: dict[str, Any], kind: str = "genuine") -> int:
    """Upload a recording and wait for its verdict without asking for it as the page does
    (a seeded challenge, so the clip is rendered once a run)."""
    with link_client(database_url, seed=1515) as client:
        assert identify(client, world).status_code == 200
        challenge = challenge_of(client.post(f"/c/{world['code']}/challenge").json())
        clip = cached_clip(challenge, kind)
        response = upload(client, world["code"], challenge.id, clip=clip)
        assert response.status_code == 202, response.text
        return _verdict(world)


def _verdict(world: dict[str, Any]) -> int:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        [attempt] = attempts_of(world["check_in"]["id"])[-1:]
        if attempt["state"] == "done":
            return int(attempt["id"])
        time.sleep(0.2)
    raise AssertionError("no verdict")


def completed_at(attempt_id: int) -> Any:
    return db(
        VerificationAttempt.select(VerificationAttempt.completed_at)
        .where(VerificationAttempt.id == attempt_id)
        .first()
    )["completed_at"]


def verdict_notices(case_id: int) -> list[dict[str, Any]]:
    return db(
        Reminder.select(Reminder.body, Reminder.kind).where(
            (Reminder.case == case_id) & (Reminder.kind == "notice_checkin_result")
        )
    )


def run_sweep(database_url: str, at: Any) -> Any:
    return asyncio.run(sweep(at, settings_for_test(database_url, public_base_url=PUBLIC)))


def test_a_verdict_no_page_showed_goes_by_sms_once(api, database_url):
    world = open_check_in(api)
    attempt_id = recorded(database_url, world)
    done = completed_at(attempt_id)
    # Within two minutes the page may still show it: nothing yet.
    assert run_sweep(database_url, done + timedelta(seconds=60)).verdict_notices == 0
    report = run_sweep(database_url, done + timedelta(minutes=3))
    assert report.verdict_notices == 1
    [notice] = verdict_notices(world["case"]["id"])
    assert "สำเร็จแล้ว" in notice["body"] and "ครั้งถัดไป" in notice["body"]
    # Told once, whatever the sweeps that follow.
    assert run_sweep(database_url, done + timedelta(minutes=4)).verdict_notices == 0
    assert len(verdict_notices(world["case"]["id"])) == 1


def test_a_verdict_the_page_showed_is_not_sent(api, database_url):
    world = open_check_in(api)
    attempt_id = recorded(database_url, world)
    assert identify(api.client, world).status_code == 200
    assert wait_done(api.client, world["code"], attempt_id)["outcome"] == "verified"
    done = completed_at(attempt_id)
    assert run_sweep(database_url, done + timedelta(minutes=3)).verdict_notices == 0
    assert verdict_notices(world["case"]["id"]) == []


def test_a_recording_to_do_again_sends_the_link_and_an_old_verdict_nothing(api, database_url):
    world = open_check_in(api)
    attempt_id = recorded(database_url, world, kind="static")
    done = completed_at(attempt_id)
    # An hour and more later it no longer helps: nothing.
    assert run_sweep(database_url, done + timedelta(minutes=61)).verdict_notices == 0
    assert run_sweep(database_url, done + timedelta(minutes=3)).verdict_notices == 1
    [notice] = verdict_notices(world["case"]["id"])
    assert "ยังยืนยันการรายงานตัว" in notice["body"] or "ยังไม่ผ่าน" in notice["body"]
    assert f"{PUBLIC}/c/{world['code']}" in notice["body"]
