"""`run_seed_demo`: a run of `bail-checkin seed-demo`, chunk by chunk, with a progress line."""

from __future__ import annotations

import asyncio
import functools
import sys
import time
from datetime import datetime
from typing import TextIO

from reporting_api.clock import utcnow
from reporting_api.db import bind_tables, engine_from_url
from reporting_api.demo.generate import generate
from reporting_api.demo.logins import ensure_logins, print_logins
from reporting_api.demo.world import DemoOffice, head, make_world, name_pools
from reporting_api.services import hearings as hearing_service
from reporting_api.settings import Settings
from reporting_api.store.bulk_load import (
    LOADED_TABLES,
    BulkWriter,
    OfficeBrief,
    TablesMissing,
    open_bulk_writer,
)

CHUNK = 2_000
"""Defendants per transaction: large enough for COPY to pay off, small enough for flat memory."""


class _Progress:
    """One updating line on stderr: done / total, rate, time left."""

    def __init__(self, total: int, quiet: bool, stream: TextIO = sys.stderr) -> None:
        self.total, self.quiet, self.stream = total, quiet, stream
        self.started = self.shown = time.perf_counter()
        self.tty = stream.isatty()

    def update(self, done: int) -> None:
        now = time.perf_counter()
        finished = done >= self.total
        if self.quiet or (not finished and now - self.shown < (0.5 if self.tty else 10)):
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        left = (self.total - done) / rate if rate else 0
        line = f"seed-demo: {done:,}/{self.total:,} defendants  {rate:,.0f}/s  ETA {left:,.0f} s"
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K" + ("\n" if finished else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


async def _load_offices(writer: BulkWriter) -> list[OfficeBrief]:
    try:
        offices = await writer.list_offices()
    except TablesMissing as error:
        raise ValueError(f"{error}; run `bail-checkin migrate` first") from None
    if not any(o.is_central for o in offices) or len(offices) < 2:
        raise ValueError("the offices are not loaded; run `bail-checkin migrate` first")
    return offices


async def _seed(settings: Settings, total: int, seed: int, quiet: bool, now: datetime) -> None:
    started = time.perf_counter()
    async with open_bulk_writer(settings.database_url) as writer:
        offices = await _load_offices(writer)
        names = name_pools(seed)
        bind_tables(engine_from_url(settings.database_url))  # for the staff store
        logins, officers = await ensure_logins(settings, offices, seed, now, names)
        provincial = [
            DemoOffice(o.id, o.code, o.name_th, o.province_th, officers.get(o.id))
            for o in offices
            if not o.is_central
        ]
        world = make_world(seed, now, settings.consent_version, provincial, names)
        added = dict.fromkeys(LOADED_TABLES, 0)
        progress = _Progress(total, quiet)
        for start in range(0, total, CHUNK):
            heads = [head(world, i) for i in range(start, min(total, start + CHUNK))]
            present = await writer.national_ids_present([h.national_id for h in heads])
            todo = [h for h in heads if h.national_id not in present]
            if todo:
                batch = await writer.write_batch(functools.partial(generate, world, todo))
                for table, rows in batch.rows().items():
                    added[table] += len(rows)
            progress.update(start + len(heads))
        if added["defendant"]:
            await writer.refresh_statistics()
    # The bulk loader writes each case's next court date; the hearing records follow it.
    hearings = await hearing_service.backfill_from_court_dates(now)
    seconds = time.perf_counter() - started
    print(
        f"demo data: {total:,} defendants wanted, {added['defendant']:,} added"
        f" ({total - added['defendant']:,} already there); also added {added['bail_case']:,} cases,"
        f" {added['check_in']:,} check-ins, {added['flag']:,} flags and {hearings:,} court"
        f" hearings in {seconds:.1f} s"
    )
    print_logins(settings, logins)


def run_seed_demo(
    settings: Settings, *, defendants: int, seed: int, quiet: bool, now: datetime | None = None
) -> None:
    """Load ``defendants`` synthetic people with their cases, plans, check-ins and flags."""
    if defendants < 0:
        raise ValueError("--defendants must be 0 or more")
    asyncio.run(_seed(settings, defendants, seed, quiet, now or utcnow()))
