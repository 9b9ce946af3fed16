"""new_challenge: random, 2 or 3 steps, ordered windows, JSON both ways."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liveness.challenge import (
    MAX_STEPS,
    MIN_SEQUENCES,
    RECENT_RECORDINGS,
    SEQUENCES,
    STRUGGLED_MISSES,
    missed_step,
    new_challenge,
    sequence_counts,
    struggled_with,
)
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


def test_a_face_that_allows_three_actions_gets_at_least_24_sequences_of_them():
    allowed = (Action.TURN_LEFT, Action.TURN_RIGHT, Action.BLINK)
    rng = random.Random(5)
    many = [new_challenge(rng, allowed) for _ in range(1500)]
    sequences = {tuple(s.action for s in c.steps) for c in many}
    assert all(a in allowed for seq in sequences for a in seq)
    assert len(sequences) >= 40  # of 6 + 12 + 24 = 42
    assert {len(c.steps) for c in many} == {2, 3, 4}
    for challenge in many:
        assert all(
            b.action != a.action for a, b in zip(challenge.steps, challenge.steps[1:], strict=False)
        )
        assert challenge.duration_s <= 1.2 + 4 * 1.6 + 1e-9


def test_all_four_actions_draw_as_before():
    assert SEQUENCES == {2: 12, 3: 36}
    assert new_challenge(random.Random(7)) == new_challenge(random.Random(7), tuple(Action))


@pytest.mark.parametrize("allowed", [(), (Action.BLINK,), (Action.TURN_LEFT, Action.TURN_RIGHT)])
def test_too_few_actions_are_refused(allowed):
    with pytest.raises(ValueError, match="a challenge needs at least 24"):
        new_challenge(random.Random(1), allowed)


@given(st.sets(st.sampled_from(list(Action)), min_size=3), st.integers(0, 2**32))
def test_every_draw_uses_only_allowed_actions_in_ordered_windows(allowed, seed):
    challenge = new_challenge(random.Random(seed), allowed)
    assert {s.action for s in challenge.steps} <= allowed
    assert 2 <= len(challenge.steps) <= MAX_STEPS
    assert sum(sequence_counts(len(allowed)).values()) >= MIN_SEQUENCES
    for before, after in zip(challenge.steps, challenge.steps[1:], strict=False):
        assert before.end_s == after.start_s and before.action != after.action
    assert Challenge.from_json(challenge.to_json()) == challenge


def test_the_step_a_recording_stopped_at():
    assert missed_step(["blink", "open_mouth"], 0) == "blink"
    assert missed_step(["blink", "open_mouth"], 1) == "open_mouth"
    assert missed_step(["blink", "open_mouth"], 2) is None  # all done: refused for another reason
    assert missed_step([], 0) is None and missed_step(["blink"], -1) is None


def test_an_action_missed_twice_of_the_last_three_is_left_out_once_only_is_not():
    assert struggled_with(["open_mouth", None, "open_mouth"]) == "open_mouth"
    assert struggled_with(["open_mouth", "blink", None]) is None
    assert struggled_with(["blink"]) is None
    assert struggled_with([]) is None
    # Only the last three count (newest first).
    assert struggled_with(["blink", None, None, "blink", "blink"]) is None


ACTION_OR_NONE = st.one_of(st.none(), st.sampled_from([a.value for a in Action]))


@given(st.lists(ACTION_OR_NONE, max_size=8))
def test_what_is_left_out_was_missed_often_enough_and_three_actions_remain(missed):
    action = struggled_with(missed)
    recent = missed[:RECENT_RECORDINGS]
    if action is None:
        assert all(recent.count(a) < STRUGGLED_MISSES for a in set(recent) if a is not None)
    else:
        assert recent.count(action) >= STRUGGLED_MISSES
        challenge = new_challenge(random.Random(len(missed)), [a for a in Action if a != action])
        assert action not in {s.action for s in challenge.steps}
