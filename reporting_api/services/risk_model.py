"""The fitted risk model beside the hand-set points (issue 18, item 3; docs/reports.md).

``fit`` (managers) and ``fit_from_shell`` (``bail-checkin fit-risk``) read every case closed
as absconded or concluded, each with its facts as of the day it closed, and hand them to
reporting_api/risk_model.py, which fits on the older closures and judges on the newer. The
answer is counts and rates only, no person's data: not audited, like the backtest.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from reporting_api import risk, risk_model
from reporting_api.access import MANAGER, ensure_role
from reporting_api.demographics import age_group
from reporting_api.services.context import Ctx
from reporting_api.store import backtest as backtest_store
from reporting_api.store.backtest import ABSCONDED, ClosedCaseRow
from reporting_api.store.risk_scoring import facts_of
from reporting_api.thai_dates import bangkok_today


def _instant(value: datetime | str) -> datetime:
    # SQLite's raw rows hold timestamps as UTC text.
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def sample_of(row: ClosedCaseRow) -> risk_model.Sample:
    """A closed case as the model reads it: units as of its closing day, its groups then."""
    closed_at = _instant(row["closed_at"] or datetime.min.replace(tzinfo=UTC))
    closing_day = bangkok_today(closed_at)
    units = risk.units(facts_of(row), closing_day)
    return risk_model.Sample(
        units=units,
        absconded=row["status"] == ABSCONDED,
        closed_at=closed_at,
        hand_set_points=risk.points_of(units, risk.HAND_SET),
        sex=row["sex"],
        age_group=age_group(_day(row["date_of_birth"]), closing_day),
        province=row["province_th"],
        province_en=row["province_en"],
    )


async def _fit(now: datetime) -> risk_model.FitReport | risk_model.Refusal:
    rows = await backtest_store.closed_cases_for_fit(now + timedelta(seconds=1))
    samples = [sample_of(row) for row in rows]
    # Seconds of arithmetic at 10,000 cases: off the event loop.
    return await asyncio.to_thread(risk_model.fit, samples)


async def fit(ctx: Ctx) -> risk_model.FitReport | risk_model.Refusal:
    """The fitted model and both scores' figures on the test period (managers only), or why
    there is none."""
    ensure_role(ctx.principal, MANAGER)
    return await _fit(ctx.now)


async def fit_from_shell(now: datetime) -> risk_model.FitReport | risk_model.Refusal:
    """The same for ``bail-checkin fit-risk`` (whoever runs the shell runs the service)."""
    return await _fit(now)
