"""The data that goes in and out of the liveness library: plain dataclasses and NumPy arrays."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np

Decision = Literal["verified", "rejected", "review"]


class Action(StrEnum):
    TURN_LEFT = "turn_left"  # the person turns their head to their own left
    TURN_RIGHT = "turn_right"
    BLINK = "blink"
    OPEN_MOUTH = "open_mouth"


@dataclass(frozen=True)
class Step:
    """One challenged action and the window (seconds from the clip's start) it must appear in."""

    action: Action
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Challenge:
    """A random ordered sequence of 2 to 3 actions, issued by the server for one attempt."""

    id: str
    steps: tuple[Step, ...]

    @property
    def duration_s(self) -> float:
        return max(step.end_s for step in self.steps)

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "steps": [
                    {"action": s.action.value, "start_s": s.start_s, "end_s": s.end_s}
                    for s in self.steps
                ],
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Challenge:
        """Parse a challenge; raises ValueError with a plain message if it is malformed."""
        try:
            data = json.loads(text)
            steps = tuple(
                Step(Action(s["action"]), float(s["start_s"]), float(s["end_s"]))
                for s in data["steps"]
            )
            challenge = cls(id=str(data["id"]), steps=steps)
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as error:
            raise ValueError(f"not a challenge: {error}") from None
        if not 1 <= len(steps) <= 5 or any(s.end_s <= s.start_s or s.start_s < 0 for s in steps):
            raise ValueError("not a challenge: steps must be 1 to 5 windows with start < end")
        return challenge


@dataclass(frozen=True)
class Frame:
    """One video frame: seconds since the clip started, and an RGB uint8 image (H, W, 3)."""

    t: float
    image: np.ndarray


@dataclass(frozen=True)
class Reason:
    """Why a decision went the way it did, in words the person can act on."""

    code: str
    en: str
    th: str


@dataclass(frozen=True)
class QualityReport:
    """How usable the ID-card photo's face is."""

    image_width: int
    image_height: int
    face_width_px: float  # in the original image
    sharpness: float  # variance of the Laplacian over the face
    yaw_deg: float
    pitch_deg: float
    upsample: int  # how many times the detector had to upsample to find the face
    glasses: float = 0.0
    """The clear-glasses score of the photo's face (`occlusion.Occlusion.glasses`; glasses
    seen at `occlusion.GLASSES_MIN` and above): a challenge asked for without a camera picture
    to judge leaves the blink out for a face photographed in glasses."""


@dataclass(frozen=True)
class Reference:
    """The 128-d face template of the ID-card photo, and how good the photo was."""

    encoding: np.ndarray  # shape (128,), float64
    quality: QualityReport

    def to_bytes(self) -> bytes:
        return self.encoding.astype("<f8").tobytes()

    @classmethod
    def encoding_from_bytes(cls, data: bytes) -> np.ndarray:
        return np.frombuffer(data, dtype="<f8").copy()


class ReferenceRejected(Exception):
    """encode_reference could not make a usable template; ``reason`` says why."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(f"{reason.code}: {reason.en}")
        self.reason = reason


class VideoRejected(Exception):
    """frames_from_video refused the clip; ``reason`` says why."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(f"{reason.code}: {reason.en}")
        self.reason = reason


@dataclass(frozen=True)
class Thresholds:
    """The settings that decide; every edge is named here, never buried in the code."""

    # Face distance (face_recognition's Euclidean distance between 128-d encodings).
    match_accept: float = 0.55  # at or below: same person
    match_review: float = 0.65  # above accept, at or below this: an officer decides
    same_person_in_clip: float = 0.60  # the clip's encoded frames, pairwise: above = face_changed
    turn_yaw_deg: float = 15.0  # a head turn must reach this yaw (from the person's frontal yaw)
    blink_ratio: float = 0.78  # EAR and eye opening below this fraction of the open-eye level
    blink_pair_ratio: float = 0.86  # ... or, for a requested blink, two frames in a row below this
    mouth_open_ratio: float = 0.35  # mouth aspect ratio above this (a stray open mouth)
    mouth_step_ratio: float = 0.25  # a requested open mouth: the ratio above this ...
    mouth_step_rise: float = 0.18  # ... and this far above the person's closed level
    min_face_width_px: float = 80.0  # in the clip, after any downscaling is undone
    planar_residual_max: float = 0.43  # nose depth out of the face plane (cues): at or below = flat
    min_motion: float = 0.04  # landmark motion / eye distance: below = no motion at all
    moire_max: float = 1.0  # moire score (colour fringes, spectral peaks; cues): above = screen
    edge_max: float = 0.25  # share of 4 sides with a border moving with the face: above = border
    window_slack_s: float = 0.5  # each step's window is widened by this on both sides
    planar_min_yaw_deg: float = 15.0  # planarity is judged on frames turned at least this far
    min_face_coverage: float = 0.7  # share of sampled frames that must show the face
    # Mean grey level of the face (0-255); darker = too_dark. Darker skin in ordinary light
    # renders at 38-74 and was refused at 40; a face this dark (28) still tracks and matches.
    min_brightness: float = 28.0


@dataclass(frozen=True)
class VideoLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_duration_s: float = 15.0
    max_frames: int = 450
    max_width: int = 1920
    max_height: int = 1920
    min_frames: int = 8


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check-in attempt, with every score behind it."""

    decision: Decision
    reasons: tuple[Reason, ...]
    scores: dict[str, float] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    evidence_frames: tuple[int, ...] = ()  # indices of the frames worth keeping as evidence

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reasons": [asdict(r) for r in self.reasons],
            "scores": {k: round(float(v), 4) for k, v in self.scores.items()},
            "timings_ms": {k: round(float(v), 1) for k, v in self.timings_ms.items()},
            "evidence_frames": list(self.evidence_frames),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)
