"""Shared fixtures for the liveness tests: the sample photos, the ID-card photo, its template.

Everything expensive (model loading, the jittered reference encoding, rendered clips) is made
once per session.
"""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from liveness import faces
from liveness.reference import encode_reference
from liveness.samples import sample_photos
from liveness.types import Action, Challenge, Frame, Reference, Step

ID_SIZE = (120, 150)  # a Thai ID card's chip photo, width x height
ID_QUALITY = 60


def read_rgb(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, path
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def id_card_crop(
    photo: np.ndarray, size: tuple[int, int] = ID_SIZE, quality: int = ID_QUALITY
) -> np.ndarray:
    """The photo cropped around its face like an ID-card picture, shrunk and JPEG-compressed."""
    box = faces.detect(photo, scale=min(1.0, 800 / max(photo.shape[:2])))[0]
    cx, cy = box.center
    width = box.width * 1.6
    height = width * size[1] / size[0]
    x0, y0 = int(cx - width / 2), int(cy - height / 2 - 0.05 * box.width)
    crop = photo[max(0, y0) : y0 + int(height), max(0, x0) : x0 + int(width)]
    crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(crop, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    assert ok
    return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="session")
def photos() -> dict[str, Path]:
    return sample_photos()


@pytest.fixture(scope="session")
def rgb(photos: dict[str, Path]) -> dict[str, np.ndarray]:
    """Each sample photo as an RGB array."""
    return {name: read_rgb(path) for name, path in photos.items()}


@pytest.fixture(scope="session")
def id_photo(rgb: dict[str, np.ndarray]) -> np.ndarray:
    """obama.jpg cropped to 120x150 around the face, JPEG quality 60, as RGB."""
    return id_card_crop(rgb["obama"])


@pytest.fixture(scope="session")
def reference(id_photo: np.ndarray) -> Reference:
    return encode_reference(id_photo)


@pytest.fixture(scope="session")
def challenge() -> Challenge:
    """A fixed challenge that exercises a turn, a blink and an open mouth."""
    return Challenge(
        id="fixed-test-challenge",
        steps=(
            Step(Action.TURN_LEFT, 1.0, 2.5),
            Step(Action.BLINK, 2.5, 4.0),
            Step(Action.OPEN_MOUTH, 4.0, 5.5),
        ),
    )


def still_frames(
    image: np.ndarray, seconds: float = 4.0, fps: int = 15, seed: int = 0
) -> list[Frame]:
    """A picture held perfectly still in front of the camera, with sensor noise."""
    noise = np.random.default_rng(seed)
    frames = []
    for i in range(int(seconds * fps)):
        noisy = np.clip(image.astype(np.int16) + noise.integers(-2, 3, image.shape), 0, 255)
        frames.append(Frame(i / fps, noisy.astype(np.uint8)))
    return frames


def on_canvas(
    photo: np.ndarray,
    face_width: float,
    size: tuple[int, int] = (640, 480),
    centre: tuple[float, float] | None = None,
) -> np.ndarray:
    """A grey frame with the photo scaled so its face is ``face_width`` px wide, face at ``centre``."""
    box = faces.detect(photo, scale=min(1.0, 800 / max(photo.shape[:2])))[0]
    scale = face_width / box.width
    small = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    cx, cy = (c * scale for c in box.center)
    tx, ty = centre or (size[0] / 2, size[1] / 2)
    canvas = np.full((size[1], size[0], 3), 128, np.uint8)
    move = np.float32([[1, 0, tx - cx], [0, 1, ty - cy]])
    cv2.warpAffine(small, move, size, dst=canvas, borderMode=cv2.BORDER_TRANSPARENT)
    return canvas


@pytest.fixture(scope="session")
def synth():
    """liveness.synth, the clip renderer (written alongside this library)."""
    return pytest.importorskip("liveness.synth")


@pytest.fixture(scope="session")
def genuine_frames(synth, rgb: dict[str, np.ndarray], challenge: Challenge) -> list[Frame]:
    """A genuine synthetic clip of obama2 answering the fixed challenge."""
    return synth.render(rgb["obama2"], challenge, "genuine", random.Random(11))
