"""Court hearings of a case (docs/hearings.md): listed, added, moved, cancelled, and their
results recorded; each change re-plans the hearing's SMS reminders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from reporting_api.api.schemas import HearingOut, HearingResultOut
from reporting_api.commands import HearingIn, HearingResultIn
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import hearings as service

if TYPE_CHECKING:
    from reporting_api.store.hearings import HearingRow

Reason = Annotated[str, QueryParameter(max_length=2000, description="why it is cancelled")]


def hearing_out(row: HearingRow) -> HearingOut:
    result = row["result"]
    return HearingOut(
        id=row["id"],
        case_id=row["case"],
        office_id=row["office"],
        starts_at=row["starts_at"],
        court=row["court"],
        room=row["room"],
        purpose=row["purpose"],
        result=result if result in ("attended", "absent", "postponed") else None,  # type: ignore[arg-type]
        result_note=row["result_note"],
        postponed_to=row["postponed_to"],
        recorded_at=row["recorded_at"],
        cancelled_at=row["cancelled_at"],
    )


class CaseHearingController(Controller):
    path = "/cases/{case_id:int}/hearings"
    tags = ["hearings"]

    @get("/")
    async def list_hearings(self, case_id: PathId, ctx: CtxDep) -> list[HearingOut]:
        """The case's hearings by time, cancelled ones included (as history)."""
        return [hearing_out(r) for r in await service.list_for_case(ctx, case_id)]

    @post("/")
    async def add(self, case_id: PathId, data: JSONBody[HearingIn], ctx: CtxDep) -> HearingOut:
        """A new hearing (not in the past), with SMS reminders 7, 3 and 1 days before."""
        return hearing_out(await service.add(ctx, case_id, data))


class HearingController(Controller):
    path = "/hearings"
    tags = ["hearings"]

    @patch("/{hearing_id:int}")
    async def edit(self, hearing_id: PathId, data: JSONBody[HearingIn], ctx: CtxDep) -> HearingOut:
        """Move or correct a hearing whose result is not recorded; its reminders follow."""
        return hearing_out(await service.edit(ctx, hearing_id, data))

    @delete("/{hearing_id:int}", status_code=200)
    async def cancel(self, hearing_id: PathId, ctx: CtxDep, reason: Reason = "") -> HearingOut:
        """Cancel a hearing (kept as history); its unsent reminders are cancelled."""
        return hearing_out(await service.cancel(ctx, hearing_id, reason))

    @post("/{hearing_id:int}/result", status_code=200)
    async def result(
        self, hearing_id: PathId, data: JSONBody[HearingResultIn], ctx: CtxDep
    ) -> HearingResultOut:
        """attended, absent (a high-severity flag) or postponed (with the next hearing)."""
        done = await service.record_result(ctx, hearing_id, data)
        return HearingResultOut(
            hearing=hearing_out(done.hearing),
            next_hearing=hearing_out(done.next_hearing) if done.next_hearing else None,
            flag_id=done.flag_id,
        )
