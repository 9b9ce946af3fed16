"""The fitted risk model's report as plain text (``bail-checkin fit-risk``, bench/fit_risk.py):
the split, both scores' AUC, Brier and band figures side by side, calibration, the scorecard
next to the hand-set points, and the groups. Pure: a report in, lines out."""

from __future__ import annotations

from reporting_api import risk
from reporting_api.risk_model import FitReport, ScoreFigures
from reporting_api.thai_dates import bangkok_today


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _band_lines(name: str, figures: ScoreFigures) -> list[str]:
    lines = [f"  {name}: AUC {_num(figures.auc)}, Brier {_num(figures.brier, 4)}"]
    lines.append(
        f"    {'band':<8}{'from':>6}{'cases':>8}{'absconded':>11}{'flagged':>9}"
        f"{'precision':>11}{'recall':>8}"
    )
    for b in figures.bands:
        lines.append(
            f"    {b.band:<8}{b.points_from:>6}{b.cases:>8,}{b.absconded:>11,}{b.flagged:>9,}"
            f"{_share(b.precision):>11}{_share(b.recall):>8}"
        )
    return lines


def lines(report: FitReport) -> list[str]:
    """The report, one line a string."""
    out = [
        f"fit on {report.fit_cases:,} cases closed {bangkok_today(report.fit_from)} to before "
        f"{bangkok_today(report.test_from)} ({report.fit_absconded:,} absconded)",
        f"test on {report.test_cases:,} cases closed {bangkok_today(report.test_from)} to "
        f"{bangkok_today(report.test_until)} ({report.test_absconded:,} absconded)",
        f"model AUC {report.model_auc:.3f}; scorecard vs model rank correlation "
        f"{report.rank_correlation:.3f}",
        "",
        "on the test period (bands: this band or above is the alarm):",
        *_band_lines("fitted scorecard", report.fitted),
        *_band_lines("hand-set points", report.hand_set),
        "",
        "calibration (test cases by predicted chance): predicted -> observed (cases)",
    ]
    for name, figures in (("fitted", report.fitted), ("hand-set", report.hand_set)):
        cells = ", ".join(
            f"{b.predicted:.1%}->{b.observed:.1%} ({b.cases})" for b in figures.calibration
        )
        out.append(f"  {name}: {cells}")
    out += ["", f"{'factor':<14}{'log-odds':>10}{'points':>8}{'hand-set':>10}"]
    for c in report.coefficients:
        out.append(f"{c.factor:<14}{c.coefficient:>10.3f}{c.points:>8}{c.hand_set_points:>10}")
    w = report.weights
    out.append(
        f"bands: medium from {w.medium_from}, high from {w.high_from} "
        f"(hand-set {risk.MEDIUM_FROM} and {risk.HIGH_FROM})"
    )
    out += ["", "by group (test period; '-' too few to say): fitted | hand-set"]
    out.append(
        f"  {'group':<26}{'cases':>7}{'gone':>6}{'AUC':>13}{'Brier':>17}{'precision high':>19}"
    )
    for g in report.groups:
        label = f"{g.dimension}={g.key or 'central'}"
        if g.fitted is None or g.hand_set is None:
            out.append(f"  {label:<26}{g.cases:>7}{g.absconded:>6}   too few to say")
            continue
        high, hand_high = g.fitted.band("high"), g.hand_set.band("high")
        out.append(
            f"  {label:<26}{g.cases:>7}{g.absconded:>6}"
            f"{_num(g.fitted.auc):>7}|{_num(g.hand_set.auc):<5}"
            f"{_num(g.fitted.brier, 4):>9}|{_num(g.hand_set.brier, 4):<7}"
            f"{_share(high.precision):>11}|{_share(hand_high.precision):<7}"
        )
    return out
