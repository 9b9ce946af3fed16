"""The face template of the ID-card photo, made once at enrolment.

`encode_reference(image)` takes an RGB array (or the encoded bytes of a JPEG or PNG) and either
returns a Reference or raises ReferenceRejected with one of: `unreadable_image`, `no_face`,
`several_faces`, `face_too_small`, `too_blurry`, `not_frontal`.

A Thai ID card's chip photo is about 120x150 px, so small images are enlarged (bicubic) before
detection and encoding; dlib's HOG detector needs a face of about 80 px. Quality is judged on
the face at a fixed working width, so a small but sharp photo is not called blurry merely for
being small. The encoding averages 10 jittered copies (num_jitters), as dlib recommends for
a single enrolment image. The quality report also says whether the face wears clear glasses
(`occlusion`'s glasses score, which finds them on card-sized photos as on camera frames).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from liveness import faces, geometry, occlusion
from liveness.reasons import reason
from liveness.types import QualityReport, Reference, ReferenceRejected

MIN_SIDE_PX = 400  # smaller photos are enlarged to this shorter side before detection
MAX_SIDE_PX = 1600  # larger photos are shrunk to this longer side
MIN_FACE_PX = 45.0  # face box width in the original photo; below this the template is poor
MIN_SHARPNESS = 15.0  # variance of the Laplacian of the face at SHARPNESS_WIDTH px wide
SHARPNESS_WIDTH = 100
MAX_YAW_DEG = (
    30.0  # generic-model yaw is rough: obama2.jpg, a three-quarter-ish portrait, reads -25
)
MAX_PITCH_DEG = 25.0
JITTERS = 10


def decode_image(data: bytes) -> np.ndarray:
    """An RGB uint8 array from JPEG/PNG/... bytes; ReferenceRejected(unreadable_image) otherwise."""
    try:
        buffer = np.frombuffer(data, dtype=np.uint8)
        image = cv2.imdecode(buffer, cv2.IMREAD_COLOR) if buffer.size else None
    except (TypeError, ValueError, cv2.error):
        image = None
    if image is None:
        raise ReferenceRejected(reason("unreadable_image"))
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def as_rgb(image: object) -> np.ndarray:
    """A contiguous RGB uint8 (H, W, 3) array, or ReferenceRejected(unreadable_image)."""
    if isinstance(image, bytes | bytearray | memoryview):
        return decode_image(bytes(image))
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.size == 0:
        raise ReferenceRejected(reason("unreadable_image"))
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2RGB)
    if image.ndim == 3 and image.shape[2] == 3:
        return np.ascontiguousarray(image)
    raise ReferenceRejected(reason("unreadable_image"))


def face_sharpness(gray: np.ndarray, box: faces.Box) -> float:
    """Variance of the Laplacian over the face box, after resizing it to SHARPNESS_WIDTH px."""
    h, w = gray.shape[:2]
    x0, y0 = max(0, int(box.left)), max(0, int(box.top))
    x1, y1 = min(w, int(math.ceil(box.right))), min(h, int(math.ceil(box.bottom)))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return 0.0
    crop = gray[y0:y1, x0:x1]
    factor = SHARPNESS_WIDTH / crop.shape[1]
    size = (SHARPNESS_WIDTH, max(4, round(crop.shape[0] * factor)))
    crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC)
    return float(cv2.Laplacian(crop, cv2.CV_64F).var())


def working_copy(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The photo at a size the detector likes, and the factor applied to it."""
    h, w = image.shape[:2]
    factor = 1.0
    if min(h, w) < MIN_SIDE_PX:
        factor = MIN_SIDE_PX / min(h, w)
    elif max(h, w) > MAX_SIDE_PX:
        factor = MAX_SIDE_PX / max(h, w)
    if factor == 1.0:
        return image, 1.0
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(image, size, interpolation=interpolation), factor


def one_face(gray: np.ndarray) -> tuple[faces.Box, int]:
    """The one face of a photo (at its working size) and the upsampling it took to find it;
    ReferenceRejected(no_face) or (several_faces) otherwise."""
    upsample = 0
    boxes = faces.detect(gray)
    # Still nothing: let dlib double the image, while that stays affordable (about 4 Mpx).
    while not boxes and upsample < 2 and gray.size * 4 ** (upsample + 1) <= 4_000_000:
        upsample += 1
        boxes = faces.detect(gray, upsample=upsample)
    if not boxes:
        raise ReferenceRejected(reason("no_face"))
    if len(boxes) > 1:
        raise ReferenceRejected(reason("several_faces"))
    return boxes[0], upsample


def encode_reference(image: np.ndarray | bytes) -> Reference:
    """The 128-d template and quality report of the one face in an ID-card photo."""
    rgb = as_rgb(image)
    work, factor = working_copy(rgb)
    gray = faces.to_gray(work)
    box, upsample = one_face(gray)
    face_width = box.width / factor
    if face_width < MIN_FACE_PX:
        raise ReferenceRejected(reason("face_too_small"))
    sharpness = face_sharpness(gray, box)
    if sharpness < MIN_SHARPNESS:
        raise ReferenceRejected(reason("too_blurry"))
    points = faces.landmarks(gray, box)
    # A cropped portrait: optical centre on the face, a long lens (little perspective).
    yaw, pitch, _ = geometry.head_pose(
        points, (work.shape[1], work.shape[0]), centre=box.center, focal=6 * box.width
    )
    if abs(yaw) > MAX_YAW_DEG or abs(pitch) > MAX_PITCH_DEG:
        raise ReferenceRejected(reason("not_frontal"))
    encoding = faces.encode(work, points, jitters=JITTERS)
    magnification = max(factor, 1.0) * 2**upsample
    glasses = occlusion.judge(work, points).glasses
    quality = QualityReport(
        image_width=rgb.shape[1],
        image_height=rgb.shape[0],
        face_width_px=round(face_width, 1),
        sharpness=round(sharpness, 1),
        yaw_deg=round(yaw, 1),
        pitch_deg=round(pitch, 1),
        upsample=max(0, round(math.log2(magnification))),
        glasses=round(glasses, 2),
    )
    return Reference(encoding=encoding, quality=quality)
