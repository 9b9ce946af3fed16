"""Follow the one face through a clip: detect now and then on a shrunk frame, landmark every frame.

Detection (dlib HOG) is the expensive step, so it runs on every `DETECT_EVERY`-th sampled frame
only, on a copy shrunk so the face is about `DETECT_FACE_PX` px wide (the smallest size the
detector finds reliably is about 80 px). Between detections the face box is carried from the
previous frame's landmarks, and the 68-point predictor (about 1 ms) runs on every sampled frame
at full resolution. If the landmarks drift away from the box they were predicted in, the next
frame is a detection frame. When the detector misses a face it was following (a turned head
can escape it), it retries at other scales and on the next frames while the landmarks keep
following, for at most LOST_AFTER frames or until they drift. Faces are counted on detection
frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from liveness import faces, geometry
from liveness.types import Frame
from liveness.video import on_grid

DETECT_EVERY = 5
DETECT_FACE_PX = 100.0
SAMPLE_FPS = 15.0
FIRST_SCALES = (0.5, 1.0)  # tried in turn until a face is found; then upsampling once
LOST_AFTER = 3  # frames in a row without a detection before the face counts as gone


@dataclass
class Track:
    """What the tracker knows about one sampled frame."""

    index: int  # position in the caller's frame list
    t: float
    points: np.ndarray | None  # (68, 2) landmarks in the frame's pixels, None when lost
    faces: int  # faces counted when detection ran on this frame, -1 when it did not


@dataclass
class Tracking:
    tracks: list[Track]
    faces_max: int  # the most faces seen on one detection frame
    several: int  # detection frames that saw more than one face
    detections: int
    tiny_face_px: float  # width of a face found only by upsampling (too small), else 0


def sample(frames: list[Frame], fps: float = SAMPLE_FPS) -> list[int]:
    """Indices of the frames that fill an ``fps`` grid (all of them for a 15 fps clip)."""
    chosen: list[int] = []
    next_due: float | None = None
    for i, frame in enumerate(frames):
        keep, next_due = on_grid(frame.t, next_due, fps)
        if keep:
            chosen.append(i)
    return chosen


def _box_geometry(box: faces.Box, points: np.ndarray) -> tuple[float, float, float]:
    """The box's centre offset and width in units of the eye distance, to rebuild it later."""
    eyes = geometry.eye_distance(points)
    cx, cy = box.center
    centre = points.mean(axis=0)
    return (cx - centre[0]) / eyes, (cy - centre[1]) / eyes, box.width / eyes


def _box_from_points(points: np.ndarray, shape: tuple[float, float, float]) -> faces.Box:
    eyes = geometry.eye_distance(points)
    centre = points.mean(axis=0)
    cx, cy = centre[0] + shape[0] * eyes, centre[1] + shape[1] * eyes
    half = shape[2] * eyes / 2
    return faces.Box(cx - half, cy - half, cx + half, cy + half)


def _blend(
    old: tuple[float, float, float], new: tuple[float, float, float]
) -> tuple[float, float, float]:
    """A running average of box geometries, 0.7 of the old one."""
    return (
        0.7 * old[0] + 0.3 * new[0],
        0.7 * old[1] + 0.3 * new[1],
        0.7 * old[2] + 0.3 * new[2],
    )


def _drifted(box: faces.Box, points: np.ndarray, shape: tuple[float, float, float]) -> bool:
    """True when the landmarks no longer sit in the box they were predicted from."""
    again = _box_from_points(points, shape)
    (ax, ay), (bx, by) = again.center, box.center
    return bool(
        np.hypot(ax - bx, ay - by) > 0.2 * box.width
        or not 0.8 < again.width / max(box.width, 1e-6) < 1.25
    )


def _nearest(boxes: list[faces.Box], previous: faces.Box | None) -> faces.Box:
    if previous is None:
        return boxes[0]
    px, py = previous.center
    return min(boxes, key=lambda b: np.hypot(b.center[0] - px, b.center[1] - py))


def _scales(scale: float | None) -> tuple[float, ...]:
    """Detection scales to try in turn: until the face's size is known FIRST_SCALES; then its
    own scale, a smaller one (the HOG detector tolerates a turned head better when it is small)
    and a larger one (the person may have moved away)."""
    if scale is None:
        return FIRST_SCALES
    return tuple(dict.fromkeys((scale, 0.75 * scale, min(1.0, 1.5 * scale))))


def track(frames: list[Frame], *, detect_every: int = DETECT_EVERY) -> Tracking:
    """Landmarks for the sampled frames of a clip, and how many faces were seen."""
    indices = sample(frames)
    tracks: list[Track] = []
    scale: float | None = None  # detection scale, fixed once the face's size is known
    # The box-to-landmarks geometry: known from the first detection on, so whenever there are
    # points to follow there is a shape too.
    shape: tuple[float, float, float] | None = None
    box: faces.Box | None = None
    points: np.ndarray | None = None
    faces_max = detections = misses = several = 0
    since_detection = detect_every
    tiny = -1.0  # -1: not looked for yet
    for n, index in enumerate(indices):
        frame = frames[index]
        gray = faces.to_gray(frame.image)
        counted = -1
        if points is None:  # looking for a face: often at first, then every few frames
            due = n < 2 * detect_every or n % detect_every == 0
        else:
            due = since_detection >= detect_every
        if due:
            found: list[faces.Box] = []
            for trial in _scales(scale):
                found = faces.detect(gray, scale=trial)
                detections += 1
                if found:
                    break
            counted = len(found)
            faces_max = max(faces_max, counted)
            several += counted > 1
            if found:
                box = _nearest(found, box)
                scale = min(1.0, DETECT_FACE_PX / box.width)
                since_detection = misses = 0
            else:
                misses += 1
                # A turned head can escape the detector for a moment: keep following the
                # landmarks, retrying every frame, but not for long (they can slide away).
                box = (
                    _box_from_points(points, shape)
                    if points is not None and shape is not None and misses < LOST_AFTER
                    else None
                )
                if tiny < 0 and scale is None:
                    small = faces.detect(gray, upsample=1)
                    detections += 1
                    tiny = small[0].width if small else 0.0
        elif points is not None and shape is not None:
            box = _box_from_points(points, shape)
        since_detection += 1
        if box is None:
            points = None
            tracks.append(Track(index, frame.t, None, counted))
            continue
        new_points = faces.landmarks(gray, box)
        if counted > 0:
            # The box-to-landmarks geometry, averaged over detections: the predictor is
            # sensitive to its box, and a single detection's box is noisy.
            measured = _box_geometry(box, new_points)
            shape = measured if shape is None else _blend(shape, measured)
        elif shape is not None and _drifted(box, new_points, shape):
            if misses:  # the detector cannot see a face and the landmarks slide: it is gone
                points = None
                tracks.append(Track(index, frame.t, None, counted))
                continue
            since_detection = detect_every  # detect on the next frame
        points = new_points
        tracks.append(Track(index, frame.t, points, counted))
    return Tracking(
        tracks=tracks,
        faces_max=faces_max,
        several=several,
        detections=detections,
        tiny_face_px=max(tiny, 0.0),
    )
