"""The evaluation's summary: counts and error rates per species, the match's FAR and FRR, and
the printed table."""

from __future__ import annotations

from collections import Counter
from typing import Any, NotRequired, TypedDict

import numpy as np

from liveness.eval_set import SPECIES, first_name
from liveness.types import Decision, Thresholds


class ClipResult(TypedDict):
    """One clip's verdict as the evaluation records it (and writes to the results JSON)."""

    name: str
    species: str
    group: str  # the group of looks (liveness.synth.looks.GROUPS); "plain" without one
    source: str | None
    challenge: list[str]  # the challenge's actions, in order
    decision: Decision
    reasons: list[str]  # reason codes
    scores: dict[str, float]
    timings_ms: dict[str, float]
    attempt: NotRequired[int]  # the recording's number in its check-in, when not the first


def summarise(results: list[ClipResult], thresholds: Thresholds) -> dict[str, Any]:
    """Counts and rates per species, and the match's FAR and FRR at the accept edge; with
    more than one group of looks, the same per species for each group."""
    summary: dict[str, Any] = {"species": _by_species(results)}
    groups = sorted({r.get("group", "plain") for r in results}, key=_group_order)
    if len(groups) > 1:
        summary["groups"] = {
            group: _by_species([r for r in results if r.get("group", "plain") == group])
            for group in groups
        }
    accept = thresholds.match_accept
    impostors = [r for r in results if r["species"] == "impostor"]
    genuine = [r for r in results if r["species"] == "genuine"]
    summary["match"] = {
        "accept": accept,
        "far_n": len(impostors),
        "false_accepts": sum(1 for r in impostors if _distance(r) <= accept),
        "frr_n": len(genuine),
        "false_rejects": sum(1 for r in genuine if not _distance(r) <= accept),
        "genuine_distances": sorted(round(_distance(r), 3) for r in genuine),
        "impostor_distances": sorted(round(_distance(r), 3) for r in impostors),
    }
    for rate, count, size in (("far", "false_accepts", "far_n"), ("frr", "false_rejects", "frr_n")):
        total = summary["match"][size]
        summary["match"][rate] = summary["match"][count] / total if total else None
    return summary


def summarise_check_ins(
    first: list[ClipResult], later: list[ClipResult]
) -> dict[str, dict[str, Any]]:
    """Per group, the genuine check-ins with the later recordings a rejection allows
    (`evaluate._retry`): how many ended verified, and on which recording, how many went to
    an officer (sent to review, or rejected on every recording), and why the last recording
    of those was not verified. The check-in BPCER is the share not verified."""
    last: dict[str, ClipResult] = {r["name"]: r for r in first if r["species"] == "genuine"}
    tries = dict.fromkeys(last, 1)
    for result in later:  # in order of recording
        name = first_name(result["name"])
        last[name], tries[name] = result, result.get("attempt", 2)
    out: dict[str, dict[str, Any]] = {}
    for group in sorted({r["group"] for r in last.values()}, key=_group_order):
        mine = [(name, r) for name, r in last.items() if r["group"] == group]
        verified = Counter(tries[name] for name, r in mine if r["decision"] == "verified")
        failed = [r for _, r in mine if r["decision"] != "verified"]
        out[group] = {
            "n": len(mine),
            "verified": sum(verified.values()),
            "verified_on": {k: verified[k] for k in sorted(verified)},
            "officer": len(failed),
            "bpcer": len(failed) / len(mine) if mine else None,
            "reasons": dict(Counter(code for r in failed for code in r["reasons"]).most_common()),
        }
    return out


def _group_order(group: str) -> tuple[int, str]:
    from liveness.synth.looks import GROUPS

    names = list(GROUPS)
    return (names.index(group) if group in names else len(names), group)


def _by_species(results: list[ClipResult]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for species in SPECIES:
        rows = [r for r in results if r["species"] == species]
        if not rows:
            continue
        n = len(rows)
        counts = Counter(r["decision"] for r in rows)
        item = {
            "n": n,
            "verified": counts["verified"],
            "review": counts["review"],
            "rejected": counts["rejected"],
            "reasons": dict(Counter(code for r in rows for code in r["reasons"]).most_common()),
        }
        if species == "genuine":
            item["bpcer"] = (n - counts["verified"]) / n
            item["bpcer_rejected"] = counts["rejected"] / n
            item["bpcer_review"] = counts["review"] / n
        else:
            item["apcer"] = counts["verified"] / n
        item["verify_ms_median"] = float(
            np.median([r["timings_ms"].get("total", 0.0) for r in rows])
        )
        out[species] = item
    return out


def _distance(result: ClipResult) -> float:
    """The clip's match distance; infinity if no face was compared (so never a match)."""
    return float(result["scores"].get("match_distance", float("inf")))


def format_table(summary: dict[str, Any]) -> str:
    lines = [
        f"{'species':<9} {'n':>4} {'verified':>9} {'review':>7} {'rejected':>9}   rate",
        "-" * 72,
    ]
    for species, item in summary["species"].items():
        if species == "genuine":
            rate = (
                f"BPCER {item['bpcer']:.1%} (rejected {item['bpcer_rejected']:.1%}, "
                f"review {item['bpcer_review']:.1%})"
            )
        else:
            rate = f"APCER {item['apcer']:.1%}"
        lines.append(
            f"{species:<9} {item['n']:>4} {item['verified']:>9} {item['review']:>7} "
            f"{item['rejected']:>9}   {rate}"
        )
    lines.append("-" * 72)
    match = summary["match"]
    if match["far_n"]:
        lines.append(
            f"match FAR {match['false_accepts']}/{match['far_n']} = {match['far']:.1%} "
            f"(impostor clips at distance <= {match['accept']:.2f})"
        )
    if match["frr_n"]:
        lines.append(
            f"match FRR {match['false_rejects']}/{match['frr_n']} = {match['frr']:.1%} "
            f"(genuine clips above {match['accept']:.2f} or without a face)"
        )
    lines.append("reasons given:")
    for species, item in summary["species"].items():
        top = ", ".join(f"{code} {count}" for code, count in item["reasons"].items())
        lines.append(f"  {species:<9} {top}")
    if "groups" in summary:
        lines.extend(format_groups(summary["groups"]))
    if summary.get("check_ins"):
        lines.append(
            "genuine check-ins, a rejected recording recorded again (up to 3 recordings, "
            "without what was asked off): verified / n, on recording 1+2+3; to an officer"
        )
        for group, item in summary["check_ins"].items():
            on = "+".join(str(item["verified_on"].get(k, 0)) for k in (1, 2, 3))
            why = ", ".join(f"{code} {n}" for code, n in item["reasons"].items())
            lines.append(
                f"  {group:<11} {item['verified']}/{item['n']} ({on}), "
                f"BPCER {item['bpcer']:.1%}" + (f"; {why}" if why else "")
            )
    return "\n".join(lines)


def format_groups(groups: dict[str, dict[str, Any]]) -> list[str]:
    """Verified / n per group and species (genuine: all should be; attacks: none), then the
    reasons genuine clips were not verified in each group."""
    lines = [
        "",
        "verified / n by group (genuine: BPCER = the share not verified; attacks: APCER)",
        f"{'group':<11}" + "".join(f"{species:>16}" for species in SPECIES),
        "-" * (11 + 16 * len(SPECIES)),
    ]
    for group, items in groups.items():
        cells = []
        for species in SPECIES:
            item = items.get(species)
            if item is None:
                cells.append(f"{'-':>16}")
                continue
            rate = item["bpcer"] if species == "genuine" else item["apcer"]
            cells.append(f"{item['verified']:>4}/{item['n']:<3} {rate:>6.1%} ")
        lines.append(f"{group:<11}" + "".join(cells))
    lines.append("genuine clips not verified, by group:")
    for group, items in groups.items():
        genuine = items.get("genuine") or {"reasons": {}}
        why = {code: n for code, n in genuine["reasons"].items() if code != "verified"}
        if why:
            lines.append(f"  {group:<11} " + ", ".join(f"{code} {n}" for code, n in why.items()))
    return lines
