"""Per-frame landmark measures of a tracked clip, and the person's own rest pose from them."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from liveness import geometry, tracking
from liveness.types import Challenge, Frame


@dataclass
class Measure:
    """Landmark measures of one tracked frame."""

    index: int
    t: float
    points: np.ndarray
    yaw: float
    pitch: float
    ear: float
    eye_open: float
    mouth: float
    width: float
    chip: np.ndarray  # 32x32 grey face aligned on eyes, nose and mouth, for continuity


@dataclass(frozen=True)
class Baseline:
    """The person at rest: frontal yaw, open-eye levels and closed-mouth ratio."""

    yaw: float
    ear: float
    eye_open: float
    mouth: float


def measure(frame: Frame, track: tracking.Track) -> Measure:
    """The measures of one frame whose track found the face."""
    points = track.points
    assert points is not None
    size = (frame.image.shape[1], frame.image.shape[0])
    yaw, pitch, _ = geometry.head_pose(points, size)
    return Measure(
        index=track.index,
        t=track.t,
        points=points,
        yaw=yaw,
        pitch=pitch,
        ear=geometry.eye_aspect_ratio(points),
        eye_open=geometry.eye_opening(points),
        mouth=geometry.mouth_aspect_ratio(points),
        width=float(np.linalg.norm(points[16] - points[0])),
        chip=_chip(frame.image, points),
    )


def baseline(measures: list[Measure], challenge: Challenge) -> Baseline:
    """The person at rest: the lead-in before the first step if it has frames, else all."""
    lead = [m for m in measures if m.t < challenge.steps[0].start_s]
    rest = lead if len(lead) >= 3 else measures
    return Baseline(
        yaw=float(np.median([m.yaw for m in rest])),
        ear=float(np.median([m.ear for m in measures])),
        eye_open=float(np.median([m.eye_open for m in measures])),
        mouth=float(
            min(np.median([m.mouth for m in rest]), np.median([m.mouth for m in measures]))
        ),
    )


def spread(measures: list[Measure], count: int) -> list[Measure]:
    """``count`` measures evenly spread over the clip."""
    if len(measures) <= count:
        return list(measures)
    picks = np.linspace(0, len(measures) - 1, count).round().astype(int)
    return [measures[i] for i in picks]


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two face chips (1 for the same picture)."""
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum() + 1e-6))


_CHIP_POINTS = np.array([[10.5, 12], [21.5, 12], [16, 19], [11.5, 25], [20.5, 25]], np.float32)


def _chip(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    source = np.array(
        [points[36:42].mean(0), points[42:48].mean(0), points[30], points[48], points[54]],
        np.float32,
    )
    matrix, _ = cv2.estimateAffinePartial2D(source, _CHIP_POINTS)
    if matrix is None:
        return np.zeros((32, 32), np.float32)
    small = cv2.warpAffine(image, matrix, (32, 32), flags=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
