"""Queries on check-ins."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Combinable

from reporting_api.planning import MAX_GRACE_DAYS, MAX_WINDOW_DAYS
from reporting_api.store import columns, row_as, rows_as
from reporting_api.store.rows import CheckInRow
from reporting_api.tables import CheckIn

TODAY_COLUMNS = (
    *CheckIn.all_columns(),
    CheckIn.case._.defendant._.id.as_alias("defendant_id"),
    CheckIn.case._.defendant._.title_th.as_alias("defendant_title_th"),
    CheckIn.case._.defendant._.first_name_th.as_alias("defendant_first_name_th"),
    CheckIn.case._.defendant._.last_name_th.as_alias("defendant_last_name_th"),
    CheckIn.case._.defendant._.phone.as_alias("defendant_phone"),
)
COMPLETED = ("verified", "excused")


class DayRow(CheckInRow):
    """A check-in on an office's lists, with the person to call."""

    defendant_id: int
    defendant_title_th: str
    defendant_first_name_th: str
    defendant_last_name_th: str
    defendant_phone: str


class CheckInOfPerson(CheckInRow):
    """A check-in with the person it belongs to."""

    defendant_id: int


async def get_check_in(check_in_id: int) -> CheckInRow | None:
    return row_as(CheckInRow, await CheckIn.select().where(CheckIn.id == check_in_id).first())


async def get_with_person(check_in_id: int) -> CheckInOfPerson | None:
    query = CheckIn.select(
        *CheckIn.all_columns(), CheckIn.case._.defendant.as_alias("defendant_id")
    )
    return row_as(CheckInOfPerson, await query.where(CheckIn.id == check_in_id).first())


async def list_for_case(case_id: int) -> list[CheckInRow]:
    rows = await CheckIn.select().where(CheckIn.case == case_id).order_by(CheckIn.due_date)
    return rows_as(CheckInRow, rows)


async def insert_check_ins(rows: list[dict[str, Any]]) -> None:
    if rows:
        await CheckIn.insert(*(CheckIn(**row) for row in rows))


async def update_check_in(check_in_id: int, values: dict[str, Any]) -> None:
    await CheckIn.update(columns(values)).where(CheckIn.id == check_in_id)


async def delete_check_ins(check_in_ids: list[int]) -> None:
    if check_in_ids:
        await CheckIn.delete().where(CheckIn.id.is_in(check_in_ids))


Listed = tuple[list[DayRow], int]
"""Rows of one list (at most ``limit`` of them) and how many match in all."""


async def _listed(where: Combinable, order: Column, ascending: bool, limit: int | None) -> Listed:
    query = CheckIn.select(*TODAY_COLUMNS).where(where).order_by(order, ascending=ascending)
    if limit is None:
        rows = rows_as(DayRow, await query)
        return rows, len(rows)
    rows = rows_as(DayRow, await query.limit(limit))
    # Counting costs a second query, needed only when the list was cut short.
    total = len(rows) if len(rows) < limit else await CheckIn.count().where(where)
    return rows, total


async def due_on(office_id: int, day: date, limit: int | None = None) -> Listed:
    """Check-ins of the office due on ``day`` and not yet completed."""
    where = (
        (CheckIn.office == office_id)
        & (CheckIn.due_date == day)
        & CheckIn.status.not_in(list(COMPLETED))
    )
    return await _listed(where, CheckIn.id, True, limit)


async def overdue(office_id: int, now: datetime, limit: int | None = None) -> Listed:
    """Past the due day but inside the grace days, not yet completed."""
    # A window closes at most MAX_GRACE_DAYS after its due day, so this lower bound on due_at
    # changes no result. It lets PostgreSQL read one month of the (office, due_at, closes_at)
    # index instead of every future check-in, and estimate the handful of rows correctly
    # (without it, it expects thousands and hash-joins the whole bail_case table).
    earliest_due = now - timedelta(days=MAX_GRACE_DAYS + 1)
    where = (
        (CheckIn.office == office_id)
        & (CheckIn.due_at > earliest_due)
        & (CheckIn.due_at <= now)
        & (CheckIn.closes_at > now)
        & CheckIn.status.not_in(list(COMPLETED))
    )
    return await _listed(where, CheckIn.due_at, True, limit)


async def missed_since(
    office_id: int, since: datetime, now: datetime, limit: int | None = None
) -> Listed:
    """Windows that closed between ``since`` and ``now`` without a completed check-in."""
    where = (
        (CheckIn.office == office_id)
        & (CheckIn.closes_at > since)
        & (CheckIn.closes_at <= now)
        & CheckIn.status.not_in(list(COMPLETED))
    )
    return await _listed(where, CheckIn.closes_at, False, limit)


async def windows_open(
    office_id: int, today_ends: datetime, now: datetime, limit: int | None = None
) -> Listed:
    """Windows open now for check-ins due after today (the person may already check in)."""
    where = (
        (CheckIn.office == office_id)
        # A check-in due today has due_at == today_ends (the end of its due day): it is listed
        # as due today, not here.
        & (CheckIn.due_at > today_ends)
        & (CheckIn.due_at < today_ends + timedelta(days=MAX_WINDOW_DAYS + 1))
        & (CheckIn.opens_at <= now)
        & CheckIn.status.not_in(list(COMPLETED))
    )
    return await _listed(where, CheckIn.due_at, True, limit)


async def move_case_office(case_id: int, office_id: int) -> int:
    """A transferred case's check-ins go to the receiving office's lists."""
    rows = (
        await CheckIn.update({CheckIn.office: office_id})
        .where(CheckIn.case == case_id)
        .returning(CheckIn.id)
    )
    return len(rows)
