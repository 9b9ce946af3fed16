"""Reading check-ins, the office's day, and recording in-person or excused check-ins."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from reporting_api.access import (
    ensure_can_change_office,
    ensure_can_read_office,
    office_scope,
)
from reporting_api.errors import NotFound
from reporting_api.services.context import Ctx
from reporting_api.statuses import CheckInStatus, ensure_transition
from reporting_api.store import attempts as attempt_store
from reporting_api.store import cases as case_store
from reporting_api.store import checkins as store
from reporting_api.store import transaction
from reporting_api.thai_dates import bangkok_today

# Statuses that only the passing of time changes (the sweep writes them; reads must not wait).
TIME_DRIVEN = {CheckInStatus.UPCOMING, CheckInStatus.OPEN, CheckInStatus.LATE}


def effective_status(row: dict[str, Any], now: datetime) -> CheckInStatus:
    """The status as of ``now``, even if the periodic sweep has not written it yet."""
    stored = CheckInStatus(row["status"])
    if stored not in TIME_DRIVEN:
        return stored
    if now < row["opens_at"]:
        return CheckInStatus.UPCOMING
    if now < row["due_at"]:
        return CheckInStatus.OPEN
    if now < row["closes_at"]:
        return CheckInStatus.LATE
    return CheckInStatus.MISSED


def with_effective_status(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    return row | {"status": effective_status(row, now).value}


async def list_for_case(ctx: Ctx, case_id: int) -> list[dict[str, Any]]:
    case = await case_store.get_case(case_id)
    if case is None:
        raise NotFound("case")
    ensure_can_read_office(ctx.principal, case["office"], "case")
    return [with_effective_status(r, ctx.now) for r in await store.list_for_case(case_id)]


async def office_today(ctx: Ctx, office_id: int, missed_days: int) -> dict[str, Any]:
    office_scope(ctx.principal, office_id)
    today = bangkok_today(ctx.now)
    due, _ = await store.due_on(office_id, today)
    overdue, _ = await store.overdue(office_id, ctx.now)
    missed, _ = await store.missed_since(office_id, ctx.now - timedelta(days=missed_days), ctx.now)
    shown = [r["defendant_id"] for r in due + overdue + missed]
    await ctx.audit("checkin.today", "office", office_id, {"defendants": sorted(set(shown))})
    return {
        "office_id": office_id,
        "today": today,
        "due_today": [with_effective_status(r, ctx.now) for r in due],
        "overdue": [with_effective_status(r, ctx.now) for r in overdue],
        "missed": [with_effective_status(r, ctx.now) for r in missed],
    }


async def _complete(
    ctx: Ctx, check_in_id: int, target: CheckInStatus, note: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """Move a check-in of the officer's office to a completed status, if the table allows."""
    row = await store.get_check_in(check_in_id)
    if row is None:
        raise NotFound("check-in")
    ensure_can_change_office(ctx.principal, row["office"], "check-in")
    current = effective_status(row, ctx.now)
    ensure_transition(current, target)
    async with transaction():
        await store.update_check_in(
            check_in_id,
            {
                "status": target.value,
                "completed_at": ctx.now,
                "recorded_by": ctx.principal.id,
                "note": note.strip() or None,
                "updated_at": ctx.now,
                **extra,
            },
        )
        # Settled another way: remote recordings waiting for review need no decision now.
        await attempt_store.close_waiting_for_check_in(
            check_in_id,
            {
                "reviewed_by": ctx.principal.id,
                "reviewed_at": ctx.now,
                "review_decision": "superseded",
                "review_note": f"check-in {target.value} by an officer",
            },
        )
    await ctx.audit(
        f"checkin.{target.value}",
        "check_in",
        check_in_id,
        {"from": current.value, "note": note, **extra},
    )
    return with_effective_status(await store.get_check_in(check_in_id) or row, ctx.now)


async def record_in_person(ctx: Ctx, check_in_id: int, note: str) -> dict[str, Any]:
    """An officer saw the person at the office: the check-in is verified in person."""
    return await _complete(ctx, check_in_id, CheckInStatus.VERIFIED, note, {"method": "in_person"})


async def excuse(ctx: Ctx, check_in_id: int, reason: str) -> dict[str, Any]:
    """The person need not report this time; the reason is kept."""
    return await _complete(ctx, check_in_id, CheckInStatus.EXCUSED, reason, {})
