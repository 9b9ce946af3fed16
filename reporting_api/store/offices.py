"""Queries on offices."""

from __future__ import annotations

from typing import Any

from reporting_api.offices_data import load_offices
from reporting_api.store import columns, row_as, rows_as
from reporting_api.store.rows import OfficeRow
from reporting_api.tables import Office


async def ensure_offices() -> int:
    """Insert the central office and the 77 provincial offices that are missing; returns how
    many were added. Existing rows keep any edits an admin made."""
    existing = {row["code"] for row in await Office.select(Office.code)}
    missing = [
        Office(
            code=o.code,
            name_th=o.name_th,
            name_en=o.name_en,
            province_th=o.province_th,
            province_en=o.province_en,
            region=o.region,
            is_central=o.code == "central",
        )
        for o in load_offices()
        if o.code not in existing
    ]
    if missing:
        await Office.insert(*missing)
    return len(missing)


async def list_offices() -> list[OfficeRow]:
    rows = await Office.select().order_by(Office.is_central, ascending=False).order_by(Office.code)
    return rows_as(OfficeRow, rows)


async def get_office(office_id: int) -> OfficeRow | None:
    return row_as(OfficeRow, await Office.select().where(Office.id == office_id).first())


async def get_office_by_code(code: str) -> OfficeRow | None:
    return row_as(OfficeRow, await Office.select().where(Office.code == code).first())


async def office_exists(office_id: int) -> bool:
    return await Office.exists().where(Office.id == office_id)


async def create_office(values: dict[str, Any]) -> OfficeRow:
    rows = await Office.insert(Office(**values)).returning(*Office.all_columns())
    return rows_as(OfficeRow, rows)[0]


async def update_office(office_id: int, values: dict[str, Any]) -> OfficeRow | None:
    if values:
        await Office.update(columns(values)).where(Office.id == office_id)
    return await get_office(office_id)


async def office_code_taken(code: str, except_id: int | None = None) -> bool:
    query = Office.exists().where(Office.code == code)
    if except_id is not None:
        query = query.where(Office.id != except_id)
    return await query
