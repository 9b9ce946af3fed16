"""Measurements on the 68 landmarks of one face: eyes, mouth, head pose and planarity.

Landmark numbering is dlib's (iBUG 300-W): jaw 0-16, brows 17-26, nose 27-35, eyes 36-47 (36-41
is the eye on the image's left), mouth 48-67 (inner lips 60-67).

Conventions, shared with the clip renderer in `liveness.synth`:
- images are as the camera recorded them, not mirrored like a selfie preview;
- yaw is positive when the person turns to their own left, which moves the nose towards the
  image's right; pitch is positive when the chin goes up; both in degrees, from `cv2.solvePnP`
  on a generic 3-D face (so they are approximate, and `verify` only uses them relative to the
  person's own frontal pose).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# A generic adult face in millimetres: x to the image's right, y down, z away from the camera,
# origin at the nose tip. x and y are the mean frontal landmark layout of the sample photos
# scaled to a 92 mm eye span; z are rough anthropometric depths. Only relative angles are used.
MODEL_POINTS: dict[int, tuple[float, float, float]] = {
    30: (0.0, 0.0, 0.0),  # nose tip
    33: (0.0, 12.0, 15.0),  # nose base
    27: (0.0, -39.0, 25.0),  # nose bridge, between the eyes
    36: (-46.0, -35.0, 38.0),  # outer corner of the eye on the image's left
    39: (-20.0, -35.0, 30.0),
    42: (20.0, -35.0, 30.0),
    45: (46.0, -35.0, 38.0),
    17: (-61.0, -44.0, 50.0),  # outer brow ends
    26: (61.0, -44.0, 50.0),
    48: (-37.0, 26.0, 32.0),  # mouth corners
    54: (37.0, 26.0, 32.0),
    51: (0.0, 24.0, 14.0),  # top of the upper lip
    8: (0.0, 88.0, 40.0),  # chin
}
POSE_INDEX = list(MODEL_POINTS)
POSE_MODEL = np.array([MODEL_POINTS[i] for i in POSE_INDEX], dtype=np.float64)

# Points that move rigidly with the head (brows, nose, eye corners, jaw line): a flat picture
# moves them all by one homography, a real head turning does not (the nose stands out).
RIGID_INDEX = list(range(0, 17)) + list(range(17, 27)) + list(range(27, 36)) + [36, 39, 42, 45]
# The face's outer frame (brows, eye corners, mouth corners), roughly one plane on a real head,
# and the nose points that stand out of it.
FACE_PLANE_INDEX = list(range(17, 27)) + [36, 39, 42, 45, 48, 54]
NOSE_INDEX = [29, 30, 33]


def eye_distance(points: np.ndarray) -> float:
    """Distance between the two eye centres, the scale every other measure is divided by."""
    return float(np.linalg.norm(points[36:42].mean(axis=0) - points[42:48].mean(axis=0)))


def _dist(points: np.ndarray, i: int, j: int) -> float:
    return float(np.linalg.norm(points[i] - points[j]))


def eye_aspect_ratio(points: np.ndarray) -> float:
    """Soukupová and Čech's EAR, averaged over both eyes: about 0.3 open, under 0.15 closed."""
    ratios = []
    for o in (36, 42):
        vertical = _dist(points, o + 1, o + 5) + _dist(points, o + 2, o + 4)
        ratios.append(vertical / (2.0 * max(_dist(points, o, o + 3), 1e-6)))
    return float(np.mean(ratios))


def vertical_scale(points: np.ndarray) -> float:
    """Eye-corner line to nose base: shrinks with a picture tilted forwards, not with a blink."""
    corners = points[[36, 39, 42, 45]].mean(axis=0)
    return float(np.linalg.norm(corners - points[33]))


def eye_opening(points: np.ndarray) -> float:
    """Mean eyelid gap divided by the face's vertical scale.

    A blink lowers both this and the EAR; tilting a printed photo forwards lowers the EAR (the
    eyes look flatter) but not this, because the whole face is squashed alike.
    """
    gaps = [(_dist(points, o + 1, o + 5) + _dist(points, o + 2, o + 4)) / 2.0 for o in (36, 42)]
    return float(np.mean(gaps) / max(vertical_scale(points), 1e-6))


def mouth_aspect_ratio(points: np.ndarray) -> float:
    """Inner-lip gap over mouth width: about 0 closed, above 0.4 wide open."""
    vertical = _dist(points, 61, 67) + _dist(points, 62, 66) + _dist(points, 63, 65)
    return float(vertical / (3.0 * max(_dist(points, 60, 64), 1e-6)))


def head_pose(
    points: np.ndarray,
    image_size: tuple[int, int],
    *,
    centre: tuple[float, float] | None = None,
    focal: float | None = None,
) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from `cv2.solvePnP` with a pinhole camera guess.

    ``image_size`` is (width, height). By default the focal length is the image width and the
    optical centre the image centre, close enough for a phone's front camera; for a cropped
    photo (an ID-card picture) pass the face centre and a long focal length instead.
    """
    width, height = image_size
    focal = float(focal or width)
    cx, cy = centre or (width / 2, height / 2)
    camera = np.array([[focal, 0, cx], [0, focal, cy], [0, 0, 1]], dtype=np.float64)
    image_points = points[POSE_INDEX].astype(np.float64)
    # Start from a face looking at the camera at the distance its eye span implies, so the
    # iteration cannot settle on the mirror solution (a face seen from behind).
    span_px = max(_dist(points, 36, 45), 1.0)
    depth = focal * (MODEL_POINTS[45][0] - MODEL_POINTS[36][0]) / span_px
    nose = points[30]
    rvec_guess = np.zeros((3, 1))
    tvec_guess = np.array(
        [[(nose[0] - cx) * depth / focal], [(nose[1] - cy) * depth / focal], [depth]]
    )
    ok, rvec, _ = cv2.solvePnP(
        POSE_MODEL,
        image_points,
        camera,
        np.zeros(4),
        rvec_guess,
        tvec_guess,
        True,
        cv2.SOLVEPNP_ITERATIVE,
    )
    if not ok:
        return 0.0, 0.0, 0.0
    rotation, _ = cv2.Rodrigues(rvec)
    return _euler(rotation)


def _euler(rotation: np.ndarray) -> tuple[float, float, float]:
    """Yaw, pitch, roll (degrees) of R = Rz(roll) @ Ry(yaw) @ Rx(pitch), in this module's signs."""
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, -rotation[2, 0]))))
    pitch = math.degrees(math.atan2(rotation[2, 1], rotation[2, 2]))
    roll = math.degrees(math.atan2(rotation[1, 0], rotation[0, 0]))
    # With y down and z away from the camera, a turn to the person's own left (nose to the
    # image's right) is a negative rotation about y, and chin-up is a negative rotation about x.
    return -yaw, -pitch, roll


def rotation_matrix(yaw_deg: float, pitch_deg: float = 0.0, roll_deg: float = 0.0) -> np.ndarray:
    """The rotation `head_pose` reads back as (yaw, pitch, roll); used by tests and the renderer."""
    y, p, r = (math.radians(-yaw_deg), math.radians(-pitch_deg), math.radians(roll_deg))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return rz @ ry @ rx


def planar_residual(
    source: np.ndarray,
    target: np.ndarray,
    fit: list[int] | None = None,
    test: list[int] | None = None,
) -> float:
    """How far ``test`` landmarks stray from the homography fitted on ``fit`` landmarks.

    The homography maps ``source`` to ``target`` by least squares on the ``fit`` points (default
    RIGID_INDEX); the result is the RMS distance of the ``test`` points (default: the same) from
    where it puts them, divided by the eye distance. About 0 when both are views of one flat
    picture; larger when a real head turned between them.
    """
    fit = RIGID_INDEX if fit is None else fit
    test = fit if test is None else test
    homography, _ = cv2.findHomography(
        source[fit].astype(np.float64), target[fit].astype(np.float64), 0
    )
    if homography is None:
        return 0.0
    src = source[test].astype(np.float64).reshape(-1, 1, 2)
    projected = cv2.perspectiveTransform(src, homography).reshape(-1, 2)
    rms = float(np.sqrt(np.mean(np.sum((projected - target[test]) ** 2, axis=1))))
    return rms / max(eye_distance(target), 1e-6)
