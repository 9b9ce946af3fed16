"""Setting or replacing a case's reporting plan, and regenerating its future check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reporting_api.access import ensure_can_read_office
from reporting_api.commands import PlanIn
from reporting_api.errors import InvalidInput, NotFound
from reporting_api.planning import (
    Adjustments,
    ExistingCheckIn,
    PlanExpansion,
    PlannedCheckIn,
    PlanNote,
    PlanSpec,
    ReplanResult,
    apply_adjustments,
    expand_plan_with_notes,
    initial_status,
    is_frozen,
    replan,
)
from reporting_api.services import cases, notices
from reporting_api.services import holidays as holiday_service
from reporting_api.services import reminders as reminder_service
from reporting_api.services.context import Ctx
from reporting_api.statuses import CheckInStatus, PlanKind
from reporting_api.store import cases as case_store
from reporting_api.store import checkins as checkin_store
from reporting_api.store import transaction
from reporting_api.store.cases import CaseRow
from reporting_api.store.rows import CheckInRow, ReportingPlanRow
from reporting_api.thai_dates import bangkok_today, format_thai_date

MAX_CHECK_INS = 500
NO_ADJUSTMENTS = Adjustments()
"""A plan an officer sets as a whole starts without single check-in changes."""


@dataclass(frozen=True)
class PlanChange:
    """The plan as stored after a change, what the change did to the check-ins, and the
    case's check-ins now."""

    plan: ReportingPlanRow
    created: int
    updated: int
    deleted: int
    kept: int
    check_ins: list[CheckInRow]
    notes: list[PlanNote]
    notified: bool
    """Whether the person was sent a notice of the changed dates."""


def spec_from(data: PlanIn) -> PlanSpec:
    return PlanSpec(
        kind=PlanKind(data.kind),
        start_date=data.start_date,
        end_date=data.end_date,
        every_days=data.every_days if data.kind == "interval" else None,
        dates=tuple(sorted(set(data.dates))) if data.kind == "dates" else (),
        window_opens_days_before=data.window_opens_days_before,
        grace_days=data.grace_days,
    )


async def expand_for(ctx: Ctx, spec: PlanSpec, *, fresh: bool = True) -> PlanExpansion:
    """The plan's check-ins and notes as of ctx.now, the declared holidays kept. A ``new``
    plan (``fresh``: one an officer sets now) must also start near today; a stored one
    re-planned for a declared holiday keeps its start."""
    today = bangkok_today(ctx.now) if fresh else None
    spec.validate(today)  # before any query: a date near year 9999 is refused, not looked up
    declared = await holiday_service.declared_names(spec.start_date, spec.end_date)
    return expand_plan_with_notes(spec, today=today, declared=declared)


def spec_of_row(plan: ReportingPlanRow) -> PlanSpec:
    """The stored plan as a spec, to expand it again."""
    return PlanSpec(
        kind=PlanKind(plan["kind"]),
        start_date=plan["start_date"],
        end_date=plan["end_date"],
        every_days=plan["every_days"],
        dates=tuple(sorted({date.fromisoformat(str(d)) for d in plan["dates"] or []})),
        window_opens_days_before=plan["window_opens_days_before"],
        grace_days=plan["grace_days"],
    )


DONE = (CheckInStatus.VERIFIED, CheckInStatus.MISSED, CheckInStatus.EXCUSED)


def check_history_kept(
    existing: list[ExistingCheckIn], planned: list[PlannedCheckIn], spec: PlanSpec, now: datetime
) -> None:
    """Refuse a plan that would move a check-in already made, missed or excused: a new date
    so close to it that their windows would meet, where the plan no longer asks for its own
    date. (History is not rewritten: the done one stays, so the person would be asked twice
    for one duty.) A done check-in far from every new date simply stays as history."""
    asked = {p.due_date for p in planned}
    # Only dates the re-plan would still create count: one whose window closed is never made.
    to_create = sorted(p.due_date for p in planned if p.closes_at > now)
    reach = spec.window_span_days
    for done in sorted((e for e in existing if e.status in DONE), key=lambda e: e.due_date):
        if done.due_date in asked:
            continue
        near = [p for p in to_create if abs((p - done.due_date).days) <= reach]
        if near:
            raise InvalidInput(
                "start_date" if spec.kind == PlanKind.INTERVAL else "dates",
                f"the check-in of {done.due_date.isoformat()} is already {done.status.value}: "
                f"the plan would move it to {near[0].isoformat()}; keep its date in the plan "
                f"or start the new plan after it",
                f"การรายงานตัววันที่ {format_thai_date(done.due_date)} เสร็จสิ้นแล้ว "
                f"แผนนี้จะเลื่อนไปเป็น {format_thai_date(near[0])} ซึ่งทำไม่ได้ "
                "ให้คงวันนั้นไว้ในแผน หรือเริ่มแผนใหม่หลังวันนั้น",
            )


async def set_plan(ctx: Ctx, case_id: int, data: PlanIn) -> PlanChange:
    """Replace the plan; future check-ins follow it, past and completed ones stay as they are,
    and the person is told of the dates that changed."""
    case = await cases.load_for_change(ctx, case_id)
    return await apply_plan(ctx, case, spec_from(data), fresh=True)


async def replan_stored(ctx: Ctx, case: CaseRow) -> PlanChange | None:
    """Expand a case's stored plan again (the holidays changed): dates that moved are re-planned
    with their reminders and the person is told. The caller has checked access (an admin
    declaring a holiday); None when the case has no plan."""
    plan = await case_store.get_plan(case["id"])
    if plan is None:
        return None
    return await apply_plan(
        ctx,
        case,
        spec_of_row(plan),
        fresh=False,
        action="plan.replanned",
        adjustments=Adjustments.from_json(plan["adjustments"]),
    )


async def apply_plan(
    ctx: Ctx,
    case: CaseRow,
    spec: PlanSpec,
    *,
    fresh: bool,
    action: str = "plan.set",
    adjustments: Adjustments = NO_ADJUSTMENTS,
    audit_detail: dict[str, Any] | None = None,
) -> PlanChange:
    """Store ``spec`` as the case's plan, with the officer's single check-in ``adjustments``,
    and bring its check-ins and reminders in line."""
    case_id = case["id"]
    expansion, planned = await planned_check_ins(ctx, spec, fresh=fresh, adjustments=adjustments)
    existing = [
        ExistingCheckIn(
            id=row["id"],
            due_date=row["due_date"],
            status=CheckInStatus(row["status"]),
            opens_at=row["opens_at"],
        )
        for row in await checkin_store.list_for_case(case_id)
    ]
    check_history_kept(existing, planned, spec, ctx.now)
    result = replan(existing, planned, ctx.now)
    changes = date_changes(existing, result, ctx.now)
    policy = await reminder_service.office_policy(case["office"])
    quiet = reminder_service.quiet_hours(ctx.settings)
    new_rows = [new_check_in_row(case_id, case["office"], new, ctx.now) for new in result.create]
    # Check-ins and their reminders change together or not at all (the outbox).
    async with transaction():
        await case_store.save_plan(case_id, plan_values(spec, adjustments, ctx))
        await reminder_service.cancel_for_removed_check_ins(result.delete_ids, ctx.now)
        await checkin_store.delete_check_ins(result.delete_ids)
        for check_in_id, new in result.update:
            await checkin_store.update_check_in(check_in_id, _window(new) | {"updated_at": ctx.now})
        await checkin_store.insert_check_ins(new_rows)
        stored = await checkin_store.list_for_case(case_id)
        codes = {row["code"] for row in new_rows}
        updated_ids = {check_in_id for check_in_id, _ in result.update}
        await reminder_service.plan_for_new_check_ins(
            case=case,
            check_ins=[row for row in stored if row["code"] in codes],
            policy=policy,
            quiet=quiet,
            now=ctx.now,
        )
        await reminder_service.replan_for_check_ins(
            case=case,
            check_ins=[row for row in stored if row["id"] in updated_ids],
            policy=policy,
            quiet=quiet,
            now=ctx.now,
        )
        # A first plan is no change: the reminders bring its dates.
        notice = await notices.dates_changed(ctx, case_id, changes) if existing else None
    await ctx.audit(
        action,
        "bail_case",
        case_id,
        {
            "kind": spec.kind.value,
            "created": len(result.create),
            "updated": len(result.update),
            "deleted": len(result.delete_ids),
            "notes": [n.code for n in expansion.notes],
            "notice": notice,
            **(audit_detail or {}),
        },
    )
    plan = await case_store.get_plan(case_id)
    assert plan is not None  # saved above, in this request
    return PlanChange(
        plan=plan,
        created=len(result.create),
        updated=len(result.update),
        deleted=len(result.delete_ids),
        kept=len(result.keep_ids),
        check_ins=await checkin_store.list_for_case(case_id),
        notes=expansion.notes,
        notified=notice is not None,
    )


def date_changes(
    existing: list[ExistingCheckIn], result: ReplanResult, now: datetime
) -> list[notices.DateChange]:
    """What a re-plan does to the dates the person knows: the first upcoming date removed and
    the first created read as a move; the rest as cancelled or added. Only dates not yet
    frozen count (the past is not rewritten)."""
    removed = sorted(e.due_date for e in existing if e.id in set(result.delete_ids))
    added = sorted(p.due_date for p in result.create if not is_frozen_date(existing, p, now))
    changes: list[notices.DateChange] = []
    while removed and added:
        changes.append(notices.DateChange(removed.pop(0), added.pop(0)))
    changes += [notices.DateChange(d, None) for d in removed]
    changes += [notices.DateChange(None, d) for d in added]
    return changes


def is_frozen_date(existing: list[ExistingCheckIn], planned: PlannedCheckIn, now: datetime) -> bool:
    return any(e.due_date == planned.due_date and is_frozen(e, now) for e in existing)


async def planned_check_ins(
    ctx: Ctx, spec: PlanSpec, *, fresh: bool, adjustments: Adjustments = NO_ADJUSTMENTS
) -> tuple[PlanExpansion, list[PlannedCheckIn]]:
    """The plan's expansion and its check-ins with the officer's adjustments; InvalidInput
    for a plan that breaks a rule or makes more than MAX_CHECK_INS."""
    expansion = await expand_for(ctx, spec, fresh=fresh)
    planned = apply_adjustments(spec, expansion.check_ins, adjustments)
    if len(planned) > MAX_CHECK_INS:
        raise InvalidInput(
            "every_days",
            f"the plan would create {len(planned)} check-ins; at most {MAX_CHECK_INS} are allowed",
            f"แผนนี้จะสร้างการรายงานตัว {len(planned)} ครั้ง เกิน {MAX_CHECK_INS} ครั้ง",
        )
    return expansion, planned


def plan_values(spec: PlanSpec, adjustments: Adjustments, ctx: Ctx) -> dict[str, Any]:
    """The `reporting_plan` row's values (but its case) for ``spec``."""
    return {
        "kind": spec.kind.value,
        "every_days": spec.every_days,
        "dates": [d.isoformat() for d in spec.dates],
        "start_date": spec.start_date,
        "end_date": spec.end_date,
        "window_opens_days_before": spec.window_opens_days_before,
        "grace_days": spec.grace_days,
        "adjustments": adjustments.as_json() if adjustments != NO_ADJUSTMENTS else None,
        "updated_by": ctx.principal.id,
        "updated_at": ctx.now,
    }


def new_check_in_row(
    case_id: int, office_id: int, new: PlannedCheckIn, now: datetime
) -> dict[str, Any]:
    """A new `check_in` row of a case for a planned date, its link code drawn now."""
    return _window(new) | {
        "case": case_id,
        "office": office_id,
        "due_date": new.due_date,
        "status": initial_status(new, now).value,
        "code": reminder_service.new_check_in_code(),
        "created_at": now,
        "updated_at": now,
    }


def _window(planned: PlannedCheckIn) -> dict[str, Any]:
    return {
        "nominal_date": planned.nominal_date,
        "moved_reason": planned.moved_reason,
        "opens_at": planned.opens_at,
        "due_at": planned.due_at,
        "closes_at": planned.closes_at,
    }


async def get_plan(ctx: Ctx, case_id: int) -> ReportingPlanRow:
    case = await case_store.get_case(case_id)
    if case is None:
        raise NotFound("case")
    ensure_can_read_office(ctx.principal, case["office"], "case")
    plan = await case_store.get_plan(case_id)
    if plan is None:
        raise NotFound("case", "this case has no reporting plan yet", "คดีนี้ยังไม่มีแผนการรายงานตัว")
    return plan
