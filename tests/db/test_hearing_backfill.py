"""Hearings made from the cases' next court dates (the demo's load): in batches, since one
INSERT of 10,000 hearings passed PostgreSQL's 32,767 parameters and made none."""

from __future__ import annotations

import asyncio

from reporting_api.clock import utcnow
from reporting_api.db import bind_tables, engine_from_url
from reporting_api.store import hearings
from reporting_api.tables import CourtHearing
from tests.db.test_demo import seed

POSTGRES_MAX_PARAMETERS = 32_767


def test_a_batch_stays_under_postgres_parameter_limit():
    columns = len(CourtHearing._meta.columns)
    assert hearings.BACKFILL_BATCH * columns <= POSTGRES_MAX_PARAMETERS
    assert hearings.BACKFILL_BATCH >= 100  # and is not needlessly small


def test_the_backfill_writes_every_hearing_in_batches(database_url, monkeypatch):
    seed(database_url, 40)

    async def run() -> tuple[int, int, int, int, list[int]]:
        bind_tables(engine_from_url(database_url))
        made = await CourtHearing.count()
        await CourtHearing.delete(force=True)
        monkeypatch.setattr(hearings, "BACKFILL_BATCH", 3)
        statements = []
        insert = CourtHearing.insert

        def counted(*rows):
            statements.append(len(rows))
            return insert(*rows)

        monkeypatch.setattr(CourtHearing, "insert", counted)
        again = await hearings.backfill_from_court_dates(utcnow())
        monkeypatch.setattr(CourtHearing, "insert", insert)
        twice = await hearings.backfill_from_court_dates(utcnow())
        return made, again, await CourtHearing.count(), twice, statements

    made, again, now_there, twice, statements = asyncio.run(run())
    assert made >= 7, made  # enough cases to need several batches of 3
    assert again == now_there >= made - 1 and twice == 0
    assert statements and max(statements) == 3 and sum(statements) == again
    assert len(statements) == -(-again // 3)
