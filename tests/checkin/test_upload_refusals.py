"""POST /c/<code>/attempts: every upload the link refuses, and the idempotency key."""

from __future__ import annotations

import json
from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.tables import CheckInSession, LivenessChallenge
from tests.checkin.helpers import (
    FAKE_MP4,
    attempts_of,
    db,
    identify,
    link_client,
    open_check_in,
    upload,
    wait_done,
    wrong_last4,
)
from tests.conftest import jpeg_bytes


def _ready(client, world):
    """Identified on the world's link, with one challenge issued; the challenge's id."""
    assert identify(client, world).status_code == 200
    response = client.post(f"/c/{world['code']}/challenge")
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _refusal(response, status, key):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status
    assert body["detail"].startswith(f"{key}:")
    [extra] = body["extra"]
    assert extra["key"] == key and extra["message"] and extra["message_th"]
    return extra


def test_an_upload_needs_identification(api):
    world = open_check_in(api)
    challenge = _ready(api.client, world)
    api.client.cookies.clear()
    _refusal(upload(api.client, world["code"], challenge), 401, "session")
    assert attempts_of(world["check_in"]["id"]) == []


def test_the_idempotency_key_is_required_and_well_formed(api):
    world = open_check_in(api)
    code, challenge = world["code"], _ready(api.client, world)
    _refusal(upload(api.client, code, challenge, key=None), 400, "Idempotency-Key")
    for bad in ("short", "has spaces in it", "x" * 65, "semi;colon-key"):
        _refusal(upload(api.client, code, challenge, key=bad), 400, "Idempotency-Key")
    assert attempts_of(world["check_in"]["id"]) == []
    # The challenge was not spent by the refused uploads.
    assert upload(api.client, code, challenge).status_code == 202


def test_the_same_key_returns_the_first_attempt(api):
    world = open_check_in(api)
    code, challenge = world["code"], _ready(api.client, world)
    first = upload(api.client, code, challenge, key="retry-key-0001")
    assert first.status_code == 202, first.text
    assert first.json()["state"] == "processing"
    again = upload(api.client, code, challenge, key="retry-key-0001")
    assert again.status_code == 200, again.text
    assert again.json()["attempt_id"] == first.json()["attempt_id"]
    wait_done(api.client, code, first.json()["attempt_id"])
    # Retried after it finished (the phone never saw the answer): still the same attempt.
    late = upload(api.client, code, challenge, key="retry-key-0001")
    assert late.status_code == 200
    assert late.json() == {"attempt_id": first.json()["attempt_id"], "state": "done"}
    assert len(attempts_of(world["check_in"]["id"])) == 1


def test_a_used_challenge_is_refused(api):
    world = open_check_in(api)
    code, challenge = world["code"], _ready(api.client, world)
    assert upload(api.client, code, challenge).status_code == 202
    extra = _refusal(upload(api.client, code, challenge), 409, "challenge_id")
    assert "already used" in extra["message"]
    assert len(attempts_of(world["check_in"]["id"])) == 1


def test_an_expired_challenge_is_refused(api):
    world = open_check_in(api)
    code, challenge = world["code"], _ready(api.client, world)
    past = utcnow() - timedelta(seconds=1)
    db(
        LivenessChallenge.update({LivenessChallenge.expires_at: past}).where(
            LivenessChallenge.token == challenge
        )
    )
    extra = _refusal(upload(api.client, code, challenge), 410, "challenge_id")
    assert "expired" in extra["message"]
    assert attempts_of(world["check_in"]["id"]) == []


def test_an_unknown_or_foreign_challenge_is_refused(api):
    world, other = open_check_in(api), open_check_in(api)
    foreign = _ready(api.client, other)
    challenge = _ready(api.client, world)
    for token in ("0123456789abcdef", "", foreign):
        _refusal(upload(api.client, world["code"], token), 400, "challenge_id")
    assert attempts_of(world["check_in"]["id"]) == []
    assert upload(api.client, world["code"], challenge).status_code == 202


def test_an_oversized_upload_is_413(api, database_url):
    world = open_check_in(api)
    with link_client(database_url, max_upload_bytes=200_000) as client:
        challenge = _ready(client, world)
        big = FAKE_MP4 + b"\0" * (200_001 - len(FAKE_MP4))
        _refusal(upload(client, world["code"], challenge, big), 413, "clip")
        frames = [(f"frame-{i * 80}.jpg", b"\xff\xd8\xff" + b"\0" * 50_000) for i in range(4)]
        _refusal(upload(client, world["code"], challenge, None, frames=frames), 413, "frames")
        assert attempts_of(world["check_in"]["id"]) == []
        # Just under the limit is taken (and found unreadable later, not refused here).
        fits = FAKE_MP4 + b"\0" * (200_000 - len(FAKE_MP4))
        assert upload(client, world["code"], challenge, fits).status_code == 202


def test_what_is_not_a_video_is_400_naming_clip(api):
    world = open_check_in(api)
    code, challenge = world["code"], _ready(api.client, world)
    for data in (b"hello, this is a text file\n" * 10, jpeg_bytes(), b""):
        extra = _refusal(upload(api.client, code, challenge, data), 400, "clip")
        assert extra["message"] in ("is not a WebM or MP4 video", "the recording is empty")
    _refusal(upload(api.client, code, challenge, None), 400, "clip")  # nothing sent
    both = upload(api.client, code, challenge, FAKE_MP4, frames=[("frame-0.jpg", jpeg_bytes())])
    _refusal(both, 400, "clip")
    not_images = [("frame-0.jpg", jpeg_bytes()), ("frame-80.jpg", b"GIF89a....")]
    _refusal(upload(api.client, code, challenge, None, frames=not_images), 400, "frames")
    assert attempts_of(world["check_in"]["id"]) == []


def test_client_metadata_is_checked_and_stored(api):
    world = open_check_in(api)
    code, challenge = world["code"], _ready(api.client, world)
    for bad in (
        "{not json",
        "[1, 2]",
        '{"location": {"lat": 13.7}}',
        '{"location": {"lat": 99, "lon": 100}}',
        "x" * 5000,
        '{"location": {"lat": 13.7, "lon": 100.5, "accuracy_m": Infinity}}',
        '{"location": {"lat": NaN, "lon": 100.5}}',
        '{"location": {"lat": 13.7, "lon": 100.5, "accuracy_m": -5}}',
    ):
        _refusal(upload(api.client, code, challenge, client_json=bad), 400, "client")
    assert attempts_of(world["check_in"]["id"]) == []
    meta = {
        "user_agent": "Mozilla/5.0 (Linux; Android 10)",
        "screen": [360, 800],
        "location": {"lat": 13.7563, "lon": 100.5018, "accuracy_m": 25},
        "extra": "dropped",
    }
    response = upload(api.client, code, challenge, client_json=json.dumps(meta))
    assert response.status_code == 202, response.text
    [attempt] = attempts_of(world["check_in"]["id"])
    assert attempt["client"] == {
        "user_agent": "Mozilla/5.0 (Linux; Android 10)",
        "screen": [360, 800],
        "location": {"lat": 13.7563, "lon": 100.5018, "accuracy_m": 25.0},
    }
    assert attempt["client_address"] == "testclient"
    assert attempt["media_kind"] == "clip" and attempt["media_bytes"] == len(FAKE_MP4)


def test_a_locked_link_takes_no_upload_even_with_an_earlier_session(api):
    world = open_check_in(api)
    code, challenge = world["code"], _ready(api.client, world)
    for _ in range(5):  # someone else, guessing on the same link
        identify(api.client, world, last4=wrong_last4(world))
    _refusal(upload(api.client, code, challenge), 423, "code")
    _refusal(api.client.post(f"/c/{code}/challenge"), 423, "code")
    assert attempts_of(world["check_in"]["id"]) == []


def test_an_attempt_is_seen_only_on_its_own_link(api):
    world, other = open_check_in(api), open_check_in(api)
    response = upload(api.client, world["code"], _ready(api.client, world))
    assert response.status_code == 202
    attempt_id = response.json()["attempt_id"]
    assert api.client.get(f"/c/{world['code']}/attempts/{attempt_id}").status_code == 200
    assert identify(api.client, other).status_code == 200
    _refusal(api.client.get(f"/c/{other['code']}/attempts/{attempt_id}"), 404, "attempt_id")
    api.client.cookies.clear()
    _refusal(api.client.get(f"/c/{world['code']}/attempts/{attempt_id}"), 401, "session")


def test_an_expired_session_must_identify_again(api):
    world = open_check_in(api)
    challenge = _ready(api.client, world)
    past = utcnow() - timedelta(seconds=1)
    db(
        CheckInSession.update({CheckInSession.expires_at: past}).where(
            CheckInSession.check_in == world["check_in"]["id"]
        )
    )
    _refusal(upload(api.client, world["code"], challenge), 401, "session")
    _refusal(api.client.post(f"/c/{world['code']}/challenge"), 401, "session")
    assert identify(api.client, world).status_code == 200
    assert upload(api.client, world["code"], challenge).status_code == 202
