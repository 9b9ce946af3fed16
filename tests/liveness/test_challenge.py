"""new_challenge: random, 2 or 3 steps, ordered windows, JSON both ways."""

from __future__ import annotations

import json
import random

import pytest

from liveness.challenge import new_challenge
from liveness.types import Action, Challenge


def draws(count: int = 400) -> list[Challenge]:
    rng = random.Random(2024)
    return [new_challenge(rng) for _ in range(count)]


def test_each_challenge_has_2_or_3_ordered_windows_within_6_seconds():
    for challenge in draws():
        assert 2 <= len(challenge.steps) <= 3
        assert 0.8 <= challenge.steps[0].start_s <= 1.2  # a lead-in to settle, facing the camera
        for step in challenge.steps:
            assert 1.3 <= step.end_s - step.start_s <= 1.7
        for before, after in zip(challenge.steps, challenge.steps[1:], strict=False):
            assert before.end_s == after.start_s
            assert before.action != after.action  # never the same action twice in a row
        assert challenge.duration_s <= 6.0


def test_challenges_are_random_but_reproducible_from_a_seed():
    many = draws()
    sequences = {tuple(s.action for s in c.steps) for c in many}
    assert len(sequences) >= 40  # of the 48 possible orders
    assert {a for seq in sequences for a in seq} == set(Action)
    assert {len(c.steps) for c in many} == {2, 3}
    assert len({c.id for c in many}) == len(many)
    assert new_challenge(random.Random(7)) == new_challenge(random.Random(7))
    assert new_challenge(random.Random(7)) != new_challenge(random.Random(8))


def test_json_round_trip():
    for challenge in draws(20):
        text = challenge.to_json()
        assert Challenge.from_json(text) == challenge
        assert json.loads(text)["steps"][0]["action"] in {a.value for a in Action}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        "{}",
        '{"id": "x"}',
        '{"id": "x", "steps": []}',
        '{"id": "x", "steps": [{"action": "dance", "start_s": 1, "end_s": 2}]}',
        '{"id": "x", "steps": [{"action": "blink", "start_s": 2, "end_s": 1}]}',
        '{"id": "x", "steps": [{"action": "blink", "start_s": -1, "end_s": 1}]}',
        '{"id": "x", "steps": [{"action": "blink", "start_s": "soon", "end_s": 1}]}',
        '{"id": "x", "steps": "blink"}',
    ],
)
def test_malformed_json_is_a_value_error(text):
    with pytest.raises(ValueError, match="not a challenge"):
        Challenge.from_json(text)
