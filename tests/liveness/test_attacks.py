"""End to end, each species of clip through the codec and `verify_clip`, as the service does it.

The ID photo is made as in the evaluation (obama.jpg cropped to 120x150, JPEG quality 60);
each clip answers its own random challenge. A few clips per species only: the full set of 180
is `python -m liveness evaluate --generate DIR` (docs/liveness.md).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from liveness.challenge import new_challenge
from liveness.evaluate import id_photo_jpeg
from liveness.reference import encode_reference
from liveness.synth import read_photo, render, write_clip
from liveness.types import Reference
from liveness.verify import verify_clip

# species -> (source photo, seed) for each clip; an attack must be refused with one of EXPECTED.
CLIPS = {
    "genuine": [("obama2", 101), ("obama3", 102), ("obama3", 103)],
    "impostor": [("biden", 201), ("astronaut", 202)],
    "static": [("obama2", 301), ("obama3", 302)],
    "print": [("obama2", 401), ("obama3", 402)],
    "screen": [("obama2", 501), ("obama3", 502)],
    "replay": [("obama2", 601), ("obama3", 602)],
}
EXPECTED = {
    "impostor": {"face_mismatch"},
    "static": {"no_motion", "challenge_not_completed"},
    "print": {"flat_face", "border_suspected", "challenge_not_completed"},
    # A screen may play a genuine clip that answers the challenge: a screen cue must fire.
    "screen": {"screen_suspected", "border_suspected"},
    "replay": {"challenge_not_completed"},
}


@pytest.fixture(scope="module")
def id_reference(photos: dict[str, Path]) -> Reference:
    return encode_reference(id_photo_jpeg(photos["obama"]))


def _verdict(
    species: str,
    source: str,
    seed: int,
    photos: dict[str, Path],
    reference: Reference,
    tmp_path: Path,
):
    challenge = new_challenge(random.Random(seed))
    photo = read_photo(photos[source])
    frames = render(
        photo,
        challenge,
        species,
        random.Random(seed),
        other_photo=photo if species == "impostor" else None,
    )
    clip = tmp_path / f"{species}_{seed}.mp4"
    write_clip(frames, clip)
    return verify_clip(reference, clip.read_bytes(), challenge)


@pytest.mark.parametrize(("source", "seed"), CLIPS["genuine"])
def test_a_genuine_clip_of_the_right_person_is_verified(
    source, seed, photos, id_reference, tmp_path
):
    verdict = _verdict("genuine", source, seed, photos, id_reference, tmp_path)
    assert verdict.decision == "verified", verdict.to_dict()
    assert verdict.scores["match_distance"] <= 0.5


@pytest.mark.parametrize(
    ("species", "source", "seed"),
    [(species, source, seed) for species in EXPECTED for source, seed in CLIPS[species]],
)
def test_an_attack_is_not_verified_and_says_why(
    species, source, seed, photos, id_reference, tmp_path
):
    verdict = _verdict(species, source, seed, photos, id_reference, tmp_path)
    codes = {r.code for r in verdict.reasons}
    assert verdict.decision == "rejected", verdict.to_dict()
    assert codes & EXPECTED[species], verdict.to_dict()
