"""The arithmetic of evaluate-pairs (liveness.pair_stats): Wilson intervals, rates, the sweep."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liveness.pair_stats import (
    SAMPLE_RATES,
    SAMPLE_SIZES,
    SWEEP_EDGES,
    Rate,
    Tally,
    format_sample_sizes,
    interval_width,
    sweep,
    wilson,
    wilson_for,
)


@st.composite
def counts(draw: st.DrawFn, max_n: int = 5000) -> tuple[int, int]:
    n = draw(st.integers(1, max_n))
    return draw(st.integers(0, n)), n


distances = st.lists(st.none() | st.floats(0.0, 1.5, allow_nan=False), max_size=40)


def test_wilson_matches_published_values():
    # 5 of 100: 2.15% to 11.18% (Newcombe 1998, method 3); 0 of n: upper z²/(n+z²).
    low, high = wilson(5, 100)
    assert low == pytest.approx(0.02154, abs=1e-5)
    assert high == pytest.approx(0.11175, abs=1e-5)
    assert wilson(0, 3) == (0.0, pytest.approx(3.8415 / 6.8415, abs=1e-4))
    assert wilson(3, 3) == (pytest.approx(1 - 3.8415 / 6.8415, abs=1e-4), 1.0)
    assert wilson(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (6, 5), (1, -1), (1, 0)])
def test_impossible_counts_are_refused(k: int, n: int):
    with pytest.raises(ValueError, match="successes <= n"):
        wilson(k, n)


@given(counts())
def test_the_interval_holds_the_point_estimate_inside_zero_to_one(kn: tuple[int, int]):
    k, n = kn
    low, high = wilson(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert low < high


@given(counts(max_n=1000), st.integers(2, 20))
def test_the_interval_narrows_as_the_same_share_is_seen_on_more_pairs(
    kn: tuple[int, int], times: int
):
    k, n = kn
    low, high = wilson(k, n)
    more_low, more_high = wilson(k * times, n * times)
    assert more_high - more_low < high - low


@given(counts())
def test_a_rate_is_its_count_over_its_total(kn: tuple[int, int]):
    k, n = kn
    rate = Rate(k, n)
    assert rate.value == k / n
    assert rate.interval == wilson(k, n)
    assert rate.text().endswith(f" {k}/{n}")
    assert rate.to_dict()["rate"] == pytest.approx(k / n, abs=1e-6)


def test_no_pairs_is_no_rate():
    assert Rate(0, 0).value is None
    assert Rate(0, 0).text() == "- 0/0"
    assert Rate(0, 0).to_dict() == {"k": 0, "n": 0, "rate": None, "low": None, "high": None}


outcomes = st.lists(st.tuples(st.booleans(), st.sampled_from(["accepted", "review", "refused"])))


@given(outcomes)
def test_rates_come_from_the_counts(items: list[tuple[bool, str]]):
    tally = Tally.of(items)
    genuine = [o for same, o in items if same]
    impostor = [o for same, o in items if not same]
    assert (tally.genuine, tally.impostor) == (len(genuine), len(impostor))
    assert tally.frr == Rate(sum(o != "accepted" for o in genuine), len(genuine))
    assert tally.far == Rate(impostor.count("accepted"), len(impostor))
    assert tally.review == Rate([o for _, o in items].count("review"), len(items))
    # Same-person pairs are accepted or counted in FRR, never both, never neither.
    assert tally.frr.k + tally.genuine_accepted == tally.genuine


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="unknown outcome 'verified'"):
        Tally.of([(True, "verified")])


def test_the_sweep_runs_from_040_to_065_by_001():
    assert SWEEP_EDGES[0] == 0.40 and SWEEP_EDGES[-1] == 0.65 and len(SWEEP_EDGES) == 26
    assert 0.55 in SWEEP_EDGES


def test_the_sweep_counts_the_edge_itself_as_accepted_and_no_face_never():
    rows = {row.edge: row for row in sweep([0.45, None], [0.45, None], [0.44, 0.45])}
    assert rows[0.44].frr == Rate(2, 2) and rows[0.44].far == Rate(0, 2)
    assert rows[0.45].frr == Rate(1, 2) and rows[0.45].far == Rate(1, 2)


@given(distances, distances)
def test_a_higher_edge_never_raises_frr_nor_lowers_far(genuine, impostor):
    rows = sweep(genuine, impostor)
    assert [r.edge for r in rows] == list(SWEEP_EDGES)
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.frr.k <= before.frr.k
        assert after.far.k >= before.far.k
    assert all(r.frr.n == len(genuine) and r.far.n == len(impostor) for r in rows)


@given(st.sampled_from(SAMPLE_RATES), st.integers(10, 5000))
def test_the_width_shrinks_with_more_pairs(p: float, n: int):
    assert 0 < interval_width(p, 2 * n) < interval_width(p, n) < 1


def test_the_sample_size_table_has_a_row_per_size():
    table = format_sample_sizes()
    lines = table.splitlines()
    assert len(lines) == 2 + len(SAMPLE_SIZES)
    assert lines[2].startswith(f"| {SAMPLE_SIZES[0]} |")
    # 5% observed on 1,000 pairs: 3.8% to 6.5%.
    low, high = wilson_for(0.05, 1000)
    assert f"({100 * low:.1f}-{100 * high:.1f}%)" in table
