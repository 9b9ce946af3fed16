"""Synthetic check-in clips rendered from one still photo, for the tests and the evaluation.

No third-party video may be shipped with the project, so the test clips are made here. A
`genuine` clip is a stand-in for a consented recording: the photo's 68 landmarks are lifted
onto a generic 3-D face (curved across, with a nose, brows and lips standing out) and each
triangle of the mesh is warped on its own, so a head turn shows real parallax (the nose moves
further than the cheeks), which a flat photo or screen cannot show. Blinks close the eyelid
landmarks, an open mouth moves the lower lip and jaw down. Attacks: `static` (the photo held still),
`print` (the photo on a sheet of paper moved by hand), `screen` (the photo or a genuine clip on
a phone screen: bezel, moire, glare), `replay` (a genuine clip made for another challenge) and
`impostor` (a genuine clip of another person).
"""

from __future__ import annotations

import hashlib
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from liveness.types import Action, Challenge, Frame

KINDS = ("genuine", "static", "print", "screen", "replay", "impostor")
TURN_YAW = {Action.TURN_LEFT: 1.0, Action.TURN_RIGHT: -1.0}  # + moves the nose to image right

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
PIVOT_DEPTH = 0.6  # the neck's turning axis, behind the face outline, in half face widths
CAMERA_DISTANCE = 8.0  # in half face widths: a phone at arm's length
FRONTALISE = 0.7  # at rest the head faces the camera: undo this share of the photo's own yaw

# Eyelids: (upper, lower) landmark pairs; mouth: landmarks moved down, with weights.
_LIDS = ((37, 41), (38, 40), (43, 47), (44, 46))
_JAW = {
    65: 1.0,
    66: 1.0,
    67: 1.0,
    60: 0.4,
    64: 0.4,
    55: 0.8,
    56: 1.0,
    57: 1.0,
    58: 1.0,
    59: 0.8,
    8: 1.0,
    7: 0.95,
    9: 0.95,
    6: 0.8,
    10: 0.8,
    5: 0.55,
    11: 0.55,
    4: 0.3,
    12: 0.3,
    3: 0.1,
    13: 0.1,
}
# Eyelid creases: mesh points 68.. between these lids and brows; they sag a little in a blink.
_CREASE_LIDS = [36, 37, 38, 39, 42, 43, 44, 45]
_CREASE_BROWS = [18, 19, 20, 21, 22, 23, 24, 25]
FIXED = 68 + len(_CREASE_LIDS)  # mesh points always kept: landmarks and creases
_JAW_INDEX = np.array(list(_JAW))
_JAW_WEIGHT = np.array(list(_JAW.values()))


def render(
    photo_rgb: np.ndarray,
    challenge: Challenge,
    kind: str,
    rng: random.Random,
    *,
    other_photo: np.ndarray | None = None,
    fps: int = 15,
    size: tuple[int, int] = (640, 480),
) -> list[Frame]:
    """Frames (RGB, ``size`` = (width, height)) of a clip of ``kind`` answering ``challenge``.

    Raises ValueError for an unknown kind, a missing ``other_photo`` (impostor) or a photo
    without a face.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "impostor":
        if other_photo is None:
            raise ValueError("an impostor clip needs other_photo (another person's photo)")
        photo_rgb = other_photo
    if kind == "replay":
        challenge = replay_challenge(challenge, rng)
    n = round((challenge.duration_s + 0.5) * fps)
    times = np.arange(n) / fps
    head = _head(photo_rgb, rng, size)
    if kind in ("genuine", "replay", "impostor"):
        images = _genuine(head, challenge, times, rng)
    elif kind == "static":
        images = [head.canvas] * n
    elif kind == "print":
        images = _print(head, challenge, times, rng, size)
    else:
        images = _screen(head, challenge, times, rng, size)
    camera = _Camera(rng, size, still=kind == "static")
    return [Frame(float(t), camera.capture(image)) for t, image in zip(times, images, strict=True)]


def replay_challenge(challenge: Challenge, rng: random.Random) -> Challenge:
    """Another random challenge whose actions come in a different order (what a replay answers)."""
    from liveness.challenge import new_challenge

    wanted = tuple(step.action for step in challenge.steps)
    while True:
        other = new_challenge(rng)
        if tuple(step.action for step in other.steps) != wanted:
            return other


def write_clip(frames: list[Frame], path: Path, fps: int = 15) -> None:
    """Encode RGB frames as .mp4 ('mp4v') or .webm ('VP80'); raises OSError if that fails."""
    if not frames:
        raise ValueError("no frames to write")
    codec = "VP80" if Path(path).suffix.lower() == ".webm" else "mp4v"
    height, width = frames[0].image.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {path} with codec {codec}")
    try:
        for frame in frames:
            writer.write(cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()


def read_photo(path: Path) -> np.ndarray:
    """An RGB image from a file; raises ValueError if it cannot be read."""
    if not Path(path).is_file():
        raise ValueError(f"no such file: {path}")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"cannot read an image from {path}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def main(args) -> int:
    """`python -m liveness synth`: render one clip to a file."""
    try:
        width, height = (int(v) for v in str(getattr(args, "size", "640x480")).lower().split("x"))
        if not (64 <= width <= 3840 and 64 <= height <= 3840):
            raise ValueError("size must be between 64x64 and 3840x3840")
        fps = int(getattr(args, "fps", 15))
        if not 1 <= fps <= 60:
            raise ValueError("fps must be 1 to 60")
        photo = read_photo(Path(args.photo))
        challenge = Challenge.from_json(Path(args.challenge).read_text(encoding="utf-8"))
        other_path = getattr(args, "other_photo", None)
        other = read_photo(Path(other_path)) if other_path else None
        seed = getattr(args, "seed", None)
        frames = render(
            photo,
            challenge,
            args.kind,
            random.Random(0 if seed is None else seed),
            other_photo=other,
            fps=fps,
            size=(width, height),
        )
        write_clip(frames, Path(args.out), fps)
    except (OSError, ValueError) as error:
        print(f"synth: {error}", file=sys.stderr)
        return 2
    print(f"{args.out}: {len(frames)} frames, {args.kind}")
    return 0


# --- The head: the photo placed in the frame, with a 3-D mesh over it -----------------------


@dataclass(frozen=True)
class _Head:
    canvas: np.ndarray  # the photo scaled and placed so the face has the wanted size
    points: np.ndarray  # (N, 3): x, y on the canvas, z towards the camera (px)
    follow: np.ndarray  # (N,): 1 moves with the head, 0 stays (background), between: neck
    triangles: np.ndarray  # (K, 3) vertex indices
    half_width: float  # half the face width (jaw to jaw), px
    down: np.ndarray  # unit vector from brows to chin on the canvas
    yaw: float  # the photo's own head yaw, degrees, from where the nose sits between the jaws

    @property
    def landmarks(self) -> np.ndarray:
        return self.points[:68, :2]


_LANDMARK_CACHE: dict[bytes, np.ndarray] = {}


def _photo_landmarks(photo: np.ndarray) -> np.ndarray:
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


def _head(photo: np.ndarray, rng: random.Random, size: tuple[int, int]) -> _Head:
    width, height = size
    marks = _photo_landmarks(photo)
    scale = rng.uniform(0.30, 0.37) * width / np.linalg.norm(marks[16] - marks[0])
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
    creases = marks[_CREASE_LIDS] + 0.45 * (marks[_CREASE_BROWS] - marks[_CREASE_LIDS])
    points.append(np.column_stack([creases, (z[_CREASE_LIDS] + z[_CREASE_BROWS]) / 2 * half]))
    follow.append(np.ones(len(_CREASE_LIDS)))
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
    return _Head(canvas, points_all, follow_all, _triangulate(points_all[:, :2]), half, down, yaw)


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
    move = np.float32([[1, 0, shift[0]], [0, 1, shift[1]]])
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
    corners = subdiv.getTriangleList().reshape(-1, 3, 2)
    nearest = np.linalg.norm(corners[:, :, None, :] - xy[None, None, :, :], axis=3)
    index = nearest.argmin(axis=2)
    exact = nearest.min(axis=2).max(axis=1) < 0.5  # drops triangles on Subdiv2D's outer vertices
    return index[exact]


# --- Genuine: the head turns, blinks and opens its mouth ------------------------------------


def _bump(t: np.ndarray, begin: float, rise: float, hold: float, fall: float) -> np.ndarray:
    """0 -> 1 -> 0 with smooth ramps: up over ``rise`` from ``begin``, held, down over ``fall``."""

    def smooth(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, 0, 1)
        return x * x * (3 - 2 * x)

    return smooth((t - begin) / rise) - smooth((t - begin - rise - hold) / fall)


def _wobble(
    rng: random.Random, t: np.ndarray, amplitude: float, low: float = 0.15, high: float = 0.8
) -> np.ndarray:
    """A smooth random signal of about ``amplitude`` (sum of three slow sinusoids)."""
    out = np.zeros_like(t)
    for _ in range(3):
        out += rng.uniform(0.5, 1.0) * np.sin(
            2 * np.pi * rng.uniform(low, high) * t + rng.uniform(0, 6.3)
        )
    return amplitude * out / 1.5


@dataclass(frozen=True)
class _Script:
    """What the head does, per frame: yaw in degrees (+ = nose to image right), 0..1 amounts."""

    yaw: np.ndarray
    blink: np.ndarray
    mouth: np.ndarray


def _script(challenge: Challenge, t: np.ndarray, rng: random.Random, fps: int) -> _Script:
    yaw, blink, mouth = np.zeros_like(t), np.zeros_like(t), np.zeros_like(t)
    for step in challenge.steps:
        room = step.end_s - step.start_s
        if step.action == Action.BLINK:
            rise, hold, fall = 0.05, max(rng.uniform(0.08, 0.12), 1.2 / fps), rng.uniform(0.07, 0.1)
        elif step.action == Action.OPEN_MOUTH:
            rise, hold, fall = 0.25, rng.uniform(0.35, 0.55), 0.25
        else:
            rise, hold, fall = rng.uniform(0.3, 0.4), rng.uniform(0.3, 0.5), rng.uniform(0.3, 0.4)
        squeeze = min(1.0, max(0.2, room - 0.3) / (rise + hold + fall))
        rise, hold, fall = rise * squeeze, hold * squeeze, fall * squeeze
        slack = max(0.0, room - (rise + hold + fall) - 0.2)
        begin = step.start_s + 0.1 + rng.uniform(0.2, 0.6) * slack
        shape = _bump(t, begin, rise, hold, fall)
        if step.action == Action.BLINK:
            blink = np.maximum(blink, shape)
        elif step.action == Action.OPEN_MOUTH:
            mouth = np.maximum(mouth, shape * rng.uniform(0.8, 1.0))
        else:
            yaw = yaw + shape * TURN_YAW[step.action] * rng.uniform(30, 38)
    return _Script(yaw, blink, mouth)


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    cy, sy, cp, sp, cr, sr = (
        math.cos(yaw),
        math.sin(yaw),
        math.cos(pitch),
        math.sin(pitch),
        math.cos(roll),
        math.sin(roll),
    )
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return rz @ ry @ rx


def _genuine(
    head: _Head, challenge: Challenge, t: np.ndarray, rng: random.Random
) -> list[np.ndarray]:
    fps = round(1 / (t[1] - t[0])) if len(t) > 1 else 15
    script = _script(challenge, t, rng, fps)
    turning = np.abs(script.yaw) / 30
    pitch = _wobble(rng, t, 2.0) + turning * rng.uniform(-4, 4)
    roll = _wobble(rng, t, 1.5) + turning * rng.uniform(-3, 3)
    # Face the camera at rest, mostly: undoing all of the photo's own yaw would leave too far
    # to turn on one side for a warp of one photo.
    yaw = script.yaw - FRONTALISE * head.yaw + _wobble(rng, t, 1.5)
    drift = np.column_stack([_wobble(rng, t, 4.0), _wobble(rng, t, 3.0)])
    zoom = 1 + _wobble(rng, t, 0.02, 0.05, 0.3)
    shake = np.column_stack([_wobble(rng, t, 1.5, 0.8, 3.0), _wobble(rng, t, 1.5, 0.8, 3.0)])
    warp = _MeshWarp(head)
    return [
        warp.frame(
            math.radians(yaw[i]),
            math.radians(pitch[i]),
            math.radians(roll[i]),
            drift[i],
            zoom[i],
            shake[i],
            script.blink[i],
            script.mouth[i],
        )
        for i in range(len(t))
    ]


class _MeshWarp:
    """Moves the head's mesh in 3-D and warps the canvas triangle by triangle (one remap)."""

    def __init__(self, head: _Head) -> None:
        self.head = head
        height, width = head.canvas.shape[:2]
        self.grid_x, self.grid_y = np.meshgrid(
            np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
        )
        marks = head.landmarks
        half = head.half_width
        self.pivot = np.array(
            [*((marks[0] + marks[16]) / 2 + 0.3 * half * head.down), -PIVOT_DEPTH * half]
        )
        gap = np.mean([(marks[66 + k] - marks[62 + k]) @ head.down for k in (-1, 0, 1)])
        self.mouth_gap0 = max(0.0, float(gap))
        self.mouth_width = float(np.linalg.norm(marks[54] - marks[48]))
        self.index = np.zeros((height, width), np.int32)

    def frame(
        self,
        yaw: float,
        pitch: float,
        roll: float,
        drift: np.ndarray,
        zoom: float,
        shake: np.ndarray,
        blink: float,
        mouth: float,
    ) -> np.ndarray:
        head = self.head
        source = head.points
        moved = source.copy()
        # At rest the lips close to at most slightly parted (a photo may be mid-word), then
        # open to about half the mouth's width.
        rest = min(self.mouth_gap0, 0.12 * self.mouth_width)
        opening = rest + mouth * (0.55 * self.mouth_width - rest) - self.mouth_gap0
        moved[_JAW_INDEX, :2] += np.outer(_JAW_WEIGHT * opening, head.down)
        pose = (_rotation(yaw, pitch, roll), drift, zoom, shake)
        if blink > 0:
            for upper, lower in _LIDS:
                meet = source[lower] + 0.3 * (source[upper] - source[lower])
                moved[upper] += blink * (meet - source[upper])
                moved[lower] += blink * (meet - source[lower])
            for k, lid in enumerate(_CREASE_LIDS):
                moved[68 + k] += 0.3 * (moved[lid] - source[lid])
        xy, depth = self._project(moved, *pose)
        image = self._warp(xy, source[:, :2], depth, shake)

        inner = xy[60:68]
        if mouth > 0.05 and cv2.contourArea(inner.astype(np.float32)) > 4:
            cv2.fillPoly(
                image, [np.round(inner * 16).astype(np.int32)], (52, 22, 24), cv2.LINE_AA, 4
            )
        if blink > 0.5:
            _skin_lids(image, xy, (blink - 0.5) * 2)
        if blink > 0.6:  # the lashes where the lids meet
            for a, b, c, d in ((36, 37, 38, 39), (42, 43, 44, 45)):
                line = np.round(xy[[a, b, c, d]] * 16).astype(np.int32)
                cv2.polylines(image, [line], False, (40, 30, 30), 1, cv2.LINE_AA, 4)
        return image

    def _project(
        self,
        points: np.ndarray,
        rotation: np.ndarray,
        drift: np.ndarray,
        zoom: float,
        shake: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Frame positions of the mesh points, and their depth (background far behind)."""
        head = self.head
        rotated = (points - self.pivot) @ rotation.T + self.pivot
        distance = CAMERA_DISTANCE * head.half_width
        perspective = (distance - head.points[:, 2]) / (distance - rotated[:, 2])
        centre = self.pivot[:2]
        xy_head = centre + zoom * perspective[:, None] * (rotated[:, :2] - centre) + drift
        follow = head.follow[:, None]
        xy = follow * xy_head + (1 - follow) * head.points[:, :2] + shake
        return xy, np.where(head.follow > 0, rotated[:, 2], -1e6)

    def _warp(
        self, dst: np.ndarray, src: np.ndarray, depth: np.ndarray, shake: np.ndarray
    ) -> np.ndarray:
        """Piecewise-affine warp: each pixel samples the canvas through its triangle's inverse map."""
        tris = self.head.triangles
        order = np.argsort(depth[tris].mean(axis=1))  # far triangles first, near ones drawn over
        d = dst[tris]  # (K, 3, 2)
        s = src[tris]
        ones = np.ones((len(tris), 3, 1))
        a = np.concatenate([d, ones], axis=2)  # (K, 3, 3)
        det = np.linalg.det(a)
        ok = np.abs(det) > 1e-3
        maps = np.zeros((len(tris) + 1, 3, 2))
        maps[0] = [[1, 0], [0, 1], [-shake[0], -shake[1]]]
        maps[1:][ok] = np.linalg.solve(a[ok], s[ok])
        maps[1:][~ok] = maps[0]
        index = self.index
        index[:] = 0
        corners = np.round(d * 16).astype(np.int32)
        for k in order:
            if ok[k]:
                cv2.fillConvexPoly(index, corners[k], int(k + 1), cv2.LINE_8, 4)
        coeffs = maps.astype(np.float32).reshape(-1, 6)[index]  # (H, W, 6)
        map_x = coeffs[..., 0] * self.grid_x + coeffs[..., 2] * self.grid_y + coeffs[..., 4]
        map_y = coeffs[..., 1] * self.grid_x + coeffs[..., 3] * self.grid_y + coeffs[..., 5]
        return cv2.remap(
            self.head.canvas, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
        )


def _skin_lids(image: np.ndarray, xy: np.ndarray, amount: float) -> None:
    """Give the closed upper lids skin. The warp stretches whatever lay between lid and brow
    over the eye; for deep-set eyes that is shadow, where a real lid unrolls lighter skin. So
    where that band is darker than the skin under the eye, the skin under the eye, mirrored,
    is blended in (in proportion to the shadow) from near the brow down to the lash line."""
    height, width = image.shape[:2]
    for first in (0, 4):  # the four upper-lid points of each eye and the brow points above
        lid = xy[[_CREASE_LIDS[first + k] for k in range(4)]]
        brow = xy[[_CREASE_BROWS[first + k] for k in range(4)]]
        polygon = np.concatenate([lid + 0.75 * (brow - lid), lid[::-1]])
        x0, y0 = np.floor(polygon.min(axis=0)).astype(int) - 2
        x1, y1 = np.ceil(polygon.max(axis=0)).astype(int) + 2
        h = y1 - y0
        below = int(np.ceil(lid[:, 1].max())) + 2
        if x0 < 0 or y0 < 0 or x1 > width or below + h > height or x1 - x0 < 6 or h < 4:
            continue
        skin = image[below : below + h, x0:x1][::-1].astype(np.float32) * 0.9
        mask = np.zeros((h, x1 - x0), np.float32)
        cv2.fillPoly(
            mask, [np.round((polygon - (x0, y0)) * 16).astype(np.int32)], 1.0, cv2.LINE_8, 4
        )
        region = image[y0:y1, x0:x1].astype(np.float32)
        inside = mask > 0
        shadow = (skin[inside].mean() - region[inside].mean()) / max(skin[inside].mean(), 1.0)
        alpha = amount * float(np.clip(shadow / 0.5, 0, 1)) * cv2.GaussianBlur(mask, (0, 0), 1.5)
        image[y0:y1, x0:x1] = (alpha[..., None] * skin + (1 - alpha[..., None]) * region).astype(
            np.uint8
        )


# --- Attacks: paper and screens held in front of the camera ---------------------------------


def _room(rng: random.Random, size: tuple[int, int]) -> np.ndarray:
    """A plain indoor background: a shaded wall, a door or shelf, soft light."""
    width, height = size
    base = np.array([rng.uniform(120, 220) for _ in range(3)])
    ramp = np.linspace(rng.uniform(0.75, 0.9), rng.uniform(1.0, 1.15), width)[None, :, None]
    room = np.broadcast_to(base * ramp, (height, width, 3)).astype(np.float32).copy()
    for _ in range(rng.randint(1, 3)):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        w, h = rng.randint(60, 240), rng.randint(60, 300)
        colour = [rng.uniform(40, 200) for _ in range(3)]
        cv2.rectangle(room, (x0, y0), (x0 + w, y0 + h), colour, -1)
    room = cv2.GaussianBlur(room, (0, 0), 3)
    return np.clip(room, 0, 255).astype(np.uint8)


def _plane(
    width: float,
    height: float,
    centre: tuple[float, float],
    yaw: float,
    pitch: float,
    roll: float,
    focal: float,
) -> np.ndarray:
    """Homography taking a flat width x height sheet (its pixels) to the frame, seen by a
    pinhole camera at distance ``focal``, turned by the angles (radians)."""
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64)
    local = np.column_stack([corners - (width / 2, height / 2), np.zeros(4)])
    world = local @ _rotation(yaw, pitch, roll).T + (0, 0, focal)
    projected = focal * world[:, :2] / world[:, 2:3] + centre
    return cv2.getPerspectiveTransform(corners.astype(np.float32), projected.astype(np.float32))


def _hand_motion(
    challenge: Challenge, t: np.ndarray, rng: random.Random, tilts: bool
) -> dict[str, np.ndarray]:
    """How an attacker's hand moves a sheet or phone: slow drift, tremor, and tilts that
    imitate the challenged head turns."""
    tilt = np.zeros_like(t)
    if tilts:
        for step in challenge.steps:
            if step.action in TURN_YAW:
                room = step.end_s - step.start_s
                begin = step.start_s + rng.uniform(0.1, 0.3) * room
                # The side the nose would move to recedes (in _plane, z points away from the
                # camera, so the sign is the head's reversed).
                tilt -= (
                    TURN_YAW[step.action] * rng.uniform(30, 50) * _bump(t, begin, 0.35, 0.3, 0.35)
                )
    return {
        "yaw": np.radians(tilt + _wobble(rng, t, 3.0)),
        "pitch": np.radians(_wobble(rng, t, 3.0)),
        "roll": np.radians(_wobble(rng, t, 2.0) + _wobble(rng, t, 0.4, 2.0, 5.0)),
        "x": _wobble(rng, t, 6.0) + _wobble(rng, t, 1.0, 2.0, 6.0),
        "y": _wobble(rng, t, 5.0) + _wobble(rng, t, 1.0, 2.0, 6.0),
        "light": 1 + _wobble(rng, t, 0.06),
    }


def _face_crop(head: _Head, width_faces: float, aspect: float) -> tuple[int, int, int, int]:
    """(x0, y0, w, h) of a crop of the canvas around the face."""
    centre = head.landmarks[27:31].mean(axis=0) + 0.25 * head.half_width * head.down
    w = 2 * head.half_width * width_faces
    h = w * aspect
    return int(centre[0] - w / 2), int(centre[1] - h * 0.45), int(w), int(h)


def _crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, w, h = box
    return cv2.warpAffine(
        image, np.float32([[1, 0, -x0], [0, 1, -y0]]), (w, h), borderMode=cv2.BORDER_REFLECT_101
    )


def _print(
    head: _Head, challenge: Challenge, t: np.ndarray, rng: random.Random, size: tuple[int, int]
) -> list[np.ndarray]:
    """The photo printed with a white margin on paper, held up and moved by hand."""
    width, height = size
    photo = _crop(head.canvas, _face_crop(head, rng.uniform(1.9, 2.2), rng.uniform(1.15, 1.3)))
    photo = cv2.GaussianBlur(photo, (0, 0), 0.7).astype(np.float32)
    grey = photo.mean(axis=2, keepdims=True)
    photo = 18 + 0.84 * (0.85 * photo + 0.15 * grey)  # ink: no deep black, duller colour
    margin = int(rng.uniform(0.06, 0.1) * photo.shape[1])
    paper = np.full(
        (photo.shape[0] + 2 * margin, photo.shape[1] + 2 * margin, 3),
        [rng.uniform(236, 250), rng.uniform(236, 250), rng.uniform(228, 245)],
        np.float32,
    )
    paper[margin:-margin, margin:-margin] = photo
    grain = np.random.default_rng(rng.getrandbits(32))
    texture = (
        cv2.GaussianBlur(grain.normal(0, 1, paper.shape[:2]).astype(np.float32), (0, 0), 6) * 25
    )
    texture += grain.normal(0, 2.5, paper.shape[:2]).astype(np.float32)
    paper += texture[..., None]
    shading = np.linspace(
        rng.uniform(0.85, 0.95), rng.uniform(1.0, 1.08), paper.shape[1], dtype=np.float32
    )
    paper = np.clip(paper * shading[None, :, None], 0, 255)

    room = _room(rng, size)
    motion = _hand_motion(challenge, t, rng, tilts=rng.random() < 0.8)
    scale = rng.uniform(0.95, 1.05)
    base = (width / 2 + rng.uniform(-30, 30), height / 2 + rng.uniform(-10, 20))
    focal = 1.4 * width
    ph, pw = paper.shape[:2]
    frames = []
    for i in range(len(t)):
        homography = _plane(
            pw * scale,
            ph * scale,
            (base[0] + motion["x"][i], base[1] + motion["y"][i]),
            motion["yaw"][i],
            motion["pitch"][i],
            motion["roll"][i],
            focal,
        )
        homography = homography @ np.diag([scale, scale, 1.0])
        lit = np.clip(
            paper * motion["light"][i] * (0.93 + 0.07 * math.cos(motion["yaw"][i] * 2)), 0, 255
        )
        frame = room.copy()
        cv2.warpPerspective(
            lit.astype(np.uint8),
            homography,
            size,
            dst=frame,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_TRANSPARENT,
        )
        thumb = cv2.perspectiveTransform(np.float32([[[0.0, ph * 0.8]]]), homography)[0, 0]
        cv2.ellipse(
            frame,
            (int(thumb[0]), int(thumb[1])),
            (18, 34),
            10,
            0,
            360,
            (196, 150, 125),
            -1,
            cv2.LINE_AA,
        )
        frames.append(frame)
    return frames


def _subpixel_mask(columns: int, rows: int) -> np.ndarray:
    """An LCD's pixel grid: each pixel three vertical R, G, B stripes and a dark row gap."""
    cell = np.zeros((3, 3, 3), np.uint8)
    for channel in range(3):
        cell[:2, channel, channel] = 255
        cell[2, channel, channel] = 110
    return np.tile(cell, (rows, columns, 1))


def _screen(
    head: _Head, challenge: Challenge, t: np.ndarray, rng: random.Random, size: tuple[int, int]
) -> list[np.ndarray]:
    """The photo, or a genuine clip answering the challenge, shown on a phone held in front
    of the camera: dark bezel, pixel-grid moire, a glare highlight, hand motion."""
    width, height = size
    plays_clip = rng.random() < 0.5
    sources = _genuine(head, challenge, t, rng) if plays_clip else [head.canvas] * len(t)
    box = _face_crop(head, rng.uniform(1.5, 1.75), 1.33)
    screen_w = box[2] * rng.uniform(0.92, 1.05)  # the face about as large as a real one
    screen_h = screen_w * 1.33
    bezel_side, bezel_end = rng.uniform(10, 18), rng.uniform(35, 55)
    phone_w, phone_h = screen_w + 2 * bezel_side, screen_h + 2 * bezel_end
    body = np.full((int(phone_h), int(phone_w), 3), rng.uniform(12, 30), np.uint8)
    cv2.rectangle(body, (0, 0), (body.shape[1] - 1, body.shape[0] - 1), (85, 85, 90), 3)
    # Screen pixels per camera pixel: near a whole number the grid beats into broad rainbow
    # bands that hide the face (an attacker would move the phone), so those are left out.
    density = rng.uniform(2.15, 2.85)
    mask = _subpixel_mask(int(screen_w * density) + 1, int(screen_h * density) + 1)
    mask_scale = 1 / (3 * density)
    contrast = rng.uniform(0.12, 0.3)  # how much of the pixel grid survives the camera's optics

    room = _room(rng, size)
    motion = _hand_motion(challenge, t, rng, tilts=not plays_clip and rng.random() < 0.7)
    base = (width / 2 + rng.uniform(-25, 25), height / 2 + rng.uniform(0, 30))
    focal = 1.4 * width
    stripe_period = rng.uniform(5, 12)
    stripe_angle = rng.uniform(0, np.pi)
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    along = (
        2
        * np.pi
        / stripe_period
        * (grid_x * math.cos(stripe_angle) + grid_y * math.sin(stripe_angle))
    )
    along_sin, along_cos = np.sin(along), np.cos(along)
    screen_corners = np.float32(
        [[[0, 0]], [[screen_w, 0]], [[screen_w, screen_h]], [[0, screen_h]]]
    )
    glare_at = np.array([rng.uniform(0.2, 0.8) * screen_w, rng.uniform(0.15, 0.6) * screen_h])
    glare_size = rng.uniform(0.15, 0.3) * screen_w
    gy, gx = np.mgrid[0 : int(screen_h), 0 : int(screen_w)].astype(np.float32)
    glare = np.exp(
        -(((gx - glare_at[0]) / glare_size) ** 2 + ((gy - glare_at[1]) / (1.6 * glare_size)) ** 2)
    )
    glare = (glare * rng.uniform(70, 130)).astype(np.float32)
    tint = np.float32([rng.uniform(0.88, 0.95), 1.0, rng.uniform(1.0, 1.08)])
    frames = []
    for i in range(len(t)):
        phone = _plane(
            phone_w,
            phone_h,
            (base[0] + motion["x"][i], base[1] + motion["y"][i]),
            motion["yaw"][i],
            motion["pitch"][i],
            motion["roll"][i],
            focal,
        )
        to_screen = phone @ np.array([[1, 0, bezel_side], [0, 1, bezel_end], [0, 0, 1]])
        frame = room.copy()
        cv2.warpPerspective(body, phone, size, dst=frame, borderMode=cv2.BORDER_TRANSPARENT)
        # Only the screen's bounding box is drawn (the rest of the frame is room and bezel).
        quad = cv2.perspectiveTransform(screen_corners, to_screen).reshape(-1, 2)
        x0, y0 = np.maximum(np.floor(quad.min(axis=0)).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(quad.max(axis=0)).astype(int) + 1, (width, height))
        if x1 - x0 < 2 or y1 - y0 < 2:
            frames.append(frame)
            continue
        into_box = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]]) @ to_screen
        if i == 0 or sources[i] is not sources[i - 1]:  # a still photo is prepared once
            content = cv2.resize(
                _crop(sources[i], box), (int(screen_w), int(screen_h)), interpolation=cv2.INTER_AREA
            ).astype(np.float32)
            content = (14 + 0.88 * content) * tint + glare[..., None]
        lit = cv2.warpPerspective(
            content,
            into_box,
            (x1 - x0, y1 - y0),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(-1, -1, -1),
        )
        grid = cv2.warpPerspective(
            mask,
            into_box @ np.diag([mask_scale, mask_scale, 1]),
            (x1 - x0, y1 - y0),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
        )
        beat = 1 + 0.05 * (
            along_sin[y0:y1, x0:x1] * math.cos(0.7 * i)
            + along_cos[y0:y1, x0:x1] * math.sin(0.7 * i)
        )
        grid = grid.astype(np.float32) * (contrast * 3.4 / 255) + (1 - contrast)
        shown = cv2.GaussianBlur(lit * grid * beat[..., None], (0, 0), 0.7)
        on_screen = (lit[..., 0] >= 0).astype(np.uint8)
        cv2.copyTo(np.clip(shown, 0, 255).astype(np.uint8), on_screen, frame[y0:y1, x0:x1])
        frames.append(frame)
    return frames


# --- The camera: sensor noise, a little blur, JPEG-like compression -------------------------


class _Camera:
    def __init__(self, rng: random.Random, size: tuple[int, int], *, still: bool) -> None:
        width, height = size
        noise = np.random.default_rng(rng.getrandbits(32))
        self.sigma = rng.uniform(1.0, 1.8) if still else rng.uniform(1.5, 3.0)
        self.fields = [
            noise.normal(0, self.sigma, (height + 32, width + 32, 3)).astype(np.float32)
            for _ in range(3)
        ]
        self.rng = rng
        self.blur = 0.0 if still else rng.uniform(0.0, 0.8)
        self.quality = rng.randint(70, 92)

    def capture(self, image: np.ndarray) -> np.ndarray:
        height, width = image.shape[:2]
        dx, dy = self.rng.randrange(32), self.rng.randrange(32)
        field = self.fields[self.rng.randrange(3)][dy : dy + height, dx : dx + width]
        out = image.astype(np.float32) + field
        if self.blur > 0.3:
            out = cv2.GaussianBlur(out, (0, 0), self.blur)
        bgr = cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR) if ok else bgr, cv2.COLOR_BGR2RGB)
