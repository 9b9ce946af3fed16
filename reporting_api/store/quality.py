"""The verification quality page's one query: the finished remote attempts recorded in a
period, with the facts the groups need (the person's sex and birth date, the office, the
phone's user agent, the match distance) and nothing that names anyone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from reporting_api.store import transaction
from reporting_api.store.risk_scoring import fetch_sql, on_postgres, plan_each_time


class QualityAttemptRow(TypedDict):
    office_id: int
    decision: str
    review_decision: str | None
    match_distance: float | None
    user_agent: str | None
    sex: str
    date_of_birth: date
    created_at: datetime


def _json_field(column: str, key: str) -> str:
    if on_postgres():
        return f"({column}::jsonb ->> '{key}')"
    return f"json_extract({column}, '$.{key}')"


async def attempts_between(
    office_id: int | None, created_from: datetime, created_before: datetime
) -> list[QualityAttemptRow]:
    """Finished remote attempts with a machine verdict, created in [from, before)."""
    args: dict[str, Any] = {"created_from": created_from, "created_before": created_before}
    office = ""
    if office_id is not None:
        args["office"] = office_id
        office = " AND va.office = {office}"
    distance = _json_field("va.scores", "match_distance")
    distance = (
        f"CAST({distance} AS DOUBLE PRECISION)" if on_postgres() else f"CAST({distance} AS REAL)"
    )
    async with transaction():
        await plan_each_time()
        rows = await fetch_sql(
            QualityAttemptRow,
            f"""
SELECT va.office AS office_id, va.decision, va.review_decision,
    {distance} AS match_distance, {_json_field("va.client", "user_agent")} AS user_agent,
    d.sex, d.date_of_birth, va.created_at
FROM verification_attempt va
JOIN bail_case bc ON bc.id = va."case"
JOIN defendant d ON d.id = bc.defendant
WHERE va.state = 'done' AND va.decision IS NOT NULL
    AND va.created_at >= {{created_from}} AND va.created_at < {{created_before}}{office}
""",
            args,
        )
    for row in rows:  # SQLite hands back text
        if isinstance(row["created_at"], str):
            row["created_at"] = datetime.fromisoformat(row["created_at"])
        if isinstance(row["date_of_birth"], str):
            row["date_of_birth"] = date.fromisoformat(row["date_of_birth"])
        if row["match_distance"] is not None:
            row["match_distance"] = float(row["match_distance"])
    return rows
