"""The face match: the best frame of each third encoded against the reference, and one face
throughout (the encoded frames agree, and so do the two sides of any sudden jump)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from liveness import faces
from liveness.measures import Baseline, Measure, correlation
from liveness.reasons import Finding
from liveness.reference import face_sharpness
from liveness.types import Frame, Thresholds

ENCODE_SEGMENTS = 3  # one encoded frame per third of the clip (about 0.1 s each on one core)
CONTINUITY_MIN = 0.25  # aligned-face correlation of neighbouring frames below this = a jump


def judge_match(
    template: np.ndarray,
    frames: Sequence[Frame],
    measures: list[Measure],
    base: Baseline,
    th: Thresholds,
    scores: dict[str, float],
    evidence: list[int],
) -> list[Finding]:
    """Encode the best frame of each third; match their mean distance, and compare them."""
    start, end = measures[0].t, measures[-1].t
    span = max(end - start, 1e-6)
    chosen: list[tuple[float, Measure]] = []
    for k in range(ENCODE_SEGMENTS):
        part = [
            m
            for m in measures
            if k == min(ENCODE_SEGMENTS - 1, int((m.t - start) / span * ENCODE_SEGMENTS))
        ]
        if part:
            chosen.append(
                max(
                    ((_quality(frames[m.index], m, base, th), m) for m in _frontal(part)),
                    key=lambda pair: pair[0],
                )
            )
    encodings = [faces.encode(frames[m.index].image, m.points) for _, m in chosen]
    distances = [faces.distance(template, e) for e in encodings]
    evidence.extend(m.index for _, m in chosen)
    scores["match_distance"] = float(np.mean(distances))
    scores["match_distance_min"] = float(min(distances))
    pairwise = [faces.distance(a, b) for i, a in enumerate(encodings) for b in encodings[i + 1 :]]
    # A face swapped in between the encoded frames shows as a jump in the aligned face's
    # appearance from one frame to the next (0.3 or more for one face, even while it blinks or
    # turns; near 0 for two people). Only then is the most frontal frame on each side of the
    # jump (up to the next jump, at most half a second away) encoded and compared: the jump
    # alone could be a tracking slip.
    steps = [correlation(a.chip, b.chip) for a, b in zip(measures, measures[1:], strict=False)]
    scores["continuity_min"] = min(steps, default=1.0)
    cuts = [k for k, value in enumerate(steps) if value < CONTINUITY_MIN]
    extra = 0
    for k in sorted(cuts, key=lambda k: steps[k])[:2]:
        earlier = [c for c in cuts if c < k]
        later = [c for c in cuts if c > k]
        start = max(earlier[-1] + 1 if earlier else 0, k - 7)
        end = min(later[0] + 1 if later else len(measures), k + 9)
        sides = (measures[start : k + 1], measures[k + 1 : end])
        before, after = (min(side, key=lambda m: abs(m.yaw - base.yaw)) for side in sides)
        pairwise.append(
            faces.distance(
                faces.encode(frames[before.index].image, before.points),
                faces.encode(frames[after.index].image, after.points),
            )
        )
        extra += 2
    scores["same_person_max_distance"] = max(pairwise, default=0.0)
    scores["encodings"] = len(encodings) + extra
    codes: list[Finding] = []
    if scores["same_person_max_distance"] > th.same_person_in_clip:
        codes.append(("face_changed", None))
    if scores["match_distance"] > th.match_review:
        codes.append(("face_mismatch", None))
    elif scores["match_distance"] > th.match_accept:
        codes.append(("match_uncertain", None))
    return codes


def _frontal(part: list[Measure]) -> list[Measure]:
    """The most frontal third of a segment's frames (at least 3), by absolute yaw and pitch."""
    ranked = sorted(part, key=lambda m: abs(m.yaw) + 0.5 * abs(m.pitch))
    return ranked[: max(3, len(ranked) // 3)]


def _quality(frame: Frame, m: Measure, base: Baseline, th: Thresholds) -> float:
    """Higher for a sharper, more frontal face with open eyes and a closed mouth."""
    x0, y0 = m.points.min(axis=0)
    x1, y1 = m.points.max(axis=0)
    sharp = face_sharpness(faces.to_gray(frame.image), faces.Box(x0, y0, x1, y1))
    penalty = abs(m.yaw) / 10 + abs(m.pitch) / 20
    if m.ear < th.blink_ratio * base.ear:
        penalty += 2
    if m.mouth - base.mouth > th.mouth_open_ratio / 2:
        penalty += 1
    return math.log1p(sharp) - penalty
