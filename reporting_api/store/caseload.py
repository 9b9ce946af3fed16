"""Queries of an office's caseload: each person with their main case, their next check-in
still to be met, and how many of their flags are unresolved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypedDict

from reporting_api.db import is_postgres
from reporting_api.statuses import CheckInStatusName
from reporting_api.store import rows_as
from reporting_api.tables import Defendant

SORTS = ("name", "due", "status")


class CaseloadRow(TypedDict):
    """A person on the caseload with their main case, next check-in and unresolved flags."""

    id: int
    national_id: str
    title_th: str
    first_name_th: str
    last_name_th: str
    first_name_en: str | None
    last_name_en: str | None
    phone: str
    sms_opt_out: bool
    office: int
    office_code: str
    office_name_th: str
    office_name_en: str
    case_id: int | None
    case_status: str | None
    black_case_number: str | None
    case_count: int
    next_check_in_id: int | None
    next_due_date: date | None
    next_opens_at: datetime | None
    next_due_at: datetime | None
    next_closes_at: datetime | None
    next_status: CheckInStatusName | None
    unresolved_flags: int
    urgency: int

# The next check-in of each person: the earliest one of an active case whose window has not
# closed and that is not met yet. `urgency` orders by what the officer must do first:
# overdue (late), waiting for review, window open, not open yet, nothing due.
_QUERY = """
WITH next_ci AS (
    SELECT bc.defendant AS defendant_id, c.id, c.due_date, c.opens_at, c.due_at, c.closes_at,
           c.status,
           ROW_NUMBER() OVER (PARTITION BY bc.defendant ORDER BY c.due_at, c.id) AS rn
    FROM check_in c JOIN bail_case bc ON bc.id = c."case"
    WHERE c.closes_at > {{}} AND c.status NOT IN ('verified', 'excused')
      AND bc.status = 'active' {check_in_office}
),
main_case AS (
    SELECT bc.defendant AS defendant_id, bc.id, bc.status, bc.black_case_number,
           ROW_NUMBER() OVER (
               PARTITION BY bc.defendant
               ORDER BY CASE WHEN bc.status = 'active' THEN 0 ELSE 1 END, bc.id DESC
           ) AS rn,
           COUNT(*) OVER (PARTITION BY bc.defendant) AS case_count
    FROM bail_case bc {case_office}
),
unresolved AS (
    SELECT bc.defendant AS defendant_id, COUNT(*) AS n
    FROM flag f JOIN bail_case bc ON bc.id = f."case"
    WHERE f.resolved_at IS NULL {flag_office}
    GROUP BY bc.defendant
)
SELECT d.id, d.national_id, d.title_th, d.first_name_th, d.last_name_th, d.first_name_en,
       d.last_name_en, d.phone, d.sms_opt_out, d.office,
       o.code AS office_code, o.name_th AS office_name_th, o.name_en AS office_name_en,
       mc.id AS case_id, mc.status AS case_status, mc.black_case_number,
       COALESCE(mc.case_count, 0) AS case_count,
       n.id AS next_check_in_id, n.due_date AS next_due_date, n.opens_at AS next_opens_at,
       n.due_at AS next_due_at, n.closes_at AS next_closes_at, n.status AS next_status,
       COALESCE(u.n, 0) AS unresolved_flags,
       CASE WHEN n.id IS NULL THEN 4
            WHEN n.status = 'pending_review' THEN 1
            WHEN n.due_at <= {{}} THEN 0
            WHEN n.opens_at <= {{}} THEN 2
            ELSE 3 END AS urgency
FROM defendant d
JOIN office o ON o.id = d.office
LEFT JOIN next_ci n ON n.defendant_id = d.id AND n.rn = 1
LEFT JOIN main_case mc ON mc.defendant_id = d.id AND mc.rn = 1
LEFT JOIN unresolved u ON u.defendant_id = d.id
{where}
ORDER BY {order}
LIMIT {{}} OFFSET {{}}
"""

_ORDER = {
    "name": "d.last_name_th, d.first_name_th, d.id",
    # Nothing due goes last on both databases (PostgreSQL puts NULL last ascending, SQLite first).
    "due": "CASE WHEN n.due_at IS NULL THEN 1 ELSE 0 END, n.due_at, d.last_name_th, d.id",
    "status": "urgency, CASE WHEN n.due_at IS NULL THEN 1 ELSE 0 END, n.due_at, d.last_name_th,"
    " d.id",
}


def _postgres() -> bool:
    return is_postgres(Defendant._meta.db)


def _to_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _to_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _where(office_id: int | None, defendant_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if office_id is not None:
        clauses.append("d.office = {}")
        args.append(office_id)
    if defendant_ids is not None:
        if _postgres():
            clauses.append("d.id = ANY({}::int[])")
            args.append(list(defendant_ids))
        else:
            clauses.append(f"d.id IN ({', '.join('{}' for _ in defendant_ids) or 'NULL'})")
            args += list(defendant_ids)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", args


async def caseload_page(
    *,
    office_id: int | None,
    defendant_ids: Sequence[int] | None,
    now: datetime,
    sort: str,
    offset: int,
    limit: int,
) -> tuple[list[CaseloadRow], int]:
    """One page of people (of ``office_id``, or every office; only ``defendant_ids`` when
    given) with their main case, next check-in and unresolved flags, sorted by ``sort``."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    if defendant_ids is not None and not defendant_ids:
        return [], 0
    where, where_args = _where(office_id, defendant_ids)
    office_args = [office_id] if office_id is not None else []
    sql = _QUERY.format(
        check_in_office="AND c.office = {}" if office_id is not None else "",
        case_office="WHERE bc.office = {}" if office_id is not None else "",
        flag_office="AND f.office = {}" if office_id is not None else "",
        where=where,
        order=_ORDER[sort],
    )
    args = [now, *office_args, *office_args, *office_args, now, now, *where_args, limit, offset]
    rows = await Defendant.raw(sql, *args)
    for row in rows:
        row["next_due_date"] = _to_date(row["next_due_date"])
        for key in ("next_opens_at", "next_due_at", "next_closes_at"):
            row[key] = _to_datetime(row[key])
        row["sms_opt_out"] = bool(row["sms_opt_out"])
    count_sql = "SELECT count(*) AS n FROM defendant d " + where
    total = int((await Defendant.raw(count_sql, *where_args))[0]["n"])
    return rows_as(CaseloadRow, rows), total
