"""The challenge fitted to the person: an action their recent recordings kept missing is left
out of the next one (`missed_before`), once missed is not enough, glasses on the camera
picture come first, without a face to judge the card photo's glasses stand in
(`glasses_on_card`), and the challenge row says why (both databases)."""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import timedelta

from liveness.synth.looks import Look
from reporting_api.clock import utcnow
from reporting_api.store import attempts, links
from reporting_api.tables import LivenessChallenge
from tests.checkin.helpers import db, identify, open_check_in
from tests.checkin.test_challenge_frame import _post, camera_picture
from tests.conftest import glasses_card_photo_bytes, jpeg_bytes


def _stopped_at(world: dict, steps: list[str], completed: int, code: str) -> None:
    """A finished recording of ``world``'s check-in whose challenge was ``steps`` and which
    got ``completed`` steps through it, refused with ``code``."""
    now = utcnow()
    token = uuid.uuid4().hex[:16]

    async def run() -> None:
        await links.create_challenge(
            {
                "token": token,
                "check_in": world["check_in"]["id"],
                "steps": [
                    {"action": a, "start_s": 1.0 + i, "end_s": 2.0 + i} for i, a in enumerate(steps)
                ],
                "issued_at": now,
                "expires_at": now + timedelta(minutes=5),
            }
        )
        [challenge] = await LivenessChallenge.select(LivenessChallenge.id).where(
            LivenessChallenge.token == token
        )
        await attempts.insert_attempt(
            {
                "check_in": world["check_in"]["id"],
                "case": world["case"]["id"],
                "office": world["case"]["office_id"],
                "challenge": challenge["id"],
                "idempotency_key": f"fit-{token}",
                "state": "done",
                "media_kind": "mp4",
                "decision": "rejected",
                "outcome": "retry",
                "reasons": [{"code": code, "en": code, "th": code}],
                "scores": {"steps_completed": float(completed)},
                "created_at": now,
                "completed_at": now,
            }
        )

    asyncio.run(run())


def _drawn(api, world: dict, body: dict | None = None, times: int = 6) -> set[str]:
    actions: set[str] = set()
    for _ in range(times):
        response = _post(api.client, world["code"], body or {})
        assert response.status_code == 201, response.text
        actions |= {step["action"] for step in response.json()["steps"]}
    return actions


def _left_out(world: dict) -> list[dict]:
    """What each challenge of the check-in left out, oldest first (the recordings' own too)."""
    rows = db(
        LivenessChallenge.select(LivenessChallenge.left_out)
        .where(LivenessChallenge.check_in == world["check_in"]["id"])
        .order_by(LivenessChallenge.id)
        .output(load_json=True)
    )
    return [r["left_out"] for r in rows]


def test_an_action_missed_twice_of_the_last_three_is_not_asked_again(api):
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    _stopped_at(world, ["turn_left", "open_mouth", "blink"], 1, "challenge_not_completed")
    # Once is not enough: every action is still drawn.
    assert _drawn(api, world, times=8) == {"turn_left", "turn_right", "blink", "open_mouth"}
    _stopped_at(world, ["open_mouth", "turn_right"], 0, "challenge_not_completed")
    drawn = _drawn(api, world)
    assert "open_mouth" not in drawn and drawn == {"turn_left", "turn_right", "blink"}
    recorded = _left_out(world)
    assert recorded[-6:] == [{"open_mouth": "missed_before"}] * 6
    assert all(r == {} for r in recorded[:-6])


def test_a_refusal_for_another_reason_or_after_every_step_counts_no_miss(api):
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    _stopped_at(world, ["blink", "open_mouth"], 0, "flat_face")  # not a missed step
    _stopped_at(world, ["blink", "open_mouth"], 2, "challenge_not_completed")  # an extra action
    _stopped_at(world, ["blink", "open_mouth"], 0, "challenge_not_completed")
    assert "blink" in _drawn(api, world, times=8)
    assert _left_out(world)[-1] == {}


def test_glasses_on_the_picture_come_before_the_history(api):
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    for _ in range(2):
        _stopped_at(world, ["open_mouth", "turn_right"], 0, "challenge_not_completed")
    picture = base64.b64encode(camera_picture(Look(glasses="thick"))).decode()
    drawn = _drawn(api, world, {"frame": picture}, times=4)
    assert "blink" not in drawn and "open_mouth" in drawn  # one action left out, never two
    assert _left_out(world)[-1] == {"blink": "glasses"}


def test_without_a_face_to_judge_the_card_photo_in_glasses_leaves_the_blink_out(api):
    world = open_check_in(api, photo=glasses_card_photo_bytes())
    assert identify(api.client, world).status_code == 200
    faceless = base64.b64encode(jpeg_bytes(640, 480)).decode()  # a picture without a face
    assert "blink" not in _drawn(api, world) | _drawn(api, world, {"frame": faceless}, times=3)
    # A camera picture of the face without glasses is what counts when there is one.
    bare = base64.b64encode(camera_picture(Look(), "obama3")).decode()
    assert _post(api.client, world["code"], {"frame": bare}).status_code == 201
    assert _left_out(world) == [{"blink": "glasses_on_card"}] * 9 + [{}]


def test_a_card_photo_without_glasses_leaves_nothing_out(api):
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    assert "blink" in _drawn(api, world, times=8)
    assert _left_out(world) == [{}] * 8
