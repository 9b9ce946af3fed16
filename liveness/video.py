"""Check-in clips (webm or mp4 bytes, or a list of canvas JPEGs) turned into timestamped frames.

Limits come from VideoLimits and are checked as early as they can be: the byte size before
anything is written, the container header (size, frame count, frame rate) before any frame is
decoded, so an 8K or hour-long clip costs milliseconds; then each decoded frame as it comes,
for containers whose header does not say (a browser's MediaRecorder webm often has no
duration). Every refusal is a VideoRejected carrying a reason code: `unreadable_video`,
`video_too_large`, `video_too_long`, `too_many_frames`, `resolution_too_high`,
`too_few_frames`.

To keep memory flat, frames are decoded at most `max_fps` per second (15 by default, all that
`verify` samples) and shrunk so their longer side is at most `max_side` px (960). Canvas images
are decoded only once their header has told their size: an image whose size cannot be read is
`unreadable_video`, and all of them together may decode to at most `max_pixels`
(`video_too_large`).
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import warnings
from collections.abc import Iterable

import cv2
import numpy as np

from liveness.reasons import reason
from liveness.types import Frame, VideoLimits, VideoRejected

MAX_FPS = 15.0
MAX_SIDE = 960
MAX_PIXELS = 60_000_000
"""Most pixels (width x height, summed) the canvas images of one recording may decode to:
15 s of 640x480 at 12 fps is 55 million."""


GRID_TOLERANCE = 0.25
"""A frame up to this share of a frame interval early still fills its slot (phones jitter)."""


def on_grid(t: float, next_due: float | None, fps: float) -> tuple[bool, float]:
    """Whether a frame at ``t`` fills the next slot of an ``fps`` grid, and the slot after.

    Slots are whole frame intervals, so a 15 fps clip whose frames come a few milliseconds
    early keeps every frame, a 30 fps clip keeps every other, and a 20 fps clip about 15 a
    second; comparing each frame only with the last kept one would drop jittered frames.
    ``next_due`` is None before the first frame.
    """
    step = 1.0 / fps
    if next_due is None:
        return True, t + step
    if t < next_due - GRID_TOLERANCE * step:
        return False, next_due
    # The slot after this frame's: skip whole intervals at once after a gap.
    return True, next_due + step * max(1, math.ceil((t - next_due) / step + 1e-9))


def _refuse(code: str) -> VideoRejected:
    return VideoRejected(reason(code))


def _suffix(data: bytes) -> str:
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return ".webm"
    if data[4:8] == b"ftyp":
        return ".mp4"
    return ".bin"


def _shrink(image: np.ndarray, max_side: int) -> np.ndarray:
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image
    factor = max_side / max(h, w)
    return cv2.resize(image, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_AREA)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from an image's header without decoding it, or None when the
    header does not tell (such an image is never decoded: its size could be anything)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a decompression-bomb warning: the size says enough
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return 1 << 20, 1 << 20
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def _check_size(width: float, height: float, limits: VideoLimits) -> None:
    if width > limits.max_width or height > limits.max_height:
        raise _refuse("resolution_too_high")


def frames_from_video(
    data: bytes,
    limits: VideoLimits = VideoLimits(),
    *,
    max_fps: float = MAX_FPS,
    max_side: int = MAX_SIDE,
) -> list[Frame]:
    """Decode a webm or mp4 clip into RGB frames with times in seconds from its first frame."""
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) == 0:
        raise _refuse("unreadable_video")
    if len(data) > limits.max_bytes:
        raise _refuse("video_too_large")
    data = bytes(data)
    handle, path = tempfile.mkstemp(prefix="liveness-", suffix=_suffix(data))
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        return _decode(path, limits, max_fps, max_side)
    finally:
        os.unlink(path)


def _decode(path: str, limits: VideoLimits, max_fps: float, max_side: int) -> list[Frame]:
    capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    try:
        if not capture.isOpened():
            raise _refuse("unreadable_video")
        width = capture.get(cv2.CAP_PROP_FRAME_WIDTH)
        height = capture.get(cv2.CAP_PROP_FRAME_HEIGHT)
        fps = capture.get(cv2.CAP_PROP_FPS)
        count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
        _check_size(width, height, limits)
        # Headers can lie or be missing (count 0 or -1, fps 0 or 1000); only a plausible
        # header refuses a clip here, the decoding loop below checks again frame by frame.
        if 0 < fps <= 240 and count > 0:
            if count / fps > limits.max_duration_s + 0.5:
                raise _refuse("video_too_long")
            if count > limits.max_frames:
                raise _refuse("too_many_frames")
        frames: list[Frame] = []
        decoded = 0
        first_ms: float | None = None
        next_due: float | None = None
        while True:
            ok, image = capture.read()
            if not ok or image is None:
                break
            decoded += 1
            if decoded > limits.max_frames:
                raise _refuse("too_many_frames")
            _check_size(image.shape[1], image.shape[0], limits)
            ms = capture.get(cv2.CAP_PROP_POS_MSEC)
            if ms is None or ms < 0 or (ms == 0 and decoded > 1):
                ms = (decoded - 1) * 1000.0 / (fps if 0 < fps <= 240 else 30.0)
            first_ms = ms if first_ms is None else first_ms
            t = (ms - first_ms) / 1000.0
            if t > limits.max_duration_s + 0.5:
                raise _refuse("video_too_long")
            keep, next_due = on_grid(t, next_due, max_fps)
            if not keep:
                continue  # faster than max_fps: this frame adds nothing verify would use
            rgb = cv2.cvtColor(_shrink(image, max_side), cv2.COLOR_BGR2RGB)
            frames.append(Frame(t=t, image=rgb))
    except cv2.error:
        raise _refuse("unreadable_video") from None
    finally:
        capture.release()
    if decoded == 0:
        raise _refuse("unreadable_video")
    if len(frames) < limits.min_frames:
        raise _refuse("too_few_frames")
    return frames


def frames_from_images(
    images: Iterable[tuple[float, bytes]],
    limits: VideoLimits = VideoLimits(),
    *,
    max_side: int = MAX_SIDE,
    max_pixels: int = MAX_PIXELS,
) -> list[Frame]:
    """Frames from (seconds, JPEG or PNG bytes) pairs, the page's canvas fallback.

    The same limits apply: total bytes, number of frames, time span, and each image's size;
    and every header is read before any image is decoded, so that an image of unknown size
    or images that would decode to more than ``max_pixels`` in all are refused undecoded.
    """
    frames: list[Frame] = []
    total = 0
    try:
        items = list(images)
    except TypeError:
        raise _refuse("unreadable_video") from None
    if len(items) > limits.max_frames:
        raise _refuse("too_many_frames")
    timed: list[tuple[float, bytes]] = []
    pixels = 0
    for item in items:
        try:
            t, data = float(item[0]), bytes(item[1])
        except (TypeError, ValueError, IndexError):
            raise _refuse("unreadable_video") from None
        total += len(data)
        if total > limits.max_bytes:
            raise _refuse("video_too_large")
        size = image_size(data)  # from the header, before decoding
        if size is None:
            raise _refuse("unreadable_video")
        _check_size(*size, limits)
        pixels += size[0] * size[1]
        if pixels > max_pixels:
            raise _refuse("video_too_large")
        timed.append((t, data))
    for t, data in timed:
        buffer = np.frombuffer(data, dtype=np.uint8)
        image = cv2.imdecode(buffer, cv2.IMREAD_COLOR) if buffer.size else None
        if image is None:
            raise _refuse("unreadable_video")
        _check_size(image.shape[1], image.shape[0], limits)
        frames.append(Frame(t=t, image=cv2.cvtColor(_shrink(image, max_side), cv2.COLOR_BGR2RGB)))
    frames.sort(key=lambda f: f.t)
    if frames:
        start = frames[0].t
        frames = [Frame(t=f.t - start, image=f.image) for f in frames]
        if frames[-1].t > limits.max_duration_s + 0.5:
            raise _refuse("video_too_long")
    if len(frames) < limits.min_frames:
        raise _refuse("too_few_frames")
    return frames
