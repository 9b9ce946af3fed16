"""Clips for Chromium's fake camera, and where a recording of one started.

Chromium plays the file from its first frame when the page opens the camera, while the
challenge's windows count from when the page starts recording, about `lead_s` later. So the
clip answers the challenge shifted by `lead_s`: the synthetic head idles (the renderer's own
natural motion) through the lead-in, then acts in the shifted windows. `content_offset` finds
which clip frame a recording started on, from the recording itself, which is what the
verifier's timing really depends on.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from liveness.samples import sample_photos
from liveness.synth import read_photo, render
from liveness.types import Challenge, Frame

FPS = 15  # (30, a phone's rate, made MediaRecorder drop more frames here than it gained)
SIZE = (640, 480)
TAIL_S = 2.0  # idle frames after the last step, so a late recording does not loop back


def shifted(challenge: Challenge, seconds: float) -> Challenge:
    """The same challenge with every window moved ``seconds`` later."""
    return replace(
        challenge,
        steps=tuple(
            replace(s, start_s=round(s.start_s + seconds, 3), end_s=round(s.end_s + seconds, 3))
            for s in challenge.steps
        ),
    )


def camera_clip(challenge: Challenge, kind: str, lead_s: float, seed: int = 1) -> list[Frame]:
    """Frames (RGB) for the fake camera: ``kind`` (liveness.synth) of obama.jpg answering
    ``challenge`` as if recording started ``lead_s`` after the camera opened, then a tail."""
    frames = render(
        read_photo(sample_photos()["obama"]),
        shifted(challenge, lead_s),
        kind,
        random.Random(seed),
        fps=FPS,
        size=SIZE,
    )
    # The tail swings back and forth through the idle end of the clip (no jump in the motion).
    idle = frames[-round(0.5 * FPS) :]
    swing = idle[::-1][1:] + idle[1:]
    tail: list[Frame] = []
    while len(tail) < TAIL_S * FPS:
        tail.extend(swing)
    images = [f.image for f in frames] + [f.image for f in tail[: round(TAIL_S * FPS)]]
    return [Frame(i / FPS, image) for i, image in enumerate(images)]


def write_y4m(frames: list[Frame], path: Path, fps: int = FPS) -> None:
    """A YUV4MPEG2 file (4:2:0), the format Chromium's --use-file-for-fake-video-capture reads."""
    height, width = frames[0].image.shape[:2]
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in frames:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(frame.image, cv2.COLOR_RGB2YUV_I420).tobytes())


def thumbnails(frames: list[Frame]) -> np.ndarray:
    """Small grey copies of the frames, all `content_offset` needs of a clip."""
    return np.stack([_small(f.image) for f in frames])


def _small(image: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (80, 60), interpolation=cv2.INTER_AREA).astype(np.float32)


def content_offset(recording: list[Frame], clip_small: np.ndarray, fps: int = FPS) -> float:
    """Seconds into the clip (given as its `thumbnails`) at which ``recording`` (frames decoded
    from the page's upload, times from its first frame) started: the shift that best lines the
    whole recording up with the clip, to one clip frame."""
    recorded = [(f.t, _small(f.image)) for f in recording]
    best, best_error = 0, float("inf")
    for start in range(len(clip_small)):
        errors = []
        for t, image in recorded:
            index = start + round(t * fps)
            if index >= len(clip_small):
                break
            errors.append(float(np.mean((clip_small[index] - image) ** 2)))
        if len(errors) < len(recorded) // 2:
            break
        error = float(np.mean(errors))
        if error < best_error:
            best, best_error = start, error
    return best / fps


def frame_times(clip: bytes) -> list[float]:
    """Seconds of every frame in a webm/mp4 as its container stamps them (nothing dropped)."""
    with tempfile.NamedTemporaryFile(suffix=".webm") as file:
        file.write(clip)
        file.flush()
        capture = cv2.VideoCapture(file.name, cv2.CAP_FFMPEG)
        times = []
        while capture.grab():
            times.append(capture.get(cv2.CAP_PROP_POS_MSEC) / 1000)
        capture.release()
    return [t - times[0] for t in times] if times else []
