"""The risk report's figures, from the rows its queries return: the ranked cases with each
score explained, the aggregates by band, province, office, court and officer, compliance by
month, the backtest's precision and recall, and messages by channel with the SMS segments
LINE saved. Pure: rows in, what the page shows out."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reporting_api import risk
from reporting_api.sms_templates import count_segments
from reporting_api.store.backtest import ABSCONDED, OUTCOMES, BandOutcome
from reporting_api.store.reports import (
    DIMENSIONS,
    MONTH_COUNTS,
    ChannelCountRow,
    GroupRow,
    MonthRow,
    RankedCaseRow,
)
from reporting_api.store.risk_scoring import facts_of
from reporting_api.store.rows import OfficeRow
from reporting_api.thai_dates import month_keys

log = logging.getLogger(__name__)


def _name(row: RankedCaseRow, lang: str) -> str:
    if lang == "en" and row.get("first_name_en"):
        return f"{row['first_name_en']} {row.get('last_name_en') or ''}".strip()
    return f"{row['title_th'] or ''}{row['first_name_th']} {row['last_name_th']}"


def ranked(
    rows: Sequence[RankedCaseRow],
    first_rank: int,
    as_of: datetime,
    weights: risk.Weights = risk.HAND_SET,
) -> list[dict[str, Any]]:
    """The page's cases from ``first_rank`` on, each with its score explained under
    ``weights`` (the version of the points the snapshot was computed with)."""
    ranked = []
    for n, row in enumerate(rows, start=first_rank):
        facts = facts_of(row)
        scored = risk.assess(facts, as_of, weights)
        if scored.points != row["score"]:
            # The ranking (SQL) and the explanation (Python) must apply the same rules.
            log.error(
                "risk score of case %s: SQL %s, reporting_api.risk %s; fix store/risk_scoring.py",
                row["case_id"],
                row["score"],
                scored.points,
            )
        ranked.append(
            {
                "rank": n,
                "case_id": row["case_id"],
                "defendant_id": row["defendant_id"],
                "name_th": _name(row, "th"),
                "name_en": _name(row, "en"),
                "office_id": row["office_id"],
                "office_code": row["office_code"],
                "office_th": row["office_name_th"],
                "office_en": row["office_name_en"],
                "court": row["court"],
                "officer": row["officer_name"] or "",
                "score": scored.points,
                "band": scored.band.value,
                "factors": list(scored.factors),
                "bail_amount": row["bail_amount"],
                "next_court_date": facts.next_court_date,
            }
        )
    return ranked


def _group_row(g: Mapping[str, Any], label_th: str, label_en: str) -> dict[str, Any]:
    return {
        "key": g["key"],
        "label_th": label_th,
        "label_en": label_en or label_th,
        "cases": g["cases"],
        "high": g["high"],
        "medium": g["medium"],
        "low": g["low"],
        "average": round(g["score_sum"] / g["cases"], 1) if g["cases"] else 0.0,
        "missed": g["missed"],
        "unreachable": g["unreachable"],
        "bail": g["bail"],
        "bail_high": g["bail_high"],
    }


def aggregates(
    groups: Sequence[GroupRow],
    offices: Mapping[int, OfficeRow],
    staff: Mapping[int, str],
    weights: risk.Weights = risk.HAND_SET,
) -> dict[str, Any]:
    by_dim: dict[str, list[dict[str, Any]]] = {d: [] for d in DIMENSIONS}
    for g in groups:
        key = g["key"]
        if g["dim"] == "office":
            office = offices.get(int(key))
            row = _group_row(
                g, office["name_th"] if office else key, office["name_en"] if office else key
            )
        elif g["dim"] == "officer":
            name = staff.get(int(key), "") if key else ""
            row = _group_row(g, name or "(ไม่มีเจ้าหน้าที่)", name or "(no officer)")
        elif g["dim"] == "province":
            row = _group_row(g, key or "ส่วนกลาง", g["label_en"] or ("Central" if not key else ""))
        else:
            row = _group_row(g, key, key)
        by_dim[g["dim"]].append(row)
    for rows in by_dim.values():
        rows.sort(key=lambda r: (-r["high"], -r["average"], -r["cases"], r["label_th"]))
    empty = _group_row(
        {
            "key": "",
            "cases": 0,
            "high": 0,
            "medium": 0,
            "low": 0,
            "score_sum": 0,
            "missed": 0,
            "unreachable": 0,
            "bail": Decimal("0.00"),
            "bail_high": Decimal("0.00"),
        },
        "",
        "",
    )
    bands = {r["key"]: r for r in by_dim["band"]}
    return {
        "summary": by_dim["all"][0] if by_dim["all"] else empty,
        "by_band": [
            {**bands.get(b.value, empty), "band": b.value, "from": risk.band_from(weights)[b]}
            for b in reversed(risk.BANDS_LOW_TO_HIGH)
        ],
        "by_province": by_dim["province"],
        "by_office": by_dim["office"],
        "by_court": by_dim["court"],
        "by_officer": by_dim["officer"],
    }


def compliance(
    rows: Sequence[MonthRow],
    date_from: date,
    date_to: date,
    offices: Mapping[int, OfficeRow],
) -> dict[str, Any]:
    names = MONTH_COUNTS
    months: dict[str, dict[str, int]] = {
        m: dict.fromkeys(names, 0) for m in month_keys(date_from, date_to)
    }
    missed: dict[int, int] = {}
    for row in rows:
        tally = months.setdefault(row["month"], dict.fromkeys(names, 0))
        for name in names:
            tally[name] += row[name]
        missed[row["office_id"]] = missed.get(row["office_id"], 0) + row["missed"]
    by_month: list[dict[str, Any]] = []
    for month, counts in sorted(months.items()):
        total = sum(counts.values())
        shares = {f"{n}_share": (counts[n] / total if total else None) for n in names}
        by_month.append({"month": month, **counts, "total": total, **shares})
    by_office: list[dict[str, Any]] = []
    for office_id, count in missed.items():
        office = offices.get(office_id)
        by_office.append(
            {
                "office_id": office_id,
                "label_th": office["name_th"] if office else str(office_id),
                "label_en": office["name_en"] if office else str(office_id),
                "missed": count,
            }
        )
    by_office.sort(key=lambda r: (-r["missed"], r["label_th"]))
    return {"by_month": by_month, "missed_by_office": by_office}


def backtest(rows: Sequence[BandOutcome], weights: risk.Weights = risk.HAND_SET) -> dict[str, Any]:
    """Per band: cases and absconded in the band; and for "at least this band" as the alarm
    threshold, how many were flagged, how many of those absconded (precision) and what share
    of all who absconded were flagged (recall)."""
    counts = {(b.value, s): 0 for b in risk.BANDS_LOW_TO_HIGH for s in OUTCOMES}
    for row in rows:
        counts[(row["band"], row["status"])] += row["cases"]
    total = sum(counts.values())
    absconded = sum(n for (_, s), n in counts.items() if s == ABSCONDED)
    bands = []
    for i, band in enumerate(risk.BANDS_LOW_TO_HIGH):
        at_least = risk.BANDS_LOW_TO_HIGH[i:]
        flagged = sum(counts[(b.value, s)] for b in at_least for s in OUTCOMES)
        hits = sum(counts[(b.value, ABSCONDED)] for b in at_least)
        in_band = sum(counts[(band.value, s)] for s in OUTCOMES)
        bands.append(
            {
                "band": band.value,
                "from": risk.band_from(weights)[band],
                "cases": in_band,
                "absconded": counts[(band.value, ABSCONDED)],
                "flagged": flagged,
                "flagged_absconded": hits,
                "precision": hits / flagged if flagged else None,
                "recall": hits / absconded if absconded else None,
            }
        )
    return {
        "cases": total,
        "absconded": absconded,
        "base_rate": absconded / total if total else None,
        "bands": list(reversed(bands)),
    }


def messages_by_channel(counts: ChannelCountRow, line_texts: Iterable[str]) -> dict[str, Any]:
    """Messages sent by SMS, on LINE, and by SMS after LINE gave way (refused, or the month's
    quota used up); and the SMS segments saved: what each text sent on LINE would have cost
    as an SMS (`sms_templates.count_segments`: GSM-7 or UCS-2, as the SMS limit counts)."""
    return {
        **counts,
        "fell_back": counts["fell_back_refused"] + counts["fell_back_quota"],
        "segments_saved": sum(count_segments(text).segments for text in line_texts),
    }
