"""POST /c/<code>/challenge with the camera's picture: a mask or dark glasses are asked off
before the recording (422, in Thai and English); a bare face gets its challenge; a picture
that is not one is refused naming the field; an empty body works as before."""

from __future__ import annotations

import base64
import json
import random
import struct
import zlib
from functools import cache

import cv2
import pytest

from liveness.samples import sample_photos
from liveness.synth import read_photo
from liveness.synth.head import build_head, dressed
from liveness.synth.looks import Look
from reporting_api.tables import LivenessChallenge
from tests.checkin.helpers import db, identify, open_check_in


@cache
def camera_picture(look: Look, person: str = "obama2") -> bytes:
    """A 640x480 JPEG of the person wearing ``look``, as the page's canvas would send it."""
    photo = read_photo(sample_photos()[person])
    head = dressed(build_head(photo, random.Random(3), (640, 480)), look, random.Random(3))
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(head.still(), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80]
    )
    assert ok
    return data.tobytes()


def _post(client, code: str, body: object) -> object:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/c/{code}/challenge", content=content, headers={"Content-Type": "application/json"}
    )


def _challenges(check_in_id: int) -> int:
    return len(db(LivenessChallenge.select().where(LivenessChallenge.check_in == check_in_id)))


@pytest.fixture
def ready(api):
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    return world


def test_a_bare_face_gets_its_challenge_and_a_data_url_is_fine(api, ready):
    picture = base64.b64encode(camera_picture(Look())).decode()
    response = _post(api.client, ready["code"], {"frame": picture})
    assert response.status_code == 201, response.text
    assert response.json()["steps"]
    data_url = _post(api.client, ready["code"], {"frame": "data:image/jpeg;base64," + picture})
    assert data_url.status_code == 201, data_url.text
    assert _post(api.client, ready["code"], {}).status_code == 201
    assert _challenges(ready["check_in"]["id"]) == 3


def test_a_mask_or_dark_glasses_are_asked_off_before_recording(api, ready):
    for look, word_en, word_th in (
        (Look(mask=True), "mask", "หน้ากาก"),
        (Look(glasses="dark"), "Dark glasses", "แว่นตา"),
    ):
        picture = base64.b64encode(camera_picture(look)).decode()
        response = _post(api.client, ready["code"], {"frame": picture})
        assert response.status_code == 422, response.text
        [extra] = response.json()["extra"]
        assert extra["key"] == "frame"
        assert word_en in extra["message"] and "take" in extra["message"]
        assert word_th in extra["message_th"] and "ถอด" in extra["message_th"]
    assert _challenges(ready["check_in"]["id"]) == 0


def test_glasses_leave_the_blink_out_of_the_challenge_and_the_row_says_why(api, ready):
    picture = base64.b64encode(camera_picture(Look(glasses="thick"))).decode()
    drawn = []
    for _ in range(6):
        response = _post(api.client, ready["code"], {"frame": picture})
        assert response.status_code == 201, response.text
        drawn += [step["action"] for step in response.json()["steps"]]
    assert "blink" not in drawn
    assert {"turn_left", "turn_right", "open_mouth"} <= set(drawn)  # the other three are used
    bare = _post(
        api.client, ready["code"], {"frame": base64.b64encode(camera_picture(Look())).decode()}
    )
    assert bare.status_code == 201, bare.text
    rows = db(
        LivenessChallenge.select(LivenessChallenge.left_out)
        .where(LivenessChallenge.check_in == ready["check_in"]["id"])
        .order_by(LivenessChallenge.id)
        .output(load_json=True)
    )
    assert [r["left_out"] for r in rows] == [{"blink": "glasses"}] * 6 + [{}]


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


BAD_BODIES = [
    (b"not json", 400, "not JSON"),
    ({"frame": "x", "extra": 1}, 400, "is not"),
    ({"frame": 7}, 400, "is not"),
    ({"frame": "@@@ not base64 @@@"}, 400, "not base64"),
    ({"frame": base64.b64encode(b"just some text").decode()}, 400, "not a JPEG or PNG"),
    ({"frame": ""}, 400, "empty"),
    ({"frame": base64.b64encode(b"\xff\xd8\xff" + b"\0" * 600_000).decode()}, 400, "512 KB"),
    ({"frame": base64.b64encode(_png_header(20_000, 20_000)).decode()}, 400, "1920 px"),
    (b"{" + b" " * (1024 * 1024 + 10) + b"}", 413, ""),
]


def test_a_bad_picture_is_refused_naming_the_field(api, ready):
    for body, status, says in BAD_BODIES:
        response = _post(api.client, ready["code"], body)
        assert response.status_code == status, (says, response.text)
        if status == 400:
            [extra] = response.json()["extra"]
            assert extra["key"] == "frame" and says in extra["message"] and extra["message_th"]
    assert _challenges(ready["check_in"]["id"]) == 0


def test_the_picture_is_checked_only_after_identification(api):
    world = open_check_in(api)
    picture = base64.b64encode(camera_picture(Look(mask=True))).decode()
    response = _post(api.client, world["code"], {"frame": picture})
    assert response.status_code == 401, response.text


def test_a_picture_that_does_not_decode_past_its_header_says_nothing(api, ready):
    broken = camera_picture(Look())[:2000]  # a JPEG header and the start of its data
    response = _post(api.client, ready["code"], {"frame": base64.b64encode(broken).decode()})
    assert response.status_code == 201, response.text
