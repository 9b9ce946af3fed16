"""The backtest's queries: cases closed as absconded or concluded in a period, each scored
with its facts as of the day it closed (the scoring SQL of store/risk_scoring.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from reporting_api import risk
from reporting_api.store import transaction
from reporting_api.store.risk_scoring import (
    ScoredCaseRow,
    as_of_closing,
    band_sql,
    fetch_sql,
    plan_each_time,
    scored_cte,
)

ABSCONDED, CONCLUDED = "absconded", "concluded"
OUTCOMES = (ABSCONDED, CONCLUDED)
"""The recorded outcomes the backtest compares (revoked cases are neither and are left out)."""


class BandOutcome(TypedDict):
    """How many closed cases of one band ended one way."""

    band: str
    status: str
    cases: int


def _closed(office_id: int | None, args: dict[str, Any]) -> str:
    cases = (
        f"bc.status IN ('{ABSCONDED}', '{CONCLUDED}')"
        " AND bc.closed_at >= {closed_from} AND bc.closed_at < {closed_before}"
    )
    if office_id is not None:
        args["office"] = office_id
        cases += " AND bc.office = {office}"
    return cases


async def backtest_bands(
    office_id: int | None,
    closed_from: datetime,
    closed_before: datetime,
    weights: risk.Weights = risk.HAND_SET,
) -> list[BandOutcome]:
    """Cases closed as absconded or concluded in [closed_from, closed_before), scored under
    ``weights`` (the active version's points) with their facts as of closing: how many of
    each band ended each way."""
    args: dict[str, Any] = {"closed_from": closed_from, "closed_before": closed_before}
    cases = _closed(office_id, args)
    async with transaction():
        await plan_each_time()
        rows = await fetch_sql(
            BandOutcome,
            scored_cte(as_of_closing(), cases, shared_instant=False, weights=weights)
            + f"""
SELECT band, status, COUNT(*) AS cases FROM (
    SELECT {band_sql("score", weights)} AS band, status FROM scored
) banded
GROUP BY band, status
""",
            args,
        )
    for row in rows:
        row["cases"] = int(row["cases"])
    return rows


async def scored_closed_cases(
    office_id: int | None,
    closed_from: datetime,
    closed_before: datetime,
    weights: risk.Weights = risk.HAND_SET,
) -> list[ScoredCaseRow]:
    """The backtest's cases one by one, facts as of closing and score under ``weights``: for
    checking the backtest against reporting_api.risk.assess (the report reads
    ``backtest_bands``)."""
    args: dict[str, Any] = {"closed_from": closed_from, "closed_before": closed_before}
    cases = _closed(office_id, args)
    rows = await fetch_sql(
        ScoredCaseRow,
        scored_cte(as_of_closing(), cases, shared_instant=False, weights=weights)
        + "SELECT * FROM scored ORDER BY case_id",
        args,
    )
    for row in rows:
        row["score"] = int(row["score"])
    return rows


class ClosedCaseRow(ScoredCaseRow):
    """A closed case for the fitted model: facts as of closing, the person's recorded sex and
    birth date, the office's province (Thai, "" for the central office)."""

    sex: str
    date_of_birth: date
    province_th: str
    province_en: str


async def closed_cases_for_fit(closed_before: datetime) -> list[ClosedCaseRow]:
    """Every case closed as absconded or concluded before ``closed_before``, scored with its
    facts as of closing by the hand-set points (reporting_api/risk_model.py fits on the older,
    tests on the newer, and compares with those points)."""
    cases = f"bc.status IN ('{ABSCONDED}', '{CONCLUDED}') AND bc.closed_at < {{closed_before}}"
    async with transaction():
        await plan_each_time()
        rows = await fetch_sql(
            ClosedCaseRow,
            scored_cte(as_of_closing(), cases, shared_instant=False)
            + """
SELECT scored.*, d.sex, d.date_of_birth, COALESCE(o.province_th, '') AS province_th,
    COALESCE(o.province_en, '') AS province_en
FROM scored
JOIN defendant d ON d.id = scored.defendant_id
JOIN office o ON o.id = scored.office_id
ORDER BY scored.closed_at, scored.case_id
""",
            {"closed_before": closed_before},
        )
    for row in rows:
        row["score"] = int(row["score"])
    return rows
