"""Around the camera: a room, a hand-held plane and its motion, the sensor and JPEG."""

from __future__ import annotations

import random

import cv2
import numpy as np

from liveness.synth.motion import TURN_YAW, bump, rotation, wobble
from liveness.types import Challenge


def indoor_room(rng: random.Random, size: tuple[int, int]) -> np.ndarray:
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
    soft = cv2.GaussianBlur(room, (0, 0), 3)
    return np.clip(soft, 0, 255).astype(np.uint8)


def plane(
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
    world = local @ rotation(yaw, pitch, roll).T + (0, 0, focal)
    projected = focal * world[:, :2] / world[:, 2:3] + centre
    return cv2.getPerspectiveTransform(corners.astype(np.float32), projected.astype(np.float32))


def hand_motion(
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
                # The side the nose would move to recedes (in plane, z points away from the
                # camera, so the sign is the head's reversed).
                tilt -= (
                    TURN_YAW[step.action] * rng.uniform(30, 50) * bump(t, begin, 0.35, 0.3, 0.35)
                )
    return {
        "yaw": np.radians(tilt + wobble(rng, t, 3.0)),
        "pitch": np.radians(wobble(rng, t, 3.0)),
        "roll": np.radians(wobble(rng, t, 2.0) + wobble(rng, t, 0.4, 2.0, 5.0)),
        "x": wobble(rng, t, 6.0) + wobble(rng, t, 1.0, 2.0, 6.0),
        "y": wobble(rng, t, 5.0) + wobble(rng, t, 1.0, 2.0, 6.0),
        "light": 1 + wobble(rng, t, 0.06),
    }


class Camera:
    """A phone's front camera: sensor noise, a little blur, JPEG-like compression."""

    def __init__(
        self, rng: random.Random, size: tuple[int, int], *, still: bool, light: str = "normal"
    ) -> None:
        width, height = size
        noise = np.random.default_rng(rng.getrandbits(32))
        self.sigma = rng.uniform(1.0, 1.8) if still else rng.uniform(1.5, 3.0)
        self.gain = 1.0
        self.window: np.ndarray | None = None
        if light == "low":
            # A dim room: the phone's exposure brings the face up to a dull level, and its
            # gain amplifies the sensor's noise.
            self.gain = rng.uniform(0.4, 0.55)
            self.sigma *= rng.uniform(2.0, 2.8)
        elif light == "back":
            # A bright window behind the person: the exposure is pulled down by it, so the
            # face comes out dark, and the light spills over everything a little.
            self.gain = rng.uniform(0.5, 0.62)
            side = rng.choice((0, 1))
            window = np.zeros((height, width), np.float32)
            x0 = int(width * (0.0 if side == 0 else rng.uniform(0.72, 0.78)))
            x1 = int(width * (rng.uniform(0.22, 0.28) if side == 0 else 1.0))
            window[: int(height * rng.uniform(0.6, 0.8)), x0:x1] = 1.0
            self.window = cv2.GaussianBlur(window, (0, 0), 12)[..., None]
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
        out: np.ndarray = image.astype(np.float32)
        if self.window is not None:
            out = out * self.gain + 18
            out = out * (1 - self.window) + 250 * self.window
        elif self.gain != 1.0:
            out = out * self.gain
        out += field
        if self.blur > 0.3:
            out = cv2.GaussianBlur(out, (0, 0), self.blur)
        bgr = cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        decoded = cv2.imdecode(data, cv2.IMREAD_COLOR) if ok else None
        return cv2.cvtColor(bgr if decoded is None else decoded, cv2.COLOR_BGR2RGB)
