"""Declared holidays (`declared_holiday`), and the active cases a changed holiday touches."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

from reporting_api.store import row_as, rows_as
from reporting_api.tables import BailCase, CheckIn, DeclaredHoliday


class DeclaredHolidayRow(TypedDict):
    """A declared day, with who declared (and removed) it."""

    id: int
    day: date
    name_th: str
    name_en: str
    declared_by: int | None
    declared_at: datetime
    removed_by: int | None
    removed_at: datetime | None


COLUMNS = (
    DeclaredHoliday.id,
    DeclaredHoliday.day,
    DeclaredHoliday.name_th,
    DeclaredHoliday.name_en,
    DeclaredHoliday.declared_by,
    DeclaredHoliday.declared_at,
    DeclaredHoliday.removed_by,
    DeclaredHoliday.removed_at,
)


async def declared_between(first: date, last: date) -> list[DeclaredHolidayRow]:
    """The days declared (and not removed) from ``first`` to ``last``."""
    return rows_as(
        DeclaredHolidayRow,
        await DeclaredHoliday.select(*COLUMNS)
        .where(
            (DeclaredHoliday.day >= first)
            & (DeclaredHoliday.day <= last)
            & DeclaredHoliday.removed_at.is_null()
        )
        .order_by(DeclaredHoliday.day),
    )


async def get(holiday_id: int) -> DeclaredHolidayRow | None:
    return row_as(
        DeclaredHolidayRow,
        await DeclaredHoliday.select(*COLUMNS).where(DeclaredHoliday.id == holiday_id).first(),
    )


async def insert(
    day: date, name_th: str, name_en: str, declared_by: int, now: datetime
) -> int | None:
    """Declare ``day``; None when it is already declared (one statement: the partial unique
    index decides, so two admins at once cannot both declare it)."""
    rows = await DeclaredHoliday.raw(
        "INSERT INTO declared_holiday (day, name_th, name_en, declared_by, declared_at)"
        " VALUES ({}, {}, {}, {}, {})"
        " ON CONFLICT (day) WHERE removed_at IS NULL DO NOTHING RETURNING id",
        day,
        name_th,
        name_en,
        declared_by,
        now,
    )
    return int(rows[0]["id"]) if rows else None


async def mark_removed(holiday_id: int, removed_by: int, now: datetime) -> bool:
    """Remove a declared day (kept as history); False if it was removed already."""
    rows = (
        await DeclaredHoliday.update(
            {DeclaredHoliday.removed_at: now, DeclaredHoliday.removed_by: removed_by}
        )
        .where((DeclaredHoliday.id == holiday_id) & DeclaredHoliday.removed_at.is_null())
        .returning(DeclaredHoliday.id)
    )
    return bool(rows)


class TouchedCase(TypedDict):
    """An active case with a check-in not yet opened that a holiday change may move."""

    id: int


async def active_cases_with_upcoming_between(first: date, last: date) -> list[int]:
    """Active cases with an upcoming check-in whose nominal or due date lies from ``first`` to
    ``last`` (a holiday on ``day`` touches check-ins nominally due from the days before it,
    up to the ones it moved)."""
    rows = rows_as(
        TouchedCase,
        await CheckIn.select(CheckIn.case.as_alias("id"))
        .where(
            (CheckIn.status == "upcoming")
            & (
                ((CheckIn.due_date >= first) & (CheckIn.due_date <= last))
                | ((CheckIn.nominal_date >= first) & (CheckIn.nominal_date <= last))
            )
            & CheckIn.case.is_in(BailCase.select(BailCase.id).where(BailCase.status == "active"))
        )
        .distinct(),
    )
    return sorted({row["id"] for row in rows})
