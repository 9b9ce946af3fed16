"""The head: the photo placed in the frame, with a 3-D mesh of its face over it."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, replace

import cv2
import numpy as np

from liveness.synth.looks import Dress, Look, grow_hair, shift_skin

# Depth of dlib's 68 landmarks above the generic face's curved surface, in half face widths:
# the nose stands out, the eyes sit back, the lips and chin come forward a little.
_BUMP = np.zeros(68)
_BUMP[27:31] = (0.10, 0.20, 0.32, 0.45)
_BUMP[31:36] = (0.14, 0.24, 0.30, 0.24, 0.14)
_BUMP[17:27] = 0.04
_BUMP[36:48] = -0.08
_BUMP[48:68] = 0.08
_BUMP[[48, 54, 60, 64]] = 0.0
_BUMP[6:11] = 0.05
FACE_DEPTH = 0.8  # the face's depth at its centre line in front of the jaw line, half widths

# Eyelid creases: mesh points 68.. between these lids and brows; they sag a little in a blink.
CREASE_LIDS = [36, 37, 38, 39, 42, 43, 44, 45]
CREASE_BROWS = [18, 19, 20, 21, 22, 23, 24, 25]
FIXED = 68 + len(CREASE_LIDS)  # mesh points always kept: landmarks and creases


@dataclass(frozen=True)
class Head:
    """The photo on a canvas of the clip's size, and the 3-D mesh over its face."""

    canvas: np.ndarray  # the photo scaled and placed so the face has the wanted size
    points: np.ndarray  # (N, 3): x, y on the canvas, z towards the camera (px)
    follow: np.ndarray  # (N,): 1 moves with the head, 0 stays (background), between: neck
    triangles: np.ndarray  # (K, 3) vertex indices
    half_width: float  # half the face width (jaw to jaw), px
    down: np.ndarray  # unit vector from brows to chin on the canvas
    yaw: float  # the photo's own head yaw, degrees, from where the nose sits between the jaws
    dress: Dress | None = None  # glasses, a mask or a scarf, drawn on every frame

    @property
    def landmarks(self) -> np.ndarray:
        return self.points[:68, :2]

    def still(self) -> np.ndarray:
        """The canvas as a still photo shows it: with the dress drawn at rest."""
        if self.dress is None:
            return self.canvas
        image = self.canvas.copy()
        self.dress.draw(image, self.landmarks)
        return image


def dressed(head: Head, look: Look, rng: random.Random) -> Head:
    """The head with ``look``: skin tone and hair drawn into the canvas, the rest as a dress."""
    canvas = shift_skin(head.canvas, head.landmarks, look.skin)
    canvas = grow_hair(canvas, head.landmarks, look.beard, look.moustache, rng)
    dress = Dress.of(look, rng)
    return replace(head, canvas=canvas, dress=dress if dress.drawn else None)


_LANDMARK_CACHE: dict[bytes, np.ndarray] = {}


def photo_landmarks(photo: np.ndarray) -> np.ndarray:
    """The 68 landmarks of the photo's largest face, cached by the photo's content."""
    from liveness import faces

    key = hashlib.blake2b(photo.tobytes(), digest_size=16).digest() + bytes(
        str(photo.shape), "ascii"
    )
    if key not in _LANDMARK_CACHE:
        scale = min(1.0, 800 / max(photo.shape[:2]))
        boxes = faces.detect(photo, scale=scale) or faces.detect(photo, scale=scale, upsample=1)
        if not boxes:
            raise ValueError("no face found in the photo")
        box = max(boxes, key=lambda b: b.width)
        _LANDMARK_CACHE[key] = faces.landmarks(photo, box)
    return _LANDMARK_CACHE[key]


def build_head(photo: np.ndarray, rng: random.Random, size: tuple[int, int]) -> Head:
    width, height = size
    marks = photo_landmarks(photo)
    scale = float(rng.uniform(0.30, 0.37) * width / np.linalg.norm(marks[16] - marks[0]))
    resized = cv2.resize(
        photo,
        None,
        fx=scale,
        fy=scale,
        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC,
    )
    marks = marks * scale
    anchor = marks[27:31].mean(axis=0)
    target = (width / 2 + rng.uniform(-0.04, 0.04) * width, height * rng.uniform(0.40, 0.46))
    shift = np.array(target) - anchor
    canvas = _place(resized, shift, size)
    marks = marks + shift

    across = marks[16] - marks[0]
    half = float(np.linalg.norm(across)) / 2
    right = across / (2 * half)
    down = np.array([-right[1], right[0]])
    centre = (marks[0] + marks[16]) / 2
    u = (marks - centre) @ right / half
    v = (marks - centre) @ down / half
    # The photo's own yaw, from how far the nose tip sits off the jaws' midline.
    slant = float(u[30]) / (_BUMP[30] + FACE_DEPTH)
    yaw = math.degrees(math.atan(slant))
    z = _depth(u, _BUMP - 0.25 * np.clip(-v - 0.5, 0, None) ** 2, slant)
    points = [np.column_stack([marks, z * half])]
    follow = [np.ones(68)]

    # Eyelid creases, between each upper lid and its brow: they hold the brows still when
    # the lids close, so only the lid skin stretches over the eye.
    creases = marks[CREASE_LIDS] + 0.45 * (marks[CREASE_BROWS] - marks[CREASE_LIDS])
    points.append(np.column_stack([creases, (z[CREASE_LIDS] + z[CREASE_BROWS]) / 2 * half]))
    follow.append(np.ones(len(CREASE_LIDS)))
    # Forehead: the brows lifted.
    brows = marks[17:27] - 0.6 * half * down
    bu = (brows - centre) @ right / half
    points.append(np.column_stack([brows, _depth(bu, -0.25, slant) * half]))
    follow.append(np.ones(10))
    # Hair, ears and neck: a ring that turns with the head (the neck under the chin only
    # partly) and lies behind the face's outline; then a wider ring that stays still.
    angles = np.linspace(0, 2 * np.pi, 20, endpoint=False)
    middle = centre + 0.35 * half * down

    def ring(across: float, along: float) -> np.ndarray:
        return (
            middle
            + np.outer(np.cos(angles) * across * half, right)
            + np.outer(np.sin(angles) * along * half, down)
        )

    above, below = np.clip(-np.sin(angles), 0, 1), np.clip(np.sin(angles), 0, 1)
    points.append(np.column_stack([ring(1.45, 2.1), (-0.3 + 0.6 * above) * half]))
    follow.append(1.0 - 0.7 * below)
    points.append(np.column_stack([ring(2.8, 3.3), np.zeros(len(angles))]))
    follow.append(np.zeros(len(angles)))
    margin = 40
    xs = np.linspace(-margin, width + margin, 7)
    ys = np.linspace(-margin, height + margin, 6)
    border = [(x, y) for x in xs for y in (ys[0], ys[-1])] + [
        (x, y) for y in ys[1:-1] for x in (xs[0], xs[-1])
    ]
    points.append(np.column_stack([np.array(border), np.zeros(len(border))]))
    follow.append(np.zeros(len(border)))

    points_all = np.concatenate(points)
    follow_all = np.concatenate(follow)
    keep = _usable(points_all[:, :2], width, height, margin)
    points_all, follow_all = points_all[keep], follow_all[keep]
    return Head(canvas, points_all, follow_all, _triangulate(points_all[:, :2]), half, down, yaw)


def _depth(u: np.ndarray, bump: np.ndarray | float, slant: float) -> np.ndarray:
    """Depth towards the camera, in half face widths, of points at ``u`` (across the face, in
    half face widths from the jaws' midline) on the generic head seen turned by atan(slant).

    On the head, a point at ``a`` across lies ``FACE_DEPTH * (1 - a^2) + bump`` in front
    of the jaw line; turned, it shows at ``u = a + depth * slant`` and lies ``depth - a * slant``
    towards the camera (both in the photo's projected half width).
    """
    a = np.asarray(u, dtype=np.float64).copy()
    for _ in range(8):  # fixed point; the photos are within about 20 degrees of frontal
        depth = FACE_DEPTH * (1 - np.clip(a, -1, 1) ** 2) + bump
        a = np.clip(u - depth * slant, -1, 1)
    depth = FACE_DEPTH * (1 - a**2) + bump
    return depth - a * slant


def _place(image: np.ndarray, shift: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The image moved by ``shift`` into a frame of ``size``; where the photo does not reach,
    a heavy blur of its edge (a mirrored border could show a second face)."""
    move = np.array([[1, 0, shift[0]], [0, 1, shift[1]]], np.float32)
    sharp = cv2.warpAffine(
        image, move, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    inside = cv2.warpAffine(
        np.ones(image.shape[:2], np.float32), move, size, flags=cv2.INTER_LINEAR
    )
    if inside.min() > 0.99:
        return sharp
    inside = cv2.GaussianBlur(cv2.erode(inside, np.ones((9, 9), np.uint8)), (0, 0), 4)[..., None]
    blurred = cv2.GaussianBlur(sharp, (0, 0), 25)
    return (inside * sharp + (1 - inside) * blurred).astype(np.uint8)


def _usable(xy: np.ndarray, width: int, height: int, margin: int) -> np.ndarray:
    """Mask of mesh points inside the padded frame and not on top of an earlier point."""
    keep = np.ones(len(xy), bool)
    inside = (
        (xy[:, 0] >= -margin)
        & (xy[:, 0] <= width + margin)
        & (xy[:, 1] >= -margin)
        & (xy[:, 1] <= height + margin)
    )
    keep[FIXED:] = inside[FIXED:]
    for i in range(FIXED, len(xy)):
        if keep[i] and np.min(np.linalg.norm(xy[:i][keep[:i]] - xy[i], axis=1)) < 4:
            keep[i] = False
    return keep


def _triangulate(xy: np.ndarray) -> np.ndarray:
    """Delaunay triangles over the points, as (K, 3) indices."""
    low = xy.min(axis=0) - 10
    high = xy.max(axis=0) + 10
    subdiv = cv2.Subdiv2D(
        (int(low[0]), int(low[1]), int(high[0] - low[0]) + 1, int(high[1] - low[1]) + 1)
    )
    subdiv.insert([(float(x), float(y)) for x, y in xy])
    corners = np.asarray(subdiv.getTriangleList()).reshape(-1, 3, 2)
    nearest = np.linalg.norm(corners[:, :, None, :] - xy[None, None, :, :], axis=3)
    index = nearest.argmin(axis=2)
    exact = nearest.min(axis=2).max(axis=1) < 0.5  # drops triangles on Subdiv2D's outer vertices
    return index[exact]
