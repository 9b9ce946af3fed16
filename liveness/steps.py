"""Whether the challenge was answered: each step inside its window and in order, nothing else."""

from __future__ import annotations

import math

from liveness.measures import Baseline, Measure
from liveness.reasons import Finding
from liveness.types import Action, Challenge, Thresholds


def doing(m: Measure, action: Action, base: Baseline, th: Thresholds) -> bool:
    """Whether the frame shows ``action``, against the person's own rest pose."""
    if action == Action.TURN_LEFT:
        return m.yaw - base.yaw >= th.turn_yaw_deg
    if action == Action.TURN_RIGHT:
        return base.yaw - m.yaw >= th.turn_yaw_deg
    if action == Action.BLINK:
        return m.ear <= th.blink_ratio * base.ear and m.eye_open <= th.blink_ratio * base.eye_open
    return m.mouth >= th.mouth_open_ratio and m.mouth - base.mouth >= th.mouth_open_ratio / 2


def judge_steps(
    measures: list[Measure],
    base: Baseline,
    challenge: Challenge,
    th: Thresholds,
    scores: dict[str, float],
) -> list[Finding]:
    """`challenge_not_completed` (naming the action) for a step missed or an unrequested one."""
    scores["yaw_frontal"] = base.yaw
    scores["yaw_left_max"] = max(m.yaw - base.yaw for m in measures)
    scores["yaw_right_max"] = max(base.yaw - m.yaw for m in measures)
    scores["ear_open"] = base.ear
    scores["ear_min"] = min(m.ear for m in measures)
    scores["ear_min_ratio"] = scores["ear_min"] / max(base.ear, 1e-6)
    scores["eye_open_min_ratio"] = min(m.eye_open for m in measures) / max(base.eye_open, 1e-6)
    scores["mouth_closed"] = base.mouth
    scores["mouth_max"] = max(m.mouth for m in measures)
    codes: list[Finding] = []
    done = 0
    after = -math.inf
    slack = th.window_slack_s
    for step in challenge.steps:
        hits = [
            m.t
            for m in measures
            if step.start_s - slack <= m.t <= step.end_s + slack
            and m.t > after
            and doing(m, step.action, base, th)
        ]
        if not hits:
            codes.append(("challenge_not_completed", step.action))
            break
        after = hits[0]
        done += 1
    scores["steps_completed"] = done
    # A deliberate action where the challenge asked for another: a clip made for some other
    # challenge. Blinks are left out, people blink anyway.
    unrequested = 0
    for action in (Action.TURN_LEFT, Action.TURN_RIGHT, Action.OPEN_MOUTH):
        windows = [
            (s.start_s - slack, s.end_s + slack) for s in challenge.steps if s.action == action
        ]
        run = 0
        for m in measures:
            stray = doing(m, action, base, th) and not any(a <= m.t <= b for a, b in windows)
            run = run + 1 if stray else 0
            if run == 2:
                unrequested += 1
                if not codes:
                    asked = next(
                        (s.action for s in challenge.steps if s.start_s <= m.t <= s.end_s),
                        challenge.steps[-1].action,
                    )
                    codes.append(("challenge_not_completed", asked))
    scores["unrequested_actions"] = unrequested
    return codes
