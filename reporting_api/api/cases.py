"""Bail cases, their reporting plan and their check-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import JSONBody, QueryParameter

from reporting_api.api.convert import case_out, check_in_out, page_of, plan_out
from reporting_api.api.schemas import (
    CaseOut,
    CheckInOut,
    Page,
    PlanChange,
    PlanNoteOut,
    PlanOut,
)
from reporting_api.commands import (
    CaseClose,
    CaseCreate,
    CaseReassign,
    CaseReopen,
    CaseStatusName,
    CaseTransfer,
    CheckInAdd,
    PlanIn,
)
from reporting_api.http.context import CtxDep, PagingDep, PathId
from reporting_api.services import cases as service
from reporting_api.services import check_in_edits
from reporting_api.services import checkins as checkin_service
from reporting_api.services import plans as plan_service

OptionalId = QueryParameter(ge=1, le=2**31 - 1)


def plan_change_out(result: plan_service.PlanChange, now: datetime) -> PlanChange:
    return PlanChange(
        plan=plan_out(result.plan),
        created=result.created,
        updated=result.updated,
        deleted=result.deleted,
        kept=result.kept,
        check_ins=[
            check_in_out(checkin_service.with_effective_status(r, now)) for r in result.check_ins
        ],
        notes=[
            PlanNoteOut(
                level="warning" if n.level == "warning" else "info",
                code=n.code,
                message=n.en,
                message_th=n.th,
            )
            for n in result.notes
        ],
        notified=result.notified,
    )


class CaseController(Controller):
    path = "/cases"
    tags = ["cases"]

    @post("/")
    async def open_case(self, data: JSONBody[CaseCreate], ctx: CtxDep) -> CaseOut:
        """Open a bail case for an enrolled defendant of the officer's office."""
        return case_out(await service.open_case(ctx, data))

    @get("/")
    async def list_cases(
        self,
        ctx: CtxDep,
        paging: PagingDep,
        office_id: Annotated[int | None, OptionalId] = None,
        officer_id: Annotated[int | None, OptionalId] = None,
        defendant_id: Annotated[int | None, OptionalId] = None,
        status: Annotated[CaseStatusName | None, QueryParameter()] = None,
    ) -> Page[CaseOut]:
        rows, total = await service.list_cases(
            ctx,
            office_id=office_id,
            status=status,
            officer_id=officer_id,
            defendant_id=defendant_id,
            offset=paging.offset,
            limit=paging.page_size,
        )
        return page_of(paging, rows, total, case_out)

    @get("/{case_id:int}")
    async def read(self, case_id: PathId, ctx: CtxDep) -> CaseOut:
        return case_out(await service.read(ctx, case_id))

    @post("/{case_id:int}/close", status_code=200)
    async def close(self, case_id: PathId, data: JSONBody[CaseClose], ctx: CtxDep) -> CaseOut:
        """Close with an outcome; check-ins that have not opened yet are removed."""
        return case_out(await service.close_case(ctx, case_id, data))

    @get("/{case_id:int}/plan")
    async def get_plan(self, case_id: PathId, ctx: CtxDep) -> PlanOut:
        return plan_out(await plan_service.get_plan(ctx, case_id))

    @put("/{case_id:int}/plan")
    async def set_plan(self, case_id: PathId, data: JSONBody[PlanIn], ctx: CtxDep) -> PlanChange:
        """Set or replace the plan: future check-ins are regenerated, past ones kept."""
        return plan_change_out(await plan_service.set_plan(ctx, case_id, data), ctx.now)

    @post("/{case_id:int}/checkins")
    async def add_check_in(
        self, case_id: PathId, data: JSONBody[CheckInAdd], ctx: CtxDep
    ) -> PlanChange:
        """Add one check-in (a working day after today, its window meeting no other's); kept
        with the plan, with its reminders; the person is told."""
        return plan_change_out(
            await check_in_edits.add(ctx, case_id, data.due_date, data.reason), ctx.now
        )

    @get("/{case_id:int}/checkins")
    async def check_ins(self, case_id: PathId, ctx: CtxDep) -> list[CheckInOut]:
        return [check_in_out(r) for r in await checkin_service.list_for_case(ctx, case_id)]

    @post("/{case_id:int}/reopen", status_code=200)
    async def reopen(self, case_id: PathId, data: JSONBody[CaseReopen], ctx: CtxDep) -> CaseOut:
        """Open a closed case again: its plan is expanded from now on and the person told."""
        return case_out(await service.reopen_case(ctx, case_id, data))

    @post("/{case_id:int}/reassign", status_code=200)
    async def reassign(self, case_id: PathId, data: JSONBody[CaseReassign], ctx: CtxDep) -> CaseOut:
        """Give the case to another active officer of its office."""
        return case_out(await service.reassign(ctx, case_id, data))

    @post("/{case_id:int}/transfer", status_code=200)
    async def transfer(self, case_id: PathId, data: JSONBody[CaseTransfer], ctx: CtxDep) -> CaseOut:
        """Move the case (check-ins, messages, flags; the person when no other active case
        stays behind) to another office, which sees it at once."""
        return case_out(await service.transfer(ctx, case_id, data))
