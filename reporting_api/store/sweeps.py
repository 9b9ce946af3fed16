"""Queries of the periodic sweep: check-in windows that opened, passed their due time or
closed, and check-ins that still lack a link code or reminders (made before the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TypedDict

from piccolo.columns.combination import WhereRaw

from reporting_api.db import is_postgres
from reporting_api.store import rows_as
from reporting_api.tables import CheckIn

TIME_DRIVEN_OPEN = ("open", "late")



class MissedRow(TypedDict):
    """What a flag and a follow-up need to know about a missed check-in."""

    id: int
    case: int
    office: int
    due_date: date
    closes_at: datetime
    officer_id: int | None
    officer_phone: str | None
    officer_active: bool | None
    defendant_id: int
    case_status: str
    black_case_number: str


class OutstandingRow(TypedDict):
    """A check-in still ahead of its window's close that has no reminder row yet."""

    id: int
    case: int
    office: int
    due_date: date
    closes_at: datetime
    defendant_id: int


def _postgres() -> bool:
    return is_postgres(CheckIn._meta.db)


async def open_windows(now: datetime) -> int:
    """upcoming -> open for windows that have opened; returns how many."""
    rows = (
        await CheckIn.update({CheckIn.status: "open", CheckIn.updated_at: now})
        .where((CheckIn.status == "upcoming") & (CheckIn.opens_at <= now))
        .returning(CheckIn.id)
    )
    return len(rows)


async def mark_late(now: datetime) -> int:
    """open -> late for check-ins past their due time but still inside the grace days."""
    rows = (
        await CheckIn.update({CheckIn.status: "late", CheckIn.updated_at: now})
        .where((CheckIn.status == "open") & (CheckIn.due_at <= now) & (CheckIn.closes_at > now))
        .returning(CheckIn.id)
    )
    return len(rows)


async def close_missed(now: datetime, limit: int) -> list[int]:
    """open or late -> missed for up to ``limit`` windows that closed; returns their ids.
    A window an open request made before it closed holds is left alone (the sweep marks it
    `held` first; this guards a request committed in between).

    Each id comes back to exactly one caller: a second sweep running at the same time skips
    the rows this one holds (PostgreSQL) or waits for its commit (SQLite's write lock) and
    then finds them missed already.
    """
    if _postgres():
        rows = await CheckIn.raw(
            """
            UPDATE check_in SET status = 'missed', updated_at = {}
            WHERE id IN (
                SELECT id FROM check_in
                WHERE status IN ('open', 'late') AND closes_at <= {} AND NOT EXISTS (
                    SELECT 1 FROM person_request r WHERE r.check_in = check_in.id
                    AND r.status IN ('submitted', 'awaiting_contact')
                    AND r.created_at < check_in.closes_at)
                ORDER BY closes_at LIMIT {}
                FOR UPDATE SKIP LOCKED
            )
            RETURNING id
            """,
            now,
            now,
            limit,
        )
    else:
        rows = await CheckIn.raw(
            "UPDATE check_in SET status = 'missed', updated_at = {} WHERE id IN ("
            " SELECT id FROM check_in WHERE status IN ('open', 'late') AND closes_at <= {}"
            " AND NOT EXISTS (SELECT 1 FROM person_request r WHERE r.check_in = check_in.id"
            " AND r.status IN ('submitted', 'awaiting_contact')"
            " AND r.created_at < check_in.closes_at)"
            " ORDER BY closes_at LIMIT {}) RETURNING id",
            now,
            now,
            limit,
        )
    return [int(row["id"]) for row in rows]


async def missed_details(check_in_ids: Sequence[int]) -> list[MissedRow]:
    """What a flag and a follow-up need to know about each missed check-in."""
    if not check_in_ids:
        return []
    rows = await CheckIn.select(
        CheckIn.id,
        CheckIn.case,
        CheckIn.office,
        CheckIn.due_date,
        CheckIn.closes_at,
        CheckIn.case._.officer.as_alias("officer_id"),
        CheckIn.case._.officer._.phone.as_alias("officer_phone"),
        CheckIn.case._.officer._.active.as_alias("officer_active"),
        CheckIn.case._.defendant.as_alias("defendant_id"),
        CheckIn.case._.status.as_alias("case_status"),
        CheckIn.case._.black_case_number.as_alias("black_case_number"),
    ).where(CheckIn.id.is_in(list(check_in_ids)))
    return rows_as(MissedRow, rows)


async def check_ins_without_code(limit: int) -> list[int]:
    rows = (
        await CheckIn.select(CheckIn.id)
        .where(CheckIn.code.is_null() & CheckIn.status.is_in(["upcoming", "open", "late"]))
        .limit(limit)
    )
    return [int(row["id"]) for row in rows]


async def set_code(check_in_id: int, code: str) -> None:
    await CheckIn.update({CheckIn.code: code}).where(
        (CheckIn.id == check_in_id) & CheckIn.code.is_null()
    )


async def outstanding_without_reminders(
    now: datetime, until: date, after_id: int, limit: int
) -> list[OutstandingRow]:
    """Active cases' check-ins due by ``until`` and still ahead of their window's close that
    have no reminder row (created beyond the planning horizon, loaded in bulk by the demo
    seeder, or written before the outbox existed), by id."""
    rows = (
        await CheckIn.select(
            CheckIn.id,
            CheckIn.case,
            CheckIn.office,
            CheckIn.due_date,
            CheckIn.closes_at,
            CheckIn.case._.defendant.as_alias("defendant_id"),
        )
        .where(
            CheckIn.status.is_in(["upcoming", "open", "late"])
            & (CheckIn.closes_at > now)
            & (CheckIn.due_date <= until)
            & (CheckIn.id > after_id)
            & (CheckIn.case._.status == "active")
            & WhereRaw("NOT EXISTS (SELECT 1 FROM reminder r WHERE r.check_in = check_in.id)")
        )
        .order_by(CheckIn.id)
        .limit(limit)
    )
    return rows_as(OutstandingRow, rows)
