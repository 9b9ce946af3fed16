"""Queries of the periodic sweep: check-in windows that opened, passed their due time or
closed, and check-ins that still lack a link code or reminders (made before the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from reporting_api.db import is_postgres
from reporting_api.tables import BailCase, CheckIn

TIME_DRIVEN_OPEN = ("open", "late")


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
                WHERE status IN ('open', 'late') AND closes_at <= {}
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
            " ORDER BY closes_at LIMIT {}) RETURNING id",
            now,
            now,
            limit,
        )
    return [row["id"] for row in rows]


async def missed_details(check_in_ids: Sequence[int]) -> list[dict[str, Any]]:
    """What a flag and a follow-up need to know about each missed check-in."""
    if not check_in_ids:
        return []
    return await CheckIn.select(
        CheckIn.id,
        CheckIn.case,
        CheckIn.office,
        CheckIn.due_date,
        CheckIn.closes_at,
        CheckIn.case.officer.as_alias("officer_id"),
        CheckIn.case.officer.phone.as_alias("officer_phone"),
        CheckIn.case.officer.active.as_alias("officer_active"),
        CheckIn.case.defendant.as_alias("defendant_id"),
        CheckIn.case.status.as_alias("case_status"),
        CheckIn.case.black_case_number.as_alias("black_case_number"),
    ).where(CheckIn.id.is_in(list(check_in_ids)))


async def check_ins_without_code(limit: int) -> list[int]:
    rows = (
        await CheckIn.select(CheckIn.id)
        .where(CheckIn.code.is_null() & CheckIn.status.is_in(["upcoming", "open", "late"]))
        .limit(limit)
    )
    return [row["id"] for row in rows]


async def set_code(check_in_id: int, code: str) -> None:
    await CheckIn.update({CheckIn.code: code}).where(
        (CheckIn.id == check_in_id) & CheckIn.code.is_null()
    )


async def outstanding_without_reminders(
    now: datetime, after_id: int, limit: int
) -> list[dict[str, Any]]:
    """Active cases' check-ins still ahead of their window's close that have no reminder row
    (written before the outbox existed, or loaded in bulk by the demo seeder), by id."""
    return (
        await CheckIn.select(
            CheckIn.id,
            CheckIn.case,
            CheckIn.office,
            CheckIn.due_date,
            CheckIn.closes_at,
            CheckIn.case.defendant.as_alias("defendant_id"),
        )
        .where(
            CheckIn.status.is_in(["upcoming", "open", "late"])
            & (CheckIn.closes_at > now)
            & (CheckIn.id > after_id)
            & (CheckIn.case.status == "active")
            & WhereRaw("NOT EXISTS (SELECT 1 FROM reminder r WHERE r.check_in = check_in.id)")
        )
        .order_by(CheckIn.id)
        .limit(limit)
    )


async def case_is_active(case_id: int) -> bool:
    return await BailCase.exists().where((BailCase.id == case_id) & (BailCase.status == "active"))
