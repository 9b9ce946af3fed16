"""Speed and memory of liveness.verify on one core, against the naive pipeline, in one run.

    .venv/bin/python bench/liveness_bench.py [--runs 5] [--seconds 4]

Builds a 4-second 640x480 clip at 15 fps (60 frames): a genuine synthetic clip from obama2.jpg
rendered by `liveness.synth` (or, if that module is missing, the photo shifted and zoomed a
little frame by frame), and the ID photo (obama.jpg cropped to 120x150, JPEG quality 60).
Everything runs on one thread (OMP/OpenBLAS/MKL threads = 1, cv2.setNumThreads(1)).

Times, after one warm-up call that loads the models:
- verify(reference, frames, challenge): median and best of --runs;
- verify_clip on the same clip encoded as mp4 (decoding included);
- the naive pipeline, once: face_recognition.face_locations + face_encodings on every frame
  at full size with the library's defaults (HOG detector, one upsampling), and the same
  without upsampling ("lean"), each then compared with the reference.
Prints wall times, the ratios, and the peak resident memory of the process after the verify
part and at the end (plus verify_clip's own peak allocations by tracemalloc), against the
targets: verify <= 1.0 s, >= 8x faster than naive, < 500 MB.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from liveness import encode_reference, faces, verify, verify_clip  # noqa: E402
from liveness.samples import sample_photos  # noqa: E402
from liveness.types import Action, Challenge, Frame, Step  # noqa: E402

TARGET_S = 1.0
TARGET_RATIO = 8.0
TARGET_MB = 500.0
SIZE = (640, 480)
FPS = 15
CHALLENGE = Challenge("bench", (Step(Action.TURN_LEFT, 1.0, 2.5), Step(Action.BLINK, 2.5, 4.0)))


def read_rgb(path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def id_card_photo(photo: np.ndarray) -> np.ndarray:
    box = faces.detect(photo, scale=0.5)[0]
    cx, cy = box.center
    width = box.width * 1.6
    x0, y0 = int(cx - width / 2), int(cy - width * 1.25 / 2 - 0.05 * box.width)
    crop = cv2.resize(
        photo[max(0, y0) : y0 + int(width * 1.25), max(0, x0) : x0 + int(width)],
        (120, 150),
        interpolation=cv2.INTER_AREA,
    )
    ok, jpeg = cv2.imencode(
        ".jpg", cv2.cvtColor(crop, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 60]
    )
    return cv2.cvtColor(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def simple_clip(photo: np.ndarray, count: int) -> list[Frame]:
    """The photo framed at 640x480, drifting and zooming a little (no head turn)."""
    box = faces.detect(photo, scale=0.5)[0]
    scale = 0.33 * SIZE[0] / box.width
    cx, cy = box.center
    frames = []
    for i in range(count):
        s = scale * (1 + 0.03 * np.sin(i / 9))
        dx, dy = 6 * np.sin(i / 5), 4 * np.cos(i / 7)
        move = np.float32([[s, 0, SIZE[0] / 2 - s * cx + dx], [0, s, SIZE[1] * 0.45 - s * cy + dy]])
        frames.append(
            Frame(i / FPS, cv2.warpAffine(photo, move, SIZE, borderMode=cv2.BORDER_REPLICATE))
        )
    return frames


def make_clip(photo: np.ndarray, seconds: float) -> tuple[list[Frame], str]:
    count = round(seconds * FPS)
    try:
        from liveness import synth
    except ImportError:
        return simple_clip(photo, count), "shifted photo (liveness.synth not available)"
    frames = synth.render(photo, CHALLENGE, "genuine", random.Random(1), fps=FPS, size=SIZE)
    return frames[:count], "liveness.synth genuine"


def as_mp4(frames: list[Frame]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
        for frame in frames:
            writer.write(cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR))
        writer.release()
        return path.read_bytes()


def naive(frames: list[Frame], template: np.ndarray, upsample: int) -> tuple[float, float]:
    """Detect and encode every frame at full size with face_recognition; (seconds, best distance)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import face_recognition
    started = time.perf_counter()
    best = float("inf")
    for frame in frames:
        boxes = face_recognition.face_locations(frame.image, number_of_times_to_upsample=upsample)
        for encoding in face_recognition.face_encodings(frame.image, boxes):
            best = min(best, float(np.linalg.norm(encoding - template)))
    return time.perf_counter() - started, best


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    cv2.setNumThreads(1)

    photos = sample_photos()
    started = time.perf_counter()
    reference = encode_reference(id_card_photo(read_rgb(photos["obama"])))
    enrol_s = time.perf_counter() - started
    frames, source = make_clip(read_rgb(photos["obama2"]), args.seconds)
    clip = as_mp4(frames)
    print(
        f"clip: {len(frames)} frames {SIZE[0]}x{SIZE[1]} at {FPS} fps ({source}); mp4 {len(clip) / 1024:.0f} KiB"
    )
    print(
        f"encode_reference (ID photo, 10 jitters; first call, so loading the models too): {enrol_s:.2f} s"
    )

    verdict = verify(reference, frames, CHALLENGE)  # warm-up
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        verdict = verify(reference, frames, CHALLENGE)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    started = time.perf_counter()
    clip_verdict = verify_clip(reference, clip, CHALLENGE)
    clip_s = time.perf_counter() - started
    own_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    verify_mb = peak_mb()
    median = statistics.median(times)
    print(
        f"verify: median {median:.3f} s, best {min(times):.3f} s over {args.runs} runs "
        f"(target {TARGET_S:.1f} s, ratio to target {median / TARGET_S:.2f}); "
        f"decision {verdict.decision}, match distance {verdict.scores.get('match_distance', float('nan')):.3f}"
    )
    print(
        "  stages (ms, last run): "
        + ", ".join(f"{k} {v:.0f}" for k, v in verdict.timings_ms.items())
    )
    print(f"verify_clip (mp4 decode + verify): {clip_s:.3f} s; decision {clip_verdict.decision}")
    print(
        f"peak resident memory after verify: {verify_mb:.0f} MB (target < {TARGET_MB:.0f} MB; "
        f"the process also rendered the clip); verify_clip's own peak allocations "
        f"(tracemalloc, NumPy included, dlib's not): {own_mb:.0f} MB"
    )

    for label, upsample in (
        ("naive (face_recognition defaults, 1 upsample)", 1),
        ("naive lean (no upsample)", 0),
    ):
        seconds, distance = naive(frames, reference.encoding, upsample)
        print(
            f"{label}: {seconds:.2f} s, best distance {distance:.3f}; "
            f"verify is {seconds / median:.1f}x faster (target >= {TARGET_RATIO:.0f}x)"
        )
    print(f"peak resident memory at the end: {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
