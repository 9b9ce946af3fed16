"""The check-in link from the SMS to a verdict, through the API the page uses."""

from __future__ import annotations

import uuid

from tests.checkin.helpers import BIRTH, challenge_of, clip_bytes, open_check_in, wait_done


def _identify(client, code, birth=BIRTH, last4=None, nid=None):
    return client.post(
        f"/c/{code}/identify",
        json={"date_of_birth": birth, "national_id_last4": last4 or nid[-4:]},
    )


def test_genuine_clip_verifies_the_check_in(api):
    world = open_check_in(api)
    code, nid = world["code"], world["defendant"]["national_id"]
    client = api.client
    client.cookies.clear()
    page = client.get(f"/c/{code}")
    assert page.status_code == 200
    assert "รายงานตัวออนไลน์" in page.text
    assert (
        world["defendant"]["first_name_th"] not in page.text
    )  # nothing personal before identifying
    response = _identify(client, code, nid=nid)
    assert response.status_code == 200, response.text
    response = client.post(f"/c/{code}/challenge")
    assert response.status_code == 201, response.text
    challenge = challenge_of(response.json())
    clip = clip_bytes(challenge)
    response = client.post(
        f"/c/{code}/attempts",
        data={"challenge_id": challenge.id, "client": '{"user_agent": "pytest"}'},
        files={"clip": ("clip.mp4", clip, "video/mp4")},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 202, response.text
    result = wait_done(client, code, response.json()["attempt_id"])
    assert result["outcome"] == "verified", result
    assert "next_due_text" in result
    check_in = api.request(
        "officer_bkk", "GET", f"/api/v1/cases/{world['case']['id']}/checkins"
    ).json()
    first = next(c for c in check_in if c["id"] == world["check_in"]["id"])
    assert first["status"] == "verified"
    assert first["method"] == "remote"
