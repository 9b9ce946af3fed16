"""The renderer's looks: each occlusion and light is drawn where it belongs, and nowhere else."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from liveness import faces
from liveness.synth import render
from liveness.synth.camera import Camera
from liveness.synth.head import Head, build_head, dressed
from liveness.synth.looks import GROUPS, Look, age_card_photo, head_mask
from liveness.types import Action, Challenge, Step

SIZE = (640, 480)


@pytest.fixture(scope="module")
def head(rgb: dict[str, np.ndarray]) -> Head:
    return build_head(rgb["obama2"], random.Random(4), SIZE)


def _still(head: Head, look: Look, seed: int = 1) -> np.ndarray:
    return dressed(head, look, random.Random(seed)).still()


def _box(points: np.ndarray, pad: float = 0.0) -> tuple[slice, slice]:
    low = np.floor(points.min(axis=0) - pad).astype(int)
    high = np.ceil(points.max(axis=0) + pad).astype(int)
    return slice(low[1], high[1]), slice(low[0], high[0])


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixels that differ by more than a little between two renderings."""
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > 12


def _share(mask: np.ndarray, where: tuple[slice, slice]) -> float:
    return float(mask[where].mean())


def test_the_plain_look_draws_nothing_and_leaves_the_random_draws_alone(
    rgb: dict[str, np.ndarray],
) -> None:
    challenge = Challenge("x", (Step(Action.BLINK, 1.0, 2.4),))
    before = render(rgb["obama2"], challenge, "genuine", random.Random(9))
    after = render(rgb["obama2"], challenge, "genuine", random.Random(9), look=Look())
    assert all(np.array_equal(a.image, b.image) for a, b in zip(before, after, strict=True))


@pytest.mark.parametrize("style", ["thin", "thick", "dark"])
def test_glasses_sit_on_the_eyes_with_frames_of_the_style(head: Head, style: str) -> None:
    marks = head.landmarks
    plain = head.canvas
    worn = _still(head, Look(glasses=style))
    changed = _changed(plain, worn)
    eyes = _box(marks[36:48], pad=12)
    mouth = _box(marks[48:68], pad=4)
    assert _share(changed, eyes) > (0.35 if style == "dark" else 0.06)
    assert _share(changed, mouth) == 0.0
    if style != "thin":
        assert _share(changed, eyes) > _share(
            _changed(plain, _still(head, Look(glasses="thin"))), eyes
        )
    if style == "dark":  # sunglasses hide the eyes
        eye = _box(marks[36:42])
        assert worn[eye].mean() < 0.5 * plain[eye].mean()


def test_lens_glare_is_a_bright_spot_on_the_lenses(head: Head) -> None:
    eyes = _box(head.landmarks[36:48], pad=10)
    clear = _still(head, Look(glasses="thin"), seed=2)
    glare = _still(head, Look(glasses="thin", glare=1.0), seed=2)
    assert (glare[eyes].min(axis=2) > 235).sum() > 3 * max((clear[eyes].min(axis=2) > 235).sum(), 5)


def test_a_beard_darkens_jaw_and_chin_but_leaves_the_lips_and_eyes(head: Head) -> None:
    marks = head.landmarks
    plain = head.canvas.astype(np.float32)
    bearded = _still(head, Look(beard=1.0)).astype(np.float32)
    chin = _box(marks[7:10], pad=6)
    assert bearded[chin].mean() < 0.8 * plain[chin].mean()
    lips = _box(marks[60:68])
    assert abs(bearded[lips].mean() - plain[lips].mean()) < 0.08 * plain[lips].mean()
    eyes = _box(marks[36:48], pad=4)
    assert np.abs(bearded[eyes] - plain[eyes]).max() <= 2
    light = _still(head, Look(beard=0.35)).astype(np.float32)
    assert bearded[chin].mean() < light[chin].mean() < plain[chin].mean()


def test_a_moustache_alone_darkens_the_upper_lip_not_the_chin(head: Head) -> None:
    marks = head.landmarks
    plain = head.canvas.astype(np.float32)
    worn = _still(head, Look(moustache=1.0)).astype(np.float32)
    between = np.vstack([marks[31:36], marks[49:54]])
    above_lip = _box(between)
    assert worn[above_lip].mean() < 0.85 * plain[above_lip].mean()
    chin = _box(marks[7:10], pad=6)
    assert np.allclose(worn[chin], plain[chin], atol=2)


def test_a_mask_covers_nose_tip_mouth_and_chin_but_not_the_eyes(head: Head) -> None:
    marks = head.landmarks
    changed = _changed(head.canvas, _still(head, Look(mask=True)))
    for part in (marks[30:36], marks[48:68], marks[7:10]):
        assert _share(changed, _box(part)) > 0.9
    assert _share(changed, _box(marks[36:48])) == 0.0


def test_a_headscarf_covers_hair_and_jaw_line_and_frames_the_face(head: Head) -> None:
    marks = head.landmarks
    changed = _changed(head.canvas, _still(head, Look(headscarf=True)))
    d = float(np.linalg.norm(marks[42:48].mean(0) - marks[36:42].mean(0)))
    above = marks[27] - np.array([0, 1.6 * d])  # hair above the forehead
    beside = marks[0] - np.array([0.5 * d, 0])  # the ear's side
    for point in (above, beside):
        x, y = np.round(point).astype(int)
        assert changed[y - 3 : y + 4, x - 3 : x + 4].mean() > 0.9
    inner = _box(np.vstack([marks[36:48], marks[27:36], marks[48:68]]))
    assert _share(changed, inner) == 0.0


@pytest.mark.parametrize("amount", [-0.5, 0.4])
def test_skin_tone_shifts_the_face_and_leaves_the_room(head: Head, amount: float) -> None:
    marks = head.landmarks
    plain = head.canvas.astype(np.float32)
    shifted = _still(head, Look(skin=amount)).astype(np.float32)
    cheek = _box(np.vstack([marks[1:4], marks[31:32]]))
    ratio = shifted[cheek].mean() / plain[cheek].mean()
    assert (ratio < 0.75) if amount < 0 else (ratio > 1.1)
    outside = head_mask(plain.shape, marks) < 0.01
    assert np.abs(shifted[outside] - plain[outside]).max() <= 2


def test_low_light_dims_and_adds_noise_and_backlight_puts_a_window_behind(head: Head) -> None:
    image = head.canvas
    normal = Camera(random.Random(5), SIZE, still=True).capture(image).astype(np.float32)
    low = Camera(random.Random(5), SIZE, still=True, light="low").capture(image).astype(np.float32)
    face = _box(head.landmarks[17:68])
    assert low[face].mean() < 0.6 * normal[face].mean()

    grey = np.full((SIZE[1], SIZE[0], 3), 128, np.uint8)

    def noise(light: str) -> float:
        shot = Camera(random.Random(5), SIZE, still=True, light=light).capture(grey)
        return float(shot.astype(np.float32).std())

    assert noise("low") > 1.5 * noise("normal")  # the gain amplifies the sensor's noise
    back = Camera(random.Random(5), SIZE, still=True, light="back").capture(image)
    window = back.min(axis=2) > 235
    assert window[:, :160].mean() > 0.3 or window[:, -160:].mean() > 0.3
    assert back[face].mean() < 0.8 * normal[face].mean()


def test_an_old_card_photo_is_softer_and_flatter(id_photo: np.ndarray) -> None:
    aged = age_card_photo(id_photo, random.Random(0))
    assert aged.shape == id_photo.shape

    def sharpness(a: np.ndarray) -> float:
        return float(cv2.Laplacian(cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())

    assert sharpness(aged) < 0.5 * sharpness(id_photo)
    assert aged.std() < 0.85 * id_photo.std()
    assert aged[..., 2].mean() < aged[..., 0].mean()  # yellowed: less blue than red


def test_what_is_worn_moves_with_the_head_in_a_turn(rgb: dict[str, np.ndarray]) -> None:
    challenge = Challenge("turn", (Step(Action.TURN_LEFT, 1.0, 2.6),))
    look = Look(glasses="thick")
    frames = render(rgb["obama2"], challenge, "genuine", random.Random(6), look=look)
    # A look that draws nothing on the clip (the card's age) takes the same random draws.
    plain = render(rgb["obama2"], challenge, "genuine", random.Random(6), look=Look(old_photo=True))
    assert len(frames) == len(plain)
    first, turned = 2, int(np.argmax([_nose_shift(f.image) for f in plain]))
    for i in (first, turned):
        boxes = faces.detect(plain[i].image)
        marks = faces.landmarks(plain[i].image, boxes[0])
        changed = _changed(plain[i].image, frames[i].image)
        ys, xs = np.nonzero(changed)
        eyes = marks[36:48].mean(axis=0)
        # the glasses' centre within a fifth of the eye distance of the eyes' centre
        d = float(np.linalg.norm(marks[42:48].mean(0) - marks[36:42].mean(0)))
        assert abs(np.median(xs) - eyes[0]) < 0.35 * d
        assert abs(np.median(ys) - eyes[1]) < 0.35 * d


def _nose_shift(image: np.ndarray) -> float:
    boxes = faces.detect(image)
    if not boxes:
        return 0.0
    marks = faces.landmarks(image, boxes[0])
    return float(marks[30, 0] - (marks[0, 0] + marks[16, 0]) / 2)


def test_every_group_draws_a_look_that_survives_json() -> None:
    for name, make in GROUPS.items():
        looks = [make(random.Random(seed)) for seed in range(20)]
        assert all(Look.from_json(look.to_json()) == look for look in looks)
        assert all(look.plain for look in looks) == (name == "plain")
