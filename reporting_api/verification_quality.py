"""How well the machine's face checks did, by group: counts, rates with Wilson 95% intervals,
the officers' overturns, and a test for a group whose false rejections stand out. Pure: the
facts of finished remote attempts in, numbers out (docs/verification-quality.md).

An officer's decision is the ground truth for the machine's verdict:
- a recording the machine rejected or sent to review that an officer accepted is a false
  rejection;
- a recording the machine verified that an officer marked as someone else is a false
  acceptance.
The false-rejection rate's denominator is the recordings known to show the person: those the
machine verified (less the ones marked someone else) and the negatives an officer accepted.
A rejected retry nobody reviewed counts in neither: what it showed is not known.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from statistics import median

from liveness.pair_stats import Rate

MIN_GROUP = 30
"""A rate over fewer recordings than this is shown as "too few to say", and its group is
not tested: with 30, one error moves the rate by more than 3 points."""
ALPHA = 0.05
"""The family-wise error rate of the test for groups whose false rejections stand out."""

VERIFIED, REVIEW, REJECTED = "verified", "review", "rejected"
ACCEPT, SOMEONE_ELSE = "accept", "someone_else"
REVIEWED = frozenset({"accept", "reject", "someone_else"})
"""Officers' decisions on a recording (``superseded``, a check-in settled another way, is
not a judgement of the recording)."""

ANDROID, IPHONE, OTHER_PHONE, UNKNOWN_PHONE = "android", "iphone", "other", "unknown"
PHONE_TYPES = (ANDROID, IPHONE, OTHER_PHONE, UNKNOWN_PHONE)


def phone_type(user_agent: str | None) -> str:
    """Android, iPhone (or iPad), another browser, or unknown (no user agent kept)."""
    if not user_agent or not user_agent.strip():
        return UNKNOWN_PHONE
    if re.search(r"\bAndroid\b", user_agent, re.IGNORECASE):
        return ANDROID
    if re.search(r"\b(iPhone|iPad|iPod)\b", user_agent, re.IGNORECASE):
        return IPHONE
    return OTHER_PHONE


@dataclass(frozen=True)
class AttemptFacts:
    """What the page needs of one finished remote attempt."""

    decision: str
    """The machine's verdict: verified, review or rejected."""
    review_decision: str | None
    match_distance: float | None
    phone: str
    sex: str
    age_group: str
    office_id: int
    month: str
    """The Bangkok month of the recording, ``YYYY-MM``."""


@dataclass
class Tally:
    """The counts of one group's attempts."""

    attempts: int = 0
    verified: int = 0
    review: int = 0
    rejected: int = 0
    reviewed: int = 0
    false_rejections: int = 0
    false_acceptances: int = 0
    distances: list[float] = field(default_factory=list)

    def add(self, fact: AttemptFacts) -> None:
        self.attempts += 1
        if fact.decision == VERIFIED:
            self.verified += 1
        elif fact.decision == REVIEW:
            self.review += 1
        elif fact.decision == REJECTED:
            self.rejected += 1
        if fact.review_decision in REVIEWED:
            self.reviewed += 1
            if fact.decision == VERIFIED and fact.review_decision == SOMEONE_ELSE:
                self.false_acceptances += 1
            elif fact.decision != VERIFIED and fact.review_decision == ACCEPT:
                self.false_rejections += 1
        if fact.match_distance is not None and math.isfinite(fact.match_distance):
            self.distances.append(fact.match_distance)

    @property
    def genuine(self) -> int:
        """Recordings known to show the person."""
        return self.verified - self.false_acceptances + self.false_rejections

    @property
    def false_rejection(self) -> Rate:
        return Rate(self.false_rejections, self.genuine)

    @property
    def overturn(self) -> Rate:
        return Rate(self.false_rejections + self.false_acceptances, self.reviewed)

    @property
    def verified_share(self) -> Rate:
        return Rate(self.verified, self.attempts)

    @property
    def review_share(self) -> Rate:
        return Rate(self.review, self.attempts)

    @property
    def rejected_share(self) -> Rate:
        return Rate(self.rejected, self.attempts)

    @property
    def median_distance(self) -> float | None:
        return median(self.distances) if self.distances else None


def enough(rate: Rate) -> bool:
    """Whether a rate has enough recordings behind it to be shown as a number."""
    return rate.n >= MIN_GROUP


@dataclass(frozen=True)
class Standout:
    """The test of one group's false-rejection rate against all the other groups'."""

    key: str
    group: Rate
    rest: Rate
    p_value: float
    significant: bool


def tally(facts: Iterable[AttemptFacts], key_of: Callable[[AttemptFacts], str]) -> dict[str, Tally]:
    """Tallies by the key ``key_of(fact)`` returns, in first-seen order."""
    out: dict[str, Tally] = {}
    for fact in facts:
        out.setdefault(key_of(fact), Tally()).add(fact)
    return out


def one_sided_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """P-value of the pooled two-proportion z-test that the first rate is above the second
    (0.5, as for z = 0, when the pooled rate is 0 or 1: both rates are the same)."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need recordings")
    pooled = (k1 + k2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 0.5
    z = (k1 / n1 - k2 / n2) / spread
    return 0.5 * math.erfc(z / math.sqrt(2))


def holm(p_values: Sequence[float], alpha: float = ALPHA) -> list[bool]:
    """Holm's step-down: which of the hypotheses are rejected at family-wise ``alpha``."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    rejected = [False] * len(p_values)
    for rank, index in enumerate(order):
        if p_values[index] > alpha / (len(p_values) - rank):
            break
        rejected[index] = True
    return rejected


def standouts(groups: dict[str, Tally], alpha: float = ALPHA) -> list[Standout]:
    """Each group with enough known-genuine recordings, its false-rejection rate tested
    against the rest's (one-sided pooled two-proportion z-test, Holm's correction over the
    groups tested)."""
    total_k = sum(t.false_rejections for t in groups.values())
    total_n = sum(t.genuine for t in groups.values())
    tested: list[tuple[str, Rate, Rate, float]] = []
    for key, t in groups.items():
        rest = Rate(total_k - t.false_rejections, total_n - t.genuine)
        if not enough(t.false_rejection) or not enough(rest):
            continue
        p = one_sided_p(t.false_rejections, t.genuine, rest.k, rest.n)
        tested.append((key, t.false_rejection, rest, p))
    verdicts = holm([p for *_, p in tested], alpha)
    return [
        Standout(key, group, rest, p, significant)
        for (key, group, rest, p), significant in zip(tested, verdicts, strict=True)
    ]
