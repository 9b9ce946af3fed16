"""What a recording does: verified, try again, passed to an officer, flags, and recovery.

Apps here draw challenges from a seeded generator, so the two database runs of a test get the
same challenges and share one rendered clip (cached_clip).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import cv2

from liveness.samples import sample_photos
from liveness.synth import read_photo, render
from reporting_api.clock import utcnow
from reporting_api.tables import EvidenceFrame, VerificationAttempt
from reporting_api.thai_dates import THAI_MONTHS_ABBR
from tests.checkin.helpers import (
    FAKE_MP4,
    FAKE_WEBM,
    attempts_of,
    cached_clip,
    challenge_of,
    check_in_row,
    db,
    flags_of,
    identify,
    link_client,
    open_check_in,
    upload,
    wait_done,
)

_FRAMES: dict[str, list[tuple[str, bytes]]] = {}


def _challenge(client, world):
    response = client.post(f"/c/{world['code']}/challenge")
    assert response.status_code == 201, response.text
    return challenge_of(response.json())


def _send(client, world, clip, challenge, **kwargs):
    response = upload(client, world["code"], challenge.id, clip, **kwargs)
    assert response.status_code == 202, response.text
    return wait_done(client, world["code"], response.json()["attempt_id"])


def _canvas_frames(challenge) -> list[tuple[str, bytes]]:
    """What the page's canvas fallback sends: JPEGs named frame-<milliseconds>.jpg."""
    key = challenge.to_json()
    if key not in _FRAMES:
        photo = read_photo(sample_photos()["obama"])
        frames = render(photo, challenge, "genuine", random.Random(1))
        encoded = []
        for frame in frames:
            ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR))
            assert ok
            encoded.append((f"frame-{round(frame.t * 1000)}.jpg", jpeg.tobytes()))
        _FRAMES[key] = encoded
    return _FRAMES[key]


def test_a_genuine_clip_verifies_and_its_replay_does_not(api, database_url):
    first, second = open_check_in(api), open_check_in(api)
    with link_client(database_url, seed=11) as client:
        assert identify(client, first).status_code == 200
        recorded_for = _challenge(client, first)
        clip = cached_clip(recorded_for)
        response = upload(client, first["code"], recorded_for.id, clip, key="first-try-0001")
        assert response.status_code == 202, response.text
        result = wait_done(client, first["code"], response.json()["attempt_id"])
        assert result["outcome"] == "verified", result
        # The phone retries the upload it never heard back about: the same attempt, 200.
        again = upload(client, first["code"], recorded_for.id, clip, key="first-try-0001")
        assert again.status_code == 200
        assert again.json() == {"attempt_id": result["attempt_id"], "state": "done"}
        assert len(attempts_of(first["check_in"]["id"])) == 1
        assert result["reasons"] == [] and "retries_left" not in result
        # The next check-in, in the Buddhist era for Thai and the Common Era for English.
        rows = api.request("officer_bkk", "GET", f"/api/v1/cases/{first['case']['id']}/checkins")
        by_id = {c["id"]: c for c in rows.json()}
        [nxt] = [
            date.fromisoformat(c["due_date"])
            for c in rows.json()
            if c["id"] != first["check_in"]["id"]
        ]
        thai_month = THAI_MONTHS_ABBR[nxt.month - 1]
        assert result["next_due_text"] == f"{nxt.day} {thai_month} {nxt.year + 543}"
        english = client.get(f"/c/{first['code']}/attempts/{result['attempt_id']}?lang=en")
        assert english.json()["next_due_text"].endswith(str(nxt.year))
        assert by_id[first["check_in"]["id"]]["status"] == "verified"
        assert by_id[first["check_in"]["id"]]["method"] == "remote"
        frames = db(EvidenceFrame.select().where(EvidenceFrame.attempt == result["attempt_id"]))
        assert frames and all(not f["image"].startswith(b"\xff\xd8") for f in frames)  # sealed
        # The same recording, uploaded again by someone else against a fresh challenge.
        assert identify(client, second).status_code == 200
        fresh = _challenge(client, second)
        assert [s.action for s in fresh.steps] != [s.action for s in recorded_for.steps]
        replayed = _send(client, second, clip, fresh)
    assert replayed["outcome"] == "retry", replayed
    assert "challenge_not_completed" in [r["code"] for r in replayed["reasons"]]
    assert replayed["retries_left"] == 2
    assert check_in_row(second["check_in"]["id"])["status"] == "open"


def test_the_canvas_fallback_verifies_end_to_end(api, database_url):
    world = open_check_in(api)
    with link_client(database_url, seed=12) as client:
        assert identify(client, world).status_code == 200
        challenge = _challenge(client, world)
        result = _send(client, world, None, challenge, frames=_canvas_frames(challenge))
    assert result["outcome"] == "verified", result
    [attempt] = attempts_of(world["check_in"]["id"])
    assert attempt["media_kind"] == "frames" and attempt["media"] is None  # upload dropped
    assert attempt["decision"] == "verified" and attempt["scores"]
    assert check_in_row(world["check_in"]["id"])["status"] == "verified"


def test_a_still_picture_asks_to_try_again_and_flags(api, database_url):
    world = open_check_in(api)
    with link_client(database_url, seed=13) as client:
        assert identify(client, world).status_code == 200
        challenge = _challenge(client, world)
        result = _send(client, world, cached_clip(challenge, "static"), challenge)
    assert result["outcome"] == "retry", result
    assert result["retries_left"] == 2
    assert result["reasons"] and result["message"] and result["message_th"]
    assert {"no_motion", "challenge_not_completed"} <= {r["code"] for r in result["reasons"]}
    # Nothing moved at all: the cue of a photo held up to the camera, flagged at once.
    [flag] = flags_of(world["check_in"]["id"], "failed_verification")
    assert flag["severity"] == "high" and "no_motion" in flag["detail"]
    assert check_in_row(world["check_in"]["id"])["status"] == "open"


def test_an_impostor_raises_a_flag_at_once(api, database_url):
    world = open_check_in(api)
    with link_client(database_url, seed=14) as client:
        assert identify(client, world).status_code == 200
        challenge = _challenge(client, world)
        result = _send(client, world, cached_clip(challenge, "impostor"), challenge)
        assert result["outcome"] == "retry", result
        assert "face_mismatch" in [r["code"] for r in result["reasons"]]
        [flag] = flags_of(world["check_in"]["id"], "failed_verification")
        assert flag["severity"] == "high"
        assert "face_mismatch" in flag["detail"]
        assert flag["office"] == api.office_id("TH-10")
        # One rejection leaves the check-in open: the person may record again.
        assert check_in_row(world["check_in"]["id"])["status"] == "open"
        assert client.get(f"/c/{world['code']}").status_code == 200
        assert client.post(f"/c/{world['code']}/challenge").status_code == 201


def test_three_failures_pass_the_check_in_to_an_officer(api):
    world = open_check_in(api)
    client, check_in_id = api.client, world["check_in"]["id"]
    assert identify(client, world).status_code == 200
    for left, clip in ((2, FAKE_MP4), (1, FAKE_WEBM)):
        result = _send(client, world, clip, _challenge(client, world))
        assert result["outcome"] == "retry", result
        assert result["retries_left"] == left
        assert [r["code"] for r in result["reasons"]] == ["unreadable_video"]
        assert check_in_row(check_in_id)["status"] == "open"
        assert flags_of(check_in_id, "failed_verification") == []
    result = _send(client, world, FAKE_MP4, _challenge(client, world))
    assert result["outcome"] == "review", result
    assert "retries_left" not in result
    assert check_in_row(check_in_id)["status"] == "pending_review"
    [flag] = flags_of(check_in_id, "failed_verification")
    assert flag["severity"] == "medium"
    attempts = attempts_of(check_in_id)
    assert [a["needs_review"] for a in attempts] == [False, False, True]
    assert all(a["decision"] == "rejected" for a in attempts)
    # The link now says an officer has it, and takes no more recordings.
    assert "เจ้าหน้าที่" in client.get(f"/c/{world['code']}").text
    assert client.post(f"/c/{world['code']}/challenge").status_code == 409


class _DyingVerifier:
    """Encodes ID photos with the shared pool, but every verification dies with its worker."""

    def __init__(self, real):
        self.real = real

    async def run_memo(self, data, function):
        return await self.real.run_memo(data, function)

    def submit(self, function, *args):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        job = Future()
        job.set_exception(BrokenProcessPool("the worker was killed"))
        return job

    def close(self):
        pass


def test_an_attempt_whose_process_died_is_recovered(api, database_url):
    from tests.conftest import shared_verifier

    world = open_check_in(api)
    with link_client(database_url, verifier=_DyingVerifier(shared_verifier())) as client:
        assert identify(client, world).status_code == 200
        response = upload(client, world["code"], _challenge(client, world).id)
        assert response.status_code == 202, response.text
        attempt_id = response.json()["attempt_id"]
    [attempt] = attempts_of(world["check_in"]["id"])
    assert attempt["state"] == "processing" and attempt["media"] is not None
    # Its lease lapses; the next process to start takes it over and finishes it.
    past = utcnow() - timedelta(seconds=1)
    db(
        VerificationAttempt.update({VerificationAttempt.lease_until: past}).where(
            VerificationAttempt.id == attempt_id
        )
    )
    with link_client(database_url) as client:
        assert identify(client, world).status_code == 200
        result = wait_done(client, world["code"], attempt_id)
    assert result["outcome"] == "retry"
    assert [r["code"] for r in result["reasons"]] == ["unreadable_video"]
    [attempt] = attempts_of(world["check_in"]["id"])
    assert attempt["media"] is None and attempt["lease_until"] is None
    assert attempt["tries"] == 1  # the run that died counted; VERIFY_MAX_TRIES not reached
