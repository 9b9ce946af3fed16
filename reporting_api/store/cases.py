"""Queries on bail cases and their reporting plans."""

from __future__ import annotations

from typing import Any

from reporting_api.store import columns, fetch_page, row_as
from reporting_api.store.rows import BailCaseRow, ReportingPlanRow
from reporting_api.tables import BailCase, ReportingPlan

CASE_COLUMNS = (
    *BailCase.all_columns(),
    BailCase.defendant._.title_th.as_alias("defendant_title_th"),
    BailCase.defendant._.first_name_th.as_alias("defendant_first_name_th"),
    BailCase.defendant._.last_name_th.as_alias("defendant_last_name_th"),
)


class CaseRow(BailCaseRow):
    """A case with its person's name."""

    defendant_title_th: str
    defendant_first_name_th: str
    defendant_last_name_th: str


async def insert_case(values: dict[str, Any]) -> int:
    rows = await BailCase.insert(BailCase(**values)).returning(BailCase.id)
    return int(rows[0]["id"])


async def get_case(case_id: int) -> CaseRow | None:
    return row_as(
        CaseRow, await BailCase.select(*CASE_COLUMNS).where(BailCase.id == case_id).first()
    )


async def update_case(case_id: int, values: dict[str, Any]) -> None:
    await BailCase.update(columns(values)).where(BailCase.id == case_id)


async def list_cases(
    *,
    office_id: int | None,
    status: str | None,
    officer_id: int | None,
    defendant_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[CaseRow], int]:
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
    return await fetch_page(CaseRow, query, BailCase.count(), conditions, offset, limit)


async def get_plan(case_id: int) -> ReportingPlanRow | None:
    query = ReportingPlan.select().where(ReportingPlan.case == case_id).output(load_json=True)
    return row_as(ReportingPlanRow, await query.first())


async def save_plan(case_id: int, values: dict[str, Any]) -> None:
    """Insert the case's plan or replace the one it has (one plan per case)."""
    if await ReportingPlan.exists().where(ReportingPlan.case == case_id):
        await ReportingPlan.update(columns(values)).where(ReportingPlan.case == case_id)
    else:
        await ReportingPlan.insert(ReportingPlan(case=case_id, **values))


async def other_active_cases_in_office(defendant_id: int, office_id: int, except_case: int) -> int:
    """How many other active cases the person has in ``office_id``."""
    return await BailCase.count().where(
        (BailCase.defendant == defendant_id)
        & (BailCase.office == office_id)
        & (BailCase.status == "active")
        & (BailCase.id != except_case)
    )
