"""An officer changes one check-in of a plan: moves it to another day, cancels it, or adds one.

Each change is kept with the plan (`reporting_plan.adjustments`, `planning.Adjustments`), so
expanding the plan again (a declared holiday, a reopened case) keeps it, and goes through the
plan's own re-planning: the check-in and its reminders change in one transaction, and the
person is told the date at once. Only a check-in not yet opened can be moved or cancelled; a
new date must be a working day after today, on a day without another check-in, with a window
that does not meet a neighbour's. Saving the plan as a whole starts again without these.
"""

from __future__ import annotations

from datetime import date

from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.planning import (
    Adjustments,
    ExistingCheckIn,
    apply_adjustments,
    check_single_date,
    is_frozen,
    thai_holidays,
)
from reporting_api.services import cases, plans
from reporting_api.services import holidays as holiday_service
from reporting_api.services.context import Ctx
from reporting_api.services.plans import PlanChange
from reporting_api.statuses import CheckInStatus
from reporting_api.store import cases as case_store
from reporting_api.store import checkins as checkin_store
from reporting_api.store.rows import CheckInRow, ReportingPlanRow
from reporting_api.thai_dates import bangkok_today

MAX_REASON = 2000


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidInput("reason", "is required", "ต้องระบุเหตุผล")
    return text[:MAX_REASON]


async def _plan_of(ctx: Ctx, case_id: int) -> tuple[ReportingPlanRow, Adjustments]:
    plan = await case_store.get_plan(case_id)
    if plan is None:
        raise Conflict("plan", "the case has no reporting plan yet", "คดีนี้ยังไม่มีแผนการรายงานตัว")
    return plan, Adjustments.from_json(plan["adjustments"])


async def _changeable(ctx: Ctx, check_in_id: int) -> CheckInRow:
    row = await checkin_store.get_check_in(check_in_id)
    if row is None:
        raise NotFound("check-in")
    await cases.load_for_change(ctx, row["case"])
    existing = ExistingCheckIn(
        row["id"], row["due_date"], CheckInStatus(row["status"]), row["opens_at"]
    )
    if is_frozen(existing, ctx.now):
        raise Conflict(
            "status",
            f"this check-in is {row['status']} and its window has opened: it stays as it is",
            "การรายงานตัวนี้เปิดแล้วหรือเสร็จสิ้นแล้ว จึงเปลี่ยนไม่ได้",
        )
    return row


async def _check_date(
    ctx: Ctx, case_id: int, plan: ReportingPlanRow, adjustments: Adjustments, new: date,
    ignoring: date | None,
) -> None:  # fmt: skip
    spec = plans.spec_of_row(plan)
    expansion = await plans.expand_for(ctx, spec, fresh=False)
    planned = apply_adjustments(spec, expansion.check_ins, adjustments)
    stored = [r["due_date"] for r in await checkin_store.list_for_case(case_id)]
    # The dates the person has now: what the plan gives and what is stored (history too).
    current = sorted({p.due_date for p in planned} | set(stored))
    declared = await holiday_service.declared_names(new, new)
    check_single_date(
        spec,
        current,
        new,
        today=bangkok_today(ctx.now),
        holidays_then=thai_holidays([new.year], declared),
        ignoring=ignoring,
    )


async def move(ctx: Ctx, check_in_id: int, new: date, reason: str) -> PlanChange:
    """Move one check-in not yet opened to ``new``; its reminders move with it."""
    text = _reason(reason)
    row = await _changeable(ctx, check_in_id)
    case = await cases.load_for_change(ctx, row["case"])
    plan, adjustments = await _plan_of(ctx, row["case"])
    old = row["due_date"]
    if new == old:
        raise InvalidInput("due_date", "is the check-in's date already", "เป็นวันเดิมอยู่แล้ว")
    await _check_date(ctx, row["case"], plan, adjustments, new, ignoring=old)
    added = tuple(d for d in adjustments.added if d != old)
    moved = [(a, b) for a, b in adjustments.moved if b != old]
    origin = next((a for a, b in adjustments.moved if b == old), old)
    if old in adjustments.added:
        added += (new,)
    else:
        moved.append((origin, new))
    changed = Adjustments(tuple(moved), adjustments.cancelled, added)
    return await plans.apply_plan(
        ctx,
        case,
        plans.spec_of_row(plan),
        fresh=False,
        action="checkin.move",
        adjustments=changed,
        audit_detail={"check_in": check_in_id, "from": str(old), "to": str(new), "reason": text},
    )


async def cancel(ctx: Ctx, check_in_id: int, reason: str) -> PlanChange:
    """Cancel one check-in not yet opened; its unsent reminders are cancelled."""
    text = _reason(reason)
    row = await _changeable(ctx, check_in_id)
    case = await cases.load_for_change(ctx, row["case"])
    plan, adjustments = await _plan_of(ctx, row["case"])
    old = row["due_date"]
    changed = Adjustments(
        adjustments.moved,
        (*adjustments.cancelled, old),
        tuple(d for d in adjustments.added if d != old),
    )
    return await plans.apply_plan(
        ctx,
        case,
        plans.spec_of_row(plan),
        fresh=False,
        action="checkin.cancel",
        adjustments=changed,
        audit_detail={"check_in": check_in_id, "date": str(old), "reason": text},
    )


async def check_new_date(ctx: Ctx, case_id: int, new: date, ignoring: date | None) -> None:
    """Refuse ``new`` as a check-in date of the case (as `move` and `add` would), before
    anything is changed; ``ignoring`` a date that is going away."""
    plan, adjustments = await _plan_of(ctx, case_id)
    await _check_date(ctx, case_id, plan, adjustments, new, ignoring=ignoring)


async def add(
    ctx: Ctx, case_id: int, new: date, reason: str, *, ignoring: date | None = None
) -> PlanChange:
    """Add one check-in on ``new`` to the case's plan, with its reminders; ``ignoring`` a
    check-in just excused in its favour (its window may meet the new one's)."""
    text = _reason(reason)
    case = await cases.load_for_change(ctx, case_id)
    plan, adjustments = await _plan_of(ctx, case_id)
    await _check_date(ctx, case_id, plan, adjustments, new, ignoring=ignoring)
    changed = Adjustments(
        adjustments.moved,
        tuple(d for d in adjustments.cancelled if d != new),
        (*adjustments.added, new),
    )
    return await plans.apply_plan(
        ctx,
        case,
        plans.spec_of_row(plan),
        fresh=False,
        action="checkin.add",
        adjustments=changed,
        audit_detail={"date": str(new), "reason": text},
    )
