"""Whether the challenge was answered: each step inside its window and in order, nothing else."""

from __future__ import annotations

import math

from liveness.measures import Baseline, Measure
from liveness.reasons import Finding
from liveness.types import Action, Challenge, Thresholds


def doing(
    m: Measure,
    action: Action,
    base: Baseline,
    th: Thresholds,
    *,
    requested: bool = False,
    before: Measure | None = None,
) -> bool:
    """Whether the frame shows ``action``, against the person's own rest pose.

    A requested action is judged a little more kindly than a stray one: an open mouth needs
    an inner-lip ratio of `mouth_step_ratio` and a rise of `mouth_step_rise` from the person's
    own closed level (a beard or a darker face shows a smaller gap to the landmarks than the
    `mouth_open_ratio` a stray open mouth needs), and a blink may also be two frames in a row
    (this one and ``before``) under `blink_pair_ratio` (glasses, low light and darker skin make
    the eyelid landmarks close less than they do).
    """
    if action == Action.TURN_LEFT:
        return m.yaw - base.yaw >= th.turn_yaw_deg
    if action == Action.TURN_RIGHT:
        return base.yaw - m.yaw >= th.turn_yaw_deg
    if action == Action.BLINK:
        if _eyes_under(m, base, th.blink_ratio):
            return True
        return (
            requested
            and before is not None
            and _eyes_under(m, base, th.blink_pair_ratio)
            and _eyes_under(before, base, th.blink_pair_ratio)
        )
    if requested:
        return m.mouth >= th.mouth_step_ratio and m.mouth - base.mouth >= th.mouth_step_rise
    return m.mouth >= th.mouth_open_ratio and m.mouth - base.mouth >= th.mouth_open_ratio / 2


def _eyes_under(m: Measure, base: Baseline, ratio: float) -> bool:
    return m.ear <= ratio * base.ear and m.eye_open <= ratio * base.eye_open


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
            for k, m in enumerate(measures)
            if step.start_s - slack <= m.t <= step.end_s + slack
            and m.t > after
            and doing(
                m,
                step.action,
                base,
                th,
                requested=True,
                before=measures[k - 1] if k and m.t - measures[k - 1].t < 0.15 else None,
            )
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
