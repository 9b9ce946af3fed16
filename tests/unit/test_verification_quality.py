"""The verification quality arithmetic: phone types, the tally's ground truth, the one-sided
two-proportion test and Holm's correction, by example and by property."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from reporting_api import verification_quality as q


def _fact(decision: str, review: str | None = None, distance: float | None = 0.4) -> q.AttemptFacts:
    return q.AttemptFacts(decision, review, distance, "android", "male", "25-34", 1, "2026-11")


def test_phone_types():
    assert q.phone_type("Mozilla/5.0 (Linux; Android 13; SM-A145F) Chrome/120") == q.ANDROID
    assert q.phone_type("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X)") == q.IPHONE
    assert q.phone_type("Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X)") == q.IPHONE
    assert q.phone_type("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0") == q.OTHER_PHONE
    assert q.phone_type(None) == q.phone_type("  ") == q.UNKNOWN_PHONE


def test_the_tally_takes_officers_decisions_as_the_truth():
    t = q.Tally()
    for fact in [
        _fact("verified"),
        _fact("verified", "someone_else"),
        _fact("review", "accept"),
        _fact("rejected", "accept"),
        _fact("rejected"),  # a retry nobody reviewed: unknown
        _fact("review", "reject"),  # the officer agreed with the machine
        _fact("review", "superseded", None),  # settled another way: not a judgement
        _fact("verified", distance=math.nan),
    ]:
        t.add(fact)
    assert (t.attempts, t.verified, t.review, t.rejected) == (8, 3, 3, 2)
    assert (t.reviewed, t.false_rejections, t.false_acceptances) == (4, 2, 1)
    assert t.genuine == 3 - 1 + 2
    assert (t.false_rejection.k, t.false_rejection.n) == (2, 4)
    assert (t.overturn.k, t.overturn.n) == (3, 4)
    assert len(t.distances) == 6 and t.median_distance == 0.4


def test_the_one_sided_test_and_holm_by_example():
    # 20/40 against 5/64: pooled 25/104, z = 0.4219 / 0.0861 = 4.90, p = 4.8e-7 (by hand).
    p = q.one_sided_p(20, 40, 5, 64)
    assert 4.7e-7 < p < 4.9e-7
    assert q.one_sided_p(5, 64, 20, 40) > 0.999
    assert q.one_sided_p(0, 40, 0, 60) == 0.5
    # Holm at 5% over three: 0.01 <= 0.05/3, 0.02 <= 0.05/2, 0.04 <= 0.05/1.
    assert q.holm([0.04, 0.01, 0.02]) == [True, True, True]
    # 0.03 > 0.05/2 stops the steps: 0.04 is kept although it is under 0.05.
    assert q.holm([0.04, 0.01, 0.03]) == [False, True, False]
    assert q.holm([0.02, 0.01, 0.06]) == [True, True, False]
    assert q.holm([0.02, 0.018, 0.06]) == [False, False, False]  # 0.018 > 0.05/3


def test_small_groups_are_not_tested():
    big = q.Tally()
    for _ in range(40):
        big.add(_fact("verified"))
    small = q.Tally()
    for _ in range(10):
        small.add(_fact("review", "accept"))
    assert q.standouts({"big": big, "small": small}) == []


@given(st.integers(0, 200), st.integers(1, 200), st.integers(0, 200), st.integers(1, 200))
def test_p_is_a_probability_and_falls_as_the_group_errs_more(k1, n1, k2, n2):
    k1, k2 = min(k1, n1), min(k2, n2)
    p = q.one_sided_p(k1, n1, k2, n2)
    assert 0.0 <= p <= 1.0
    if k1 < n1:
        assert q.one_sided_p(k1 + 1, n1, k2, n2) <= p + 1e-12


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12))
def test_holm_lies_between_bonferroni_and_the_uncorrected(ps):
    rejected = q.holm(ps)
    for p, r in zip(ps, rejected, strict=True):
        if p <= q.ALPHA / len(ps):
            assert r  # everything Bonferroni rejects
        if r:
            assert p <= q.ALPHA  # nothing the uncorrected test keeps
    # A step-down: the rejected are the smallest p-values.
    if any(rejected):
        assert max(p for p, r in zip(ps, rejected, strict=True) if r) <= min(
            (p for p, r in zip(ps, rejected, strict=True) if not r), default=1.0
        )


@given(st.lists(st.sampled_from(["v", "v-se", "r-a", "w-a", "r", "w-r"]), max_size=80))
def test_rates_stay_inside_their_intervals_and_the_truth_adds_up(kinds):
    codes = {
        "v": ("verified", None),
        "v-se": ("verified", "someone_else"),
        "r-a": ("rejected", "accept"),
        "w-a": ("review", "accept"),
        "r": ("rejected", None),
        "w-r": ("review", "reject"),
    }
    t = q.Tally()
    for kind in kinds:
        t.add(_fact(*codes[kind]))
    assert t.verified + t.review + t.rejected == t.attempts == len(kinds)
    assert t.false_rejections == kinds.count("r-a") + kinds.count("w-a")
    assert 0 <= t.false_rejections <= t.genuine <= t.attempts
    for rate in (t.false_rejection, t.overturn, t.verified_share):
        low, high = rate.interval
        assert 0.0 <= low <= high <= 1.0
        if rate.n:
            assert low - 1e-12 <= rate.k / rate.n <= high + 1e-12
