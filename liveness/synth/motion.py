"""What moves when: the challenge as a per-frame script, smooth bumps, wobble, 3-D rotation."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from liveness.types import Action, Challenge

TURN_YAW = {Action.TURN_LEFT: 1.0, Action.TURN_RIGHT: -1.0}  # + moves the nose to image right


def bump(t: np.ndarray, begin: float, rise: float, hold: float, fall: float) -> np.ndarray:
    """0 -> 1 -> 0 with smooth ramps: up over ``rise`` from ``begin``, held, down over ``fall``."""

    def smooth(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, 0, 1)
        return x * x * (3 - 2 * x)

    return smooth((t - begin) / rise) - smooth((t - begin - rise - hold) / fall)


def wobble(
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
class Script:
    """What the head does, per frame: yaw in degrees (+ = nose to image right), 0..1 amounts."""

    yaw: np.ndarray
    blink: np.ndarray
    mouth: np.ndarray


def challenge_script(challenge: Challenge, t: np.ndarray, rng: random.Random, fps: int) -> Script:
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
        shape = bump(t, begin, rise, hold, fall)
        if step.action == Action.BLINK:
            blink = np.maximum(blink, shape)
        elif step.action == Action.OPEN_MOUTH:
            mouth = np.maximum(mouth, shape * rng.uniform(0.8, 1.0))
        else:
            yaw = yaw + shape * TURN_YAW[step.action] * rng.uniform(30, 38)
    return Script(yaw, blink, mouth)


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
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
