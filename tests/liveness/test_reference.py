"""encode_reference: the ID-card photo's template, and each reason it can be refused."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from liveness import faces
from liveness.reference import encode_reference
from liveness.types import Reference, ReferenceRejected

from .conftest import id_card_crop, on_canvas


def refused(image) -> str:
    with pytest.raises(ReferenceRejected) as caught:
        encode_reference(image)
    reason = caught.value.reason
    assert reason.en and reason.th  # every refusal tells the officer what to do
    return reason.code


def test_a_good_photo_gives_a_128_d_template_and_its_quality(rgb):
    reference = encode_reference(rgb["obama"])
    assert isinstance(reference, Reference)
    assert reference.encoding.shape == (128,)
    quality = reference.quality
    assert (quality.image_width, quality.image_height) == (910, 1137)
    assert quality.face_width_px > 200 and quality.upsample == 0
    assert abs(quality.yaw_deg) < 10 and quality.sharpness > 100
    assert (
        Reference.encoding_from_bytes(reference.to_bytes()).tolist() == reference.encoding.tolist()
    )


def test_the_120x150_quality_60_id_card_crop_works_and_matches(id_photo, reference, rgb):
    assert id_photo.shape == (150, 120, 3)
    assert reference.quality.upsample >= 1  # the small photo was enlarged to find the face
    same = faces.distance(reference.encoding, encode_reference(rgb["obama3"]).encoding)
    other = faces.distance(reference.encoding, encode_reference(rgb["biden"]).encoding)
    assert same < 0.5 < 0.7 < other


def test_encoded_bytes_are_accepted(id_photo):
    ok, jpeg = cv2.imencode(".png", cv2.cvtColor(id_photo, cv2.COLOR_RGB2BGR))
    assert ok
    assert encode_reference(jpeg.tobytes()).encoding.shape == (128,)


@pytest.mark.parametrize(
    "image", [np.full((300, 240, 3), 200, np.uint8), data.coffee()], ids=["blank", "no-person"]
)
def test_no_face(image):
    assert refused(image) == "no_face"


def test_several_faces(rgb):
    left = on_canvas(rgb["obama"], 150, (400, 400))
    right = on_canvas(rgb["biden"], 150, (400, 400))
    assert refused(np.hstack([left, right])) == "several_faces"


def test_face_too_small(rgb):
    assert refused(on_canvas(rgb["obama"], 34, (400, 400))) == "face_too_small"


def test_too_blurry(rgb):
    assert refused(cv2.GaussianBlur(rgb["obama"], (0, 0), 9)) == "too_blurry"


@pytest.mark.parametrize(
    "image",
    [
        b"not an image",
        b"",
        np.zeros((0, 0, 3), np.uint8),
        np.zeros((50, 50, 3), np.float32),
        np.zeros((50, 50, 2), np.uint8),
        None,
        "obama.jpg",
    ],
    ids=[
        "text-bytes",
        "empty-bytes",
        "empty-array",
        "float-array",
        "two-channels",
        "none",
        "a-path",
    ],
)
def test_unreadable_input(image):
    assert refused(image) == "unreadable_image"


def test_greyscale_and_rgba_photos_are_converted(id_photo):
    grey = cv2.cvtColor(id_photo, cv2.COLOR_RGB2GRAY)
    assert encode_reference(grey).encoding.shape == (128,)
    rgba = cv2.cvtColor(id_photo, cv2.COLOR_RGB2RGBA)
    assert encode_reference(rgba).encoding.shape == (128,)


def test_a_turned_head_is_not_frontal(photos):
    # A synthetic genuine clip of the ID photo's person at the peak of a left turn.
    import random

    from liveness.synth import read_photo, render
    from liveness.types import Action, Challenge, Step

    photo = read_photo(photos["obama"])
    challenge = Challenge(id="turn", steps=(Step(Action.TURN_LEFT, 0.5, 2.5),))
    frames = render(photo, challenge, "genuine", random.Random(3))
    with pytest.raises(ReferenceRejected) as rejected:
        encode_reference(frames[18].image)
    assert rejected.value.reason.code == "not_frontal"
    # The same person facing the camera is accepted.
    assert encode_reference(frames[0].image).quality.yaw_deg == pytest.approx(0, abs=15)


def _card_of(rgb, person: str, look, seed: int) -> np.ndarray:
    """A card-sized photo (120x150, JPEG q60) of the person rendered wearing ``look``."""
    import random

    from liveness.synth.camera import Camera
    from liveness.synth.head import build_head, dressed

    size = (640, 480)
    head = dressed(build_head(rgb[person], random.Random(seed), size), look, random.Random(seed))
    image = Camera(random.Random(seed), size, still=True, light=look.light).capture(head.still())
    return id_card_crop(image)


@pytest.mark.parametrize("person", ("obama3", "biden", "astronaut"))
def test_the_card_photo_says_whether_the_face_wears_glasses(rgb, person):
    from liveness.occlusion import GLASSES_MIN
    from liveness.synth.looks import Look

    framed = encode_reference(_card_of(rgb, person, Look(glasses="thick"), 2)).quality
    assert framed.glasses >= GLASSES_MIN, framed
    bare = (Look(), Look(headscarf=True), Look(beard=0.9, moustache=0.9), Look(skin=-0.6))
    for look in (*bare, Look(light="back")):
        quality = encode_reference(_card_of(rgb, person, look, 2)).quality
        assert quality.glasses < GLASSES_MIN, (look, quality)
