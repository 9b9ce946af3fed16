"""Random challenges: a few actions in a random order, each with its own time window.

With all four actions, every ordered sequence of 2 or 3 actions with no action repeated back to
back (12 of length 2, 36 of length 3) is equally likely, so a clip recorded for another
challenge passes by luck about once in 48 attempts at most, before its timing is even
compared. When a face allows only some actions to be measured (a mask hides the mouth, dark
glasses the eyes: see `liveness.occlusion`), the challenge is drawn from those, and longer
sequences are added until there are at least `MIN_SEQUENCES` of them (three actions: 6 of
length 2, 12 of length 3, 24 of length 4). The clip starts with a lead-in of 0.8-1.2 s (the
person settles, facing the camera; `verify` takes the frontal pose and open-eye level from it),
then each step gets 1.4-1.6 s; the whole challenge lasts at most 6 s with 3 steps, 7.6 s with 4.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence

from liveness.types import Action, Challenge, Step

ACTIONS = tuple(Action)
LEAD_IN_S = (0.8, 1.2)
STEP_S = (1.4, 1.6)
MIN_SEQUENCES = 24  # a challenge is drawn from at least this many equally likely sequences
MAX_STEPS = 4
RECENT_RECORDINGS = 3  # the person's last recordings `struggled_with` looks at
STRUGGLED_MISSES = 2  # misses of one action among them that leave it out of the next challenge


def sequence_counts(actions: int) -> dict[int, int]:
    """How many sequences of each length (from 2) the challenge draws from, for ``actions``
    actions: no action twice in a row, lengths added until there are `MIN_SEQUENCES`.

    Raises ValueError when even `MAX_STEPS` steps give fewer (two actions or less).
    """
    counts: dict[int, int] = {}
    for length in range(2, MAX_STEPS + 1):
        counts[length] = actions * (actions - 1) ** (length - 1)
        if sum(counts.values()) >= MIN_SEQUENCES and length >= 3:
            return counts
    raise ValueError(
        f"{actions} actions give only {sum(counts.values())} sequences; "
        f"a challenge needs at least {MIN_SEQUENCES}"
    )


# Sequences of each length with all four actions, for drawing a length in proportion to how
# many sequences it has.
SEQUENCES = sequence_counts(len(ACTIONS))


def new_challenge(rng: random.Random, actions: Iterable[Action] = ACTIONS) -> Challenge:
    """A fresh challenge drawn from ``rng`` (pass `random.SystemRandom()` in production),
    using only ``actions`` (all four by default; ValueError if they are too few)."""
    allowed = tuple(a for a in ACTIONS if a in set(actions))
    counts = SEQUENCES if allowed == ACTIONS else sequence_counts(len(allowed))
    length = rng.choices(list(counts), weights=list(counts.values()))[0]
    steps_actions = [rng.choice(allowed)]
    while len(steps_actions) < length:
        steps_actions.append(rng.choice([a for a in allowed if a != steps_actions[-1]]))
    start = round(rng.uniform(*LEAD_IN_S), 1)
    steps = []
    for action in steps_actions:
        end = round(start + rng.uniform(*STEP_S), 1)
        steps.append(Step(action, start, end))
        start = end
    return Challenge(id=f"{rng.getrandbits(64):016x}", steps=tuple(steps))


def missed_step(actions: Sequence[str], completed: int) -> str | None:
    """The action a recording stopped at: the step after the ``completed`` ones, or None when
    every step was done (a refusal for something else, or an unrequested action)."""
    return actions[completed] if 0 <= completed < len(actions) else None


def struggled_with(missed: Sequence[str | None]) -> str | None:
    """The action missed in at least `STRUGGLED_MISSES` of the person's last recordings
    (``missed``: what each of the last `RECENT_RECORDINGS` stopped at, None when none), or
    None. A genuine person whose blink or open mouth the landmarks keep missing (a beard,
    heavy frames) is then not asked for it again; the challenge is still drawn from at least
    `MIN_SEQUENCES` sequences, and a third refusal sends the check-in to an officer anyway."""
    counts = Counter(a for a in missed[:RECENT_RECORDINGS] if a is not None)
    action, misses = counts.most_common(1)[0] if counts else (None, 0)
    return action if misses >= STRUGGLED_MISSES else None
