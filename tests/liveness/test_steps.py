"""The challenge's rules on measured frames: what counts as each action, kindly when asked for
and strictly when not; and the moire rule that tells a screen from darker skin."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from liveness.cues import MOIRE_COLOUR, MOIRE_PEAK, MOIRE_PEAK_WITH_COLOUR, moire_score
from liveness.measures import Baseline, Measure
from liveness.steps import doing, judge_steps
from liveness.types import Action, Challenge, Step, Thresholds

TH = Thresholds()
BASE = Baseline(yaw=0.0, ear=0.30, eye_open=0.20, mouth=0.03)


def frame(t: float, *, ear: float = 0.30, eye_open: float = 0.20, mouth: float = 0.03) -> Measure:
    return Measure(
        index=round(t * 15),
        t=t,
        points=np.zeros((68, 2)),
        yaw=0.0,
        pitch=0.0,
        ear=ear,
        eye_open=eye_open,
        mouth=mouth,
        width=200.0,
        chip=np.zeros((32, 32), np.float32),
    )


def clip(changes: dict[float, dict[str, float]], seconds: float = 4.0) -> list[Measure]:
    """Frames at 15 fps at rest, except at the given times."""
    return [frame(i / 15, **changes.get(round(i / 15, 2), {})) for i in range(int(seconds * 15))]


MOUTH = Challenge("m", (Step(Action.OPEN_MOUTH, 1.0, 2.5),))
BLINK = Challenge("b", (Step(Action.BLINK, 1.0, 2.5),))


def test_a_requested_open_mouth_may_be_a_smaller_gap_that_rises_from_rest():
    opened = {1.6: {"mouth": 0.28}, 1.67: {"mouth": 0.3}}  # a beard's inner lips: 0.28-0.30
    assert judge_steps(clip(opened), BASE, MOUTH, TH, {}) == []
    too_little = {1.6: {"mouth": 0.2}}  # under mouth_step_ratio
    assert judge_steps(clip(too_little), BASE, MOUTH, TH, {}) != []
    # A mouth already half open at rest must rise by mouth_step_rise, not just reach 0.25.
    parted = Baseline(yaw=0.0, ear=0.30, eye_open=0.20, mouth=0.15)
    assert judge_steps(clip({1.6: {"mouth": 0.3}}), parted, MOUTH, TH, {}) != []


def test_a_stray_open_mouth_still_needs_the_strict_ratio():
    small = frame(0.0, mouth=0.3)
    assert doing(small, Action.OPEN_MOUTH, BASE, TH, requested=True)
    assert not doing(small, Action.OPEN_MOUTH, BASE, TH)
    turn = Challenge("t", (Step(Action.TURN_LEFT, 1.0, 2.5),))
    scores: dict[str, float] = {}
    talking = {2.0 + k / 15: {"mouth": 0.3} for k in range(5)}
    judge_steps(clip({round(t, 2): v for t, v in talking.items()}), BASE, turn, TH, scores)
    assert scores["unrequested_actions"] == 0  # a small stray gap is not an action
    wide = {round(2.0 + k / 15, 2): {"mouth": 0.45} for k in range(5)}
    judge_steps(clip(wide), BASE, turn, TH, scores)
    assert scores["unrequested_actions"] == 1


def test_a_requested_blink_may_be_two_shallow_frames_in_a_row_but_not_one():
    shallow = {"ear": 0.84 * 0.30, "eye_open": 0.84 * 0.20}  # under 0.86, over 0.78
    assert judge_steps(clip({1.6: shallow, 1.67: shallow}), BASE, BLINK, TH, {}) == []
    assert judge_steps(clip({1.6: shallow}), BASE, BLINK, TH, {}) != []
    apart = {1.6: shallow, 1.8: shallow}
    assert judge_steps(clip(apart), BASE, BLINK, TH, {}) != []
    one_measure = {"ear": 0.84 * 0.30, "eye_open": 0.95 * 0.20}  # the eyelid gap did not close
    assert judge_steps(clip({1.6: one_measure, 1.67: one_measure}), BASE, BLINK, TH, {}) != []
    deep = {"ear": 0.7 * 0.30, "eye_open": 0.7 * 0.20}
    assert judge_steps(clip({1.6: deep}), BASE, BLINK, TH, {}) == []


@given(st.floats(0, 2), st.floats(0, 3))
def test_the_moire_score_is_a_screen_exactly_when_the_rule_says(colour, peak):
    screen = peak > MOIRE_PEAK or (colour > MOIRE_COLOUR and peak > MOIRE_PEAK_WITH_COLOUR)
    score = moire_score(colour, peak)
    if abs(score - 1.0) > 1e-9:
        assert (score > 1.0) == screen


def test_fine_colour_alone_is_not_a_screen():
    # Genuine faces with fine colour over 0.28 (darker skin, glasses) had peaks up to 0.90.
    assert moire_score(0.34, 0.90) < 1.0
    assert moire_score(0.30, 1.006) > 1.0  # the faintest screen
    assert moire_score(0.2, 1.1) > 1.0
