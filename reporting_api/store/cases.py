"""Queries on bail cases and their reporting plans."""

from __future__ import annotations

from typing import Any

from reporting_api.store import fetch_page
from reporting_api.tables import BailCase, ReportingPlan

CASE_COLUMNS = (
    *BailCase.all_columns(),
    BailCase.defendant.title_th.as_alias("defendant_title_th"),
    BailCase.defendant.first_name_th.as_alias("defendant_first_name_th"),
    BailCase.defendant.last_name_th.as_alias("defendant_last_name_th"),
)


async def insert_case(values: dict[str, Any]) -> int:
    rows = await BailCase.insert(BailCase(**values)).returning(BailCase.id)
    return rows[0]["id"]


async def get_case(case_id: int) -> dict[str, Any] | None:
    return await BailCase.select(*CASE_COLUMNS).where(BailCase.id == case_id).first()


async def update_case(case_id: int, values: dict[str, Any]) -> None:
    await BailCase.update(values).where(BailCase.id == case_id)


async def list_cases(
    *,
    office_id: int | None,
    status: str | None,
    officer_id: int | None,
    defendant_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    conditions = []
    if office_id is not None:
        conditions.append(BailCase.office == office_id)
    if status is not None:
        conditions.append(BailCase.status == status)
    if officer_id is not None:
        conditions.append(BailCase.officer == officer_id)
    if defendant_id is not None:
        conditions.append(BailCase.defendant == defendant_id)
    query = BailCase.select(*CASE_COLUMNS).order_by(BailCase.id, ascending=False)
    return await fetch_page(query, BailCase.count(), conditions, offset, limit)


async def get_plan(case_id: int) -> dict[str, Any] | None:
    return await ReportingPlan.select().where(ReportingPlan.case == case_id).first()


async def save_plan(case_id: int, values: dict[str, Any]) -> None:
    """Insert the case's plan or replace the one it has (one plan per case)."""
    if await ReportingPlan.exists().where(ReportingPlan.case == case_id):
        await ReportingPlan.update(values).where(ReportingPlan.case == case_id)
    else:
        await ReportingPlan.insert(ReportingPlan(case=case_id, **values))
