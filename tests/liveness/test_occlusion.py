"""What covers the face: masks and dark glasses found (and asked off), beards told from masks,
and nothing found on faces that wear neither, whatever their skin tone or light."""

from __future__ import annotations

import random

import numpy as np
import pytest

from liveness import faces, occlusion
from liveness.reasons import reason
from liveness.synth import render
from liveness.synth.camera import Camera
from liveness.synth.head import build_head, dressed
from liveness.synth.looks import Look
from liveness.types import Action, Challenge, Step, Thresholds
from liveness.verify import verify

SIZE = (640, 480)
PEOPLE = ("obama2", "obama3", "biden", "astronaut")


def _judge(rgb: dict[str, np.ndarray], person: str, look: Look, seed: int = 1):
    head = dressed(build_head(rgb[person], random.Random(seed), SIZE), look, random.Random(seed))
    image = Camera(random.Random(seed), SIZE, still=False, light=look.light).capture(head.still())
    # As the tracker looks (half size, then full), then as verify looks for a covered face.
    boxes = faces.detect(image, scale=0.5) or faces.detect(image) or faces.detect_covered(image)
    assert boxes, f"no face found on {person} wearing {look}"
    return occlusion.judge(image, faces.landmarks(image, boxes[0]))


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(
    "look",
    [
        Look(),
        Look(glasses="thin", glare=0.8),
        Look(glasses="thick"),
        Look(headscarf=True),
        Look(skin=-0.6),
        Look(skin=0.4),
        Look(light="low"),
        Look(light="back"),
    ],
    ids=["plain", "thin-glare", "thick", "headscarf", "darker", "lighter", "low", "back"],
)
def test_nothing_is_found_on_a_face_that_wears_no_mask_or_dark_glasses(rgb, person, look):
    judged = _judge(rgb, person, look)
    assert not judged.masked and not judged.sunglasses, judged
    # Clear glasses are found where they are worn, and leave the blink out; nothing else does.
    assert judged.spectacled == bool(look.glasses), judged
    assert judged.unreliable == ({Action.BLINK: "glasses"} if look.glasses else {}), judged


@pytest.mark.parametrize("person", PEOPLE)
def test_a_mask_is_found_whatever_else_is_worn(rgb, person):
    for look in (Look(mask=True), Look(mask=True, glasses="thin"), Look(mask=True, skin=-0.5)):
        judged = _judge(rgb, person, look)
        assert judged.masked and not judged.bearded, (look, judged)


@pytest.mark.parametrize("person", PEOPLE)
def test_dark_glasses_are_found_and_a_darker_skin_is_not_taken_for_them(rgb, person):
    assert _judge(rgb, person, Look(glasses="dark")).sunglasses
    assert not _judge(rgb, person, Look(skin=-0.6)).sunglasses


@pytest.mark.parametrize("person", ("obama2", "obama3", "biden"))
def test_a_full_beard_is_a_beard_not_a_mask(rgb, person):
    judged = _judge(rgb, person, Look(beard=0.9, moustache=0.9))
    assert judged.bearded and not judged.masked, judged


TURN_BLINK = Challenge("cover", (Step(Action.TURN_LEFT, 1.0, 2.5), Step(Action.BLINK, 2.5, 4.0)))


@pytest.mark.parametrize(
    ("person", "look", "seed", "code", "tracked"),
    [
        ("obama2", Look(mask=True), 2, "mask_on", True),  # the tracker follows the masked face
        ("astronaut", Look(mask=True), 3, "mask_on", False),  # only the CNN detector finds it
        ("biden", Look(glasses="dark"), 2, "dark_glasses", True),
    ],
)
def test_a_covered_face_is_asked_to_uncover_not_told_no_face(
    rgb, reference, person, look, seed, code, tracked
):
    frames = render(rgb[person], TURN_BLINK, "genuine", random.Random(seed), look=look)
    verdict = verify(reference, frames, TURN_BLINK)
    assert verdict.decision == "rejected"
    assert [r.code for r in verdict.reasons] == [code]
    assert (verdict.scores["frames_used"] > 0) == tracked
    words = verdict.reasons[0]
    assert "take" in words.en and "ถอด" in words.th


def test_no_face_seen_says_to_take_off_a_mask_or_dark_glasses():
    words = reason("no_face_in_clip")
    assert "mask" in words.en and "หน้ากาก" in words.th


def test_the_cover_scores_are_kept_and_a_bare_face_passes_them(rgb, reference):
    frames = render(rgb["obama2"], TURN_BLINK, "genuine", random.Random(2))
    verdict = verify(reference, frames, TURN_BLINK)
    assert verdict.scores["mask"] < occlusion.MASK_MIN
    assert verdict.scores["dark_glasses"] < occlusion.DARK_GLASSES_MIN
    assert "mask_on" not in [r.code for r in verdict.reasons]


def test_a_dark_face_is_equalised_for_the_landmarks_and_a_well_lit_one_is_not(rgb):
    head = build_head(rgb["obama2"], random.Random(1), SIZE)
    grey = faces.to_gray(head.canvas)
    box = faces.detect(head.canvas, scale=0.5)[0]
    assert faces.equalised(grey, box) is grey  # well lit: left alone
    dim = (grey.astype(np.float32) * 0.35).astype(np.uint8)
    out = faces.equalised(dim, box)
    inside = (slice(int(box.top), int(box.bottom)), slice(int(box.left), int(box.right)))
    assert out[inside].std() > 1.5 * dim[inside].std()
    far = (slice(0, 20), slice(0, 20))  # outside the widened box
    assert np.array_equal(out[far], dim[far])


def test_only_a_face_left_uncovered_has_actions_left_out():
    glasses = occlusion.Occlusion(mask=0.0, dark_glasses=0.0, beard=0.0, glasses=0.9)
    assert glasses.unreliable == {Action.BLINK: "glasses"}
    # Asked to take off a mask or dark glasses first: nothing is fitted to the covered face.
    assert occlusion.Occlusion(mask=0.9, dark_glasses=0.0, beard=0.0, glasses=0.9).unreliable == {}
    assert occlusion.Occlusion(mask=0.0, dark_glasses=0.9, beard=0.0, glasses=0.9).unreliable == {}
    assert occlusion.Occlusion(mask=0.0, dark_glasses=0.0, beard=0.9).unreliable == {}


def test_a_mask_is_asked_off_before_dark_glasses_and_a_beard_never():
    assert occlusion.Occlusion(mask=0.9, dark_glasses=0.9, beard=0.0).request == "mask_on"
    assert occlusion.Occlusion(mask=0.1, dark_glasses=0.6, beard=0.0).request == "dark_glasses"
    assert occlusion.Occlusion(mask=0.4, dark_glasses=0.4, beard=1.0).request is None


TURN_MOUTH = Challenge(
    "glasses", (Step(Action.TURN_LEFT, 1.0, 2.5), Step(Action.OPEN_MOUTH, 2.5, 4.0))
)


def _around(distance: float) -> Thresholds:
    """Edges that put ``distance`` in the review band, whatever it measured."""
    return Thresholds(match_accept=distance - 0.05, match_review=distance + 0.05)


@pytest.mark.parametrize("person", ("obama2", "obama3"))
def test_an_uncertain_match_in_clear_glasses_asks_them_off(rgb, reference, person):
    frames = render(
        rgb[person], TURN_MOUTH, "genuine", random.Random(4), look=Look(glasses="thick", glare=0.5)
    )
    first = verify(reference, frames, TURN_MOUTH)
    assert first.scores["glasses"] >= occlusion.GLASSES_MIN
    verdict = verify(reference, frames, TURN_MOUTH, _around(first.scores["match_distance"]))
    assert verdict.decision == "rejected"
    assert [r.code for r in verdict.reasons] == ["glasses_off"]
    words = verdict.reasons[0]
    assert "glasses" in words.en and "ถอดแว่น" in words.th
    # A clear mismatch stays a mismatch: an impostor in glasses is not asked to try again.
    far = verify(
        reference,
        frames,
        TURN_MOUTH,
        Thresholds(match_accept=0.2, match_review=first.scores["match_distance"] - 0.01),
    )
    assert [r.code for r in far.reasons] == ["face_mismatch"]


def test_an_uncertain_match_without_glasses_still_goes_to_an_officer(rgb, reference):
    frames = render(rgb["obama2"], TURN_MOUTH, "genuine", random.Random(4))
    first = verify(reference, frames, TURN_MOUTH)
    assert first.scores["glasses"] < occlusion.GLASSES_MIN
    verdict = verify(reference, frames, TURN_MOUTH, _around(first.scores["match_distance"]))
    assert verdict.decision == "review"
    assert [r.code for r in verdict.reasons] == ["match_uncertain"]
