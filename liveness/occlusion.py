"""What hides parts of the face: a mask over nose and mouth, dark glasses over the eyes, clear
glasses whose frames and glare pull the eyelid landmarks, and a beard that makes the lip and
chin landmarks less reliable.

Each is judged on one frame from its 68 landmarks against the person's own skin, read from a
band of forehead just above the brows (left bare by glasses, masks and headscarves alike):
- a mask: the lower face (between the nose tip, the mouth corners and the chin) is not skin
  coloured, and neither is the mouth, which a beard leaves bare and a mask covers;
- dark glasses: the eyes are much darker than the forehead and show no white of the eye;
- a beard: the lower face is darker than the forehead and strongly textured;
- glasses: a horizontal line across the bridge of the nose between the brows and the eyes,
  and another under each eye (the rims), each a sharp step in colour, measured against the
  brightness of the skin around it. Brows, deep-set eyes and eye bags give one or the other, rarely both; thin metal
  frames close to the skin's colour are missed (they also trouble the eyelids least).

The scores are 0-1 (1 = surely there). `Occlusion.request` names what must come off (a mask,
dark glasses); `Occlusion.unreliable` names the actions the face does not let us measure
reliably, so a challenge leaves them out (`liveness.challenge.new_challenge`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from liveness.types import Action

MASK_MIN = 0.5  # a mask score at or above this: a mask is worn
DARK_GLASSES_MIN = 0.5
BEARD_MIN = 0.5
GLASSES_MIN = 0.5
GLASSES_BRIDGE = (50.0, 75.0)
"""The bridge line's strength (the strongest row of vertical colour gradient between the
brows and the eyes, per 100 grey levels of the skin there): no glasses at or below the first
figure, surely glasses at or above the second. Rendered stills of five people (six seeds) in
eight looks without glasses or a mask: 9-56 (the highest on darker skin); with thick frames
48-249."""
GLASSES_RIMS = (70.0, 100.0)
"""The same for the weaker of the two lines under the eyes: without glasses 11-76, with
thick frames 68-347. Thin frames: 35-209 and 49-303, 20 of 30 found (the misses mostly
light metal ones)."""


@dataclass(frozen=True)
class Occlusion:
    """Scores (0-1) of what covers the face in one frame."""

    mask: float
    dark_glasses: float
    beard: float
    glasses: float = 0.0

    @property
    def masked(self) -> bool:
        return self.mask >= MASK_MIN

    @property
    def sunglasses(self) -> bool:
        return self.dark_glasses >= DARK_GLASSES_MIN

    @property
    def request(self) -> str | None:
        """The reason code asking the person to take something off (`mask_on`, then
        `dark_glasses`), or None when nothing needs to come off."""
        if self.masked:
            return "mask_on"
        if self.sunglasses:
            return "dark_glasses"
        return None

    @property
    def bearded(self) -> bool:
        return self.beard >= BEARD_MIN

    @property
    def spectacled(self) -> bool:
        return self.glasses >= GLASSES_MIN

    @property
    def unreliable(self) -> dict[Action, str]:
        """Actions this face does not let us measure reliably, each with the reason code
        (`glasses`): a challenge is drawn from the others. Glasses leave the blink out: their
        rims and glare pull the eyelid landmarks, so a genuine blink is missed."""
        if self.request is not None:  # asked off first; nothing is drawn for a covered face
            return {}
        return {Action.BLINK: "glasses"} if self.spectacled else {}


def _region(shape: tuple[int, ...], polygon: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 1)
    return mask.astype(bool)


def _ramp(value: float, low: float, high: float) -> float:
    """0 at or below ``low``, 1 at or above ``high``, linear between."""
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def judge(image: np.ndarray, points: np.ndarray) -> Occlusion:
    """Scores of a mask, dark glasses and a beard on the face at ``points``."""
    left, right = points[36:42].mean(axis=0), points[42:48].mean(axis=0)
    d = max(float(np.linalg.norm(right - left)), 1.0)
    across = (right - left) / d
    down = np.array([-across[1], across[0]])
    ycc = cv2.cvtColor(image, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    grey = ycc[..., 0]

    brows = points[17:27]
    band = _region(
        image.shape, np.concatenate([brows - 0.08 * d * down, brows[::-1] - 0.3 * d * down])
    )
    if band.sum() < 20:
        return Occlusion(0.0, 0.0, 0.0)
    skin = ycc[band]
    skin_y = float(np.median(skin[:, 0]))
    skin_c = np.median(skin[:, 1:], axis=0)
    spread = max(float(np.median(np.linalg.norm(skin[:, 1:] - skin_c, axis=1))), 2.0)

    def skin_like(where: np.ndarray) -> float:
        if where.sum() < 10:
            return 1.0
        distance = np.linalg.norm(ycc[where][:, 1:] - skin_c, axis=1)
        return float((distance < 3.0 * spread + 4.0).mean())

    lips = _region(image.shape, points[48:60])
    lower = _region(
        image.shape, np.concatenate([points[3:14], [points[54]], points[35:30:-1], [points[48]]])
    ) & ~cv2.dilate(lips.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    lower_skin = skin_like(lower)
    lip_colour = np.median(ycc[lips][:, 1:], axis=0) if lips.sum() >= 10 else skin_c
    lip_distance = float(np.linalg.norm(lip_colour - skin_c))
    lower_y = float(np.median(grey[lower])) if lower.sum() >= 10 else skin_y
    laplace = np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=3))
    texture = float(np.median(laplace[lower])) / max(float(np.median(laplace[band])), 1.0)

    # A mask: the lower face unlike the skin and smooth (a beard is rough), and where the lips
    # should be, a colour far from both skin and lips.
    mask = min(
        _ramp(0.5 - lower_skin, 0.0, 0.3),
        _ramp(1.25 - texture, 0.0, 0.25),
        _ramp(lip_distance, 20.0, 28.0),
    )
    # A beard: a darker, textured lower face.
    beard = min(_ramp(0.62 - lower_y / max(skin_y, 1.0), 0.0, 0.15), _ramp(texture, 1.2, 1.8))

    eyes = np.zeros(image.shape[:2], bool)
    for first in (36, 42):
        eye = points[first : first + 6]
        centre = eye.mean(axis=0)
        eyes |= _region(image.shape, centre + 1.25 * (eye - centre))
    eye_y = grey[eyes]
    if eye_y.size < 10:
        dark = 0.0
    else:
        darkness = 1 - float(np.median(eye_y)) / max(skin_y, 1.0)
        whites = float(np.percentile(eye_y, 95)) / max(skin_y, 1.0)
        dark = min(_ramp(darkness, 0.55, 0.7), _ramp(0.45 - whites, 0.0, 0.15))

    return Occlusion(
        mask=mask, dark_glasses=dark, beard=beard, glasses=_glasses(image, points, left, right, d)
    )


def _glasses(
    image: np.ndarray, points: np.ndarray, left: np.ndarray, right: np.ndarray, d: float
) -> float:
    """The glasses score: the bridge line and the weaker rim line, on the face turned so the
    eyes are level, each as the strongest row of vertical colour gradient (the largest of the
    three channels', so a grey frame on skin of the same brightness still shows) per 100 grey
    levels of the skin there. Only the band from the brows to under the eyes is read, so it is
    cropped first (with room for a tilted head) and the score costs about a millisecond."""
    band = points[17:48]
    x0, y0 = np.maximum(np.floor(band.min(axis=0) - 0.6 * d), 0).astype(int)
    x1, y1 = np.ceil(band.max(axis=0) + 0.6 * d).astype(int)
    image = image[y0:y1, x0:x1]
    if image.shape[0] < 8 or image.shape[1] < 8:
        return 0.0
    offset = np.array([x0, y0], np.float64)
    points, left, right = points - offset, left - offset, right - offset
    centre = (left + right) / 2
    angle = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
    turn = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, 1.0)
    colour = cv2.warpAffine(image, turn, (image.shape[1], image.shape[0])).astype(np.float32)
    level = colour.mean(axis=2)
    p = np.c_[points, np.ones(len(points))] @ turn.T
    steps = np.abs(cv2.Sobel(colour, cv2.CV_32F, 0, 1, ksize=3)).max(axis=2)
    height, width = level.shape

    def line(x0: float, x1: float, y0: float, y1: float) -> float:
        xa, xb = max(int(x0), 0), min(int(x1) + 1, width)
        ya, yb = max(int(y0), 0), min(int(y1) + 1, height)
        if xb - xa < 2 or yb - ya < 2:
            return 0.0
        skin = max(float(level[ya:yb, xa:xb].mean()), 1.0)
        return float(steps[ya:yb, xa:xb].mean(axis=1).max()) * 100 / skin

    bridge = line(p[39, 0] + 0.1 * d, p[42, 0] - 0.1 * d, min(p[21, 1], p[22, 1]), p[28, 1])
    rims = min(
        line(p[outer, 0], p[inner, 0], p[lids, 1].max() + 0.12 * d, p[lids, 1].max() + 0.5 * d)
        for outer, inner, lids in ((36, 39, slice(36, 42)), (42, 45, slice(42, 48)))
    )
    return min(_ramp(bridge, *GLASSES_BRIDGE), _ramp(rims, *GLASSES_RIMS))


def look_at(image: np.ndarray) -> Occlusion | None:
    """What covers the largest face in ``image``, or None when no face is found (the page's
    own guide asks for the face then).

    For the page's camera picture before a recording, so the person is asked to uncover, and
    the challenge leaves out what cannot be measured, before anything is recorded: HOG at half
    and full size, then the CNN detector (which finds masked faces HOG misses).
    """
    from liveness import faces

    boxes = faces.detect(image, scale=0.5) or faces.detect(image) or faces.detect_covered(image)
    if not boxes:
        return None
    return judge(image, faces.landmarks(image, boxes[0]))
