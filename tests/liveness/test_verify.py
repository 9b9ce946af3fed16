"""verify and verify_clip end to end, and the command line."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from liveness import verify, verify_clip
from liveness.types import Action, Challenge, Frame, Step, Thresholds, Verdict

from .conftest import on_canvas, still_frames

ROOT = Path(__file__).resolve().parents[2]
SCORES = {
    "match_distance",
    "same_person_max_distance",
    "yaw_left_max",
    "yaw_right_max",
    "ear_open",
    "ear_min",
    "mouth_max",
    "planar_residual",
    "motion",
    "moire",
    "edges",
    "brightness",
    "frames_used",
    "faces_max",
    "face_width_px",
}


def codes(verdict: Verdict) -> list[str]:
    return [r.code for r in verdict.reasons]


@pytest.fixture(scope="module")
def biden_frames(synth, rgb, challenge):
    return synth.render(rgb["biden"], challenge, "genuine", random.Random(12))


def test_a_genuine_clip_is_verified_with_every_score(reference, genuine_frames, challenge):
    verdict = verify(reference, genuine_frames, challenge)
    assert verdict.decision == "verified", verdict.to_json()
    assert codes(verdict) == ["verified"] and verdict.reasons[0].th
    assert SCORES <= set(verdict.scores)
    assert verdict.scores["match_distance"] <= 0.55
    assert verdict.scores["faces_max"] == 1
    assert {"track", "liveness", "cues", "encode", "total"} <= set(verdict.timings_ms)
    assert len(verdict.evidence_frames) == 3
    assert all(0 <= i < len(genuine_frames) for i in verdict.evidence_frames)
    as_json = json.loads(verdict.to_json())
    assert set(as_json) == {"decision", "reasons", "scores", "timings_ms", "evidence_frames"}


def test_a_still_photo_is_rejected_for_no_motion(reference, rgb, challenge):
    verdict = verify(reference, still_frames(on_canvas(rgb["obama2"], 220)), challenge)
    assert verdict.decision == "rejected"
    assert "no_motion" in codes(verdict)
    assert "challenge_not_completed" in codes(verdict)


def test_another_person_is_a_face_mismatch(reference, biden_frames, challenge):
    verdict = verify(reference, biden_frames, challenge)
    assert verdict.decision == "rejected"
    assert codes(verdict) == ["face_mismatch"]
    assert verdict.scores["match_distance"] > 0.65


def test_a_face_swapped_mid_clip_is_caught(reference, genuine_frames, biden_frames, challenge):
    half = len(genuine_frames) // 2
    swapped = genuine_frames[:half] + biden_frames[half : len(genuine_frames)]
    verdict = verify(reference, swapped, challenge)
    assert verdict.decision == "rejected"
    assert "face_changed" in codes(verdict)
    assert verdict.scores["same_person_max_distance"] > 0.6


def test_a_clip_made_for_another_challenge_fails_it(reference, genuine_frames):
    other = Challenge(
        "other", (Step(Action.TURN_RIGHT, 1.0, 2.5), Step(Action.OPEN_MOUTH, 2.5, 4.0))
    )
    verdict = verify(reference, genuine_frames, other)
    assert verdict.decision == "rejected"
    assert codes(verdict) == ["challenge_not_completed"]
    assert "turn your head to your right" in verdict.reasons[0].en


def test_two_faces_in_the_clip(reference, rgb, challenge):
    pair = np.hstack(
        [on_canvas(rgb["obama2"], 150, (320, 480)), on_canvas(rgb["biden"], 150, (320, 480))]
    )
    verdict = verify(reference, still_frames(pair), challenge)
    assert (verdict.decision, codes(verdict)) == ("rejected", ["several_faces_in_clip"])


def test_a_tiny_face(reference, rgb, challenge):
    verdict = verify(reference, still_frames(on_canvas(rgb["obama2"], 50)), challenge)
    assert (verdict.decision, codes(verdict)) == ("rejected", ["face_too_small_in_clip"])


def test_no_face(reference, challenge):
    verdict = verify(reference, still_frames(np.full((480, 640, 3), 90, np.uint8)), challenge)
    assert (verdict.decision, codes(verdict)) == ("rejected", ["no_face_in_clip"])


def test_a_dark_clip(reference, rgb, challenge):
    dark = (on_canvas(rgb["obama2"], 220).astype(np.float32) * 0.15).astype(np.uint8)
    verdict = verify(reference, still_frames(dark), challenge)
    assert verdict.decision == "rejected" and "too_dark" in codes(verdict)


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        ([], "too_few_frames"),
        ([Frame(i / 15, np.zeros((48, 64, 3), np.uint8)) for i in range(3)], "too_few_frames"),
        (
            [Frame(i / 15, np.zeros((20, 2000, 3), np.uint8)) for i in range(10)],
            "resolution_too_high",
        ),
        ([Frame(i / 15, np.zeros((48, 64, 3), np.uint8)) for i in range(500)], "too_many_frames"),
        ([Frame(i * 2.0, np.zeros((48, 64, 3), np.uint8)) for i in range(10)], "video_too_long"),
        ([Frame(i / 15, "not an image") for i in range(10)], "unreadable_video"),
        ([Frame(i / 15, np.zeros((48, 64), np.uint8)) for i in range(10)], "unreadable_video"),
        (None, "unreadable_video"),
        ([object()] * 10, "unreadable_video"),
    ],
    ids=["zero", "three", "too-wide", "too-many", "too-long", "strings", "grey", "none", "objects"],
)
def test_bad_frames_are_rejected_with_a_reason(reference, challenge, frames, code):
    verdict = verify(reference, frames, challenge)
    assert (verdict.decision, codes(verdict)) == ("rejected", [code])


def test_a_broken_reference_or_challenge_goes_to_review(genuine_frames, challenge, reference):
    assert codes(verify(np.zeros(3), genuine_frames, challenge)) == ["analysis_failed"]
    verdict = verify(reference, genuine_frames, "blink please")
    assert (verdict.decision, codes(verdict)) == ("review", ["analysis_failed"])


def test_verify_clip_decodes_and_adds_the_decode_time(
    tmp_path, synth, reference, genuine_frames, challenge
):
    path = tmp_path / "clip.mp4"
    synth.write_clip(genuine_frames, path)
    verdict = verify_clip(reference, path.read_bytes(), challenge)
    assert verdict.decision == "verified", verdict.to_json()
    assert verdict.timings_ms["decode"] > 0
    assert verdict.timings_ms["total"] >= verdict.timings_ms["decode"]


# --- The command line -----------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "liveness", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory, synth, id_photo, genuine_frames, challenge) -> dict[str, Path]:
    import cv2

    folder = tmp_path_factory.mktemp("cli")
    paths = {
        "photo": folder / "id.jpg",
        "clip": folder / "clip.mp4",
        "challenge": folder / "challenge.json",
        "blank": folder / "blank.png",
        "bad": folder / "bad.json",
    }
    cv2.imwrite(str(paths["photo"]), cv2.cvtColor(id_photo, cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(paths["blank"]), np.full((150, 120, 3), 200, np.uint8))
    synth.write_clip(genuine_frames, paths["clip"])
    paths["challenge"].write_text(challenge.to_json(), encoding="utf-8")
    paths["bad"].write_text('{"steps": "blink"}', encoding="utf-8")
    return paths


def test_cli_challenge_is_reproducible_json():
    first, again = run("challenge", "--seed", "5"), run("challenge", "--seed", "5")
    assert first.returncode == 0 and first.stdout == again.stdout
    challenge = Challenge.from_json(first.stdout)
    assert 2 <= len(challenge.steps) <= 3
    assert Challenge.from_json(run("challenge").stdout).id != challenge.id


def test_cli_verify_prints_one_json_verdict(files):
    done = run(
        "verify",
        "--id-photo",
        str(files["photo"]),
        "--clip",
        str(files["clip"]),
        "--challenge",
        str(files["challenge"]),
    )
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["decision"] == "verified"
    assert {"decision", "reasons", "scores", "timings_ms"} <= set(verdict)


def test_cli_verify_exits_0_for_a_rejected_clip(files):
    done = run(
        "verify",
        "--id-photo",
        str(files["photo"]),
        "--clip",
        str(files["blank"]),
        "--challenge",
        str(files["challenge"]),
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["decision"] == "rejected"


@pytest.mark.parametrize(
    ("photo", "clip", "script", "code"),
    [
        ("missing", "clip", "challenge", "missing_file"),
        ("photo", "missing", "challenge", "missing_file"),
        ("photo", "clip", "bad", "bad_challenge"),
        ("blank", "clip", "challenge", "no_face"),
    ],
)
def test_cli_verify_exits_2_for_unusable_arguments(files, tmp_path, photo, clip, script, code):
    path = lambda key: str(files.get(key, tmp_path / "missing.file"))  # noqa: E731
    done = run(
        "verify", "--id-photo", path(photo), "--clip", path(clip), "--challenge", path(script)
    )
    assert done.returncode == 2
    assert done.stderr.strip()
    assert json.loads(done.stdout)["error"]["code"] == code


def test_cli_usage_errors_exit_2():
    assert run("verify", "--clip", "x").returncode == 2
    assert run().returncode == 2
    assert run("challenge", "--seed", "many").returncode == 2


def test_a_face_swapped_for_a_moment_is_caught(reference, genuine_frames, biden_frames, challenge):
    # Biden for a third of a second in the middle: between the frames chosen for the match.
    swapped = list(genuine_frames)
    middle = len(swapped) // 2
    swapped[middle : middle + 5] = biden_frames[middle : middle + 5]
    verdict = verify(reference, swapped, challenge)
    assert verdict.decision == "rejected"
    assert "face_changed" in codes(verdict)
    assert verdict.scores["continuity_min"] < 0.25


def test_a_distance_in_the_review_band_goes_to_an_officer(reference, genuine_frames, challenge):
    # Narrow the accept band so this genuine clip's distance falls between accept and review.
    verdict = verify(reference, genuine_frames, challenge)
    distance = verdict.scores["match_distance"]
    narrowed = Thresholds(match_accept=distance - 0.05, match_review=distance + 0.05)
    review = verify(reference, genuine_frames, challenge, thresholds=narrowed)
    assert review.decision == "review"
    assert codes(review) == ["match_uncertain"]
    assert review.reasons[0].th and review.reasons[0].en
