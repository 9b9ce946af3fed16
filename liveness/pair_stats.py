"""The arithmetic of `python -m liveness evaluate-pairs`: error rates with Wilson intervals, and
the threshold sweep. Pure: counts and distances in, numbers out.

FRR is the share of same-person pairs not accepted (refused, or sent to an officer); FAR the
share of different-person pairs accepted. A rate carries its count and its 95% Wilson score
interval, which stays inside [0, 1] and is honest at 0 of n, where the normal approximation
claims certainty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95% interval."""

SWEEP_EDGES = tuple(round(0.40 + 0.01 * i, 2) for i in range(26))
"""The `match_accept` values of the sweep: 0.40 to 0.65 in steps of 0.01."""

SAMPLE_SIZES = (50, 100, 200, 300, 500, 1000, 2000, 5000)
"""The numbers of pairs in the sample-size table (docs/liveness.md)."""

SAMPLE_RATES = (0.01, 0.05, 0.10)
"""The error rates in the sample-size table."""


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``n``; (0, 1) when n is 0."""
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"need 0 <= successes <= n, not {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    return wilson_for(successes / n, n, z)


def wilson_for(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval around an observed proportion ``p`` of ``n`` trials."""
    if n <= 0 or not 0.0 <= p <= 1.0:
        raise ValueError(f"need n > 0 and 0 <= p <= 1, not p={p}, n={n}")
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At p = 0 or 1 the bound is exactly 0 or 1; rounding must not push it past p.
    low = 0.0 if p == 0.0 else max(0.0, min(p, centre - half))
    high = 1.0 if p == 1.0 else min(1.0, max(p, centre + half))
    return low, high


@dataclass(frozen=True)
class Rate:
    """``k`` of ``n``, with its share and 95% Wilson interval."""

    k: int
    n: int

    @property
    def value(self) -> float | None:
        """k / n, or None when there is nothing to count."""
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.k, self.n)

    def text(self) -> str:
        """'2.0% (0.6-7.0%) 2/100', or '- 0/0' for no pairs."""
        if not self.n:
            return "- 0/0"
        low, high = self.interval
        return f"{100 * self.k / self.n:.1f}% ({100 * low:.1f}-{100 * high:.1f}%) {self.k}/{self.n}"

    def to_dict(self) -> dict[str, float | int | None]:
        low, high = self.interval
        return {
            "k": self.k,
            "n": self.n,
            "rate": None if self.value is None else round(self.value, 6),
            "low": round(low, 6) if self.n else None,
            "high": round(high, 6) if self.n else None,
        }


@dataclass(frozen=True)
class Tally:
    """How the pairs of one group came out: accepted, sent to review or refused, by label."""

    genuine_accepted: int = 0
    genuine_review: int = 0
    genuine_refused: int = 0
    impostor_accepted: int = 0
    impostor_review: int = 0
    impostor_refused: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[tuple[bool, str]]) -> Tally:
        """Count (same person?, outcome) pairs; an outcome is accepted, review or refused."""
        counts = dict.fromkeys(
            ("genuine_accepted", "genuine_review", "genuine_refused")
            + ("impostor_accepted", "impostor_review", "impostor_refused"),
            0,
        )
        for same, outcome in outcomes:
            if outcome not in ("accepted", "review", "refused"):
                raise ValueError(f"unknown outcome {outcome!r}")
            counts[f"{'genuine' if same else 'impostor'}_{outcome}"] += 1
        return cls(**counts)

    @property
    def genuine(self) -> int:
        return self.genuine_accepted + self.genuine_review + self.genuine_refused

    @property
    def impostor(self) -> int:
        return self.impostor_accepted + self.impostor_review + self.impostor_refused

    @property
    def frr(self) -> Rate:
        """Same-person pairs not accepted (refused or sent to review)."""
        return Rate(self.genuine_review + self.genuine_refused, self.genuine)

    @property
    def far(self) -> Rate:
        """Different-person pairs accepted."""
        return Rate(self.impostor_accepted, self.impostor)

    @property
    def review(self) -> Rate:
        """All pairs sent to an officer."""
        return Rate(self.genuine_review + self.impostor_review, self.genuine + self.impostor)


@dataclass(frozen=True)
class SweepRow:
    """The match alone at one `match_accept`: FRR and FAR."""

    edge: float
    frr: Rate
    far: Rate


def sweep(
    genuine: Sequence[float | None],
    impostor: Sequence[float | None],
    edges: Sequence[float] = SWEEP_EDGES,
) -> list[SweepRow]:
    """FRR and FAR of the match alone at each edge. A distance at or under the edge is
    accepted; None (no face to compare) is never accepted."""
    rows = []
    for edge in edges:
        missed = sum(1 for d in genuine if d is None or d > edge)
        passed = sum(1 for d in impostor if d is not None and d <= edge)
        rows.append(SweepRow(edge, Rate(missed, len(genuine)), Rate(passed, len(impostor))))
    return rows


def interval_width(p: float, n: int) -> float:
    """The width of the 95% Wilson interval when a share ``p`` of ``n`` pairs is observed."""
    low, high = wilson_for(p, n)
    return high - low


def format_sample_sizes(
    sizes: Sequence[int] = SAMPLE_SIZES, rates: Sequence[float] = SAMPLE_RATES
) -> str:
    """A Markdown table: pairs of one kind (same-person for FRR, different for FAR) against
    the width of the 95% Wilson interval (and its bounds) at each observed error rate."""
    head = "| pairs | " + " | ".join(f"at {100 * p:g}%: width (interval)" for p in rates) + " |"
    lines = [head, "|---|" + "---|" * len(rates)]
    for n in sizes:
        cells = []
        for p in rates:
            low, high = wilson_for(p, n)
            cells.append(f"{100 * (high - low):.1f} points ({100 * low:.1f}-{100 * high:.1f}%)")
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(format_sample_sizes())
