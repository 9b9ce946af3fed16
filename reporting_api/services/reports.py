"""The managers' risk report: active cases ranked by an absconding-risk score that explains
itself, aggregates by province, office, court and officer, compliance over time, bail at risk,
and a backtest of the score on closed cases.

Managers see every office or one; officers only their own; administrators none (403). Every
report (page or export) is audited with the defendants it showed. The ranking, the
aggregates and compliance come from the risk snapshot (every active case scored, and check-in
outcomes counted by day, as of one instant; rebuilt by the scheduler every
`RISK_REFRESH_MINUTES` and by the report itself when it is older). The date range chooses the
months of the compliance charts and the closed cases of the backtest, which is read live.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from reporting_api import risk
from reporting_api.access import office_scope
from reporting_api.errors import InvalidInput
from reporting_api.services.context import Ctx
from reporting_api.settings import SchedulerSettings, Settings
from reporting_api.store import offices as office_store
from reporting_api.store import reports as store
from reporting_api.store import staff as staff_store
from reporting_api.thai_dates import bangkok_today, local_midnight_utc

log = logging.getLogger(__name__)

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


async def _scope(ctx: Ctx, office_id: int | None) -> tuple[int | None, list[dict[str, Any]]]:
    """The office the report covers (None: all) and the offices the filter may offer."""
    scope = office_scope(ctx.principal, office_id)
    offices = await office_store.list_offices()
    if scope is not None and not any(o["id"] == scope for o in offices):
        raise InvalidInput("office_id", "no such office", "ไม่พบสำนักงานนี้")
    if ctx.principal.is_officer:
        offices = [o for o in offices if o["id"] == ctx.principal.office_id]
    return scope, offices


async def filter_offices(ctx: Ctx) -> list[dict[str, Any]]:
    """The offices the report's filter offers this user (for a form shown with errors)."""
    _, offices = await _scope(ctx, None)
    return offices


def _name(row: dict[str, Any], lang: str) -> str:
    if lang == "en" and row.get("first_name_en"):
        return f"{row['first_name_en']} {row.get('last_name_en') or ''}".strip()
    return f"{row['title_th'] or ''}{row['first_name_th']} {row['last_name_th']}"


def _ranked(rows: list[dict[str, Any]], filters: Filters, as_of: datetime) -> list[dict[str, Any]]:
    ranked = []
    for n, row in enumerate(rows, start=filters.offset + 1):
        facts = store.facts_of(row)
        scored = risk.assess(facts, as_of)
        if scored.points != row["score"]:
            # The ranking (SQL) and the explanation (Python) must apply the same rules.
            log.error(
                "risk score of case %s: SQL %s, reporting_api.risk %s; fix store/reports.py",
                row["case_id"],
                row["score"],
                scored.points,
            )
        ranked.append(
            {
                "rank": n,
                "case_id": row["case_id"],
                "defendant_id": row["defendant_id"],
                "name_th": _name(row, "th"),
                "name_en": _name(row, "en"),
                "office_id": row["office_id"],
                "office_code": row["office_code"],
                "office_th": row["office_name_th"],
                "office_en": row["office_name_en"],
                "court": row["court"],
                "officer": row["officer_name"] or "",
                "score": scored.points,
                "band": scored.band.value,
                "factors": list(scored.factors),
                "bail_amount": row["bail_amount"],
                "next_court_date": facts.next_court_date,
            }
        )
    return ranked


def _group_row(g: dict[str, Any], label_th: str, label_en: str) -> dict[str, Any]:
    return {
        "key": g["key"],
        "label_th": label_th,
        "label_en": label_en or label_th,
        "cases": g["cases"],
        "high": g["high"],
        "medium": g["medium"],
        "low": g["low"],
        "average": round(g["score_sum"] / g["cases"], 1) if g["cases"] else 0.0,
        "missed": g["missed"],
        "unreachable": g["unreachable"],
        "bail": g["bail"],
        "bail_high": g["bail_high"],
    }


def _groups(
    groups: list[dict[str, Any]], offices: dict[int, dict[str, Any]], staff: dict[int, str]
) -> dict[str, Any]:
    by_dim: dict[str, list[dict[str, Any]]] = {d: [] for d in store.DIMENSIONS}
    for g in groups:
        key = g["key"]
        if g["dim"] == "office":
            office = offices.get(int(key), {})
            row = _group_row(g, office.get("name_th", key), office.get("name_en", key))
        elif g["dim"] == "officer":
            name = staff.get(int(key), "") if key else ""
            row = _group_row(g, name or "(ไม่มีเจ้าหน้าที่)", name or "(no officer)")
        elif g["dim"] == "province":
            row = _group_row(g, key or "ส่วนกลาง", g["label_en"] or ("Central" if not key else ""))
        else:
            row = _group_row(g, key, key)
        by_dim[g["dim"]].append(row)
    for rows in by_dim.values():
        rows.sort(key=lambda r: (-r["high"], -r["average"], -r["cases"], r["label_th"]))
    empty = _group_row(
        {
            "key": "",
            "cases": 0,
            "high": 0,
            "medium": 0,
            "low": 0,
            "score_sum": 0,
            "missed": 0,
            "unreachable": 0,
            "bail": Decimal("0.00"),
            "bail_high": Decimal("0.00"),
        },
        "",
        "",
    )
    bands = {r["key"]: r for r in by_dim["band"]}
    return {
        "summary": by_dim["all"][0] if by_dim["all"] else empty,
        "by_band": [
            {**bands.get(b.value, empty), "band": b.value, "from": risk.BAND_FROM[b]}
            for b in reversed(risk.BANDS_LOW_TO_HIGH)
        ],
        "by_province": by_dim["province"],
        "by_office": by_dim["office"],
        "by_court": by_dim["court"],
        "by_officer": by_dim["officer"],
    }


def _months(first: date, last: date) -> list[str]:
    months, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _compliance(
    rows: list[dict[str, Any]], filters: Filters, offices: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    names = ("on_time", "late", "missed", "excused")
    months = {m: dict.fromkeys(names, 0) for m in _months(filters.date_from, filters.date_to)}
    missed: dict[int, int] = {}
    for row in rows:
        month = months.setdefault(row["month"], dict.fromkeys(names, 0))
        for name in names:
            month[name] += row[name]
        missed[row["office_id"]] = missed.get(row["office_id"], 0) + row["missed"]
    by_month = []
    for month, counts in sorted(months.items()):
        total = sum(counts.values())
        shares = {f"{n}_share": (counts[n] / total if total else None) for n in names}
        by_month.append({"month": month, **counts, "total": total, **shares})
    by_office = [
        {
            "office_id": office_id,
            "label_th": offices.get(office_id, {}).get("name_th", str(office_id)),
            "label_en": offices.get(office_id, {}).get("name_en", str(office_id)),
            "missed": count,
        }
        for office_id, count in missed.items()
    ]
    by_office.sort(key=lambda r: (-r["missed"], r["label_th"]))
    return {"by_month": by_month, "missed_by_office": by_office}


def _backtest(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per band: cases and absconded in the band; and for "at least this band" as the alarm
    threshold, how many were flagged, how many of those absconded (precision) and what share
    of all who absconded were flagged (recall)."""
    counts = {(b.value, s): 0 for b in risk.BANDS_LOW_TO_HIGH for s in store.OUTCOMES}
    for row in rows:
        counts[(row["band"], row["status"])] += row["cases"]
    total = sum(counts.values())
    absconded = sum(n for (_, s), n in counts.items() if s == store.ABSCONDED)
    bands = []
    for i, band in enumerate(risk.BANDS_LOW_TO_HIGH):
        at_least = risk.BANDS_LOW_TO_HIGH[i:]
        flagged = sum(counts[(b.value, s)] for b in at_least for s in store.OUTCOMES)
        hits = sum(counts[(b.value, store.ABSCONDED)] for b in at_least)
        in_band = sum(counts[(band.value, s)] for s in store.OUTCOMES)
        bands.append(
            {
                "band": band.value,
                "from": risk.BAND_FROM[band],
                "cases": in_band,
                "absconded": counts[(band.value, store.ABSCONDED)],
                "flagged": flagged,
                "flagged_absconded": hits,
                "precision": hits / flagged if flagged else None,
                "recall": hits / absconded if absconded else None,
            }
        )
    return {
        "cases": total,
        "absconded": absconded,
        "base_rate": absconded / total if total else None,
        "bands": list(reversed(bands)),
    }


def _closed_between(filters: Filters) -> tuple[Any, Any]:
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
    return _backtest(await store.backtest_bands(scope, *_closed_between(filters)))


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


async def _snapshot(ctx: Ctx, scope: int | None, filters: Filters) -> store.SnapshotReport:
    """The risk snapshot's page of ranked cases, aggregates and months; the snapshot is
    rebuilt first when it is missing or older than `RISK_REFRESH_MINUTES`."""
    max_age = timedelta(minutes=refresh_minutes(ctx.settings))
    computed_at = await store.snapshot_time()
    if computed_at is None:
        await refresh_risk_snapshot(ctx.now, if_older_than=max_age)
    elif computed_at <= ctx.now - max_age:
        # Stale: rebuild it, unless a rebuild is already running (the scheduler's, due at about
        # this age): then this view shows the snapshot there is, with its time, and does not
        # wait seconds for the new one.
        await refresh_risk_snapshot(ctx.now, if_older_than=max_age, wait=False)
    return await store.snapshot_report(
        scope, filters.offset, filters.size, filters.date_from, filters.date_to
    )


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
    # Two independent reads; on PostgreSQL they run side by side on their own connections.
    snapshot, backtest_rows = await asyncio.gather(
        _snapshot(ctx, scope, filters),
        store.backtest_bands(scope, *_closed_between(filters)),
    )
    # No snapshot row at all: no active case anywhere, as of the rebuild just made.
    as_of = snapshot.computed_at or ctx.now
    all_offices = {o["id"]: o for o in await office_store.list_offices()}
    staff = {s["id"]: s["display_name"] for s in await staff_store.list_staff()}
    rows = _ranked(snapshot.page, filters, as_of)
    aggregates = _groups(snapshot.groups, all_offices, staff)
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
        **_compliance(snapshot.months, filters, all_offices),
        "backtest": _backtest(backtest_rows),
        "bands": {b.value: risk.BAND_FROM[b] for b in risk.BANDS_LOW_TO_HIGH},
    }
