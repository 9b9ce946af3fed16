"""The risk score as SQL: every case's facts (missed and late check-ins, failed verifications,
lockouts, an unreachable phone, quiet time, the court date, bail) and its points, read in the
database as of one instant for active cases or as of each one's closing for closed cases.

Built for 100,000 cases and a million check-ins: each query reads the check-ins once, grouped
by case in the database, and the score is computed there too (from reporting_api.risk's
constants), so ranking, aggregates and the backtest never move per-case rows to Python; the
rows come back with their facts for reporting_api.risk.assess to explain (``facts_of``).

The same SQL runs on SQLite: CASE inside SUM instead of FILTER, and the few date expressions
that differ are chosen per dialect below. On SQLite, timestamps are UTC text
("YYYY-MM-DD HH:MM:SS[.ffffff]+00:00"), which sort and compare as instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypedDict, TypeVar

from reporting_api import risk
from reporting_api.db import is_postgres
from reporting_api.store import rows_as
from reporting_api.tables import BailCase
from reporting_api.thai_dates import bangkok_today

R = TypeVar("R")


class CaseFactsRow(TypedDict):
    """The facts of a case that its score reads (columns of ``scored`` and of risk_snapshot)."""

    release_date: date
    bail_amount: Decimal
    next_court_date: date | None
    missed: int
    last_missed_due: date | None
    late: int
    last_late_due: date | None
    failed: int
    suspicious: int
    lockouts: int
    unreachable: int
    last_verified_on: date | None


class ScoredCaseRow(CaseFactsRow):
    """A row of ``scored``: a case, its facts as of the instant it is read at, its score."""

    case_id: int
    defendant_id: int
    office_id: int
    officer_id: int | None
    court: str
    status: str
    closed_at: datetime | None
    score: int


def on_postgres() -> bool:
    return is_postgres(BailCase._meta.db)


@dataclass(frozen=True)
class AsOf:
    """SQL for the instant the facts are read at, and the days derived from it."""

    instant: str
    since: str
    today: str
    quiet_long: str
    quiet: str
    court_soon: str
    court_near: str
    args: dict[str, Any]


def as_of_now(now: datetime) -> AsOf:
    """Active cases, read now: every bound is a parameter."""
    today = bangkok_today(now)
    return AsOf(
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


def as_of_closing() -> AsOf:
    """Closed cases, each read at its own closed_at."""
    # The day bounds are read in `scored`, over the columns of `facts`: closed_at unqualified.
    if on_postgres():
        closing_day = "CAST(closed_at AT TIME ZONE 'Asia/Bangkok' AS DATE)"
        return AsOf(
            instant="bc.closed_at",
            since=f"bc.closed_at - INTERVAL '{risk.LOOKBACK_DAYS} days'",
            today=closing_day,
            quiet_long=f"({closing_day} - {risk.QUIET_LONG_DAYS})",
            quiet=f"({closing_day} - {risk.QUIET_DAYS})",
            court_soon=f"({closing_day} + {risk.COURT_SOON_DAYS})",
            court_near=f"({closing_day} + {risk.COURT_NEAR_DAYS})",
            args={},
        )

    def day(shift: int = 0) -> str:
        return f"date(closed_at, '+7 hours', '{shift:+d} days')"

    return AsOf(
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
    if on_postgres():
        return f"CAST({expr} AT TIME ZONE 'Asia/Bangkok' AS DATE)"
    return f"date({expr}, '+7 hours')"


def _capped(column: str, each: int, counted: int) -> str:
    return f"(CASE WHEN {column} > {counted} THEN {counted} ELSE {column} END) * {each}"


def _points_sql(a: AsOf, w: risk.Weights) -> str:
    """reporting_api.risk.assess's points under ``w``, as SQL over the columns of ``facts``."""
    r = risk
    quiet_since = "COALESCE(last_verified_on, release_date)"
    court = "next_court_date"
    return " + ".join(
        (
            _capped("missed", w.missed, r.MISSED_COUNTED),
            _capped("late", w.late, r.LATE_COUNTED),
            _capped("failed", w.failed, r.FAILED_VERIFICATION_COUNTED),
            _capped("suspicious", w.suspicious, r.SUSPICIOUS_VERIFICATION_COUNTED),
            _capped("lockouts", w.lockout, r.IDENTITY_LOCKOUT_COUNTED),
            f"unreachable * {w.unreachable}",
            f"CASE WHEN {quiet_since} < {a.quiet_long} THEN {w.quiet_long}"
            f" WHEN {quiet_since} < {a.quiet} THEN {w.quiet} ELSE 0 END",
            f"CASE WHEN {court} >= {a.today} AND {court} <= {a.court_soon}"
            f" THEN {w.court_soon}"
            f" WHEN {court} >= {a.today} AND {court} <= {a.court_near}"
            f" THEN {w.court_near} ELSE 0 END",
            f"CASE WHEN bail_amount >= {r.BAIL_HIGH_THB} THEN {w.bail_high}"
            f" WHEN bail_amount >= {r.BAIL_LARGE_THB} THEN {w.bail_large} ELSE 0 END",
        )
    )


def band_sql(score: str, w: risk.Weights = risk.HAND_SET) -> str:
    return (
        f"CASE WHEN {score} >= {w.high_from} THEN '{risk.Band.HIGH}'"
        f" WHEN {score} >= {w.medium_from} THEN '{risk.Band.MEDIUM}'"
        f" ELSE '{risk.Band.LOW}' END"
    )


def scored_cte(
    a: AsOf, cases: str, *, shared_instant: bool, weights: risk.Weights = risk.HAND_SET
) -> str:
    """``WITH ... scored``: one row per case chosen by ``cases`` (a condition on ``bc``), with
    its facts as of ``a`` and its score under ``weights`` (a version of the points, all whole
    numbers, written into the SQL). Check-ins and flags are each read once, by case.

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
    SELECT facts.*, {_points_sql(a, weights)} AS score FROM facts
)
"""


class _Sql:
    """A query text with named holes, turned into Piccolo's positional ``{}`` placeholders."""

    def __init__(self, text: str, args: dict[str, Any]) -> None:
        self.text, self.args = text, args

    def compile(self) -> tuple[str, list[object]]:
        values: list[object] = []
        out, i = [], 0
        while (start := self.text.find("{", i)) != -1:
            end = self.text.index("}", start)
            out.append(self.text[i:start] + "{}")
            values.append(self.args[self.text[start + 1 : end]])
            i = end + 1
        out.append(self.text[i:])
        return "".join(out), values


async def run_sql(text: str, args: dict[str, Any]) -> None:
    """Run a statement with named holes (the rebuild's inserts)."""
    sql, values = _Sql(text, args).compile()
    await BailCase.raw(sql, *values)


async def fetch_sql(kind: type[R], text: str, args: dict[str, Any]) -> list[R]:
    """The rows of a query with named holes, as their declared row type."""
    sql, values = _Sql(text, args).compile()
    return rows_as(kind, await BailCase.raw(sql, *values))


async def plan_each_time(*settings: str) -> None:
    """On PostgreSQL, for this transaction: plan each statement for its own arguments, and no
    JIT (plus ``settings``, each ``name = value``).

    asyncpg prepares every statement, and after five runs on a connection PostgreSQL may
    switch to a generic plan that ignores the values: for one office's backtest that plan took
    1.5-2 s instead of 0.06. Compiling these one-off queries (JIT) costs more than it saves.
    """
    if not on_postgres():
        return
    for setting in ("plan_cache_mode = force_custom_plan", "jit = off", *settings):
        await BailCase.raw(f"SET LOCAL {setting}")


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def money(value: Any) -> Decimal:
    # SQLite keeps NUMERIC as a float: round to satang to get the exact amount back.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def facts_of(row: CaseFactsRow) -> risk.CaseFacts:
    """A row of ``scored`` as reporting_api.risk reads it."""
    return risk.CaseFacts(
        release_date=_day(row["release_date"]) or date.min,
        bail_amount=money(row["bail_amount"]),
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
