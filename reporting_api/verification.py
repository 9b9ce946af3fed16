"""Face work that runs in the verifier's worker processes: bytes in, plain data out.

Nothing here touches the database or the event loop; `runtime.Verifier.run` calls these in
another process and the services store what they return. Results hold only picklable
builtins (bytes, str, numbers, lists, dicts).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import cv2

from liveness.reference import encode_reference
from liveness.types import (
    Challenge,
    Frame,
    Reference,
    ReferenceRejected,
    Verdict,
    VideoLimits,
    VideoRejected,
)
from liveness.verify import verify
from liveness.video import MAX_PIXELS, frames_from_images, frames_from_video

EVIDENCE_FRAMES = 4
EVIDENCE_MAX_SIDE = 480
EVIDENCE_JPEG_QUALITY = 80
FRAMES_MAGIC = b"BCF1"


def encode_photo(photo: bytes) -> dict[str, Any]:
    """The template of an ID-card photo, or the reason the library refused it."""
    try:
        reference = encode_reference(photo)
    except ReferenceRejected as rejected:
        return {"ok": False, "reason": asdict(rejected.reason)}
    return {"ok": True, "template": reference.to_bytes(), "quality": asdict(reference.quality)}


def look_in_frame(data: bytes) -> dict[str, Any]:
    """What the camera frame (JPEG or PNG, size checked by the caller) shows: `face`, whether
    it shows one; `request`, the reason code asking a mask or dark glasses off (or None); and
    `left_out`, the actions a challenge should leave out with their reasons
    (`{"blink": "glasses"}`). Nothing found when the image does not decode or shows no face."""
    import numpy as np

    from liveness.occlusion import look_at

    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    seen = None if image is None else look_at(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    if seen is None:
        return {"face": False, "request": None, "left_out": {}}
    return {
        "face": True,
        "request": seen.request,
        "left_out": {str(action): why for action, why in seen.unreliable.items()},
    }


def pack_frames(frames: Iterable[tuple[float, bytes]]) -> bytes:
    """JPEG frames with their times as one blob: magic, then (time, length, bytes) each."""
    parts = [FRAMES_MAGIC]
    for t, data in frames:
        parts.append(struct.pack("<dI", t, len(data)))
        parts.append(data)
    return b"".join(parts)


def unpack_frames(blob: bytes) -> list[tuple[float, bytes]]:
    if blob[:4] != FRAMES_MAGIC:
        raise ValueError("not a frames blob")
    frames, offset, header = [], 4, struct.calcsize("<dI")
    while offset < len(blob):
        t, length = struct.unpack_from("<dI", blob, offset)
        offset += header
        frames.append((t, blob[offset : offset + length]))
        offset += length
    return frames


def _evidence(frames: list[Frame], verdict: Verdict) -> list[dict[str, Any]]:
    """The frames the verdict chose (or, when it stopped early, first, middle and last)."""
    chosen = list(dict.fromkeys(i for i in verdict.evidence_frames if 0 <= i < len(frames)))
    if not chosen and frames:
        chosen = sorted({0, len(frames) // 2, len(frames) - 1})
    kept = []
    for index in chosen[:EVIDENCE_FRAMES]:
        image = frames[index].image
        height, width = image.shape[:2]
        scale = min(1.0, EVIDENCE_MAX_SIDE / max(height, width))
        if scale < 1.0:
            image = cv2.resize(image, (round(width * scale), round(height * scale)))
        ok, jpeg = cv2.imencode(
            ".jpg",
            cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
            [cv2.IMWRITE_JPEG_QUALITY, EVIDENCE_JPEG_QUALITY],
        )
        if ok:
            kept.append(
                {
                    "t": frames[index].t,
                    "jpeg": jpeg.tobytes(),
                    "width": image.shape[1],
                    "height": image.shape[0],
                }
            )
    return kept


def verify_upload(
    template: bytes,
    media_kind: str,
    media: bytes,
    challenge_json: str,
    max_bytes: int,
    max_pixels: int = MAX_PIXELS,
) -> dict[str, Any]:
    """Decode the upload (webm/mp4 clip or packed JPEG frames) and judge it; frames decode to
    at most ``max_pixels`` in all (their sizes read from their headers first)."""
    started = time.perf_counter()
    limits = VideoLimits(max_bytes=max_bytes)
    challenge = Challenge.from_json(challenge_json)
    try:
        if media_kind == "clip":
            frames = frames_from_video(media, limits)
        else:
            frames = frames_from_images(unpack_frames(media), limits, max_pixels=max_pixels)
    except VideoRejected as rejected:
        verdict = Verdict("rejected", (rejected.reason,))
        return {"verdict": verdict.to_dict(), "evidence": []}
    decoded_ms = (time.perf_counter() - started) * 1000
    reference = Reference.encoding_from_bytes(template)
    verdict = verify(reference, frames, challenge, limits=limits)
    result = verdict.to_dict()
    result["timings_ms"] = {"decode": round(decoded_ms, 1), **result["timings_ms"]}
    return {"verdict": result, "evidence": _evidence(frames, verdict)}
