"""The demo's hidden hazard: why a demo person absconds, which the score only partly sees.

The demo's outcomes must not be made from the facts the score reads (issue 18), or the
backtest would only measure the score against itself. So each month a person on bail
absconds with a chance set by this model, which mixes:

- an unobserved propensity per person (standard normal), shared by all their cases;
- facts the score reads, with other strengths than its points: missed and late check-ins
  over the last ``RECENT_DAYS`` (not the score's lookback), an unreachable phone, a court
  hearing soon (the true hearing, which the fund records for only some cases);
- an interaction: missed check-ins weigh more when a hearing is near;
- causes the score never sees: a stable home or job, the distance to the office;
- pure noise: a floor chance (``SHOCK``) for reasons no fact holds, and the draw itself.

Bail has no effect here although the score gives it points. The hidden causes are drawn
independently of the facts the score reads, so a fit on those facts finds the planted
directions (the hidden causes only weaken them). `hazard` is what the generator uses; tests
and issue 18's fit can call it. Nothing outside `reporting_api.demo` may import this module.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

MONTH_DAYS = 30
"""`hazard` is the chance of absconding within this many days."""

BASE_LOG_ODDS = -6.0
"""Log-odds of absconding in a month for an average person with nothing against them."""
PROPENSITY_LOG_ODDS = 0.8
"""Added per standard deviation of the person's unobserved propensity."""
RECENT_DAYS = 90
"""Missed and late check-ins count when due this recently (the score looks back 180 days)."""
MISSED_LOG_ODDS = 0.45
"""Added per missed check-in due in the last ``RECENT_DAYS``, up to ``MISSED_COUNTED``."""
MISSED_COUNTED = 4
"""Missed check-ins beyond this many add nothing more."""
LATE_LOG_ODDS = 0.1
"""Added per late check-in due in the last ``RECENT_DAYS``, up to ``MISSED_COUNTED``."""
UNREACHABLE_LOG_ODDS = 1.0
"""Added while the person's phone cannot be reached."""
COURT_SOON_DAYS = 21
"""A true court hearing within this many days (today included) is near..."""
COURT_SOON_LOG_ODDS = 0.6
"""... and adds this..."""
MISSED_COURT_SOON_LOG_ODDS = 0.35
"""... and this more per counted missed check-in (the interaction)."""
STABLE_HOME_LOG_ODDS = -0.9
"""Added when the person has a stable home or job (hidden from the score)."""
DISTANCE_LOG_ODDS_PER_10_KM = 0.08
"""Added per 10 km from the person's home to the office, up to ``DISTANCE_COUNTED_KM``."""
DISTANCE_COUNTED_KM = 150.0
"""Distance beyond this adds nothing more."""
SHOCK = 0.0015
"""A monthly chance of absconding for reasons no fact holds (pure noise)."""

STABLE_HOME_SHARE = 0.6
"""The share of people with a stable home or job."""
DISTANCE_MEAN_KM = 25.0
"""The mean distance from home to the office (exponentially distributed)."""


@dataclass(frozen=True)
class Person:
    """What a person brings to every one of their cases, unseen by the fund."""

    propensity: float
    stable_home: bool
    distance_km: float


def draw_person(rng: random.Random) -> Person:
    return Person(
        propensity=rng.gauss(0.0, 1.0),
        stable_home=rng.random() < STABLE_HOME_SHARE,
        distance_km=rng.expovariate(1 / DISTANCE_MEAN_KM),
    )


class HazardFacts(NamedTuple):
    """What the hazard reads at one instant of a case (a tuple: made once a check-in)."""

    person: Person
    missed: int = 0
    """Missed check-ins due in the last ``RECENT_DAYS``."""
    late: int = 0
    """Check-ins verified late, due in the last ``RECENT_DAYS``."""
    unreachable_phone: bool = False
    days_to_court: int | None = None
    """Days to the next true court hearing (None: none planned)."""


def log_odds(f: HazardFacts) -> float:
    missed = min(max(f.missed, 0), MISSED_COUNTED)
    late = min(max(f.late, 0), MISSED_COUNTED)
    court_soon = f.days_to_court is not None and 0 <= f.days_to_court <= COURT_SOON_DAYS
    distance = min(max(f.person.distance_km, 0.0), DISTANCE_COUNTED_KM)
    return (
        BASE_LOG_ODDS
        + PROPENSITY_LOG_ODDS * f.person.propensity
        + MISSED_LOG_ODDS * missed
        + LATE_LOG_ODDS * late
        + UNREACHABLE_LOG_ODDS * f.unreachable_phone
        + (COURT_SOON_LOG_ODDS + MISSED_COURT_SOON_LOG_ODDS * missed) * court_soon
        + STABLE_HOME_LOG_ODDS * f.person.stable_home
        + DISTANCE_LOG_ODDS_PER_10_KM * distance / 10
    )


def hazard(f: HazardFacts) -> float:
    """The chance of absconding within ``MONTH_DAYS`` days, given ``f``: a probability,
    non-decreasing in the propensity, missed and late check-ins, an unreachable phone, the
    distance and a nearer hearing; non-increasing with a stable home."""
    x = log_odds(f)
    logistic = 1 / (1 + math.exp(-x)) if x > -700 else 0.0
    return SHOCK + (1 - SHOCK) * logistic


def chance_within(monthly: float, days: float) -> float:
    """The chance of the event within ``days`` days, at a constant ``monthly`` hazard."""
    if days <= 0:
        return 0.0
    return 1 - (1 - monthly) ** (days / MONTH_DAYS)


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """The chance a positive scores above a negative (ties count half): 0.5 is chance."""
    if not positives or not negatives:
        raise ValueError("AUC needs at least one of each outcome")
    ranked = sorted([(s, 1) for s in positives] + [(s, 0) for s in negatives])
    wins, below, i = 0.0, 0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        pos = sum(flag for _, flag in ranked[i:j])
        neg = (j - i) - pos
        wins += pos * (below + neg / 2)
        below += neg
        i = j
    return wins / (len(positives) * len(negatives))
