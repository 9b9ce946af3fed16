"""Rebuilding the risk snapshot (every active case scored as of one instant): by the scheduler
every `RISK_REFRESH_MINUTES`, and by the report when its snapshot is missing or older."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from reporting_api.settings import SchedulerSettings, Settings
from reporting_api.store import risk_snapshot as store

log = logging.getLogger(__name__)


def refresh_minutes(settings: Settings | None) -> int:
    """How old the risk snapshot may be before it is rebuilt (`RISK_REFRESH_MINUTES`)."""
    scheduler = settings.scheduler if settings is not None else SchedulerSettings()
    return max(1, scheduler.risk_refresh_minutes)


@dataclass(frozen=True)
class SnapshotRefresh:
    """One rebuild of the risk snapshot: its instant, the cases it scored, how long it took."""

    computed_at: datetime
    cases: int
    seconds: float


async def refresh_risk_snapshot(
    now: datetime, *, if_older_than: timedelta | None = None, wait: bool = True
) -> SnapshotRefresh | None:
    """Score every active case as of ``now`` into the risk snapshot (for the scheduler, and
    for the report when its snapshot is missing or stale). With ``if_older_than``, nothing is
    done (None) when the snapshot is younger than that by the time this rebuild's turn comes:
    another scheduler process or request has just made it. Without ``wait``, nothing is done
    either when another rebuild is running (PostgreSQL)."""
    started = time.perf_counter()
    stale_before = None if if_older_than is None else now - if_older_than
    cases = await store.refresh_risk_snapshot(now, stale_before=stale_before, wait=wait)
    if cases is None:
        return None
    done = SnapshotRefresh(now, cases, time.perf_counter() - started)
    log.info("risk snapshot: %d active cases scored in %.2f s", cases, done.seconds)
    return done
