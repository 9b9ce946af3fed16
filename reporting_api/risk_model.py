"""A fitted absconding-risk model beside the hand-set points (issue 18, docs/reports.md).

A logistic regression over the same explainable factors the score reads (``risk.Units``:
missed, late, failed and suspicious verifications, lockouts, an unreachable phone, the quiet
and court-date bands, the bail bands), fitted on closed cases with their facts as of the day
each closed. Time split: the oldest closures fit, the most recent ``TEST_SHARE`` test. On the
test period it reports the AUC, the Brier score, a calibration table and precision and recall
at each band, overall and by sex, age group and province, beside the hand-set points' figures
on the same cases. Its coefficients become whole points per unit (a scorecard: a new
``risk.Weights``), so that every row still explains itself in Thai and English.

Pure: samples in, a report (or a refusal saying why) out; no database.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from reporting_api import risk

TEST_SHARE = 0.25
"""The most recent share of closures (by closing time) kept out of the fit to test it."""
MIN_FIT_CASES = 200
"""Fewer closed cases (absconded or concluded) than this in the fit period: no fit."""
MIN_FIT_ABSCONDED = 20
"""Fewer absconders (or concluded cases) than this in the fit period: no fit."""
MIN_TEST_CASES = 60
"""Fewer closed cases than this in the test period: no fit (it could not be judged)."""
MIN_TEST_ABSCONDED = 10
"""Fewer absconders (or concluded cases) than this in the test period: no fit."""
POINTS_TO_DOUBLE_ODDS = 10
"""The scorecard's scale: this many points double the odds of absconding."""
REGULARISATION_C = 10.0
"""scikit-learn's inverse L2 strength: mild, so that a factor seen on few cases stays near 0."""
CALIBRATION_BINS = 10
"""The calibration table's rows: test cases in equal numbers by predicted chance."""
MIN_GROUP_CASES = 30
"""A group (a sex, an age group, a province) with fewer test cases shows "too few to say"..."""
MIN_GROUP_ABSCONDED = 5
"""... as does one with fewer absconders or fewer concluded cases than this."""

GROUP_DIMENSIONS = ("sex", "age_group", "province")


@dataclass(frozen=True)
class Sample:
    """One closed case: its units as of closing, how it ended, its hand-set points, groups."""

    units: risk.Units
    absconded: bool
    closed_at: datetime
    hand_set_points: int
    sex: str
    age_group: str
    province: str
    """The office's province in Thai ("" for the central office)."""
    province_en: str = ""
    """... and in English."""


@dataclass(frozen=True)
class Refusal:
    """Why no model was fitted, in English and Thai."""

    reason: str
    reason_th: str


@dataclass(frozen=True)
class CalibrationBin:
    cases: int
    predicted: float
    """The mean predicted chance of absconding in the bin."""
    observed: float
    """The share who absconded."""


@dataclass(frozen=True)
class BandFigures:
    """One band as the alarm threshold ("this band or above")."""

    band: str
    points_from: int
    cases: int
    """Test cases in the band itself."""
    absconded: int
    flagged: int
    """Test cases in this band or above."""
    flagged_absconded: int
    precision: float | None
    recall: float | None


@dataclass(frozen=True)
class ScoreFigures:
    """How one score did on the test period."""

    auc: float | None
    brier: float | None
    bands: tuple[BandFigures, ...]
    """High first."""
    calibration: tuple[CalibrationBin, ...]

    def band(self, name: str) -> BandFigures:
        return next(b for b in self.bands if b.band == name)


@dataclass(frozen=True)
class GroupFigures:
    """Both scores on one group's test cases; ``fitted``/``hand_set`` None: too few to say."""

    dimension: str
    key: str
    cases: int
    absconded: int
    fitted: ScoreFigures | None
    hand_set: ScoreFigures | None
    key_en: str = ""
    """The group in English where it has a name of its own (a province); else ``key``."""


@dataclass(frozen=True)
class Coefficient:
    factor: str
    """A field of ``risk.Units``."""
    coefficient: float
    """Log-odds per unit."""
    points: int
    """The scorecard's points per unit."""
    hand_set_points: int


@dataclass(frozen=True)
class FitReport:
    fit_cases: int
    fit_absconded: int
    test_cases: int
    test_absconded: int
    fit_from: datetime
    test_from: datetime
    """The first closure of the test period: every fit case closed before it."""
    test_until: datetime
    intercept: float
    coefficients: tuple[Coefficient, ...]
    weights: risk.Weights
    """The scorecard: points per unit and its bands, ready to adopt."""
    model_auc: float
    """The regression's own AUC on the test period (the scorecard's is ``fitted.auc``)."""
    rank_correlation: float
    """Spearman's correlation of the scorecard's points with the model's log-odds (test)."""
    fitted: ScoreFigures
    hand_set: ScoreFigures
    groups: tuple[GroupFigures, ...]


Matrix = NDArray[np.float64]


def split(samples: Sequence[Sample]) -> tuple[list[Sample], list[Sample]]:
    """(fit, test): by closing time, the most recent ``TEST_SHARE`` test."""
    ordered = sorted(samples, key=lambda s: s.closed_at)
    cut = len(ordered) - round(len(ordered) * TEST_SHARE)
    return ordered[:cut], ordered[cut:]


def _refusal(fit: Sequence[Sample], test: Sequence[Sample]) -> Refusal | None:
    checks = (
        ("fit", "สร้างแบบจำลอง", fit, MIN_FIT_CASES, MIN_FIT_ABSCONDED),
        ("test", "ทดสอบ", test, MIN_TEST_CASES, MIN_TEST_ABSCONDED),
    )
    for period, period_th, chosen, min_cases, min_each in checks:
        gone = sum(s.absconded for s in chosen)
        stayed = len(chosen) - gone
        if len(chosen) < min_cases:
            return Refusal(
                f"too few closed cases to {period} on: {len(chosen)} in the {period} period, "
                f"at least {min_cases} are needed",
                f"คดีที่ปิดแล้วมีน้อยเกินไปสำหรับ{period_th}: ช่วง{period_th}มี {len(chosen)} คดี "
                f"ต้องมีอย่างน้อย {min_cases} คดี",
            )
        if gone < min_each:
            return Refusal(
                f"too few absconders to {period} on: {gone} in the {period} period, "
                f"at least {min_each} are needed",
                f"ผู้หลบหนีมีน้อยเกินไปสำหรับ{period_th}: ช่วง{period_th}มี {gone} คน "
                f"ต้องมีอย่างน้อย {min_each} คน",
            )
        if stayed < min_each:
            return Refusal(
                f"too few concluded cases to {period} on: {stayed} in the {period} period, "
                f"at least {min_each} are needed",
                f"คดีที่สิ้นสุดตามปกติมีน้อยเกินไปสำหรับ{period_th}: ช่วง{period_th}มี {stayed} คดี "
                f"ต้องมีอย่างน้อย {min_each} คดี",
            )
    return None


def _matrix(samples: Sequence[Sample]) -> Matrix:
    return np.array([s.units for s in samples], dtype=np.float64).reshape(
        len(samples), len(risk.UNIT_NAMES)
    )


def _outcomes(samples: Sequence[Sample]) -> NDArray[np.int_]:
    return np.array([int(s.absconded) for s in samples], dtype=np.int_)


def points_per_unit(coefficients: Sequence[float]) -> list[int]:
    """Whole points per unit: each coefficient scaled so ``POINTS_TO_DOUBLE_ODDS`` points
    double the odds, rounded."""
    scale = POINTS_TO_DOUBLE_ODDS / math.log(2)
    return [round(c * scale) for c in coefficients]


def rounding_margin(weights_units: Sequence[int], coefficients: Sequence[float]) -> float:
    """The most the scorecard's points can differ from the scaled log-odds for any case: half
    a point per unit rounded, times the most units a case can have of it."""
    scale = POINTS_TO_DOUBLE_ODDS / math.log(2)
    return sum(
        abs(p - c * scale) * n
        for p, c, n in zip(weights_units, coefficients, risk.COUNTED, strict=True)
    )


def threshold_for_share(points: Sequence[int], share: float) -> int:
    """The lowest score whose "this score or above" holds the share of cases nearest
    ``share`` (ties: the higher score, fewer alarms)."""
    ordered = sorted(points)
    best, best_gap = ordered[-1] + 1, share
    for value in sorted(set(ordered), reverse=True):
        above = len(ordered) - np.searchsorted(ordered, value, side="left")
        gap = abs(above / len(ordered) - share)
        if gap < best_gap - 1e-12:
            best, best_gap = value, gap
    return int(best)


def _bands_like_hand_set(fit: Sequence[Sample], points: Sequence[int]) -> tuple[int, int]:
    """The scorecard's medium and high thresholds: flagging on the fit period about the same
    share of cases as the hand-set bands did, so both are compared at the same alarm load."""
    hand = [s.hand_set_points for s in fit]
    high_share = sum(p >= risk.HIGH_FROM for p in hand) / len(hand)
    medium_share = sum(p >= risk.MEDIUM_FROM for p in hand) / len(hand)
    high = threshold_for_share(points, high_share)
    medium = min(threshold_for_share(points, medium_share), high - 1)
    return medium, high


def _auc(y: NDArray[np.int_], score: Sequence[float]) -> float | None:
    if y.min(initial=1) == y.max(initial=0):
        return None
    return float(roc_auc_score(y, np.asarray(score, dtype=np.float64)))


def _calibration(y: NDArray[np.int_], chance: NDArray[np.float64]) -> tuple[CalibrationBin, ...]:
    order = np.argsort(chance, kind="stable")
    bins = []
    for part in np.array_split(order, min(CALIBRATION_BINS, len(order))):
        if len(part):
            bins.append(
                CalibrationBin(
                    cases=len(part),
                    predicted=float(chance[part].mean()),
                    observed=float(y[part].mean()),
                )
            )
    return tuple(bins)


def _bands(
    y: NDArray[np.int_], points: Sequence[int], weights: risk.Weights
) -> tuple[BandFigures, ...]:
    band_of = [risk.band_of(p, weights).value for p in points]
    total_gone = int(y.sum())
    starts = risk.band_from(weights)
    out = []
    for i, band in enumerate(risk.BANDS_LOW_TO_HIGH):
        at_least = {b.value for b in risk.BANDS_LOW_TO_HIGH[i:]}
        flagged = [k for k, b in enumerate(band_of) if b in at_least]
        hits = int(sum(y[k] for k in flagged))
        in_band = [k for k, b in enumerate(band_of) if b == band.value]
        out.append(
            BandFigures(
                band=band.value,
                points_from=starts[band],
                cases=len(in_band),
                absconded=int(sum(y[k] for k in in_band)),
                flagged=len(flagged),
                flagged_absconded=hits,
                precision=hits / len(flagged) if flagged else None,
                recall=hits / total_gone if total_gone else None,
            )
        )
    return tuple(reversed(out))


def _figures(
    y: NDArray[np.int_], points: Sequence[int], chance: NDArray[np.float64], weights: risk.Weights
) -> ScoreFigures:
    return ScoreFigures(
        auc=_auc(y, [float(p) for p in points]),
        brier=float(brier_score_loss(y, chance)) if len(y) else None,
        bands=_bands(y, points, weights),
        calibration=_calibration(y, chance),
    )


def _groups(
    test: Sequence[Sample],
    figures: Callable[[list[int]], tuple[ScoreFigures, ScoreFigures]],
) -> tuple[GroupFigures, ...]:
    out = []
    for dimension in GROUP_DIMENSIONS:
        keys = sorted({getattr(s, dimension) for s in test})
        for key in keys:
            chosen = [i for i, s in enumerate(test) if getattr(s, dimension) == key]
            gone = sum(test[i].absconded for i in chosen)
            enough = (
                len(chosen) >= MIN_GROUP_CASES
                and gone >= MIN_GROUP_ABSCONDED
                and len(chosen) - gone >= MIN_GROUP_ABSCONDED
            )
            fitted, hand = figures(chosen) if enough else (None, None)
            key_en = test[chosen[0]].province_en if dimension == "province" else key
            out.append(GroupFigures(dimension, key, len(chosen), gone, fitted, hand, key_en or key))
    return tuple(out)


def _spearman(a: Sequence[float], b: Sequence[float]) -> float:
    from scipy.stats import spearmanr

    if len(set(a)) < 2 or len(set(b)) < 2:
        return 1.0 if list(a) == list(b) else 0.0
    return float(spearmanr(a, b).statistic)


def fit(samples: Sequence[Sample]) -> FitReport | Refusal:
    """Fit on the older closures, judge on the most recent; or say why not."""
    fit_part, test_part = split(samples)
    refused = _refusal(fit_part, test_part)
    if refused is not None:
        return refused
    x_fit, y_fit = _matrix(fit_part), _outcomes(fit_part)
    x_test, y_test = _matrix(test_part), _outcomes(test_part)
    model = LogisticRegression(C=REGULARISATION_C, max_iter=1000)
    model.fit(x_fit, y_fit)
    coefficients = [float(c) for c in model.coef_[0]]
    per_unit = points_per_unit(coefficients)
    fit_points = [risk.points_of(s.units, _weights(per_unit, 0, 1)) for s in fit_part]
    medium, high = _bands_like_hand_set(fit_part, fit_points)
    weights = _weights(per_unit, medium, high)

    # The hand-set points as a chance (for its Brier score and calibration): a one-factor
    # logistic regression of the outcome on the points, fitted on the same fit period.
    platt = LogisticRegression(C=REGULARISATION_C, max_iter=1000)
    platt.fit(np.array([[s.hand_set_points] for s in fit_part], dtype=np.float64), y_fit)

    fitted_chance = model.predict_proba(x_test)[:, 1]
    hand_chance = platt.predict_proba(
        np.array([[s.hand_set_points] for s in test_part], dtype=np.float64)
    )[:, 1]
    fitted_points = [risk.points_of(s.units, weights) for s in test_part]
    hand_points = [s.hand_set_points for s in test_part]

    def both(chosen: list[int]) -> tuple[ScoreFigures, ScoreFigures]:
        y = y_test[chosen]
        return (
            _figures(y, [fitted_points[i] for i in chosen], fitted_chance[chosen], weights),
            _figures(y, [hand_points[i] for i in chosen], hand_chance[chosen], risk.HAND_SET),
        )

    every = list(range(len(test_part)))
    fitted, hand_set = both(every)
    log_odds = model.decision_function(x_test)
    return FitReport(
        fit_cases=len(fit_part),
        fit_absconded=int(y_fit.sum()),
        test_cases=len(test_part),
        test_absconded=int(y_test.sum()),
        fit_from=fit_part[0].closed_at,
        test_from=test_part[0].closed_at,
        test_until=test_part[-1].closed_at,
        intercept=float(model.intercept_[0]),
        coefficients=tuple(
            Coefficient(name, c, p, h)
            for name, c, p, h in zip(
                risk.UNIT_NAMES, coefficients, per_unit, risk.HAND_SET.per_unit(), strict=True
            )
        ),
        weights=weights,
        model_auc=_auc(y_test, [float(v) for v in fitted_chance]) or 0.5,
        rank_correlation=_spearman([float(p) for p in fitted_points], list(log_odds)),
        fitted=fitted,
        hand_set=hand_set,
        groups=_groups(test_part, both),
    )


def _weights(per_unit: Sequence[int], medium_from: int, high_from: int) -> risk.Weights:
    named = dict(zip(risk.UNIT_NAMES, per_unit, strict=True))
    return risk.Weights(**named, medium_from=medium_from, high_from=high_from)


def summary(report: FitReport) -> dict[str, float | int | str | None]:
    """The fit's main figures, as an adopted version records them (JSON-ready)."""

    def high(figures: ScoreFigures) -> BandFigures:
        return figures.band(risk.Band.HIGH.value)

    return {
        "fit_cases": report.fit_cases,
        "fit_absconded": report.fit_absconded,
        "test_cases": report.test_cases,
        "test_absconded": report.test_absconded,
        "test_from": report.test_from.isoformat(),
        "test_until": report.test_until.isoformat(),
        "model_auc": report.model_auc,
        "rank_correlation": report.rank_correlation,
        "auc": report.fitted.auc,
        "brier": report.fitted.brier,
        "precision_high": high(report.fitted).precision,
        "recall_high": high(report.fitted).recall,
        "hand_set_auc": report.hand_set.auc,
        "hand_set_brier": report.hand_set.brier,
        "hand_set_precision_high": high(report.hand_set).precision,
        "hand_set_recall_high": high(report.hand_set).recall,
    }


def fingerprint(weights: risk.Weights) -> str:
    """A short text naming the points exactly: the page sends back what it showed, and an
    adoption of points that have changed since (new closures) is refused."""
    return "-".join(str(v) for v in weights)
