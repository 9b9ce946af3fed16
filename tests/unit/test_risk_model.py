"""The fitted risk model (reporting_api/risk_model.py): it finds a planted effect, beats the
hand-set points where they weigh the wrong things, turns its coefficients into points that
rank as it does, and refuses to fit on too little, saying why."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting_api import risk, risk_model
from reporting_api.risk_model import Refusal, Sample

START = datetime(2024, 1, 1, 3, 0, tzinfo=UTC)
PLANTED = {"missed": 0.6, "unreachable": 1.4, "late": 0.3}
"""Log-odds per unit of the generated outcomes; every other factor (bail too) has none."""
BASE_LOG_ODDS = -2.6


def _units(rng: random.Random) -> risk.Units:
    quiet = rng.choice((0, 0, 0, 1, 2))
    court = rng.choice((0, 0, 0, 1, 2))
    bail = rng.choice((0, 0, 1, 2))
    return risk.Units(
        missed=min(3, int(rng.expovariate(1.2))),
        late=min(3, int(rng.expovariate(1.0))),
        failed=min(2, int(rng.expovariate(2.5))),
        suspicious=int(rng.random() < 0.03),
        lockout=int(rng.random() < 0.03),
        unreachable=int(rng.random() < 0.12),
        quiet=int(quiet == 1),
        quiet_long=int(quiet == 2),
        court_soon=int(court == 1),
        court_near=int(court == 2),
        bail_large=int(bail == 1),
        bail_high=int(bail == 2),
    )


def planted(n: int, seed: int = 18, effects: dict[str, float] | None = None) -> list[Sample]:
    """``n`` closed cases over two years whose outcomes come from ``effects`` (log-odds per
    unit) alone."""
    rng = random.Random(seed)
    effects = PLANTED if effects is None else effects
    out = []
    for i in range(n):
        u = _units(rng)
        x = BASE_LOG_ODDS + sum(effects.get(name, 0.0) * getattr(u, name) for name in u._fields)
        out.append(
            Sample(
                units=u,
                absconded=rng.random() < 1 / (1 + math.exp(-x)),
                closed_at=START + timedelta(hours=i * 17520 / n),
                hand_set_points=risk.points_of(u, risk.HAND_SET),
                sex=rng.choice(("male", "male", "female", "not_stated")),
                age_group=rng.choice(("18-24", "25-34", "35-44")),
                **dict(
                    zip(
                        ("province", "province_en"),
                        rng.choice((("เชียงใหม่", "Chiang Mai"), ("ขอนแก่น", "Khon Kaen"), ("", ""))),
                        strict=True,
                    )
                ),
            )
        )
    return out


@pytest.fixture(scope="module")
def report() -> risk_model.FitReport:
    fitted = risk_model.fit(planted(8000))
    assert isinstance(fitted, risk_model.FitReport), fitted
    return fitted


def test_the_fit_finds_the_planted_effects_and_not_bail(report):
    coef = {c.factor: c.coefficient for c in report.coefficients}
    assert 0.4 < coef["missed"] < 0.8, coef
    assert 1.1 < coef["unreachable"] < 1.7, coef
    assert 0.1 < coef["late"] < 0.5, coef
    assert abs(coef["bail_large"]) < 0.3 and abs(coef["bail_high"]) < 0.3, coef
    assert abs(coef["court_soon"]) < 0.3 and abs(coef["quiet_long"]) < 0.35, coef
    points = {c.factor: c.points for c in report.coefficients}
    # 10 points double the odds: 0.6 log-odds is about 9 points, 1.4 about 20.
    assert 5 <= points["missed"] <= 12 and 15 <= points["unreachable"] <= 25, points
    assert points == dict(zip(risk.UNIT_NAMES, report.weights.per_unit(), strict=True))


def test_on_the_test_period_it_ranks_better_than_the_hand_set_points(report):
    assert report.fitted.auc is not None and report.hand_set.auc is not None
    assert report.fitted.auc > report.hand_set.auc + 0.02, (report.fitted.auc, report.hand_set.auc)
    assert report.model_auc >= report.fitted.auc - 0.01
    assert report.fitted.brier is not None and report.hand_set.brier is not None
    assert report.fitted.brier < report.hand_set.brier


def test_the_split_is_by_time_with_the_newest_quarter_tested(report):
    assert report.test_cases == 2000 and report.fit_cases == 6000
    assert report.fit_from < report.test_from <= report.test_until
    fit, test = risk_model.split(list(reversed(planted(400))))
    assert max(s.closed_at for s in fit) < min(s.closed_at for s in test)
    assert len(test) == 100


def test_the_scorecards_ranking_is_the_models(report):
    assert report.rank_correlation > 0.97
    # Its bands flag about the share the hand-set bands flag (same alarm load).
    high = report.fitted.band("high").flagged
    assert abs(high - report.hand_set.band("high").flagged) < 0.1 * report.test_cases


def test_the_figures_add_up(report):
    for figures in (report.fitted, report.hand_set):
        assert [b.band for b in figures.bands] == ["high", "medium", "low"]
        assert sum(b.cases for b in figures.bands) == report.test_cases
        assert sum(b.absconded for b in figures.bands) == report.test_absconded
        low = figures.band("low")
        assert low.flagged == report.test_cases and low.recall == 1.0
        assert sum(b.cases for b in figures.calibration) == report.test_cases
        observed = sum(b.observed * b.cases for b in figures.calibration)
        assert observed == pytest.approx(report.test_absconded)
        predicted = [b.predicted for b in figures.calibration]
        assert predicted == sorted(predicted)


def test_groups_by_sex_age_and_province_say_too_few_when_small(report):
    dims = {g.dimension for g in report.groups}
    assert dims == {"sex", "age_group", "province"}
    for g in report.groups:
        small = (
            g.cases < risk_model.MIN_GROUP_CASES
            or g.absconded < risk_model.MIN_GROUP_ABSCONDED
            or g.cases - g.absconded < risk_model.MIN_GROUP_ABSCONDED
        )
        assert (g.fitted is None) is small and (g.hand_set is None) is small
    male = next(g for g in report.groups if g.dimension == "sex" and g.key == "male")
    assert male.fitted is not None and male.fitted.auc is not None
    assert sum(g.cases for g in report.groups if g.dimension == "sex") == report.test_cases
    # A group of a handful of cases gives no figure.
    tiny = risk_model.fit(
        [*planted(2000)[:1995], *(_renamed(s, "เลย") for s in planted(2000, seed=9)[1995:])]
    )
    assert isinstance(tiny, risk_model.FitReport)
    loei = [g for g in tiny.groups if g.key == "เลย"]
    assert len(loei) == 1 and loei[0].cases == 5 and loei[0].fitted is None


def _renamed(s: Sample, province: str) -> Sample:
    return Sample(
        s.units, s.absconded, s.closed_at, s.hand_set_points, s.sex, s.age_group, province, ""
    )


def test_it_refuses_too_few_closed_cases_saying_why_in_both_languages():
    refused = risk_model.fit(planted(100))
    assert isinstance(refused, Refusal)
    assert refused.reason.startswith("too few closed cases to fit on: 75 in the fit period")
    assert f"at least {risk_model.MIN_FIT_CASES}" in refused.reason
    assert "ต้องมีอย่างน้อย 200 คดี" in refused.reason_th and "75 คดี" in refused.reason_th


def test_it_refuses_too_few_absconders_in_the_fit_or_the_test_period():
    rare = planted(1000, effects={"missed": 0.0}, seed=5)
    # Keep only a few absconders, all in the fit period.
    kept, gone = [], 0
    for s in rare:
        if s.absconded:
            gone += 1
            if gone > 12:
                continue
        kept.append(s)
    refused = risk_model.fit(kept)
    assert isinstance(refused, Refusal), refused
    assert "too few absconders to fit on" in refused.reason or "to test on" in refused.reason
    assert "ผู้หลบหนีมีน้อยเกินไป" in refused.reason_th

    fit, test = risk_model.split(planted(1200))
    without = fit + [s for s in test if not s.absconded][: len(test)]
    refused = risk_model.fit(without + [s for s in test if s.absconded][:3])
    assert isinstance(refused, Refusal)
    assert "too few absconders to test on" in refused.reason


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-2.0, 2.0), min_size=12, max_size=12),
    st.lists(st.tuples(*(st.integers(0, n) for n in risk.COUNTED)), min_size=2, max_size=30),
)
def test_points_order_cases_as_the_log_odds_do_beyond_the_rounding(coefficients, cases):
    """Two cases whose scaled log-odds differ by more than twice the rounding margin are
    ordered the same way by the scorecard's whole points."""
    per_unit = risk_model.points_per_unit(coefficients)
    margin = risk_model.rounding_margin(per_unit, coefficients)
    scale = risk_model.POINTS_TO_DOUBLE_ODDS / math.log(2)
    for a in cases:
        for b in cases:
            exact = sum(c * (x - y) for c, x, y in zip(coefficients, a, b, strict=True)) * scale
            points = sum(p * (x - y) for p, x, y in zip(per_unit, a, b, strict=True))
            assert abs(points - exact) <= 2 * margin + 1e-9
            if exact > 2 * margin:
                assert points > 0


@given(st.lists(st.integers(-20, 80), min_size=1, max_size=60), st.floats(0.0, 1.0))
def test_the_band_threshold_flags_the_share_nearest_the_asked(points, share):
    t = risk_model.threshold_for_share(points, share)
    flagged = sum(p >= t for p in points) / len(points)
    for other in {*points, max(points) + 1}:
        assert (
            abs(flagged - share)
            <= abs(sum(p >= other for p in points) / len(points) - share) + 1e-12
        )


def test_the_plain_text_report_names_every_figure(report):
    from reporting_api.risk_model_text import lines

    text = "\n".join(lines(report))
    assert f"test on {report.test_cases:,} cases" in text
    assert f"fitted scorecard: AUC {report.fitted.auc:.3f}" in text
    assert f"hand-set points: AUC {report.hand_set.auc:.3f}" in text
    for c in report.coefficients:
        assert c.factor in text
    assert "sex=male" in text and "province=central" in text
