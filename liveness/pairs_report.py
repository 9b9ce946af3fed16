"""The report of `python -m liveness evaluate-pairs`: per mode (still, recorded clip, rendered
clip), FRR, FAR and the share sent to review by group with 95% Wilson intervals, the match's
threshold sweep, why same-person pairs were not accepted, and every refused enrolment."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from liveness.pair_stats import SweepRow, Tally, sweep
from liveness.pairs import Enrolment, Mode, PairResult
from liveness.pairs_csv import Pair
from liveness.types import Thresholds

TITLES: dict[Mode, str] = {
    "still": "photo probes as stills: the match alone",
    "clip": "recorded clips: the whole decision (verify_clip)",
    "rendered": "genuine clips rendered from the photo probes: the whole decision (--clips)",
}
NOT_GIVEN = "(not given)"


@dataclass(frozen=True)
class Group:
    """One group of pairs (all, an age group, a sex, or both) and how its pairs came out."""

    name: str
    tally: Tally


@dataclass(frozen=True)
class Section:
    """The results of one mode."""

    mode: Mode
    groups: tuple[Group, ...]
    sweep: tuple[SweepRow, ...]
    why_not_accepted: dict[str, int]  # reason codes of same-person pairs not accepted
    genuine_distances: tuple[float, ...]
    impostor_distances: tuple[float, ...]


@dataclass(frozen=True)
class Refusal:
    """An ID-card photo the library would not enrol, and the CSV lines it is on."""

    card: str
    code: str
    en: str
    lines: tuple[int, ...]


@dataclass(frozen=True)
class Summary:
    pairs: int
    cards: int
    thresholds: Thresholds
    sections: tuple[Section, ...]
    refusals: tuple[Refusal, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "pairs_in_csv": self.pairs,
            "cards": self.cards,
            "refused_enrolments": [r.__dict__ | {"lines": list(r.lines)} for r in self.refusals],
            "sections": {
                s.mode: {
                    "groups": [_group_dict(g) for g in s.groups],
                    "sweep": [
                        {"match_accept": r.edge, "frr": r.frr.to_dict(), "far": r.far.to_dict()}
                        for r in s.sweep
                    ],
                    "why_not_accepted": s.why_not_accepted,
                }
                for s in self.sections
            },
        }


def _group_dict(group: Group) -> dict[str, Any]:
    t = group.tally
    return {
        "group": group.name,
        "counts": t.__dict__,
        "frr": t.frr.to_dict(),
        "far": t.far.to_dict(),
        "review": t.review.to_dict(),
    }


def summarise(
    pairs: list[Pair],
    enrolments: list[Enrolment],
    results: list[PairResult],
    thresholds: Thresholds,
) -> Summary:
    refusals = tuple(
        Refusal(
            card=next(p.card_text for p in pairs if p.card == e.card),
            code=e.reason.code,
            en=e.reason.en,
            lines=tuple(p.line for p in pairs if p.card == e.card),
        )
        for e in enrolments
        if e.reason is not None
    )
    modes: tuple[Mode, ...] = ("still", "clip", "rendered")
    sections = tuple(
        _section(mode, [r for r in results if r.mode == mode])
        for mode in modes
        if any(r.mode == mode for r in results)
    )
    return Summary(len(pairs), len(enrolments), thresholds, sections, refusals)


def _section(mode: Mode, results: list[PairResult]) -> Section:
    genuine = [r.distance for r in results if r.same]
    impostor = [r.distance for r in results if not r.same]
    why = Counter(code for r in results if r.same and r.outcome != "accepted" for code in r.reasons)
    return Section(
        mode=mode,
        groups=tuple(
            Group(name, Tally.of((r.same, r.outcome) for r in rs)) for name, rs in groups(results)
        ),
        sweep=tuple(sweep(genuine, impostor)),
        why_not_accepted=dict(why.most_common()),
        genuine_distances=tuple(d for d in genuine if d is not None),
        impostor_distances=tuple(d for d in impostor if d is not None),
    )


def groups(results: list[PairResult]) -> list[tuple[str, list[PairResult]]]:
    """All pairs, then each age group and each sex (when some pair carries the label), and
    each age group and sex together (when both take more than one value)."""
    out = [("all", results)]
    ages = sorted({r.age_group for r in results})
    sexes = sorted({r.sex for r in results})
    if ages != [""]:
        out += [(f"age {a or NOT_GIVEN}", [r for r in results if r.age_group == a]) for a in ages]
    if sexes != [""]:
        out += [(f"sex {s or NOT_GIVEN}", [r for r in results if r.sex == s]) for s in sexes]
    if len(ages) > 1 and len(sexes) > 1:
        for a in ages:
            for s in sexes:
                both = [r for r in results if r.age_group == a and r.sex == s]
                if both:
                    out.append((f"age {a or NOT_GIVEN}, sex {s or NOT_GIVEN}", both))
    return out


def format_report(summary: Summary, csv_name: str) -> str:
    th = summary.thresholds
    left_out = sum(len(r.lines) for r in summary.refusals)
    lines = [
        f"{csv_name}: {_count(summary.pairs, 'pair')}, {_count(summary.cards, 'ID-card photo')} "
        f"({len(summary.refusals)} refused at enrolment, {_count(left_out, 'pair')} left out); "
        f"match_accept {th.match_accept:.2f}, match_review {th.match_review:.2f}",
        "FRR: same-person pairs not accepted (refused or sent to review); FAR: different-person "
        "pairs accepted; review: all pairs sent to an officer. 95% Wilson intervals.",
    ]
    for section in summary.sections:
        lines += ["", f"== {TITLES[section.mode]} =="]
        lines += _group_table(section)
        if section.why_not_accepted:
            why = ", ".join(f"{code} {n}" for code, n in section.why_not_accepted.items())
            lines.append(f"same-person pairs not accepted, why: {why}")
        lines.append(_spread("same-person distances", section.genuine_distances))
        lines.append(_spread("different-person distances", section.impostor_distances))
        lines += _sweep_table(section, th.match_accept)
    lines += ["", f"refused at enrolment: {_count(len(summary.refusals), 'ID-card photo')}"]
    for refusal in summary.refusals:
        where = ", ".join(str(n) for n in refusal.lines)
        word = "line" if len(refusal.lines) == 1 else "lines"
        lines.append(f"  {refusal.card}: {refusal.code} ({refusal.en}) {word} {where}")
    return "\n".join(line.rstrip() for line in lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _group_table(section: Section) -> list[str]:
    width = max(12, *(len(g.name) for g in section.groups))
    head = f"{'group':<{width}}  {'same':>5}  {'FRR':<26}  {'diff':>5}  {'FAR':<26}  review"
    lines = [head, "-" * (len(head) + 22)]
    for group in section.groups:
        t = group.tally
        lines.append(
            f"{group.name:<{width}}  {t.genuine:>5}  {t.frr.text():<26}  "
            f"{t.impostor:>5}  {t.far.text():<26}  {t.review.text()}"
        )
    return lines


def _spread(label: str, distances: tuple[float, ...]) -> str:
    if not distances:
        return f"{label}: none"
    low, mid, high = np.min(distances), np.median(distances), np.max(distances)
    return f"{label} (min / median / max): {low:.3f} / {mid:.3f} / {high:.3f}"


def _sweep_table(section: Section, current: float) -> list[str]:
    lines = [
        "threshold sweep, the match alone (FRR: same-person distances above the edge or no "
        "face; FAR: different-person distances at or under it):",
        f"  {'match_accept':<12}  {'FRR':<26}  {'FAR':<26}",
    ]
    for row in section.sweep:
        mark = "  <- current" if abs(row.edge - current) < 1e-9 else ""
        lines.append(f"  {row.edge:<12.2f}  {row.frr.text():<26}  {row.far.text():<26}{mark}")
    return lines
