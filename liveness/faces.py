"""dlib's face detector, 68-point landmark predictor and 128-d encoder, loaded once and cached.

The models come from the installed face_recognition_models package (no download). Detection
runs on a downscaled copy and the boxes are scaled back; a detection counts as a face only if
its detector score is near the best one's and it is not far smaller than the largest face, which
drops the HOG detector's weak false positives (the astronaut picture has one at score -0.05).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

# A second detection is a face only if it is at least this confident ...
MIN_SECOND_SCORE = 0.3
# ... and at least this fraction of the largest face's width.
MIN_SECOND_SIZE = 0.5


@dataclass(frozen=True)
class Box:
    """A face box in the original image's pixel coordinates, with the detector's score."""

    left: float
    top: float
    right: float
    bottom: float
    score: float = 0.0

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def center(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def scaled(self, factor: float) -> Box:
        return Box(
            self.left * factor,
            self.top * factor,
            self.right * factor,
            self.bottom * factor,
            self.score,
        )


@dataclass(frozen=True)
class Models:
    detector: Any
    predictor: Any
    encoder: Any


@functools.cache
def models() -> Models:
    """Load the three dlib models on first use; later calls return the same objects."""
    import dlib

    with warnings.catch_warnings():
        # face_recognition_models imports pkg_resources, deprecated by setuptools.
        warnings.simplefilter("ignore", UserWarning)
        import face_recognition_models as paths
    return Models(
        detector=dlib.get_frontal_face_detector(),
        predictor=dlib.shape_predictor(paths.pose_predictor_model_location()),
        encoder=dlib.face_recognition_model_v1(paths.face_recognition_model_location()),
    )


@functools.cache
def _cnn_detector() -> Any:
    import dlib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import face_recognition_models as paths
    return dlib.cnn_face_detection_model_v1(paths.cnn_face_detector_model_location())


CNN_MIN_CONFIDENCE = 0.3


def detect_covered(image: np.ndarray, *, scale: float = 0.5) -> list[Box]:
    """Faces found by dlib's CNN detector (MMOD) on a copy shrunk by ``scale``, best first.

    About ten times slower than `detect` (0.4-0.9 s for a 640x480 frame at half size on one
    core), but it finds faces whose lower half or eyes are covered (a mask, dark glasses),
    which the HOG detector often misses; `verify` uses it only when `detect` found nothing,
    to tell the person what to take off rather than that no face was seen.
    """
    small = cv2.resize(
        np.ascontiguousarray(image, dtype=np.uint8),
        None,
        fx=scale,
        fy=scale,
        interpolation=cv2.INTER_AREA,
    )
    found = _cnn_detector()(small, 0)
    boxes = sorted(
        (
            Box(d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom(), d.confidence).scaled(
                1 / scale
            )
            for d in found
            if d.confidence >= CNN_MIN_CONFIDENCE
        ),
        key=lambda b: -b.score,
    )
    return keep_faces(boxes)


def to_gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def detect(image: np.ndarray, *, scale: float = 1.0, upsample: int = 0) -> list[Box]:
    """Faces in an RGB or grey image, best first, boxes in the image's own coordinates.

    ``scale`` < 1 detects on a shrunk copy (faster; dlib's HOG window is about 80 px, so the
    smallest face found is about 80/scale px); ``upsample`` > 0 lets dlib double the image that
    many times first (slower; finds faces down to about 80/2**upsample px).
    """
    gray = to_gray(image)
    if scale != 1.0:
        size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
        gray = cv2.resize(
            gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        )
    rects, scores, _ = models().detector.run(gray, upsample, 0.0)
    boxes = sorted(
        (
            Box(r.left(), r.top(), r.right(), r.bottom(), s).scaled(1 / scale)
            for r, s in zip(rects, scores, strict=True)
        ),
        key=lambda b: -b.score,
    )
    return keep_faces(boxes)


def keep_faces(boxes: list[Box]) -> list[Box]:
    """Drop weak or tiny detections beside a clear face; the largest face comes first."""
    if not boxes:
        return []
    largest = max(boxes, key=lambda b: b.width)
    kept = [largest] + [
        b
        for b in boxes
        if b is not largest
        and b.score >= MIN_SECOND_SCORE
        and b.width >= MIN_SECOND_SIZE * largest.width
    ]
    return kept


LANDMARK_PAD = 0.2  # the face box widened by this share on each side before equalising
EQUALISE_BELOW = 90.0  # equalise only a face whose box is darker than this (mean grey)


@functools.cache
def _clahe() -> Any:
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4))


def equalised(gray: np.ndarray, box: Box) -> np.ndarray:
    """The grey image with the face's region (the box widened by LANDMARK_PAD) contrast-
    equalised by CLAHE when the face is dark (its box's mean grey under EQUALISE_BELOW):
    eyelids, lips and brows on darker skin, in low light or against a bright window then stand
    out as on a well-lit face. A well-lit face is left alone: equalised, the rims of glasses
    and the edge of a headscarf pulled the eye and jaw landmarks towards them."""
    pad = LANDMARK_PAD * max(box.width, 1.0)
    x0, y0 = max(0, int(box.left - pad)), max(0, int(box.top - pad))
    x1, y1 = min(gray.shape[1], int(box.right + pad)), min(gray.shape[0], int(box.bottom + pad))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return gray
    face = gray[
        max(0, int(box.top)) : max(0, int(box.bottom)),
        max(0, int(box.left)) : max(0, int(box.right)),
    ]
    if face.size == 0 or float(face.mean()) >= EQUALISE_BELOW:
        return gray
    out = gray.copy()
    out[y0:y1, x0:x1] = _clahe().apply(np.ascontiguousarray(gray[y0:y1, x0:x1]))
    return out


def landmarks(image: np.ndarray, box: Box) -> np.ndarray:
    """The 68 landmarks (x, y) as a float array of shape (68, 2), from a face box, predicted
    on the face's contrast-equalised grey (`equalised`)."""
    import dlib

    rect = dlib.rectangle(round(box.left), round(box.top), round(box.right), round(box.bottom))
    shape = models().predictor(equalised(to_gray(image), box), rect)
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def encode(image: np.ndarray, points: np.ndarray, *, jitters: int = 1) -> np.ndarray:
    """The 128-d encoding of the face whose 68 landmarks are ``points`` in the RGB ``image``."""
    import dlib

    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    rect = dlib.rectangle(round(x0), round(y0), round(x1), round(y1))
    shape = dlib.full_object_detection(rect, [dlib.point(round(x), round(y)) for x, y in points])
    rgb = np.ascontiguousarray(image, dtype=np.uint8)
    return np.array(models().encoder.compute_face_descriptor(rgb, shape, jitters))


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """face_recognition's face distance: Euclidean distance between two encodings."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))
