"""`bail-checkin scheduler`: APScheduler ticks, the database holds the schedule.

APScheduler 3 (``AsyncIOScheduler``, UTC) runs four fixed jobs: dispatch due reminders every
30 s, sweep every minute, rebuild the risk report's snapshot every `RISK_REFRESH_MINUTES`,
housekeeping nightly at 02:30 Bangkok (and once at start; it rebuilds the snapshot too). No
reminder lives inside APScheduler: its job store cannot be shared between processes and a
date job is gone once run, so every reminder is a row, and any number of scheduler
processes can tick against the same database.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from piccolo.engine.base import Engine

from reporting_api.clock import utcnow
from reporting_api.db import bind_tables, close_pool, engine_from_url, open_pool
from reporting_api.services.housekeeping import housekeeping
from reporting_api.services.risk_snapshot import refresh_risk_snapshot
from reporting_api.services.sweep import sweep
from reporting_api.settings import Settings
from scheduler.dispatch import Dispatcher, DispatchReport
from scheduler.mailer import EmailSender
from scheduler.sender import SmsSender, make_sender

log = logging.getLogger(__name__)

HOUSEKEEPING_UTC = {"hour": 19, "minute": 30}
"""02:30 in Bangkok."""


@dataclass
class SchedulerService:
    """The scheduler's jobs and the APScheduler that ticks them, for one process."""

    settings: Settings
    sender: SmsSender | None = None
    clock: Callable[[], datetime] = utcnow
    lanes: int = 1
    mailer: EmailSender | None = None
    dispatcher: Dispatcher = field(init=False)
    scheduler: AsyncIOScheduler | None = field(init=False, default=None)
    _running: set[asyncio.Task[Any]] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.sender = self.sender or make_sender(self.settings)
        self.dispatcher = Dispatcher(self.settings, self.sender, mailer=self.mailer)

    async def dispatch(self) -> DispatchReport:
        report = await self.dispatcher.drain(self.clock, lanes=self.lanes)
        if report.claimed:
            log.info("dispatch: %s", report)
        return report

    async def sweep(self) -> Any:
        report = await sweep(self.clock(), self.settings)
        if report.missed or report.escalated or report.reviews_overdue or report.held:
            log.info("sweep: %s", report)
        return report

    async def risk_snapshot(self) -> Any:
        # Every scheduler process ticks this: a snapshot another one made in the last half
        # interval is fresh enough, so the processes do not rebuild it one after another.
        half = timedelta(minutes=self.settings.scheduler.risk_refresh_minutes) / 2
        return await refresh_risk_snapshot(self.clock(), if_older_than=half)

    async def housekeeping(self) -> Any:
        report = await housekeeping(self.clock(), self.settings)
        log.info("housekeeping: %s", report)
        if report.reminders:  # reminders it just planned may be due already
            await self.dispatch()
        return report

    def _tracked(self, job: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
        """Run ``job`` as a task that stop() waits for, so a shutdown never cuts a batch
        between its send and its record (a cut would only cost a reconciliation, but why)."""

        async def run_job() -> Any:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                return await job()
            finally:
                self._running.discard(task)

        run_job.__name__ = getattr(job, "__name__", "job")
        return run_job

    def start(self, *, paused: bool = False) -> None:
        """Start ticking on the running event loop (``paused``: jobs set up, none run)."""
        s = self.settings.scheduler
        scheduler = AsyncIOScheduler(timezone=UTC)
        common: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 60}
        now = self.clock()
        scheduler.add_job(
            self._tracked(self.dispatch),
            IntervalTrigger(seconds=s.dispatch_every_seconds, timezone=UTC),
            id="dispatch",
            name="dispatch",
            next_run_time=now,
            **common,
        )
        scheduler.add_job(
            self._tracked(self.sweep),
            IntervalTrigger(seconds=s.sweep_every_seconds, timezone=UTC),
            id="sweep",
            name="sweep",
            next_run_time=now,
            **common,
        )
        scheduler.add_job(
            self._tracked(self.risk_snapshot),
            # First run one interval after start: housekeeping builds it at start.
            IntervalTrigger(minutes=s.risk_refresh_minutes, timezone=UTC),
            id="risk_snapshot",
            name="risk_snapshot",
            **common,
        )
        scheduler.add_job(
            self._tracked(self.housekeeping),
            CronTrigger(**HOUSEKEEPING_UTC, timezone=UTC),
            id="housekeeping",
            name="housekeeping",
            next_run_time=now,
            **common,
        )
        scheduler.start(paused=paused)
        self.scheduler = scheduler
        log.info("scheduler started (sender: %s)", self.sender.name if self.sender else "-")

    async def stop(self, timeout: float = 60.0) -> None:
        """Stop ticking, let running jobs finish (up to ``timeout``), close the sender."""
        if self.scheduler is not None and self.scheduler.running:
            # APScheduler's asyncio executor cancels running jobs on shutdown: stop new runs
            # first, let jobs already handed to the loop begin, and wait for them to end.
            self.scheduler.pause()
            for _ in range(3):
                await asyncio.sleep(0)
            if self._running:
                await asyncio.wait(set(self._running), timeout=timeout)
            self.scheduler.shutdown(wait=False)
        if self.sender is not None:
            await self.sender.aclose()
        if self.dispatcher.mailer is not None:
            await self.dispatcher.mailer.aclose()


async def _open_database(settings: Settings) -> Engine:
    engine = engine_from_url(settings.database_url)
    bind_tables(engine)
    await open_pool(engine, settings.db_pool_size)
    return engine


async def _close_database(engine: Engine, settings: Settings) -> None:
    await close_pool(engine, settings.db_pool_size)


async def run(
    settings: Settings, *, once: bool = False, drain: bool = False, lanes: int = 1
) -> None:
    """Run the scheduler until SIGTERM/SIGINT; ``once`` runs each job once, ``drain`` only
    dispatches until nothing is due; both then return."""
    engine = await _open_database(settings)
    service = SchedulerService(settings, lanes=lanes)
    try:
        if drain:
            report = await service.dispatch()
            print(f"dispatched: {report}", flush=True)
            return
        if once:
            print(f"sweep: {await service.sweep()}", flush=True)
            print(f"housekeeping: {await service.housekeeping()}", flush=True)
            print(f"dispatched: {await service.dispatch()}", flush=True)
            return
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopped.set)
        service.start()
        await stopped.wait()
        log.info("scheduler stopping")
    finally:
        await service.stop()
        await _close_database(engine, settings)


def scheduler_hooks(settings: Settings) -> tuple[Any, Any]:
    """Start and stop hooks that run the scheduler inside an API process."""
    service = SchedulerService(settings)

    async def start() -> None:
        service.start()

    async def stop() -> None:
        await service.stop()

    return start, stop
