"""The clip renderer: frame timing, real parallax in a genuine turn, blinks, open mouths, attacks."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from liveness import faces
from liveness.synth import main, render, replay_challenge, write_clip
from liveness.types import Action, Challenge, Frame, Step

FPS = 15
# Lead-in, then a turn, a blink and an open mouth, each in its own window.
ACTS = Challenge(
    "synth-test",
    (
        Step(Action.TURN_LEFT, 0.6, 2.1),
        Step(Action.BLINK, 2.1, 3.3),
        Step(Action.OPEN_MOUTH, 3.3, 4.6),
    ),
)


@pytest.fixture(scope="module")
def genuine(rgb: dict[str, np.ndarray]) -> list[Frame]:
    return render(rgb["obama3"], ACTS, "genuine", random.Random(3))


@pytest.fixture(scope="module")
def printed(rgb: dict[str, np.ndarray]) -> list[Frame]:
    # Seed 1 tilts the sheet for the turn, as an attacker imitating it would.
    return render(rgb["obama3"], ACTS, "print", random.Random(1))


@pytest.fixture(scope="module")
def genuine_marks(genuine: list[Frame]) -> list[np.ndarray | None]:
    return [_landmarks(frame.image) for frame in genuine]


def _landmarks(image: np.ndarray) -> np.ndarray | None:
    boxes = faces.detect(image)
    return faces.landmarks(image, boxes[0]) if boxes else None


def _ear(points: np.ndarray) -> float:
    """Eye aspect ratio (Soukupova and Cech), both eyes averaged."""
    ratios = []
    for o in (36, 42):
        p = points[o : o + 6]
        vertical = np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])
        ratios.append(vertical / (2 * np.linalg.norm(p[0] - p[3])))
    return float(np.mean(ratios))


def _mouth(points: np.ndarray) -> float:
    """Inner-lip gap over mouth width."""
    gap = sum(np.linalg.norm(points[60 + k] - points[68 - k]) for k in (1, 2, 3)) / 3
    return float(gap / np.linalg.norm(points[64] - points[60]))


def _in(step: Step, frame: Frame) -> bool:
    return step.start_s <= frame.t <= step.end_s


def _homography_inliers(frontal: np.ndarray, turned: np.ndarray) -> float:
    """Share of ORB matches on the face that one homography explains (1.0 for a flat picture)."""
    box = faces.detect(frontal)[0]
    mask = np.zeros(frontal.shape[:2], np.uint8)
    mask[int(box.top) : int(box.bottom), int(box.left) : int(box.right)] = 255
    orb = cv2.ORB_create(1500)
    grey = [cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) for image in (frontal, turned)]
    keys_a, desc_a = orb.detectAndCompute(grey[0], mask)
    keys_b, desc_b = orb.detectAndCompute(grey[1], None)
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(desc_a, desc_b, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.75 * p[1].distance]
    assert len(good) >= 15
    src = np.float32([keys_a[m.queryIdx].pt for m in good])
    dst = np.float32([keys_b[m.trainIdx].pt for m in good])
    cv2.setRNGSeed(0)
    _, inliers = cv2.findHomography(src, dst, cv2.RANSAC, 3.0)
    return float(inliers.mean())


def test_frames_have_the_size_count_and_times_asked_for(rgb):
    frames = render(rgb["obama2"], ACTS, "static", random.Random(0), fps=10, size=(320, 240))
    assert len(frames) == round((ACTS.duration_s + 0.5) * 10)
    assert [f.t for f in frames] == pytest.approx([i / 10 for i in range(len(frames))])
    assert all(f.image.shape == (240, 320, 3) and f.image.dtype == np.uint8 for f in frames)


def test_genuine_clip_is_640x480_with_a_face_of_realistic_size(genuine, genuine_marks):
    assert len(genuine) == round((ACTS.duration_s + 0.5) * FPS)
    assert genuine[0].image.shape == (480, 640, 3)
    found = [m for m in genuine_marks if m is not None]
    assert len(found) >= 0.9 * len(genuine)
    width = np.median([np.linalg.norm(m[16] - m[0]) for m in found])
    assert 170 <= width <= 270


def test_the_same_seed_renders_the_same_clip(rgb):
    a = render(rgb["obama2"], ACTS, "print", random.Random(5))
    b = render(rgb["obama2"], ACTS, "print", random.Random(5))
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b, strict=True))


def test_a_genuine_turn_shows_parallax_a_tilted_print_does_not(genuine, printed):
    """A head turning moves its nose further than its cheeks: no single homography maps the
    frontal face onto the turned one. A tilted sheet of paper is exactly one homography."""
    turn = ACTS.steps[0]
    genuine_fit = [_homography_inliers(genuine[3].image, f.image) for f in genuine if _in(turn, f)]
    print_fit = [_homography_inliers(printed[3].image, f.image) for f in printed if _in(turn, f)]
    assert min(genuine_fit) < 0.65
    assert np.median(print_fit) > 0.85  # the rest is ORB's mismatches
    assert min(print_fit) - min(genuine_fit) > 0.2


def test_a_genuine_turn_is_to_the_requested_side(genuine, genuine_marks):
    """Turning to one's own left moves the nose towards the image's right (not mirrored)."""
    turn = ACTS.steps[0]

    def nose_offset(m: np.ndarray) -> float:  # nose tip from the jaws' midpoint, in face widths
        return float((m[30, 0] - (m[0, 0] + m[16, 0]) / 2) / (m[16, 0] - m[0, 0]))

    rest = np.median(
        [
            nose_offset(m)
            for f, m in zip(genuine, genuine_marks, strict=True)
            if m is not None and f.t < turn.start_s
        ]
    )
    peak = max(
        nose_offset(m)
        for f, m in zip(genuine, genuine_marks, strict=True)
        if m is not None and _in(turn, f)
    )
    assert peak - rest > 0.12


def test_a_blink_closes_the_eyes_inside_its_window(genuine, genuine_marks):
    blink = ACTS.steps[1]
    inside = [
        _ear(m)
        for f, m in zip(genuine, genuine_marks, strict=True)
        if m is not None and _in(blink, f)
    ]
    rest = [
        _ear(m)
        for f, m in zip(genuine, genuine_marks, strict=True)
        if m is not None and f.t < ACTS.steps[0].start_s
    ]
    assert min(inside) < 0.75 * np.median(rest)
    # and the eyes are open again before the window ends
    last = [
        _ear(m)
        for f, m in zip(genuine, genuine_marks, strict=True)
        if m is not None and blink.end_s - 0.25 <= f.t <= blink.end_s
    ]
    assert min(last) > 0.85 * np.median(rest)


def test_an_open_mouth_raises_the_mouth_ratio_inside_its_window(genuine, genuine_marks):
    mouth = ACTS.steps[2]
    inside = [
        _mouth(m)
        for f, m in zip(genuine, genuine_marks, strict=True)
        if m is not None and _in(mouth, f)
    ]
    before = [
        _mouth(m)
        for f, m in zip(genuine, genuine_marks, strict=True)
        if m is not None and f.t < mouth.start_s
    ]
    assert max(inside) > 0.4
    assert np.median(before) < 0.15


def test_a_static_photo_does_not_move(rgb):
    frames = render(rgb["obama2"], ACTS, "static", random.Random(2))
    smooth = [cv2.GaussianBlur(f.image, (0, 0), 2).astype(np.float32) for f in frames]
    change = max(float(np.mean(np.abs(s - smooth[0]))) for s in smooth)
    assert change < 1.5
    marks = [_landmarks(frames[i].image) for i in (0, len(frames) // 2, len(frames) - 1)]
    eyes = np.linalg.norm(marks[0][36:42].mean(axis=0) - marks[0][42:48].mean(axis=0))
    assert max(np.sqrt(np.mean(np.sum((m - marks[0]) ** 2, axis=1))) for m in marks) < 0.02 * eyes


def test_a_print_shows_its_white_paper_border(printed):
    image = printed[0].image
    box = faces.detect(image)[0]
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    row = grey[int(box.bottom), :]  # across the sheet below the face: photo, margin, background
    assert (row > 200).sum() >= 10  # the paper's white margin is in view


def _spectral_peak(image: np.ndarray) -> float:
    """Strongest peaks of the face's high-passed spectrum over its median (periodic = high);
    NaN when no face is found."""
    boxes = faces.detect(image)
    if not boxes:
        return float("nan")
    box = boxes[0]
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    side, (cx, cy) = int(0.8 * box.width), box.center
    face = grey[int(cy - side / 2) : int(cy + side / 2), int(cx - side / 2) : int(cx + side / 2)]
    face = cv2.resize(face, (128, 128), interpolation=cv2.INTER_AREA)
    high = face - cv2.GaussianBlur(face, (0, 0), 2)
    spectrum = np.abs(np.fft.fft2(high * np.outer(np.hanning(128), np.hanning(128))))
    f = np.fft.fftfreq(128)
    radius = np.hypot(*np.meshgrid(f, f))
    band = spectrum[(radius > 0.08) & (radius < 0.5)]
    return float(np.sort(band)[-6:].mean() / np.median(band))


def test_a_screen_shows_moire_and_a_dark_bezel(rgb):
    static = render(rgb["obama2"], ACTS, "static", random.Random(4))
    screen = render(rgb["obama2"], ACTS, "screen", random.Random(4))
    peaks = {}
    for name, frames in (("static", static), ("screen", screen)):
        measured = [_spectral_peak(f.image) for f in frames[::6]]
        assert np.isfinite(measured).sum() >= 5
        peaks[name] = np.nanmedian(measured)
    assert peaks["screen"] > 1.8 * peaks["static"]
    grey = cv2.cvtColor(screen[0].image, cv2.COLOR_RGB2GRAY)
    dark_columns = (np.median(grey, axis=0) < 45).sum()  # the phone's side bezels
    assert dark_columns >= 8


def test_replay_is_a_genuine_clip_made_for_another_challenge(rgb):
    other = replay_challenge(ACTS, random.Random(7))
    assert [s.action for s in other.steps] != [s.action for s in ACTS.steps]
    replayed = render(rgb["obama2"], ACTS, "replay", random.Random(7))
    rng = random.Random(7)
    assert replay_challenge(ACTS, rng) == other
    recorded = render(rgb["obama2"], other, "genuine", rng)
    assert len(replayed) == len(recorded) == round((other.duration_s + 0.5) * FPS)
    assert all(np.array_equal(a.image, b.image) for a, b in zip(replayed, recorded, strict=True))


def test_impostor_renders_the_other_person(rgb):
    with pytest.raises(ValueError):
        render(rgb["obama2"], ACTS, "impostor", random.Random(0))
    frames = render(rgb["obama2"], ACTS, "impostor", random.Random(0), other_photo=rgb["biden"])
    same = render(rgb["biden"], ACTS, "genuine", random.Random(0))
    assert np.array_equal(frames[10].image, same[10].image)


def test_unknown_kind_and_faceless_photo_are_refused(rgb):
    with pytest.raises(ValueError, match="unknown kind"):
        render(rgb["obama2"], ACTS, "mask", random.Random(0))
    with pytest.raises(ValueError, match="no face"):
        render(np.full((200, 200, 3), 90, np.uint8), ACTS, "genuine", random.Random(0))


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_write_clip_round_trips_through_opencv(tmp_path: Path, rgb, suffix: str):
    frames = render(rgb["obama2"], ACTS, "static", random.Random(0))[:20]
    path = tmp_path / f"clip{suffix}"
    write_clip(frames, path)
    capture = cv2.VideoCapture(str(path))
    decoded = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        decoded.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    capture.release()
    assert len(decoded) == len(frames)
    assert decoded[0].shape == frames[0].image.shape
    assert np.mean(np.abs(decoded[5].astype(np.int16) - frames[5].image)) < 8


def test_command_line_renders_a_clip_and_refuses_bad_arguments(tmp_path: Path, photos, capsys):
    challenge = tmp_path / "challenge.json"
    challenge.write_text(ACTS.to_json(), encoding="utf-8")
    out = tmp_path / "clip.mp4"
    args = argparse.Namespace(
        photo=str(photos["obama2"]),
        challenge=str(challenge),
        kind="static",
        out=str(out),
        seed=3,
        other_photo=None,
        fps=15,
        size="320x240",
    )
    assert main(args) == 0
    assert out.stat().st_size > 1000
    assert main(argparse.Namespace(**{**vars(args), "photo": str(tmp_path / "missing.jpg")})) == 2
    assert main(argparse.Namespace(**{**vars(args), "size": "big"})) == 2
    assert main(argparse.Namespace(**{**vars(args), "kind": "impostor"})) == 2
    assert "synth:" in capsys.readouterr().err
    masked = tmp_path / "masked.mp4"
    with_look = {**vars(args), "look": '{"mask": true}', "out": str(masked)}
    assert main(argparse.Namespace(**with_look)) == 0
    assert masked.stat().st_size > 1000 and masked.read_bytes() != out.read_bytes()
    assert main(argparse.Namespace(**{**with_look, "look": '{"hat": 1}'})) == 2
    assert main(argparse.Namespace(**{**with_look, "look": "[1]"})) == 2
    assert "--look must be a JSON object" in capsys.readouterr().err
