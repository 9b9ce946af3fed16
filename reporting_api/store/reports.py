"""Queries of the managers' risk report: per-case facts and scores, aggregates, trends, and the
facts of closed cases as of closing for the backtest.

Built for 100,000 cases and a million check-ins: each query reads the check-ins once, grouped
by case in the database, and the score is computed there too (from reporting_api.risk's
constants), so ranking, aggregates and the backtest never move per-case rows to Python. Active
cases are scored into the table risk_snapshot, and check-in outcomes counted by office and day
into risk_snapshot_day, now and then (refresh_risk_snapshot), not on each request. The report
reads a page of the ranking, whose rows come back with their facts for
reporting_api.risk.assess to explain, the aggregates and the months from them; only the
backtest reads check-ins when the report is viewed.

The same SQL runs on SQLite: CASE inside SUM instead of FILTER, and the few date expressions
that differ are chosen per dialect below. On SQLite, timestamps are UTC text
("YYYY-MM-DD HH:MM:SS[.ffffff]+00:00"), which sort and compare as instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from reporting_api import risk
from reporting_api.db import is_postgres
from reporting_api.store import transaction
from reporting_api.tables import BailCase, RiskSnapshot, RiskSnapshotDay
from reporting_api.thai_dates import bangkok_today

ABSCONDED, CONCLUDED = "absconded", "concluded"
OUTCOMES = (ABSCONDED, CONCLUDED)
"""The recorded outcomes the backtest compares (revoked cases are neither and are left out)."""
DIMENSIONS = ("all", "band", "province", "office", "court", "officer")


def _postgres() -> bool:
    return is_postgres(BailCase._meta.db)


@dataclass(frozen=True)
class _AsOf:
    """SQL for the instant the facts are read at, and the days derived from it."""

    instant: str
    since: str
    today: str
    quiet_long: str
    quiet: str
    court_soon: str
    court_near: str
    args: dict[str, Any]


def _as_of_now(now: datetime) -> _AsOf:
    """Active cases, read now: every bound is a parameter."""
    today = bangkok_today(now)
    return _AsOf(
        instant="{now}",
        since="{since}",
        today="{today}",
        quiet_long="{quiet_long}",
        quiet="{quiet}",
        court_soon="{court_soon}",
        court_near="{court_near}",
        args={
            "now": now,
            "since": now - timedelta(days=risk.LOOKBACK_DAYS),
            "today": today,
            "quiet_long": today - timedelta(days=risk.QUIET_LONG_DAYS),
            "quiet": today - timedelta(days=risk.QUIET_DAYS),
            "court_soon": today + timedelta(days=risk.COURT_SOON_DAYS),
            "court_near": today + timedelta(days=risk.COURT_NEAR_DAYS),
        },
    )


def _as_of_closing() -> _AsOf:
    """Closed cases, each read at its own closed_at."""
    # The day bounds are read in `scored`, over the columns of `facts`: closed_at unqualified.
    if _postgres():
        day = "CAST(closed_at AT TIME ZONE 'Asia/Bangkok' AS DATE)"
        return _AsOf(
            instant="bc.closed_at",
            since=f"bc.closed_at - INTERVAL '{risk.LOOKBACK_DAYS} days'",
            today=day,
            quiet_long=f"({day} - {risk.QUIET_LONG_DAYS})",
            quiet=f"({day} - {risk.QUIET_DAYS})",
            court_soon=f"({day} + {risk.COURT_SOON_DAYS})",
            court_near=f"({day} + {risk.COURT_NEAR_DAYS})",
            args={},
        )

    def day(shift: int = 0) -> str:
        return f"date(closed_at, '+7 hours', '{shift:+d} days')"

    return _AsOf(
        instant="bc.closed_at",
        since=f"datetime(bc.closed_at, '-{risk.LOOKBACK_DAYS} days')",
        today=day(),
        quiet_long=day(-risk.QUIET_LONG_DAYS),
        quiet=day(-risk.QUIET_DAYS),
        court_soon=day(risk.COURT_SOON_DAYS),
        court_near=day(risk.COURT_NEAR_DAYS),
        args={},
    )


def _bangkok_day(expr: str) -> str:
    if _postgres():
        return f"CAST({expr} AT TIME ZONE 'Asia/Bangkok' AS DATE)"
    return f"date({expr}, '+7 hours')"


def _month(expr: str) -> str:
    return f"to_char({expr}, 'YYYY-MM')" if _postgres() else f"strftime('%Y-%m', {expr})"


def _capped(column: str, each: int, cap: int) -> str:
    return f"CASE WHEN {column} * {each} > {cap} THEN {cap} ELSE {column} * {each} END"


def _points_sql(a: _AsOf) -> str:
    """reporting_api.risk.assess's points, as SQL over the columns of ``facts``."""
    r = risk
    quiet_since = "COALESCE(last_verified_on, release_date)"
    court = "next_court_date"
    return " + ".join(
        (
            _capped("missed", r.MISSED_POINTS, r.MISSED_CAP),
            _capped("late", r.LATE_POINTS, r.LATE_CAP),
            _capped("failed", r.FAILED_VERIFICATION_POINTS, r.FAILED_VERIFICATION_CAP),
            _capped("suspicious", r.SUSPICIOUS_VERIFICATION_POINTS, r.SUSPICIOUS_VERIFICATION_CAP),
            _capped("lockouts", r.IDENTITY_LOCKOUT_POINTS, r.IDENTITY_LOCKOUT_CAP),
            f"unreachable * {r.UNREACHABLE_PHONE_POINTS}",
            f"CASE WHEN {quiet_since} < {a.quiet_long} THEN {r.QUIET_LONG_POINTS}"
            f" WHEN {quiet_since} < {a.quiet} THEN {r.QUIET_POINTS} ELSE 0 END",
            f"CASE WHEN {court} >= {a.today} AND {court} <= {a.court_soon}"
            f" THEN {r.COURT_SOON_POINTS}"
            f" WHEN {court} >= {a.today} AND {court} <= {a.court_near}"
            f" THEN {r.COURT_NEAR_POINTS} ELSE 0 END",
            f"CASE WHEN bail_amount >= {r.BAIL_HIGH_THB} THEN {r.BAIL_HIGH_POINTS}"
            f" WHEN bail_amount >= {r.BAIL_LARGE_THB} THEN {r.BAIL_LARGE_POINTS} ELSE 0 END",
        )
    )


def _band_sql(score: str) -> str:
    return (
        f"CASE WHEN {score} >= {risk.HIGH_FROM} THEN '{risk.Band.HIGH}'"
        f" WHEN {score} >= {risk.MEDIUM_FROM} THEN '{risk.Band.MEDIUM}'"
        f" ELSE '{risk.Band.LOW}' END"
    )


def _scored_cte(a: _AsOf, cases: str, *, shared_instant: bool) -> str:
    """``WITH ... scored``: one row per case chosen by ``cases`` (a condition on ``bc``), with
    its facts as of ``a`` and its score. Check-ins and flags are each read once, by case.

    With one instant for every case (``shared_instant``: active cases, now), the time window
    alone chooses the check-ins and flags, so the million check-ins are not joined to their
    cases first; the final join keeps the chosen cases. Closed cases each have their own
    instant, so theirs are joined to the case first.
    """
    settled = "COALESCE(fc.status, '') IN ('verified', 'excused')"
    window = f"c.due_at > {a.since} AND c.due_at <= {a.instant}"
    if shared_instant:
        ci_from = f"check_in c WHERE {window}"
        fl_from = "flag f LEFT JOIN check_in fc ON fc.id = f.check_in WHERE"
    else:
        ci_from = f'check_in c JOIN bail_case bc ON bc.id = c."case" WHERE {cases} AND {window}'
        fl_from = (
            'flag f JOIN bail_case bc ON bc.id = f."case"'
            f" LEFT JOIN check_in fc ON fc.id = f.check_in WHERE {cases} AND"
        )
    return f"""
WITH ci AS (
    SELECT c."case" AS case_id,
        SUM(CASE WHEN c.status = 'missed' AND c.closes_at <= {a.instant}
            THEN 1 ELSE 0 END) AS missed,
        MAX(CASE WHEN c.status = 'missed' AND c.closes_at <= {a.instant}
            THEN c.due_date END) AS last_missed_due,
        SUM(CASE WHEN c.status = 'verified' AND c.completed_at > c.due_at
            AND c.completed_at <= {a.instant} THEN 1 ELSE 0 END) AS late,
        MAX(CASE WHEN c.status = 'verified' AND c.completed_at > c.due_at
            AND c.completed_at <= {a.instant} THEN c.due_date END) AS last_late_due,
        MAX(CASE WHEN c.status = 'verified' AND c.completed_at <= {a.instant}
            THEN c.completed_at END) AS last_verified_at
    FROM {ci_from}
    GROUP BY c."case"
), fl AS (
    SELECT f."case" AS case_id,
        SUM(CASE WHEN f.kind = 'failed_verification' AND f.severity <> 'high'
            AND f.raised_at > {a.since} AND NOT {settled} THEN 1 ELSE 0 END) AS failed,
        SUM(CASE WHEN f.kind = 'failed_verification' AND f.severity = 'high'
            AND f.raised_at > {a.since} THEN 1 ELSE 0 END) AS suspicious,
        SUM(CASE WHEN f.kind = 'identity_lockout'
            AND f.raised_at > {a.since} AND NOT {settled} THEN 1 ELSE 0 END) AS lockouts,
        SUM(CASE WHEN f.kind = 'unreachable_phone'
            AND (f.resolved_at IS NULL OR f.resolved_at > {a.instant})
            THEN 1 ELSE 0 END) AS unreachable
    FROM {fl_from} f.raised_at <= {a.instant}
        AND f.kind IN ('failed_verification', 'identity_lockout', 'unreachable_phone')
    GROUP BY f."case"
), blocked AS (
    -- Numbers Twilio refused for good: few rows, found through the phone index.
    SELECT DISTINCT bc.id AS case_id
    FROM sms_blocked_number b
    JOIN defendant d ON d.phone = b.phone
    JOIN bail_case bc ON bc.defendant = d.id
    WHERE {cases} AND b.blocked_at <= {a.instant}
), facts AS (
    SELECT bc.id AS case_id, bc.defendant AS defendant_id, bc.office AS office_id,
        bc.officer AS officer_id, bc.court, bc.bail_amount, bc.release_date,
        bc.next_court_date, bc.status, bc.closed_at,
        COALESCE(ci.missed, 0) AS missed, ci.last_missed_due,
        COALESCE(ci.late, 0) AS late, ci.last_late_due,
        {_bangkok_day("ci.last_verified_at")} AS last_verified_on,
        COALESCE(fl.failed, 0) AS failed, COALESCE(fl.suspicious, 0) AS suspicious,
        COALESCE(fl.lockouts, 0) AS lockouts,
        CASE WHEN COALESCE(fl.unreachable, 0) > 0 OR blocked.case_id IS NOT NULL
            THEN 1 ELSE 0 END AS unreachable
    FROM bail_case bc
    LEFT JOIN ci ON ci.case_id = bc.id
    LEFT JOIN fl ON fl.case_id = bc.id
    LEFT JOIN blocked ON blocked.case_id = bc.id
    WHERE {cases}
), scored AS (
    SELECT facts.*, {_points_sql(a)} AS score FROM facts
)
"""


class _Sql:
    """A query text with named holes, turned into Piccolo's positional ``{}`` placeholders."""

    def __init__(self, text: str, args: dict[str, Any]) -> None:
        self.text, self.args = text, args

    def compile(self) -> tuple[str, list[Any]]:
        values: list[Any] = []
        out, i = [], 0
        while (start := self.text.find("{", i)) != -1:
            end = self.text.index("}", start)
            out.append(self.text[i:start] + "{}")
            values.append(self.args[self.text[start + 1 : end]])
            i = end + 1
        out.append(self.text[i:])
        return "".join(out), values


async def _run(text: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    sql, values = _Sql(text, args).compile()
    return await BailCase.raw(sql, *values)


async def _plan_each_time(*settings: str) -> None:
    """On PostgreSQL, for this transaction: plan each statement for its own arguments, and no
    JIT (plus ``settings``, each ``name = value``).

    asyncpg prepares every statement, and after five runs on a connection PostgreSQL may
    switch to a generic plan that ignores the values: for one office's backtest that plan took
    1.5-2 s instead of 0.06. Compiling these one-off queries (JIT) costs more than it saves.
    """
    if not _postgres():
        return
    for setting in ("plan_cache_mode = force_custom_plan", "jit = off", *settings):
        await BailCase.raw(f"SET LOCAL {setting}")


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _money(value: Any) -> Decimal:
    # SQLite keeps NUMERIC as a float: round to satang to get the exact amount back.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def facts_of(row: dict[str, Any]) -> risk.CaseFacts:
    """A row of ``scored`` as reporting_api.risk reads it."""
    return risk.CaseFacts(
        release_date=_day(row["release_date"]) or date.min,
        bail_amount=_money(row["bail_amount"]),
        missed=int(row["missed"]),
        last_missed_due=_day(row["last_missed_due"]),
        late=int(row["late"]),
        last_late_due=_day(row["last_late_due"]),
        failed_verifications=int(row["failed"]),
        suspicious_verifications=int(row["suspicious"]),
        identity_lockouts=int(row["lockouts"]),
        unreachable_phone=bool(row["unreachable"]),
        last_verified_on=_day(row["last_verified_on"]),
        next_court_date=_day(row["next_court_date"]),
    )


SNAPSHOT_COLUMNS = (
    "case_id",
    "defendant_id",
    "office_id",
    "officer_id",
    "court",
    "bail_amount",
    "release_date",
    "next_court_date",
    "missed",
    "last_missed_due",
    "late",
    "last_late_due",
    "failed",
    "suspicious",
    "lockouts",
    "unreachable",
    "last_verified_on",
    "score",
)
"""The columns of ``scored`` that risk_snapshot keeps: the case, its facts and its score."""

REBUILD_LOCK = 0x7269736B
"""PostgreSQL advisory lock key ("risk") held while the snapshot is rebuilt."""


async def snapshot_time() -> datetime | None:
    """When the risk snapshot was computed (None: there is none)."""
    # Every row has the same instant: the first in ranking order is found through its index.
    row = (
        await RiskSnapshot.select(RiskSnapshot.computed_at)
        .order_by(RiskSnapshot.score, RiskSnapshot.bail_amount, ascending=False)
        .order_by(RiskSnapshot.case_id)
        .first()
    )
    return None if row is None else row["computed_at"]


async def refresh_risk_snapshot(
    now: datetime, *, stale_before: datetime | None = None, wait: bool = True
) -> int | None:
    """Score every active case as of ``now`` and replace the risk snapshot with them; returns
    how many cases were scored, or None when this rebuild was not needed.

    One transaction: the report keeps reading the previous snapshot until this one commits.
    Rebuilds queue up (a PostgreSQL advisory lock; on SQLite the write lock taken at BEGIN).
    With ``stale_before``, a rebuild that finds, once its turn comes, a snapshot computed after
    that instant (another process has just made it) does nothing. Without ``wait``, on
    PostgreSQL, a rebuild that finds another one running does nothing rather than wait for it.
    """
    a = _as_of_now(now)
    args = dict(a.args)
    columns = ", ".join(SNAPSHOT_COLUMNS)
    postgres = _postgres()
    async with transaction(immediate=True):
        if postgres:
            # A second rebuild (another scheduler, a report finding the snapshot stale) waits
            # here for the first to commit, then finds the snapshot fresh and stops; or, not
            # waiting, stops at once.
            if wait:
                await BailCase.raw("SELECT pg_advisory_xact_lock({})", REBUILD_LOCK)
            else:
                got = await BailCase.raw(
                    "SELECT pg_try_advisory_xact_lock({}) AS got", REBUILD_LOCK
                )
                if not got[0]["got"]:
                    return None
        # The check-ins group by case in a hash table of ~100,000 rows: room for it, or
        # PostgreSQL reads every check-in in case order through an index instead.
        await _plan_each_time("work_mem = '32MB'")
        if stale_before is not None:
            current = await snapshot_time()
            if current is not None and current > stale_before:
                return None
        await RiskSnapshot.delete(force=True)
        await _run(
            _scored_cte(a, "bc.status = 'active'", shared_instant=True)
            + f"INSERT INTO risk_snapshot ({columns}, computed_at)"
            f" SELECT {columns}, {{now}} FROM scored",
            args,
        )
        await RiskSnapshotDay.delete(force=True)
        await _run(_OUTCOMES_BY_DAY, {"now": now})
        cases = await RiskSnapshot.count()
    if postgres:
        # Each rebuild leaves the previous 100,000 rows dead. Reclaim them now rather than
        # wait for autovacuum (which may be off): bloated tables and indexes made every
        # rebuild slower than the last. ANALYZE keeps the planner's row counts true.
        for table in ("risk_snapshot", "risk_snapshot_day"):
            await RiskSnapshot._meta.db.run_ddl(f"VACUUM (ANALYZE) {table}")
    return cases


_OUTCOMES_BY_DAY = """
INSERT INTO risk_snapshot_day (office_id, due_date, on_time, late, missed, excused, computed_at)
SELECT c.office, c.due_date,
    SUM(CASE WHEN c.status = 'verified' AND c.completed_at <= c.due_at THEN 1 ELSE 0 END),
    SUM(CASE WHEN c.status = 'verified' AND c.completed_at > c.due_at THEN 1 ELSE 0 END),
    SUM(CASE WHEN c.status = 'missed' THEN 1 ELSE 0 END),
    SUM(CASE WHEN c.status = 'excused' THEN 1 ELSE 0 END),
    {now}
FROM check_in c
WHERE c.due_at <= {now} AND c.status IN ('verified', 'missed', 'excused')
GROUP BY c.office, c.due_date
"""
"""Check-ins due by the snapshot's instant whose outcome is known, by office and due day:
verified on time, verified late, missed, excused."""


PAGE_COLUMNS = """s.*, d.title_th, d.first_name_th, d.last_name_th, d.first_name_en,
    d.last_name_en, o.code AS office_code, o.name_th AS office_name_th,
    o.name_en AS office_name_en, u.display_name AS officer_name"""


def _group_sql(where: str) -> str:
    """Every aggregate the report shows (``DIMENSIONS``) over the snapshot's cases that match
    ``where``: cases, cases per band, summed score, missed check-ins, unreachable phones, bail
    at risk. The cases are summed once by (office, court, officer, band), a few hundred rows
    that each dimension then adds up, rather than six passes over 100,000 cases."""
    band = _band_sql("score")
    columns = f"""
        SUM(cases) AS cases,
        SUM(CASE WHEN band = '{risk.Band.HIGH}' THEN cases ELSE 0 END) AS high,
        SUM(CASE WHEN band = '{risk.Band.MEDIUM}' THEN cases ELSE 0 END) AS medium,
        SUM(CASE WHEN band = '{risk.Band.LOW}' THEN cases ELSE 0 END) AS low,
        SUM(score_sum) AS score_sum, SUM(missed) AS missed, SUM(unreachable) AS unreachable,
        SUM(bail) AS bail,
        SUM(CASE WHEN band = '{risk.Band.HIGH}' THEN bail ELSE 0 END) AS bail_high"""
    keys = {  # dimension: (key, English label, GROUP BY)
        "all": ("''", "''", None),
        "band": ("band", "''", "band"),
        "province": ("province_th", "COALESCE(MAX(province_en), '')", "province_th"),
        "office": ("CAST(office_id AS TEXT)", "''", "office_id"),
        "court": ("court", "''", "court"),
        "officer": ("COALESCE(CAST(officer_id AS TEXT), '')", "''", "officer_id"),
    }
    return f"""
WITH fine AS (
    SELECT office_id, court, officer_id, {band} AS band, COUNT(*) AS cases,
        SUM(score) AS score_sum, SUM(missed) AS missed, SUM(unreachable) AS unreachable,
        SUM(bail_amount) AS bail
    FROM risk_snapshot s
    WHERE {where}
    GROUP BY office_id, court, officer_id, {band}
), g AS (
    SELECT fine.*, COALESCE(o.province_th, '') AS province_th, o.province_en
    FROM fine JOIN office o ON o.id = fine.office_id
)
""" + "\nUNION ALL\n".join(
        f"SELECT '{dim}' AS dim, {key} AS key, {label_en} AS label_en,{columns} FROM g"
        + (f" GROUP BY {group}" if group else "")
        for dim, (key, label_en, group) in keys.items()
    )


@dataclass(frozen=True)
class SnapshotReport:
    """What the report reads from one risk snapshot."""

    computed_at: datetime | None
    """When it was computed (None: there is no snapshot row, so no active case)."""
    page: list[dict[str, Any]]
    """One page of the ranked cases, with names and the facts behind each score."""
    groups: list[dict[str, Any]]
    """The aggregates of every case in scope (``_group_sql``)."""
    months: list[dict[str, Any]]
    """Check-in outcomes by month and office (``_months``)."""


async def snapshot_report(
    office_id: int | None, offset: int, limit: int, first_day: date, last_day: date
) -> SnapshotReport:
    """From the risk snapshot, for the active cases of one office (or all): one page of them,
    highest score first (then larger bail, then case id), with the person's name, office,
    officer and the facts behind the score; the aggregates of all of them; and compliance by
    month for check-ins due in [first_day, last_day]. All from one snapshot, even if a
    rebuild commits meanwhile."""
    args: dict[str, Any] = {"limit": limit, "offset": offset}
    where = "1 = 1"
    if office_id is not None:
        args["office"] = office_id
        where = "s.office_id = {office}"
    postgres = _postgres()
    async with transaction():
        if postgres:
            # The page, the aggregates and the months come from the same snapshot (SQLite's
            # read transaction already sees one state of the file).
            await BailCase.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        await _plan_each_time()
        computed_at = await snapshot_time()
        page = await _run(
            f"""
SELECT {PAGE_COLUMNS}
FROM (
    SELECT * FROM risk_snapshot s WHERE {where}
    ORDER BY s.score DESC, s.bail_amount DESC, s.case_id
    LIMIT {{limit}} OFFSET {{offset}}
) s
JOIN defendant d ON d.id = s.defendant_id
JOIN office o ON o.id = s.office_id
LEFT JOIN staff_user u ON u.id = s.officer_id
ORDER BY s.score DESC, s.bail_amount DESC, s.case_id
""",
            args,
        )
        groups = await _run(_group_sql(where), args)
        months = await _months(office_id, first_day, last_day)
    for row in page:
        row["bail_amount"] = _money(row["bail_amount"])
        row["score"] = int(row["score"])
    for row in groups:
        for name in ("cases", "high", "medium", "low", "score_sum", "missed", "unreachable"):
            row[name] = int(row[name] or 0)
        row["bail"], row["bail_high"] = _money(row["bail"]), _money(row["bail_high"])
    return SnapshotReport(computed_at, page, [g for g in groups if g["cases"]], months)


async def _months(office_id: int | None, first_day: date, last_day: date) -> list[dict[str, Any]]:
    """Check-ins due in [first_day, last_day] (and by the snapshot's instant) whose outcome is
    known, by month ("YYYY-MM") and office: verified on time, verified late, missed, excused."""
    args: dict[str, Any] = {"first": first_day, "last": last_day}
    office = ""
    if office_id is not None:
        args["office"] = office_id
        office = " AND d.office_id = {office}"
    month = (
        "CAST(date_trunc('month', CAST(d.due_date AS timestamp)) AS date)"
        if _postgres()
        else "substr(d.due_date, 1, 7)"
    )
    rows = await _run(
        f"""
SELECT {month} AS month, d.office_id, SUM(d.on_time) AS on_time, SUM(d.late) AS late,
    SUM(d.missed) AS missed, SUM(d.excused) AS excused
FROM risk_snapshot_day d
WHERE d.due_date >= {{first}} AND d.due_date <= {{last}}{office}
GROUP BY 1, 2
""",
        args,
    )
    for row in rows:
        month_value = row["month"]
        row["month"] = (
            f"{month_value:%Y-%m}" if isinstance(month_value, date) else str(month_value)[:7]
        )
        for name in ("on_time", "late", "missed", "excused"):
            row[name] = int(row[name] or 0)
    rows.sort(key=lambda r: (r["month"], r["office_id"]))
    return rows


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
    office_id: int | None, closed_from: datetime, closed_before: datetime
) -> list[dict[str, Any]]:
    """Cases closed as absconded or concluded in [closed_from, closed_before), scored with
    their facts as of closing: how many of each band ended each way."""
    args: dict[str, Any] = {"closed_from": closed_from, "closed_before": closed_before}
    cases = _closed(office_id, args)
    async with transaction():
        await _plan_each_time()
        rows = await _run(
            _scored_cte(_as_of_closing(), cases, shared_instant=False)
            + f"""
SELECT band, status, COUNT(*) AS cases FROM (
    SELECT {_band_sql("score")} AS band, status FROM scored
) banded
GROUP BY band, status
""",
            args,
        )
    for row in rows:
        row["cases"] = int(row["cases"])
    return rows


async def scored_closed_cases(
    office_id: int | None, closed_from: datetime, closed_before: datetime
) -> list[dict[str, Any]]:
    """The backtest's cases one by one, facts as of closing and score: for checking the
    backtest against reporting_api.risk.assess (the report reads ``backtest_bands``)."""
    args: dict[str, Any] = {"closed_from": closed_from, "closed_before": closed_before}
    cases = _closed(office_id, args)
    rows = await _run(
        _scored_cte(_as_of_closing(), cases, shared_instant=False)
        + "SELECT * FROM scored ORDER BY case_id",
        args,
    )
    for row in rows:
        row["score"] = int(row["score"])
    return rows
