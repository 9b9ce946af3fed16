"""frames_from_video / frames_from_images, and verify_clip on every kind of bad clip."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from liveness.types import VideoLimits, VideoRejected
from liveness.verify import verify_clip
from liveness.video import frames_from_images, frames_from_video

CODECS = {".mp4": "mp4v", ".webm": "VP80"}


def write_clip(path: Path, frames: list[np.ndarray], fps: float = 15) -> bytes:
    """Encode RGB frames with OpenCV; returns the file's bytes."""
    height, width = frames[0].shape[:2] if frames else (64, 64)
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*CODECS[path.suffix]), fps, (width, height)
    )
    assert writer.isOpened()
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path.read_bytes()


def coloured(count: int, size: tuple[int, int] = (160, 120)) -> list[np.ndarray]:
    """Frames that are mostly red, each with a moving white square."""
    frames = []
    for i in range(count):
        frame = np.zeros((size[1], size[0], 3), np.uint8)
        frame[..., 0] = 200
        frame[10:30, 5 + 4 * i : 25 + 4 * i] = 255
        frames.append(frame)
    return frames


def refusal(data: bytes, limits: VideoLimits = VideoLimits()) -> str:
    with pytest.raises(VideoRejected) as caught:
        frames_from_video(data, limits)
    return caught.value.reason.code


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_round_trip(tmp_path, suffix):
    data = write_clip(tmp_path / f"clip{suffix}", coloured(20))
    frames = frames_from_video(data)
    assert len(frames) == 20
    assert frames[0].t == 0.0
    steps = np.diff([f.t for f in frames])
    assert np.allclose(steps, 1 / 15, atol=0.005)
    image = frames[5].image
    assert image.shape == (120, 160, 3) and image.dtype == np.uint8
    assert image[100, 100, 0] > 150 > image[100, 100, 2]  # RGB order, red stays red


def test_faster_clips_are_thinned_to_15_fps_and_big_frames_shrunk(tmp_path):
    data = write_clip(tmp_path / "fast.mp4", coloured(30, (1280, 720)), fps=30)
    frames = frames_from_video(data)
    assert len(frames) == 15
    assert frames[0].image.shape == (540, 960, 3)


def test_corrupt_truncated_and_non_video_bytes(tmp_path, id_photo):
    data = write_clip(tmp_path / "clip.mp4", coloured(20))
    assert refusal(data[: len(data) // 2]) in {"unreadable_video", "too_few_frames"}
    assert refusal(data[:100]) == "unreadable_video"
    assert refusal(np.random.default_rng(1).bytes(5000)) == "unreadable_video"
    assert refusal(b"") == "unreadable_video"
    ok, jpeg = cv2.imencode(".jpg", id_photo)
    assert refusal(jpeg.tobytes()) in {"unreadable_video", "too_few_frames"}


def test_zero_frames(tmp_path):
    assert refusal(write_clip(tmp_path / "empty.mp4", [])) == "unreadable_video"


def test_too_few_frames(tmp_path):
    assert refusal(write_clip(tmp_path / "short.mp4", coloured(4))) == "too_few_frames"


def test_too_large(tmp_path):
    data = write_clip(tmp_path / "clip.mp4", coloured(20))
    assert refusal(data, VideoLimits(max_bytes=len(data) - 1)) == "video_too_large"


def test_too_long_is_refused_from_the_header(tmp_path):
    # 20 tiny frames at 1 frame per second: a 20 s clip for a few hundred bytes.
    data = write_clip(tmp_path / "long.mp4", coloured(20, (32, 32)), fps=1)
    assert refusal(data) == "video_too_long"


def test_too_many_frames(tmp_path):
    data = write_clip(tmp_path / "many.mp4", coloured(40, (32, 32)), fps=30)
    assert refusal(data, VideoLimits(max_frames=30)) == "too_many_frames"


def test_resolution_too_high_is_refused_before_decoding(tmp_path):
    data = write_clip(tmp_path / "8k.mp4", [np.zeros((4320, 7680, 3), np.uint8)])
    assert refusal(data) == "resolution_too_high"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: b"", "unreadable_video"),
        (lambda p: b"\x00" * 4096, "unreadable_video"),
        (lambda p: write_clip(p / "empty.mp4", []), "unreadable_video"),
        (lambda p: write_clip(p / "long.mp4", coloured(20, (32, 32)), fps=1), "video_too_long"),
        (
            lambda p: write_clip(p / "8k.mp4", [np.zeros((4320, 7680, 3), np.uint8)]),
            "resolution_too_high",
        ),
        (lambda p: write_clip(p / "red.webm", coloured(20)), "no_face_in_clip"),
    ],
    ids=["empty", "zeros", "zero-frames", "too-long", "8k", "no-face"],
)
def test_verify_clip_never_raises(tmp_path, reference, challenge, make, code):
    verdict = verify_clip(reference, make(tmp_path), challenge)
    assert verdict.decision == "rejected"
    assert [r.code for r in verdict.reasons] == [code]
    assert verdict.reasons[0].th


def test_frames_from_canvas_images(id_photo):
    jpegs = [(0.5 + i / 10, cv2.imencode(".jpg", id_photo)[1].tobytes()) for i in range(10)]
    frames = frames_from_images(reversed(jpegs))
    assert [round(f.t, 2) for f in frames] == [round(i / 10, 2) for i in range(10)]
    assert frames[0].image.shape == id_photo.shape


def test_canvas_images_are_checked_like_a_clip(id_photo):
    good = cv2.imencode(".jpg", id_photo)[1].tobytes()
    wide = cv2.imencode(".jpg", np.zeros((40, 2000, 3), np.uint8))[1].tobytes()
    cases = {
        "unreadable_video": [(i / 10, good if i else b"junk") for i in range(10)],
        "too_few_frames": [(0.0, good)],
        "resolution_too_high": [(i / 10, wide) for i in range(10)],
        "video_too_long": [(i * 2.0, good) for i in range(10)],
        "too_many_frames": [(i / 100, good) for i in range(500)],
    }
    for code, images in cases.items():
        with pytest.raises(VideoRejected) as caught:
            frames_from_images(images)
        assert caught.value.reason.code == code
