"""Attack cues, each a named score: motion, planarity, moire, straight borders, brightness.

- motion: how much the landmarks move at all (90th percentile of each frame's RMS distance from
  the clip's median shape, in eye distances). A photo held still scores about the landmark
  noise (0.01-0.07 on synthetic clips); a person doing the challenge 0.08 or more.
- planarity: a flat picture, however it is tilted, moves its landmarks by one homography; a real
  head turning does not, because the nose stands out of the face. The homography is fitted on
  the outer face points (brows, eye corners, mouth corners) from the frontal frame to each of
  the 5 most turned frames; the nose points' residual, in eye distances, divided by the sine of
  the turn, estimates how far the nose stands out: 0.52-0.86 for real (synthetic) heads turned
  15 degrees or more, at most 0.29 for prints tilted that far. Prints are not exactly flat to
  the landmark predictor, which fits a face model to a foreshortened picture; at smaller turns
  its noise, divided by a small sine, reached 0.47, hence `Thresholds.planar_min_yaw_deg`.
- moire: a screen filmed by a camera shows its pixel grid beating with the sensor's: colour
  fringes (the sub-pixels are red, green and blue) and periodic patterns. Two measures on a
  square inside the face, at native resolution, in a few frames: fine colour detail relative
  to fine brightness detail, and the sharpest isolated peaks of the averaged spectrum. A peak
  above MOIRE_PEAK is enough; fine colour counts only beside a raised peak, because darker
  skin, masks and glasses rims have little fine brightness detail to divide by (on the
  synthetic groups colour alone flagged 10 genuine clips of darker skin and glasses).
- edges: a sheet of paper or a phone shows long straight borders close around the face, on
  several sides, and they move with the face. The score is the fraction of the four sides (left,
  right, above, below, relative to the face's own axis) with such a line (pieces adding up to
  0.9 face widths) that is found, in the frames where the face moved most, where the face's
  motion carried it and not where it was. Lines that cannot be tested that way (the face did not
  move across them) do not count, so a still person in front of a door frame scores 0.
- brightness: the mean grey level over the face (0-255).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from liveness import geometry

MOIRE_SIZE = 128  # face crop side for the spectrum, px
# What "1.0" of the moire score means. A peak above MOIRE_PEAK is a screen on its own; fine
# colour above MOIRE_COLOUR only together with a peak above MOIRE_PEAK_WITH_COLOUR, because
# colour alone also rises on faces with little fine brightness detail (darker skin, a mask,
# the rims of glasses). On the synthetic set of every group of looks (270 clips a species,
# through mp4): genuine faces reached peak 0.995 (1.04 with a mask), colour 0.34; filmed
# screens peak 1.006 or more (that one with colour 0.3), 1.07 or more for all others.
MOIRE_COLOUR = 0.28
MOIRE_PEAK = 1.05
MOIRE_PEAK_WITH_COLOUR = 0.95
LINE_REGION = (2.2, 2.6)  # search region half-size around the face, in face widths (x, y)
BORDER_LENGTH = 0.9  # straight pieces on one side must add up to this many face widths


def motion(points: list[np.ndarray]) -> float:
    """90th percentile of landmark RMS movement from the median shape, in eye distances."""
    if len(points) < 2:
        return 0.0
    stack = np.stack(points)
    median = np.median(stack, axis=0)
    eyes = float(np.median([geometry.eye_distance(p) for p in points]))
    rms = np.sqrt(np.mean(np.sum((stack - median) ** 2, axis=2), axis=1))
    return float(np.percentile(rms, 90) / max(eyes, 1e-6))


def planarity(
    frontal: np.ndarray, frontal_yaw: float, turned: list[tuple[np.ndarray, float]]
) -> float:
    """Apparent depth of the nose in front of the face plane, in eye distances (median).

    For each turned frame (landmarks, yaw in degrees): the nose points' residual after the
    homography that best maps the frontal frame's outer face points onto the turned frame's,
    divided by the sine of the turn between them (at least 8 degrees, so a tiny turn does not
    blow up noise). A real nose stands about half an eye distance out; a picture's does not.
    """
    values = [
        geometry.planar_residual(frontal, points, geometry.FACE_PLANE_INDEX, geometry.NOSE_INDEX)
        / math.sin(math.radians(max(abs(yaw - frontal_yaw), 8.0)))
        for points, yaw in turned
    ]
    return float(np.median(values)) if values else 0.0


def face_box(points: np.ndarray, widen: float = 1.0) -> tuple[float, float, float, float]:
    """(centre x, centre y, width, height) of the landmarks, widened by ``widen``."""
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    return (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * widen, (y1 - y0) * widen


def _centre_crop(image: np.ndarray, points: np.ndarray, side: int) -> np.ndarray | None:
    """A side x side square of the image at native resolution, centred on the nose."""
    cx, cy = points[27:36].mean(axis=0)
    x0, y0 = int(cx - side / 2), int(cy - side / 2)
    if x0 < 0 or y0 < 0 or x0 + side > image.shape[1] or y0 + side > image.shape[0]:
        return None
    return image[y0 : y0 + side, x0 : x0 + side]


def moire_colour(crops: list[np.ndarray]) -> float:
    """Fine colour detail over fine brightness detail (YCrCb, 2 px high-pass), median of crops.

    Skin has almost no fine colour texture (about 0.1-0.22 after camera noise and video
    compression); a filmed screen's red, green and blue sub-pixels alias into colour fringes.
    """
    ratios = []
    for crop in crops:
        ycc = cv2.cvtColor(crop, cv2.COLOR_RGB2YCrCb).astype(np.float32)
        fine = ycc - cv2.GaussianBlur(ycc, (0, 0), 2)
        ratios.append(float(fine[..., 1:].std() / (fine[..., 0].std() + 1e-3)))
    return float(np.median(ratios)) if ratios else 0.0


def moire_peak(crops: list[np.ndarray]) -> float:
    """Height of the sharpest peaks of the averaged log spectrum over its local median.

    Periodic patterns (a pixel grid beating with the sensor's) make isolated peaks; a face's
    spectrum is smooth apart from broad ridges. About 0.6-1.2 for faces and prints. The crops
    are at native resolution: shrinking them would smear the finest patterns away.
    """
    if not crops:
        return 0.0
    side = crops[0].shape[0]
    frequency = np.fft.fftshift(np.hypot(*np.meshgrid(np.fft.fftfreq(side), np.fft.fftfreq(side))))
    window = np.outer(np.hanning(side), np.hanning(side)).astype(np.float32)
    spectra = []
    for crop in crops:
        grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
        fine = grey - cv2.GaussianBlur(grey, (0, 0), 3)
        spectra.append(np.abs(np.fft.fft2(fine * window)))
    log_spectrum = np.fft.fftshift(np.log(np.mean(spectra, axis=0) + 1e-3)).astype(np.float32)
    peaks = log_spectrum - cv2.medianBlur(log_spectrum, 5)
    band = (frequency > 0.08) & (frequency < 0.49)
    return float(np.sort(peaks[band])[-5:].mean())


def moire(images: list[np.ndarray], points: list[np.ndarray]) -> tuple[float, float, float]:
    """(score, colour, peak): score = max(peak / MOIRE_PEAK, min(colour / MOIRE_COLOUR,
    peak / MOIRE_PEAK_WITH_COLOUR)), above 1 for a screen.

    Both are measured on a square inside the face (at most MOIRE_SIZE px, at most 0.6 face
    widths) centred on the nose, in a few frames.
    """
    width = float(np.median([np.ptp(p[:, 0]) for p in points])) if points else 0.0
    side = 2 * (min(MOIRE_SIZE, int(0.6 * width)) // 2)
    if side < 32:
        return 0.0, 0.0, 0.0
    crops = [
        c
        for c in (_centre_crop(i, p, side) for i, p in zip(images, points, strict=True))
        if c is not None
    ]
    colour, peak = moire_colour(crops), moire_peak(crops)
    return moire_score(colour, peak), colour, peak


def moire_score(colour: float, peak: float) -> float:
    """Above 1 for a screen: a peak over MOIRE_PEAK, or fine colour over MOIRE_COLOUR with a
    peak over MOIRE_PEAK_WITH_COLOUR."""
    return max(peak / MOIRE_PEAK, min(colour / MOIRE_COLOUR, peak / MOIRE_PEAK_WITH_COLOUR))


def _segments(gray: np.ndarray, points: np.ndarray) -> tuple[list[tuple[str, np.ndarray]], float]:
    """Long straight segments around the face, each labelled with the side it is on."""
    cx, cy, w, _ = face_box(points)
    rx, ry = LINE_REGION[0] * w, LINE_REGION[1] * w
    x0, y0 = max(0, int(cx - rx)), max(0, int(cy - ry))
    x1, y1 = min(gray.shape[1], int(cx + rx)), min(gray.shape[0], int(cy + ry))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return [], w
    region = cv2.GaussianBlur(gray[y0:y1, x0:x1], (0, 0), 1.2)
    edges = cv2.Canny(region, 40, 110)
    # Warped, noisy borders break into pieces: collect pieces of at least 0.4 face widths and
    # add up their lengths per side.
    lines = cv2.HoughLinesP(
        edges,
        1,
        math.pi / 180,
        threshold=int(0.25 * w),
        minLineLength=int(0.4 * w),
        maxLineGap=int(0.1 * w) + 2,
    )
    if lines is None:
        return [], w
    eye_axis = points[45] - points[36]
    roll = math.atan2(eye_axis[1], eye_axis[0])
    right = np.array([math.cos(roll), math.sin(roll)])
    down = np.array([-right[1], right[0]])
    face_centre = np.array([cx, cy])
    half = np.array([0.5 * w, 0.6 * w])  # the face's own half extents, in (right, down)
    found: list[tuple[str, np.ndarray]] = []
    for x_a, y_a, x_b, y_b in lines.reshape(-1, 4):
        ends = np.array([[x_a + x0, y_a + y0], [x_b + x0, y_b + y0]], dtype=np.float64)
        rel = ends - face_centre
        u, v = rel @ right, rel @ down
        direction = ends[1] - ends[0]
        angle = abs(math.atan2(direction @ down, direction @ right))  # 0 along "right"
        vertical = abs(angle - math.pi / 2) < math.radians(25)
        horizontal = angle < math.radians(25) or angle > math.radians(155)
        if vertical and min(v) < half[1] and max(v) > -half[1]:  # beside the face, overlapping it
            if max(u) < -half[0]:
                found.append(("left", ends))
            elif min(u) > half[0]:
                found.append(("right", ends))
        elif horizontal and min(u) < half[0] and max(u) > -half[0]:
            if max(v) < -half[1]:
                found.append(("above", ends))
            elif min(v) > half[1]:
                found.append(("below", ends))
    return found, w


def _line_offsets(
    segment: np.ndarray, normal: np.ndarray, centre: np.ndarray
) -> tuple[float, float]:
    """(absolute, face-relative) position of a segment's midpoint along ``normal``."""
    middle = segment.mean(axis=0)
    return float(normal @ middle), float(normal @ (middle - centre))


def _parallel(a: np.ndarray, b: np.ndarray) -> bool:
    da, db = a[1] - a[0], b[1] - b[0]
    cosine = abs(da @ db) / max(np.linalg.norm(da) * np.linalg.norm(db), 1e-6)
    return cosine > math.cos(math.radians(4))


def _follows(
    ends: np.ndarray,
    side: str,
    first_points: np.ndarray,
    other: list[tuple[str, np.ndarray]],
    points: np.ndarray,
) -> float | None:
    """1 if a frame shows this line where the face's motion carried it (and not where it was),
    0 if not, None if the face moved too little across the line to tell."""
    direction = (ends[1] - ends[0]) / max(np.linalg.norm(ends[1] - ends[0]), 1e-6)
    normal = np.array([-direction[1], direction[0]])
    centre_a, centre_b = first_points.mean(axis=0), points.mean(axis=0)
    scale = geometry.eye_distance(points) / max(geometry.eye_distance(first_points), 1e-6)
    width = float(np.ptp(first_points[:, 0]))
    absolute_a, relative_a = _line_offsets(ends, normal, centre_a)
    carried = float(normal @ centre_b) + scale * relative_a  # where a line glued to the face is
    tolerance = max(3.0, 0.02 * width)
    if abs(carried - absolute_a) < 2 * tolerance:
        return None
    candidates = [
        _line_offsets(seg, normal, centre_b)[0]
        for s, seg in other
        if s == side and _parallel(seg, ends)
    ]
    stays = any(abs(position - absolute_a) < tolerance for position in candidates)
    follows = any(abs(position - carried) < tolerance for position in candidates)
    return float(follows and not stays)


def edges(grays: list[np.ndarray], points: list[np.ndarray]) -> float:
    """Fraction of the face's four sides with a long straight border that moves with the face.

    ``grays`` are a few frames (the first is where lines are looked for; the others are the
    frames where the face moved most from it), ``points`` their landmarks. A side counts when
    its straight pieces add up to BORDER_LENGTH face widths and, in the frames where the face
    moved far enough across them to tell, they are found where the face's motion carried them
    rather than where they were (a door frame stays, a sheet of paper or a phone follows).
    """
    if not grays:
        return 0.0
    found, width = _segments(grays[0], points[0])
    if not found:
        return 0.0
    later = [
        (_segments(gray, pts)[0], pts) for gray, pts in zip(grays[1:], points[1:], strict=True)
    ]
    per_side: dict[str, list[tuple[float, float | None]]] = {}
    for side, ends in found:
        votes = [
            v
            for v in (_follows(ends, side, points[0], other, pts) for other, pts in later)
            if v is not None
        ]
        length = float(np.linalg.norm(ends[1] - ends[0]))
        per_side.setdefault(side, []).append((length, float(np.mean(votes)) if votes else None))
    score = 0.0
    for pieces in per_side.values():
        if sum(length for length, _ in pieces) < BORDER_LENGTH * width:
            continue
        tested = [(length, follows) for length, follows in pieces if follows is not None]
        # Untested sides (the face hardly moved across them) count for nothing: a door frame
        # behind a person who holds still must not look like a border.
        if tested and sum(n * f for n, f in tested) / sum(n for n, _ in tested) >= 0.5:
            score += 1.0
    return score / 4.0


def brightness(gray: np.ndarray, points: np.ndarray) -> float:
    cx, cy, w, h = face_box(points, 0.8)
    x0, y0 = max(0, int(cx - w / 2)), max(0, int(cy - h / 2))
    crop = gray[y0 : int(cy + h / 2), x0 : int(cx + w / 2)]
    return float(crop.mean()) if crop.size else 0.0
