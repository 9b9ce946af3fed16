"""One check-in attempt judged: frames (or clip bytes) and a challenge in, a Verdict out.

`verify` and `verify_clip` never raise: unusable input gives a rejected verdict with a reason
code, and an unexpected failure inside the analysis gives `review` with `analysis_failed`, so a
bug never turns into an automated negative.

How it decides (every edge is a field of Thresholds):
1. Input: enough frames, not too many, not too long or too large (VideoLimits).
2. The face: tracked through the clip (`tracking`); none -> `no_face_in_clip`; a face found
   only by upsampling, or narrower than `min_face_width_px` -> `face_too_small_in_clip`; two
   faces on two detection frames -> `several_faces_in_clip`; the face missing from more than a
   `min_face_coverage` share of frames -> `no_face_in_clip`; a dark face -> `too_dark`; a
   mask or dark glasses on most of three frontal frames -> `mask_on` or `dark_glasses`
   (`occlusion`; with no face tracked, dlib's CNN detector looks at three frames first, so a
   masked face is asked to uncover rather than told none was seen); clear glasses are
   scored on the same frames (the score decides step 5's `glasses_off`).
3. Liveness (`measures`, `steps`): the person's own frontal yaw and open-eye level come from
   the lead-in (or the whole clip); a turn is a yaw of `turn_yaw_deg` away from it (solvePnP,
   generic 3-D face), a blink an eye aspect ratio and an eye opening both under `blink_ratio`
   of the open level (or, when asked for, two frames in a row under `blink_pair_ratio`), an
   open mouth an inner-lip ratio over `mouth_open_ratio` and half that above the person's
   closed level (when asked for: over `mouth_step_ratio` and `mouth_step_rise` above it).
   Each step must happen inside its window widened by `window_slack_s`, in order; a turn or
   open mouth in a window that asked for something else is a failure too (so a clip recorded
   for another challenge does not pass): `challenge_not_completed`.
4. Attack cues (`cues`), each fatal: no motion at all -> `no_motion`; a turn that moved the
   landmarks like a flat picture -> `flat_face`; moire -> `screen_suspected`; a border that
   moves with the face -> `border_suspected`. The planarity cue only decides when the face
   turned at least `planar_min_yaw_deg` (a print that is not tilted fails the turn itself).
5. Match (`match`): the most frontal, sharpest frame of each third of the clip is encoded
   (3 encodings, the only ones made); their mean distance to the reference: <= `match_accept`
   passes, <= `match_review` goes to an officer (`match_uncertain`), above is `face_mismatch`. The 3
   must also agree with each other within `same_person_in_clip` (else `face_changed`); so must
   the two frames around any sudden jump in the aligned face's appearance (encoded only then).
   An uncertain match on a face in clear glasses asks them off instead (`glasses_off`).
6. Any reason above but `match_uncertain` (and `analysis_failed`) -> rejected; only those
   two -> review; nothing -> verified. An attack cue never ends in verified, a rejection always
   says why, and every automated negative can still be reviewed by an officer in the service.

Scores (all in `Verdict.scores`): frames_total, frames_used, detections, faces_max,
face_width_px, brightness, mask, dark_glasses, beard, glasses; yaw_frontal, yaw_left_max, yaw_right_max (degrees from frontal),
ear_open, ear_min, ear_min_ratio, eye_open_min_ratio, mouth_closed, mouth_max,
steps_completed, unrequested_actions; motion, planar_residual, planar_yaw, moire,
moire_colour, moire_peak, edges; match_distance, match_distance_min,
same_person_max_distance, continuity_min, encodings. A score that could not be measured
because the analysis stopped early is absent.

The default edges were set on synthetic clips (`liveness.synth`, raw and through mp4; the
last run: 30 clips per species, `python -m liveness evaluate --generate`). Genuine clips gave:
match distance 0.43-0.47 (impostors 0.81-0.88); requested turns 22 degrees or more
(unrequested at most 4.4); blinks at most 0.76 of the open level (genuine frames otherwise,
prints and still photos at least 0.80); nose depth 0.52 or more on frames turned 15 degrees
or more (tilted prints at most 0.29); motion 0.077 or more (still photos at most 0.07); moire
at most 0.82 (screens 1.12 or more); the encoded frames of one clip within 0.20 of each other
(0.54 for the blurrier synthetic astronaut). Real recordings need their own measurement
before these edges are trusted.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence

import numpy as np

from liveness import cues, faces, occlusion, tracking
from liveness.match import judge_match
from liveness.measures import Baseline, Measure, baseline, measure, spread
from liveness.reasons import Finding, reason
from liveness.steps import judge_steps
from liveness.types import (
    Challenge,
    Decision,
    Frame,
    Reason,
    Reference,
    Thresholds,
    Verdict,
    VideoLimits,
    VideoRejected,
)
from liveness.video import frames_from_video

log = logging.getLogger(__name__)

REJECTING = {
    "unreadable_video",
    "video_too_large",
    "video_too_long",
    "too_many_frames",
    "resolution_too_high",
    "too_few_frames",
    "no_face_in_clip",
    "several_faces_in_clip",
    "face_too_small_in_clip",
    "too_dark",
    "mask_on",
    "dark_glasses",
    "glasses_off",
    "face_mismatch",
    "face_changed",
    "challenge_not_completed",
    "no_motion",
    "flat_face",
    "screen_suspected",
    "border_suspected",
}


class _Stop(Exception):
    """Ends the analysis early with a reason (the scores so far are kept)."""

    def __init__(self, code: str) -> None:
        self.code = code


def verify(
    reference: Reference | np.ndarray,
    frames: Sequence[Frame],
    challenge: Challenge,
    thresholds: Thresholds = Thresholds(),
    limits: VideoLimits = VideoLimits(),
) -> Verdict:
    """Judge one attempt; frame times are seconds from the start of the recording."""
    started = time.perf_counter()
    scores: dict[str, float] = {}
    timings: dict[str, float] = {}
    evidence: list[int] = []
    try:
        codes = _analyse(
            reference, frames, challenge, thresholds, limits, scores, timings, evidence
        )
    except _Stop as stop:
        codes = [(stop.code, None)]
    except Exception:  # never raise out of verify: an officer looks instead
        log.exception("liveness analysis failed")
        codes = [("analysis_failed", None)]
    timings["total"] = (time.perf_counter() - started) * 1000
    return _verdict(codes, scores, timings, evidence)


def verify_clip(
    reference: Reference | np.ndarray,
    clip: bytes,
    challenge: Challenge,
    thresholds: Thresholds = Thresholds(),
    limits: VideoLimits = VideoLimits(),
) -> Verdict:
    """Decode a webm or mp4 clip (see `video.frames_from_video`) and verify it."""
    started = time.perf_counter()
    try:
        frames = frames_from_video(clip, limits)
    except VideoRejected as rejected:
        return Verdict(
            "rejected",
            (rejected.reason,),
            timings_ms={"decode": (time.perf_counter() - started) * 1000},
        )
    except Exception:
        log.exception("decoding the clip failed")
        return Verdict("rejected", (reason("unreadable_video"),))
    decoded = (time.perf_counter() - started) * 1000
    verdict = verify(reference, frames, challenge, thresholds, limits)
    timings = {"decode": decoded, **verdict.timings_ms}
    timings["total"] = verdict.timings_ms.get("total", 0.0) + decoded
    return Verdict(
        verdict.decision, verdict.reasons, verdict.scores, timings, verdict.evidence_frames
    )


def _verdict(
    codes: list[Finding],
    scores: dict[str, float],
    timings: dict[str, float],
    evidence: list[int],
) -> Verdict:
    reasons: list[Reason] = []
    for code, action in codes:
        item = reason(code, action=action)
        if item not in reasons:
            reasons.append(item)
    decision: Decision
    if any(r.code in REJECTING for r in reasons):
        decision = "rejected"
    elif reasons:
        decision = "review"
    else:
        decision = "verified"
        reasons = [reason("verified")]
    return Verdict(decision, tuple(reasons), scores, timings, tuple(evidence))


def _check_input(frames: Sequence[Frame], limits: VideoLimits) -> list[Frame]:
    try:
        frames = list(frames)
        times = [float(f.t) for f in frames]
    except (TypeError, AttributeError, ValueError):
        raise _Stop("unreadable_video") from None
    if any(b < a for a, b in zip(times, times[1:], strict=False)):
        raise _Stop("unreadable_video")  # frames out of order: not a recording
    for frame in frames:
        image = frame.image
        if not (
            isinstance(image, np.ndarray)
            and image.dtype == np.uint8
            and image.ndim == 3
            and image.shape[2] == 3
            and image.shape[0] >= 16
            and image.shape[1] >= 16
            and math.isfinite(float(frame.t))
        ):
            raise _Stop("unreadable_video")
        if image.shape[1] > limits.max_width or image.shape[0] > limits.max_height:
            raise _Stop("resolution_too_high")
    if len(frames) > limits.max_frames:
        raise _Stop("too_many_frames")
    if len(frames) < limits.min_frames:
        raise _Stop("too_few_frames")
    if frames[-1].t - frames[0].t > limits.max_duration_s + 0.5:
        raise _Stop("video_too_long")
    return frames


def _analyse(
    reference: Reference | np.ndarray,
    frames: Sequence[Frame],
    challenge: Challenge,
    th: Thresholds,
    limits: VideoLimits,
    scores: dict[str, float],
    timings: dict[str, float],
    evidence: list[int],
) -> list[Finding]:
    template = reference.encoding if isinstance(reference, Reference) else np.asarray(reference)
    if template.shape != (128,) or not isinstance(challenge, Challenge):
        return [("analysis_failed", None)]
    frames = _check_input(frames, limits)
    scores["frames_total"] = len(frames)

    clock = time.perf_counter()
    tracked = tracking.track(frames)
    timings["track"] = (time.perf_counter() - clock) * 1000
    scores["faces_max"] = tracked.faces_max
    scores["detections"] = tracked.detections
    found = [t for t in tracked.tracks if t.points is not None]
    scores["frames_used"] = len(found)
    # Two faces on two detection frames (one is enough in a clip that short): a single frame
    # could be a detector's false positive.
    detection_frames = sum(t.faces >= 0 for t in tracked.tracks)
    if tracked.several and tracked.several >= min(2, detection_frames):
        raise _Stop("several_faces_in_clip")
    if not found:
        _covered_face(frames, scores)
        if tracked.tiny_face_px:
            scores["face_width_px"] = tracked.tiny_face_px
            raise _Stop("face_too_small_in_clip")
        raise _Stop("no_face_in_clip")

    clock = time.perf_counter()
    measures = [measure(frames[t.index], t) for t in found]
    width = float(np.median([m.width for m in measures]))
    scores["face_width_px"] = width
    if width < th.min_face_width_px:
        raise _Stop("face_too_small_in_clip")
    _coverings(frames, measures, scores)
    if len(found) < th.min_face_coverage * len(tracked.tracks):
        raise _Stop("no_face_in_clip")
    picks = spread(measures, 6)
    grays = {m.index: faces.to_gray(frames[m.index].image) for m in picks}
    scores["brightness"] = float(
        np.median([cues.brightness(grays[m.index], m.points) for m in picks])
    )
    if scores["brightness"] < th.min_brightness:
        raise _Stop("too_dark")

    codes: list[Finding] = []
    base = baseline(measures, challenge)
    codes += judge_steps(measures, base, challenge, th, scores)
    timings["liveness"] = (time.perf_counter() - clock) * 1000

    clock = time.perf_counter()
    codes += _attack_cues(frames, measures, base, grays, th, scores)
    timings["cues"] = (time.perf_counter() - clock) * 1000

    clock = time.perf_counter()
    codes += judge_match(template, frames, measures, base, th, scores, evidence)
    timings["encode"] = (time.perf_counter() - clock) * 1000
    return _glasses_off(codes, scores)


def _glasses_off(codes: list[Finding], scores: dict[str, float]) -> list[Finding]:
    """An uncertain match on a face in clear glasses asks the person to take them off and
    record again (`glasses_off`) instead of sending the recording to an officer: frames and
    glare push the match distance up by about 0.03-0.16 on rendered faces, and the person can
    fix that in a moment. Nothing is loosened: the retry is matched as any other, a clear
    mismatch stays `face_mismatch`, and after the last try the service sends it to review."""
    if scores.get("glasses", 0.0) < occlusion.GLASSES_MIN:
        return codes
    return [("glasses_off", None) if code == "match_uncertain" else (code, a) for code, a in codes]


COVER_CHECK_FRAMES = 3  # frames judged for a mask or dark glasses


def _coverings(frames: Sequence[Frame], measures: list[Measure], scores: dict[str, float]) -> None:
    """Stop with `mask_on` or `dark_glasses` when most of a few frontal frames show one: the
    person is asked to take it off (a match or a blink cannot be judged through it)."""
    frontal = sorted(measures, key=lambda m: abs(m.yaw) + 0.5 * abs(m.pitch))
    chosen = spread(
        sorted(frontal[: max(COVER_CHECK_FRAMES, len(frontal) // 3)], key=lambda m: m.t),
        COVER_CHECK_FRAMES,
    )
    judged = [occlusion.judge(frames[m.index].image, m.points) for m in chosen]
    typical = occlusion.Occlusion(
        mask=float(np.median([j.mask for j in judged])),
        dark_glasses=float(np.median([j.dark_glasses for j in judged])),
        beard=float(np.median([j.beard for j in judged])),
        glasses=float(np.median([j.glasses for j in judged])),
    )
    scores["mask"], scores["dark_glasses"] = typical.mask, typical.dark_glasses
    scores["beard"], scores["glasses"] = typical.beard, typical.glasses
    if typical.request is not None:
        raise _Stop(typical.request)


def _covered_face(frames: Sequence[Frame], scores: dict[str, float]) -> None:
    """When the tracker saw no face (or only a tiny one): look once more with the CNN detector
    on up to three frames, and stop with `mask_on` or `dark_glasses` if it finds a face
    wearing one."""
    for frame in (frames[len(frames) // 4], frames[len(frames) // 2], frames[-len(frames) // 4]):
        boxes = faces.detect_covered(frame.image)
        if not boxes:
            continue
        judged = occlusion.judge(frame.image, faces.landmarks(frame.image, boxes[0]))
        scores["mask"], scores["dark_glasses"] = judged.mask, judged.dark_glasses
        if judged.request is not None:
            raise _Stop(judged.request)


def _attack_cues(
    frames: Sequence[Frame],
    measures: list[Measure],
    base: Baseline,
    grays: dict[int, np.ndarray],
    th: Thresholds,
    scores: dict[str, float],
) -> list[Finding]:
    """The attack cues, each fatal: no motion, a flat face, moire, a border moving with the face."""
    codes: list[Finding] = []
    scores["motion"] = cues.motion([m.points for m in measures])
    if scores["motion"] < th.min_motion:
        codes.append(("no_motion", None))

    # Planarity between the most frontal frame and the most turned ones; it only decides when
    # the head (or the picture) turned far enough for a real head to show its depth.
    frontal = min(measures, key=lambda m: abs(m.yaw - base.yaw))
    turned = sorted(measures, key=lambda m: -abs(m.yaw - frontal.yaw))[:5]
    scores["planar_residual"] = cues.planarity(
        frontal.points, frontal.yaw, [(m.points, m.yaw) for m in turned]
    )
    scores["planar_yaw"] = abs(turned[0].yaw - frontal.yaw)
    if (
        scores["planar_yaw"] >= th.planar_min_yaw_deg
        and scores["planar_residual"] <= th.planar_residual_max
    ):
        codes.append(("flat_face", None))

    picks = spread(measures, 6)
    scores["moire"], scores["moire_colour"], scores["moire_peak"] = cues.moire(
        [frames[m.index].image for m in picks], [m.points for m in picks]
    )
    if scores["moire"] > th.moire_max:
        codes.append(("screen_suspected", None))

    first = measures[0]
    far = sorted(
        measures[1:], key=lambda m: -float(np.linalg.norm((m.points - first.points).mean(axis=0)))
    )[:3]
    for m in far:
        grays.setdefault(m.index, faces.to_gray(frames[m.index].image))
    grays.setdefault(first.index, faces.to_gray(frames[first.index].image))
    scores["edges"] = cues.edges(
        [grays[m.index] for m in [first, *far]], [m.points for m in [first, *far]]
    )
    if scores["edges"] > th.edge_max:
        codes.append(("border_suspected", None))
    return codes
