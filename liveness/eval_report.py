"""The evaluation's summary: counts and error rates per species, the match's FAR and FRR, and
the printed table."""

from __future__ import annotations

from collections import Counter
from typing import Any, TypedDict

import numpy as np

from liveness.eval_set import SPECIES
from liveness.types import Decision, Thresholds


class ClipResult(TypedDict):
    """One clip's verdict as the evaluation records it (and writes to the results JSON)."""

    name: str
    species: str
    source: str | None
    challenge: list[str]  # the challenge's actions, in order
    decision: Decision
    reasons: list[str]  # reason codes
    scores: dict[str, float]
    timings_ms: dict[str, float]


def summarise(results: list[ClipResult], thresholds: Thresholds) -> dict[str, Any]:
    """Counts and rates per species, and the match's FAR and FRR at the accept edge."""
    summary: dict[str, Any] = {"species": {}}
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
        summary["species"][species] = item
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
    return "\n".join(lines)
