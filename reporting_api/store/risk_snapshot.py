"""The risk snapshot: every active case scored as of one instant into the table risk_snapshot,
and check-in outcomes counted by office and day into risk_snapshot_day, rebuilt now and then
(``refresh_risk_snapshot``), not on each request; the report reads from them
(store/reports.py).
"""

from __future__ import annotations

from datetime import datetime

from reporting_api.store import transaction
from reporting_api.store.risk_scoring import (
    as_of_now,
    on_postgres,
    plan_each_time,
    run_sql,
    scored_cte,
)
from reporting_api.store.risk_weights import active_weights
from reporting_api.tables import BailCase, RiskSnapshot, RiskSnapshotDay

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


async def snapshot_version() -> int:
    """The version of the points the risk snapshot was computed with (1: none, or hand-set)."""
    row = (
        await RiskSnapshot.select(RiskSnapshot.weights_version)
        .order_by(RiskSnapshot.score, RiskSnapshot.bail_amount, ascending=False)
        .order_by(RiskSnapshot.case_id)
        .first()
    )
    return 1 if row is None else int(row["weights_version"])


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
    a = as_of_now(now)
    args = dict(a.args)
    columns = ", ".join(SNAPSHOT_COLUMNS)
    postgres = on_postgres()
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
        await plan_each_time("work_mem = '32MB'")
        if stale_before is not None:
            current = await snapshot_time()
            if current is not None and current > stale_before:
                return None
        # The active version of the points, recorded with the scores it gave (the report
        # rebuilds a snapshot whose version is no longer the active one).
        version, weights = await active_weights()
        await RiskSnapshot.delete(force=True)
        await run_sql(
            scored_cte(a, "bc.status = 'active'", shared_instant=True, weights=weights)
            + f"INSERT INTO risk_snapshot ({columns}, computed_at, weights_version)"
            f" SELECT {columns}, {{now}}, {{version}} FROM scored",
            args | {"version": version},
        )
        await RiskSnapshotDay.delete(force=True)
        await run_sql(_OUTCOMES_BY_DAY, {"now": now})
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
