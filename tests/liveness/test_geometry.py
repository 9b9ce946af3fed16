"""Landmark geometry: head pose signs, eye and mouth ratios, planarity of a flat picture."""

from __future__ import annotations

import numpy as np
import pytest

from liveness import geometry

WIDTH, HEIGHT = 640, 480
CAMERA = np.array([[WIDTH, 0, WIDTH / 2], [0, WIDTH, HEIGHT / 2], [0, 0, 1.0]])


def project(points3d: np.ndarray, yaw: float = 0, pitch: float = 0, roll: float = 0) -> np.ndarray:
    """Pinhole projection of model points turned by the angles, 50 cm from the camera."""
    moved = points3d @ geometry.rotation_matrix(yaw, pitch, roll).T + np.array([20.0, -10.0, 500.0])
    image = moved @ CAMERA.T
    return image[:, :2] / image[:, 2:]


def landmarks(yaw: float = 0, pitch: float = 0, roll: float = 0) -> np.ndarray:
    points = np.zeros((68, 2))
    points[geometry.POSE_INDEX] = project(geometry.POSE_MODEL, yaw, pitch, roll)
    return points


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"), [(0, 0, 0), (25, 0, 0), (-30, 5, 0), (10, -12, 8)]
)
def test_head_pose_reads_back_the_angles(yaw, pitch, roll):
    assert np.allclose(
        geometry.head_pose(landmarks(yaw, pitch, roll), (WIDTH, HEIGHT)),
        (yaw, pitch, roll),
        atol=0.5,
    )


def test_a_turn_to_the_persons_left_moves_the_nose_to_the_image_right():
    frontal, turned = landmarks(0), landmarks(20)
    eyes = lambda p: p[[36, 39, 42, 45]].mean(axis=0)  # noqa: E731
    assert (turned[30, 0] - eyes(turned)[0]) > (frontal[30, 0] - eyes(frontal)[0]) + 5


def face_outline() -> np.ndarray:
    """A plausible 68-point face, made by hand: eyes open, mouth closed."""
    p = np.zeros((68, 2))
    p[0:17] = np.column_stack(
        [np.linspace(-70, 70, 17), 40 - 60 * np.cos(np.linspace(0, np.pi, 17))]
    )
    p[17:27] = np.column_stack([np.linspace(-55, 55, 10), np.full(10, -45)])
    p[27:31] = np.column_stack([np.zeros(4), np.linspace(-30, 0, 4)])
    p[31:36] = np.column_stack([np.linspace(-12, 12, 5), np.full(5, 8)])
    for start, cx in ((36, -30), (42, 30)):
        p[start : start + 6] = [
            (cx - 12, -25),
            (cx - 4, -29),
            (cx + 4, -29),
            (cx + 12, -25),
            (cx + 4, -21),
            (cx - 4, -21),
        ]
    p[48:60] = np.column_stack(
        [
            25 * np.cos(np.linspace(np.pi, -np.pi, 12)),
            30 + 8 * np.sin(np.linspace(np.pi, -np.pi, 12)),
        ]
    )
    p[60:68] = [
        (-18, 30),
        (-8, 30),
        (0, 30),
        (8, 30),
        (18, 30),
        (8, 30),
        (0, 30),
        (-8, 30),
    ]  # closed
    return p + (320, 240)


def test_eye_and_mouth_ratios():
    face = face_outline()
    assert geometry.eye_aspect_ratio(face) == pytest.approx(8 / 24)
    assert geometry.mouth_aspect_ratio(face) == pytest.approx(0, abs=1e-9)
    closed = face.copy()
    closed[[37, 38, 43, 44], 1] += 3.5
    closed[[40, 41, 46, 47], 1] -= 3.5
    assert geometry.eye_aspect_ratio(closed) == pytest.approx(1 / 24)
    assert geometry.eye_opening(closed) < 0.2 * geometry.eye_opening(face)
    opened = face.copy()
    opened[[65, 66, 67], 1] += 20
    assert geometry.mouth_aspect_ratio(opened) > 0.4


def test_tilting_a_picture_forwards_changes_the_ear_but_not_the_eye_opening():
    face = face_outline()
    squashed = face.copy()
    squashed[:, 1] = 240 + 0.7 * (face[:, 1] - 240)
    assert geometry.eye_aspect_ratio(squashed) == pytest.approx(
        0.7 * geometry.eye_aspect_ratio(face)
    )
    assert geometry.eye_opening(squashed) == pytest.approx(geometry.eye_opening(face))


def test_a_flat_picture_fits_one_homography_and_a_turned_head_does_not():
    face = face_outline()
    tilt = np.array([[0.9, 0.05, 10], [-0.03, 1.0, 5], [0.0004, 0.0001, 1]])
    moved = np.c_[face, np.ones(68)] @ tilt.T
    assert geometry.planar_residual(face, moved[:, :2] / moved[:, 2:]) < 1e-6
    assert (
        geometry.planar_residual(
            landmarks(0), landmarks(25), [17, 26, 36, 39, 42, 45, 48, 54], [30]
        )
        > 0.1
    )
