"""Setting or replacing a case's reporting plan, and regenerating its future check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reporting_api.access import ensure_can_read_office
from reporting_api.commands import PlanIn
from reporting_api.errors import InvalidInput, NotFound
from reporting_api.planning import (
    ExistingCheckIn,
    PlannedCheckIn,
    PlanSpec,
    expand_plan,
    initial_status,
    replan,
)
from reporting_api.services import cases
from reporting_api.services import reminders as reminder_service
from reporting_api.services.context import Ctx
from reporting_api.statuses import CheckInStatus, PlanKind
from reporting_api.store import cases as case_store
from reporting_api.store import checkins as checkin_store
from reporting_api.store import transaction
from reporting_api.store.rows import CheckInRow, ReportingPlanRow

MAX_CHECK_INS = 500


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


async def set_plan(ctx: Ctx, case_id: int, data: PlanIn) -> PlanChange:
    """Replace the plan; future check-ins follow it, past and completed ones stay as they are."""
    case = await cases.load_for_change(ctx, case_id)
    spec = spec_from(data)
    planned = expand_plan(spec)
    if len(planned) > MAX_CHECK_INS:
        raise InvalidInput(
            "every_days",
            f"the plan would create {len(planned)} check-ins; at most {MAX_CHECK_INS} are allowed",
            f"แผนนี้จะสร้างการรายงานตัว {len(planned)} ครั้ง เกิน {MAX_CHECK_INS} ครั้ง",
        )
    existing = [
        ExistingCheckIn(
            id=row["id"],
            due_date=row["due_date"],
            status=CheckInStatus(row["status"]),
            opens_at=row["opens_at"],
        )
        for row in await checkin_store.list_for_case(case_id)
    ]
    result = replan(existing, planned, ctx.now)
    policy = await reminder_service.office_policy(case["office"])
    quiet = reminder_service.quiet_hours(ctx.settings)
    new_rows = [
        _window(new)
        | {
            "case": case_id,
            "office": case["office"],
            "due_date": new.due_date,
            "status": initial_status(new, ctx.now).value,
            "code": reminder_service.new_check_in_code(),
            "created_at": ctx.now,
            "updated_at": ctx.now,
        }
        for new in result.create
    ]
    # Check-ins and their reminders change together or not at all (the outbox).
    async with transaction():
        await case_store.save_plan(
            case_id,
            {
                "kind": spec.kind.value,
                "every_days": spec.every_days,
                "dates": [d.isoformat() for d in spec.dates],
                "start_date": spec.start_date,
                "end_date": spec.end_date,
                "window_opens_days_before": spec.window_opens_days_before,
                "grace_days": spec.grace_days,
                "updated_by": ctx.principal.id,
                "updated_at": ctx.now,
            },
        )
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
    await ctx.audit(
        "plan.set",
        "bail_case",
        case_id,
        {
            "kind": spec.kind.value,
            "created": len(result.create),
            "updated": len(result.update),
            "deleted": len(result.delete_ids),
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
    )


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
