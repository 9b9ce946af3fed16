"""The office's day, and officers recording in-person or excused check-ins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter

from reporting_api.api.cases import plan_change_out
from reporting_api.api.convert import check_in_out, today_row
from reporting_api.api.schemas import (
    CheckInOut,
    ExcuseRequest,
    InPersonRequest,
    PlanChange,
    TodayOut,
)
from reporting_api.commands import CheckInCancel, CheckInMove
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import check_in_edits, today
from reporting_api.services import checkins as service
from reporting_api.services.today import (
    MAX_MISSED_DAYS,
    MAX_SECTION_LIMIT,
    MISSED_DAYS,
    SECTION_LIMIT,
)
from reporting_api.thai_dates import format_thai_date


class OfficeDayController(Controller):
    path = "/offices/{office_id:int}/checkins"
    tags = ["check-ins"]

    @get("/today")
    async def today(
        self,
        office_id: PathId,
        ctx: CtxDep,
        missed_days: Annotated[
            int,
            QueryParameter(
                ge=1, le=MAX_MISSED_DAYS, description="How far back missed check-ins are listed"
            ),
        ] = MISSED_DAYS,
        limit: Annotated[
            int,
            QueryParameter(
                ge=1, le=MAX_SECTION_LIMIT, description="Rows in each list (its total says all)"
            ),
        ] = SECTION_LIMIT,
    ) -> TodayOut:
        """Due today, overdue (inside the grace days) and recently missed, for one office: the
        same lists as the officers' Today page, each cut at ``limit`` with its full count."""
        day = await today.office_day(ctx, office_id, missed_days=missed_days, limit=limit)
        return TodayOut(
            office_id=day.office_id,
            today=day.today,
            today_th=format_thai_date(day.today),
            due_today=[today_row(r) for r in day.due_today.rows],
            overdue=[today_row(r) for r in day.overdue.rows],
            missed=[today_row(r) for r in day.missed.rows],
            due_today_total=day.due_today.total,
            overdue_total=day.overdue.total,
            missed_total=day.missed.total,
        )


class CheckInController(Controller):
    path = "/checkins"
    tags = ["check-ins"]

    @post("/{check_in_id:int}/in-person", status_code=200)
    async def in_person(
        self, check_in_id: PathId, data: JSONBody[InPersonRequest], ctx: CtxDep
    ) -> CheckInOut:
        """Record that the person reported at the office."""
        return check_in_out(await service.record_in_person(ctx, check_in_id, data.note))

    @post("/{check_in_id:int}/excuse", status_code=200)
    async def excuse(
        self, check_in_id: PathId, data: JSONBody[ExcuseRequest], ctx: CtxDep
    ) -> CheckInOut:
        """Excuse this check-in for one of the reasons officers may give ("other" needs a
        note); the reason and the note are kept on the check-in."""
        return check_in_out(await service.excuse(ctx, check_in_id, data.reason, data.note))

    @post("/{check_in_id:int}/move", status_code=200)
    async def move(
        self, check_in_id: PathId, data: JSONBody[CheckInMove], ctx: CtxDep
    ) -> PlanChange:
        """Move a check-in not yet opened to another working day (kept with the plan); its
        reminders move with it and the person is told."""
        change = await check_in_edits.move(ctx, check_in_id, data.due_date, data.reason)
        return plan_change_out(change, ctx.now)

    @post("/{check_in_id:int}/cancel", status_code=200)
    async def cancel(
        self, check_in_id: PathId, data: JSONBody[CheckInCancel], ctx: CtxDep
    ) -> PlanChange:
        """Cancel a check-in not yet opened (kept with the plan); the person is told."""
        change = await check_in_edits.cancel(ctx, check_in_id, data.reason)
        return plan_change_out(change, ctx.now)
