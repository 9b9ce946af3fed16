"""The managers' risk report: active cases ranked by an absconding-risk score that explains
itself, aggregates by province, office, court and officer, compliance over time, bail at risk,
and a backtest of the score on closed cases.

Managers see every office or one; officers only their own; administrators none (403). Every
report (page or export) is audited with the defendants it showed. The ranking, the
aggregates and compliance come from the risk snapshot (every active case scored, and check-in
outcomes counted by day, as of one instant; rebuilt by the scheduler every
`RISK_REFRESH_MINUTES` and by the report itself when it is older). The date range chooses the
months of the compliance charts, the closed cases of the backtest and the messages counted
by channel (issue 17: SMS, LINE, and the SMS segments LINE saved), both read live.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from reporting_api import risk
from reporting_api.access import office_scope
from reporting_api.errors import InvalidInput
from reporting_api.services import report_figures as figures
from reporting_api.services.context import Ctx
from reporting_api.services.risk_snapshot import refresh_minutes, refresh_risk_snapshot
from reporting_api.store import backtest as backtest_store
from reporting_api.store import offices as office_store
from reporting_api.store import reports as store
from reporting_api.store import risk_snapshot as snapshot_store
from reporting_api.store import risk_weights as weights_store
from reporting_api.store import staff as staff_store
from reporting_api.store.rows import OfficeRow
from reporting_api.thai_dates import bangkok_today, local_midnight_utc

PAGE_SIZE = 100
"""Ranked cases a page unless the address asks for another number."""
MAX_PAGE_SIZE = 500
MAX_RANGE_DAYS = 5 * 366
"""The longest date range: five years of monthly compliance."""
EARLIEST = date(2000, 1, 1)
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Filters:
    office_id: int | None
    date_from: date
    date_to: date
    page: int = 1
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def default_range(today: date, months: int = DEFAULT_MONTHS) -> tuple[date, date]:
    """The last ``months`` calendar months up to ``today`` (this month included)."""
    month_index = today.year * 12 + today.month - 1 - (months - 1)
    return date(month_index // 12, month_index % 12 + 1, 1), today


def _check(filters: Filters) -> None:
    if filters.date_from < EARLIEST or filters.date_to < EARLIEST:
        raise InvalidInput(
            "date_from" if filters.date_from < EARLIEST else "date_to",
            "must be in the year 2000 or later (Christian era)",
            "ต้องไม่ก่อนปี ค.ศ. 2000 (พ.ศ. 2543)",
        )
    if filters.date_from > filters.date_to:
        raise InvalidInput("date_to", "must not be before the start date", "ต้องไม่ก่อนวันเริ่มต้น")
    if (filters.date_to - filters.date_from).days > MAX_RANGE_DAYS:
        raise InvalidInput("date_to", "the range may span at most 5 years", "ช่วงวันที่ต้องไม่เกิน 5 ปี")
    if filters.page < 1:
        raise InvalidInput("page", "must be 1 or more", "ต้องเป็น 1 ขึ้นไป")
    if not 1 <= filters.size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            "size", f"must be 1 to {MAX_PAGE_SIZE}", f"ต้องอยู่ระหว่าง 1 ถึง {MAX_PAGE_SIZE}"
        )


async def _scope(ctx: Ctx, office_id: int | None) -> tuple[int | None, list[OfficeRow]]:
    """The office the report covers (None: all) and the offices the filter may offer."""
    scope = office_scope(ctx.principal, office_id)
    offices = await office_store.list_offices()
    if scope is not None and not any(o["id"] == scope for o in offices):
        raise InvalidInput("office_id", "no such office", "ไม่พบสำนักงานนี้")
    if ctx.principal.is_officer:
        offices = [o for o in offices if o["id"] == ctx.principal.office_id]
    return scope, offices


check_filters = _check
"""Refuse a date range or page the reports do not serve (other reports use the same rule)."""
report_scope = _scope
"""The office a report covers and the offices its filter may offer (other reports too)."""


async def filter_offices(ctx: Ctx) -> list[OfficeRow]:
    """The offices the report's filter offers this user (for a form shown with errors)."""
    _, offices = await _scope(ctx, None)
    return offices


def _closed_between(filters: Filters) -> tuple[datetime, datetime]:
    return (
        local_midnight_utc(filters.date_from),
        local_midnight_utc(filters.date_to + timedelta(days=1)),
    )


async def backtest(
    ctx: Ctx, office_id: int | None, date_from: date, date_to: date
) -> dict[str, Any]:
    """The score's backtest on cases closed (absconded or concluded) in the date range, each
    scored as of the day it closed. Counts only, no personal data: not audited."""
    filters = Filters(office_id, date_from, date_to)
    _check(filters)
    scope, _ = await _scope(ctx, office_id)
    _, weights = await weights_store.active_weights()
    return figures.backtest(
        await backtest_store.backtest_bands(scope, *_closed_between(filters), weights), weights
    )


async def _snapshot(ctx: Ctx, scope: int | None, filters: Filters) -> store.SnapshotReport:
    """The risk snapshot's page of ranked cases, aggregates and months; the snapshot is
    rebuilt first when it is missing, older than `RISK_REFRESH_MINUTES`, or computed with
    points that are no longer the active version (a manager adopted or rolled back one)."""
    max_age = timedelta(minutes=refresh_minutes(ctx.settings))
    computed_at = await snapshot_store.snapshot_time()
    active_version, _ = await weights_store.active_weights()
    if computed_at is None:
        await refresh_risk_snapshot(ctx.now, if_older_than=max_age)
    elif await snapshot_store.snapshot_version() != active_version:
        await refresh_risk_snapshot(ctx.now)
    elif computed_at <= ctx.now - max_age:
        # Stale: rebuild it, unless a rebuild is already running (the scheduler's, due at about
        # this age): then this view shows the snapshot there is, with its time, and does not
        # wait seconds for the new one.
        await refresh_risk_snapshot(ctx.now, if_older_than=max_age, wait=False)
    return await store.snapshot_report(
        scope, filters.offset, filters.size, filters.date_from, filters.date_to
    )


async def _messages_by_channel(
    ctx: Ctx, scope: int | None, filters: Filters
) -> dict[str, Any] | None:
    """Messages to released persons sent in the date range, by channel, and the SMS segments
    LINE saved (read live); None while LINE is off and no message of the range was sent or
    tried on LINE, so that the report does not mention LINE."""
    start, end = _closed_between(filters)
    if not ctx.settings.line.configured and not await store.tried_line(scope, start, end):
        return None  # one index probe: LINE-less offices pay nothing more
    counts = await store.messages_by_channel(scope, start, end)
    texts = await store.line_texts(scope, start, end) if counts["line"] else []
    return figures.messages_by_channel(counts, texts)


async def risk_report(
    ctx: Ctx,
    office_id: int | None,
    date_from: date | None,
    date_to: date | None,
    page: int = 1,
    size: int = PAGE_SIZE,
    *,
    export: str | None = None,
) -> dict[str, Any]:
    """Everything the report page (or its ``export``: "xlsx", "pdf") shows, audited as
    ``report.risk`` with the defendants on the page. ``as_of`` is when the ranking, the
    aggregates and compliance were computed (the risk snapshot); the backtest is read now."""
    default_from, default_to = default_range(bangkok_today(ctx.now))
    filters = Filters(office_id, date_from or default_from, date_to or default_to, page, size)
    _check(filters)
    scope, offices = await _scope(ctx, office_id)
    filters = Filters(scope, filters.date_from, filters.date_to, filters.page, filters.size)
    # Independent reads; on PostgreSQL they run side by side on their own connections.
    version, weights = await weights_store.active_weights()
    snapshot, backtest_rows, channels = await asyncio.gather(
        _snapshot(ctx, scope, filters),
        backtest_store.backtest_bands(scope, *_closed_between(filters), weights),
        _messages_by_channel(ctx, scope, filters),
    )
    # No snapshot row at all: no active case anywhere, as of the rebuild just made.
    as_of = snapshot.computed_at or ctx.now
    all_offices = {o["id"]: o for o in await office_store.list_offices()}
    staff = {s["id"]: s["display_name"] for s in await staff_store.list_staff()}
    rows = figures.ranked(snapshot.page, filters.offset + 1, as_of, snapshot.weights)
    aggregates = figures.aggregates(snapshot.groups, all_offices, staff, snapshot.weights)
    total = aggregates["summary"]["cases"]
    await ctx.audit(
        "report.risk",
        "office",
        scope,
        {
            "defendants": [r["defendant_id"] for r in rows],
            "cases": [r["case_id"] for r in rows],
            "office": scope,
            "date_from": filters.date_from.isoformat(),
            "date_to": filters.date_to.isoformat(),
            "page": filters.page,
            "format": export or "page",
            "as_of": as_of.isoformat(),
        },
    )
    return {
        "filters": filters,
        "as_of": as_of,
        "refresh_minutes": refresh_minutes(ctx.settings),
        "offices": offices,
        "rows": rows,
        "total": total,
        "pages": max(1, math.ceil(total / filters.size)),
        **aggregates,
        **figures.compliance(snapshot.months, filters.date_from, filters.date_to, all_offices),
        "backtest": figures.backtest(backtest_rows, weights),
        "bands": {b.value: risk.band_from(snapshot.weights)[b] for b in risk.BANDS_LOW_TO_HIGH},
        "weights_version": snapshot.weights_version,
        "rules": risk.describe_rules(snapshot.weights),
        "backtest_weights_version": version,
        "channels": channels,
    }
