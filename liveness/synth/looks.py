"""How the person looks and is lit, beyond the photo: glasses, beards, a headscarf, a mask,
skin tone, low light and backlight, and an older, blurrier ID-card photo.

Everything is drawn from the 68 landmarks, never from another picture. What grows on the skin
(a beard, a moustache, a skin tone) is drawn once into the photo, so the mesh warp moves it with
the face and the jaw; what sits in front of the face (glasses, a mask, a headscarf) is drawn on
every frame at the projected landmarks, so it stays rigid while the lids close and the mask
stretches when the jaw drops. Light belongs to the camera (`liveness.synth.camera`).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import asdict, dataclass
from typing import Literal

import cv2
import numpy as np

Glasses = Literal["", "thin", "thick", "dark"]
Light = Literal["normal", "low", "back"]


@dataclass(frozen=True)
class Look:
    """What is drawn on or around the face; the default draws nothing."""

    glasses: Glasses = ""  # thin or thick frames with clear lenses, or dark sunglasses
    glare: float = 0.0  # 0-1: how bright the lens reflection is (clear lenses only)
    beard: float = 0.0  # 0-1: density of a beard over the jaw, chin and cheeks
    moustache: float = 0.0  # 0-1: density of hair over the upper lip
    headscarf: bool = False  # a scarf framing the face, over hair, ears, neck and jaw line
    mask: bool = False  # a surgical mask over nose, mouth and chin
    skin: float = 0.0  # -1 much darker .. +1 much lighter
    light: Light = "normal"  # the room: normal, low light, or a bright window behind
    old_photo: bool = False  # the ID-card photo is older, blurrier and faded (enrolment only)

    @property
    def plain(self) -> bool:
        return self == Look()

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Look:
        return cls(**json.loads(text))


# The groups of the evaluation: each draws a look for one clip.
def _beard(rng: random.Random) -> Look:
    if rng.random() < 0.25:  # a moustache alone
        return Look(moustache=rng.uniform(0.5, 1.0))
    return Look(beard=rng.uniform(0.35, 1.0), moustache=rng.uniform(0.4, 1.0))


def _glasses(rng: random.Random) -> Look:
    return Look(glasses=rng.choice(("thin", "thick")), glare=rng.uniform(0.0, 0.9))


def _dark_skin(rng: random.Random) -> Look:
    return Look(skin=-rng.uniform(0.35, 0.6))


GROUPS = {
    "plain": lambda rng: Look(),
    "beard": _beard,
    "glasses": _glasses,
    "headscarf": lambda rng: Look(headscarf=True),
    "mask": lambda rng: Look(mask=True),
    "dark_skin": _dark_skin,
    "low_light": lambda rng: Look(light="low"),
    "backlight": lambda rng: Look(light="back"),
    "old_photo": lambda rng: Look(old_photo=True),
}


@dataclass(frozen=True)
class _Frame:
    """The face's own axes on one image: eye centres, eye distance, across and down."""

    left: np.ndarray
    right: np.ndarray
    d: float
    across: np.ndarray
    down: np.ndarray

    @classmethod
    def of(cls, marks: np.ndarray) -> _Frame:
        left, right = marks[36:42].mean(axis=0), marks[42:48].mean(axis=0)
        d = max(float(np.linalg.norm(right - left)), 1.0)
        across = (right - left) / d
        return cls(left, right, d, across, np.array([-across[1], across[0]]))


def _fill(image: np.ndarray, polygon: np.ndarray, colour: tuple[float, ...], alpha: float) -> None:
    """Blend ``colour`` into ``image`` inside ``polygon`` (anti-aliased), in place."""
    mask = np.zeros(image.shape[:2], np.float32)
    cv2.fillPoly(mask, [np.round(polygon * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
    _blend(image, mask * alpha, np.array(colour, np.float32))


def _blend(image: np.ndarray, alpha: np.ndarray, layer: np.ndarray) -> None:
    a = alpha[..., None]
    image[:] = np.clip(image * (1 - a) + layer * a, 0, 255).astype(np.uint8)


def _polyline(image: np.ndarray, points: np.ndarray, colour: tuple[int, ...], width: int) -> None:
    cv2.polylines(
        image,
        [np.round(points * 16).astype(np.int32)],
        False,
        colour,
        max(1, width),
        cv2.LINE_AA,
        4,
    )


# --- on the skin: drawn once into the photo -------------------------------------------------


def head_mask(shape: tuple[int, ...], marks: np.ndarray, spread: float = 1.35) -> np.ndarray:
    """A soft 0-1 mask over the face, forehead, ears and neck (the skin a tone shift changes)."""
    f = _Frame.of(marks)
    jaw = marks[0:17]
    forehead = marks[26:16:-1] - 0.9 * f.d * f.down
    outline = np.concatenate([jaw, forehead])
    centre = outline.mean(axis=0)
    outline = centre + spread * (outline - centre)
    mask = np.zeros(shape[:2], np.float32)
    cv2.fillPoly(mask, [np.round(outline * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
    return cv2.GaussianBlur(mask, (0, 0), 0.15 * f.d)


def shift_skin(image: np.ndarray, marks: np.ndarray, amount: float) -> np.ndarray:
    """The image with the skin around the face darker (amount < 0) or lighter (> 0).

    Darker: each channel scaled down, a little more in blue and green (a browner tone) and
    with a gamma that keeps the highlights; lighter: pulled towards a pale warm white.
    """
    if amount == 0:
        return image
    mask = head_mask(image.shape, marks)[..., None]
    pixels = image.astype(np.float32) / 255
    if amount < 0:
        k = -amount
        gain = np.array([1 - 0.75 * k, 1 - 0.82 * k, 1 - 0.88 * k], np.float32)
        shifted = pixels ** (1 + 0.6 * k) * gain
    else:
        shifted = pixels + amount * 0.55 * (np.array([1.0, 0.93, 0.86], np.float32) - pixels)
    out = pixels * (1 - mask) + shifted * mask
    return np.clip(out * 255, 0, 255).astype(np.uint8)


def grow_hair(
    image: np.ndarray, marks: np.ndarray, beard: float, moustache: float, rng: random.Random
) -> np.ndarray:
    """The image with a beard and a moustache of the given densities (0-1), drawn as a shadow
    of stubble and many short dark strands growing down and outwards; the lips stay bare."""
    if beard <= 0 and moustache <= 0:
        return image
    f = _Frame.of(marks)
    out: np.ndarray = image.astype(np.float32)
    lips: np.ndarray = np.zeros(image.shape[:2], np.float32)
    cv2.fillPoly(lips, [np.round(marks[48:60] * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
    lips = cv2.dilate(lips, np.ones((2, 2), np.uint8))
    regions = []
    if beard > 0:
        cheek_l = marks[2] + 0.45 * (marks[31] - marks[2]) + 0.15 * f.d * f.down
        cheek_r = marks[14] + 0.45 * (marks[35] - marks[14]) + 0.15 * f.d * f.down
        under = marks[4:13] + 0.12 * f.d * f.down  # under the jaw line, on the neck
        outline = np.concatenate(
            [[marks[1]], marks[2:4], under, marks[13:16], [cheek_r], marks[54:48:-1], [cheek_l]]
        )
        regions.append((outline, beard))
    if moustache > 0:
        top = marks[31:36] + 0.22 * (marks[51] - marks[33])
        outline = np.concatenate([[marks[48]], top, [marks[54]], marks[53:48:-1]])
        regions.append((outline, moustache))
    colour = rng.uniform(15, 45)
    strands = np.random.default_rng(rng.getrandbits(32))
    for outline, density in regions:
        area = np.zeros(image.shape[:2], np.float32)
        cv2.fillPoly(area, [np.round(outline * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
        area = cv2.GaussianBlur(area, (0, 0), 0.07 * f.d) * (1 - 0.85 * lips)
        # Patchy, not painted: the density varies slowly over the face.
        patches = cv2.GaussianBlur(
            strands.normal(0, 1, image.shape[:2]).astype(np.float32), (0, 0), 0.1 * f.d
        )
        area *= np.clip(0.75 + 0.25 * patches / max(float(patches.std()), 1e-6), 0.3, 1.0)
        shadow = 1 - 0.45 * density * area
        out *= shadow[..., None]
        ys, xs = np.nonzero(area > 0.3)
        if len(xs) == 0:
            continue
        count = int(density * len(xs) * 0.35)
        pick = strands.integers(0, len(xs), count)
        length = f.d * strands.uniform(0.05, 0.12, count)
        centre_x = marks[27:31, 0].mean()
        spread = np.clip((xs[pick] - centre_x) / (1.5 * f.d), -1, 1) * 0.6
        angle = strands.normal(0, 0.35, count) + spread
        direction = np.outer(np.cos(angle), f.down) + np.outer(np.sin(angle), f.across)
        start = np.column_stack([xs[pick], ys[pick]]).astype(np.float64)
        end = start + direction * length[:, None]
        layer = np.zeros(image.shape[:2], np.float32)
        ends = np.round(np.stack([start, end], axis=1) * 16).astype(np.int32)
        cv2.polylines(layer, list(ends), False, 1.0, 1, cv2.LINE_AA, 4)
        alpha = np.clip(layer * (0.35 + 0.5 * density), 0, 0.9) * (1 - lips)
        out = out * (1 - alpha[..., None]) + colour * alpha[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def age_card_photo(photo: np.ndarray, rng: random.Random) -> np.ndarray:
    """An ID-card photo as an older card holds it: softer, faded, yellowed, lower contrast."""
    image: np.ndarray = photo.astype(np.float32)
    image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.8, 1.2) * max(photo.shape[:2]) / 150)
    mean = image.mean(axis=(0, 1), keepdims=True)
    image = mean + rng.uniform(0.65, 0.8) * (image - mean)
    image = image * np.array([1.04, 1.0, 0.86], np.float32) + rng.uniform(10, 20)
    grain = np.random.default_rng(rng.getrandbits(32)).normal(0, 3, image.shape[:2])
    image += grain[..., None].astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


# --- in front of the face: drawn on every frame --------------------------------------------


@dataclass(frozen=True)
class Dress:
    """What a look puts in front of the face, drawn on each frame at its landmarks."""

    look: Look
    frame_colour: tuple[int, int, int]
    scarf_colour: tuple[int, int, int]
    mask_colour: tuple[int, int, int]
    glare_at: float  # where on the lens the reflection sits, -1 (outer) .. 1 (inner)

    @classmethod
    def of(cls, look: Look, rng: random.Random) -> Dress:
        frame = rng.choice(((20, 20, 22), (60, 40, 28), (150, 150, 155), (90, 30, 30)))
        if look.glasses == "thin" and rng.random() < 0.5:
            frame = (170, 165, 150)  # a metal frame
        scarf = rng.choice(
            ((25, 25, 35), (20, 30, 70), (215, 200, 180), (200, 150, 170), (90, 110, 90))
        )
        mask = rng.choice(((150, 195, 225), (235, 238, 240), (40, 40, 45)))
        return cls(look, frame, scarf, mask, rng.uniform(-0.6, 0.6))

    @property
    def drawn(self) -> bool:
        look = self.look
        return bool(look.glasses or look.headscarf or look.mask)

    def draw(self, image: np.ndarray, marks: np.ndarray) -> None:
        """Draw the scarf, the mask and the glasses (in that order) on ``image``, in place."""
        if self.look.headscarf:
            self._scarf(image, marks)
        if self.look.mask:
            self._mask(image, marks)
        if self.look.glasses:
            self._glasses(image, marks)

    def _glasses(self, image: np.ndarray, marks: np.ndarray) -> None:
        f = _Frame.of(marks)
        thick = self.look.glasses in ("thick", "dark")
        width = round((0.075 if thick else 0.025) * f.d)
        nose = marks[30]
        # The head's turn, from where the nose tip sits between the eyes: the reflection slides
        # over the lens as the head turns.
        turn = float(np.clip((nose - (f.left + f.right) / 2) @ f.across / (0.4 * f.d), -1, 1))
        lenses = []
        for outer, inner, side in ((36, 39, -1), (45, 42, 1)):
            a, b = marks[outer], marks[inner]
            axis = (b - a) / max(float(np.linalg.norm(b - a)), 1e-6)
            up = -f.down
            centre = (a + b) / 2 + 0.06 * f.d * f.down
            half_w = 0.78 * float(np.linalg.norm(b - a))
            half_h = 0.3 * f.d
            theta = np.linspace(0, 2 * np.pi, 40, endpoint=False)
            c, s = np.cos(theta), np.sin(theta)
            rounded_c = np.sign(c) * np.abs(c) ** 0.6
            rounded_s = np.sign(s) * np.abs(s) ** 0.7
            lens = centre + np.outer(rounded_c * half_w, axis) - np.outer(rounded_s * half_h, up)
            lenses.append((lens, centre, axis, up, half_w, half_h, side))
        for lens, centre, axis, up, half_w, half_h, side in lenses:
            if self.look.glasses == "dark":
                _fill(image, lens, (18, 20, 24), 0.88)
            else:
                _fill(image, lens, (200, 220, 230), 0.06)
                if self.look.glare > 0:
                    spot_c = (
                        centre
                        + (self.glare_at + 0.5 * turn * side) * 0.5 * half_w * axis * -side
                        + 0.2 * half_h * up
                    )
                    spot = cv2.ellipse2Poly(
                        (round(spot_c[0] * 16), round(spot_c[1] * 16)),
                        (max(1, round(0.45 * half_w * 16)), max(1, round(0.55 * half_h * 16))),
                        round(math.degrees(math.atan2(axis[1], axis[0]))) + 20,
                        0,
                        360,
                        10,
                    )
                    _fill(
                        image,
                        np.asarray(spot, np.float64) / 16,
                        (250, 250, 250),
                        0.85 * self.look.glare,
                    )
            _polyline(image, np.vstack([lens, lens[:1]]), self.frame_colour, width)
        # The bridge over the nose, and the arms back towards the ears.
        (left, *_), (right, *_) = lenses
        inner_l = left[np.argmax(left @ f.across)]
        inner_r = right[np.argmin(right @ f.across)]
        bridge = np.array([inner_l, (inner_l + inner_r) / 2 - 0.08 * f.d * f.down, inner_r])
        _polyline(image, bridge, self.frame_colour, width)
        for lens, ear in ((left, marks[0]), (right, marks[16])):
            outer = lens[np.argmax(np.abs((lens - marks[27]) @ f.across))]
            if abs((ear - marks[27]) @ f.across) > abs((outer - marks[27]) @ f.across):
                _polyline(image, np.array([outer, ear]), self.frame_colour, width)

    def _mask(self, image: np.ndarray, marks: np.ndarray) -> None:
        f = _Frame.of(marks)
        centre = marks[27:36].mean(axis=0)
        jaw = marks[1:16]
        jaw = jaw + 0.04 * (jaw - centre) + 0.05 * f.d * f.down
        bridge = marks[28]
        top = np.array(
            [
                marks[15] + 0.5 * (bridge - marks[15]) + 0.08 * f.d * f.down,
                bridge - 0.02 * f.d * f.down,
                marks[1] + 0.5 * (bridge - marks[1]) + 0.08 * f.d * f.down,
            ]
        )
        outline = np.concatenate([jaw, top])
        before = image.astype(np.float32)
        _fill(image, outline, self.mask_colour, 1.0)
        # Pleats and a little shading from the face's own light, so it is not flat paint.
        shade = cv2.GaussianBlur(before.mean(axis=2), (0, 0), 0.4 * f.d)
        inside = np.zeros(image.shape[:2], np.float32)
        cv2.fillPoly(inside, [np.round(outline * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
        level = float((shade * inside).sum() / max(inside.sum(), 1.0))
        light = np.clip(0.75 + 0.25 * shade / max(level, 1.0), 0.6, 1.15)
        image[:] = np.where(
            inside[..., None] > 0.5, np.clip(image * light[..., None], 0, 255), image
        ).astype(np.uint8)
        pleat_colour = tuple(int(0.8 * c) for c in self.mask_colour)
        for k in (0.35, 0.55, 0.75):
            left = marks[2] + k * (marks[4] - marks[2])
            right = marks[14] + k * (marks[12] - marks[14])
            mid = marks[33] + (k * 1.4) * (marks[8] - marks[33]) * 0.5
            _polyline(image, np.array([left, mid, right]), pleat_colour, round(0.02 * f.d))
        for corner, ear in ((top[2], marks[0]), (top[0], marks[16])):
            _polyline(image, np.array([corner, ear]), (235, 235, 235), round(0.02 * f.d))

    def _scarf(self, image: np.ndarray, marks: np.ndarray) -> None:
        f = _Frame.of(marks)
        centre = marks[27:36].mean(axis=0)
        jaw = marks[0:17] + 0.05 * (centre - marks[0:17])
        jaw[6:11] += 0.08 * f.d * f.down
        forehead = marks[26:16:-1] - 0.45 * f.d * f.down
        face = np.concatenate([jaw, forehead])
        face_centre = face.mean(axis=0)
        half = 0.5 * float(np.linalg.norm(marks[16] - marks[0]))
        theta = np.linspace(np.pi, 2 * np.pi, 24)  # the top half of the outline, over the head
        top = (
            face_centre
            - 0.2 * f.d * f.down
            + np.outer(np.cos(theta) * 1.8 * half, f.across)
            + np.outer(np.sin(theta) * 2.0 * half, f.down)
        )
        height = image.shape[0] + image.shape[1]
        drape = [
            top[-1] + 0.9 * half * f.across + height * f.down,
            top[0] - 0.9 * half * f.across + height * f.down,
        ]
        outline = np.concatenate([top, drape])
        mask: np.ndarray = np.zeros(image.shape[:2], np.float32)
        cv2.fillPoly(mask, [np.round(outline * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
        cv2.fillPoly(mask, [np.round(face * 16).astype(np.int32)], 0.0, cv2.LINE_AA, 4)
        mask = cv2.GaussianBlur(mask, (0, 0), 0.6)
        # Folds: a slow shading across the cloth.
        ys, xs = np.indices(image.shape[:2], np.float32)
        u = (xs - face_centre[0]) * f.across[0] + (ys - face_centre[1]) * f.across[1]
        folds = 0.85 + 0.15 * np.cos(u / (0.35 * f.d))
        layer = np.array(self.scarf_colour, np.float32) * folds[..., None]
        _blend(image, mask, layer)
