"""Random challenges: 2 or 3 actions in a random order, each with its own time window.

Every ordered sequence of 2 or 3 actions with no action repeated back to back (12 of length 2,
36 of length 3) is equally likely, so a clip recorded for another challenge passes by luck
about once in 48 attempts at most, before its timing is even compared. The clip starts with a
lead-in of 0.8-1.2 s (the person settles, facing the camera; `verify` takes the frontal pose and
open-eye level from it), then each step gets 1.4-1.6 s; the whole challenge lasts at most 6 s.
"""

from __future__ import annotations

import random

from liveness.types import Action, Challenge, Step

ACTIONS = tuple(Action)
LEAD_IN_S = (0.8, 1.2)
STEP_S = (1.4, 1.6)
# Sequences of each length, for drawing a length in proportion to how many sequences it has.
SEQUENCES = {2: 4 * 3, 3: 4 * 3 * 3}


def new_challenge(rng: random.Random) -> Challenge:
    """A fresh challenge drawn from ``rng`` (pass `random.SystemRandom()` in production)."""
    length = rng.choices(list(SEQUENCES), weights=list(SEQUENCES.values()))[0]
    actions = [rng.choice(ACTIONS)]
    while len(actions) < length:
        actions.append(rng.choice([a for a in ACTIONS if a != actions[-1]]))
    start = round(rng.uniform(*LEAD_IN_S), 1)
    steps = []
    for action in actions:
        end = round(start + rng.uniform(*STEP_S), 1)
        steps.append(Step(action, start, end))
        start = end
    return Challenge(id=f"{rng.getrandbits(64):016x}", steps=tuple(steps))
