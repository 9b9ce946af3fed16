"""Flags for officers: list, acknowledge, resolve."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter

from reporting_api.api.convert import flag_out, page_of
from reporting_api.api.schemas import FlagNote, FlagOut, FlagResolve, Page
from reporting_api.commands import FlagStateName
from reporting_api.http.context import CtxDep, PagingDep, PathId
from reporting_api.services import flags as service


class FlagController(Controller):
    path = "/flags"
    tags = ["flags"]

    @get("/")
    async def list_flags(
        self,
        ctx: CtxDep,
        paging: PagingDep,
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        case_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        flag_state: Annotated[FlagStateName, QueryParameter(name="state")] = "open",
        kind: Annotated[
            str | None,
            # Described as the closed list it is (the service refuses anything else by name).
            QueryParameter(max_length=32, schema_extra={"enum": list(service.KINDS)}),
        ] = None,
    ) -> Page[FlagOut]:
        listed = await service.inbox(
            ctx,
            office_id=office_id,
            state=flag_state,
            kind=kind,
            case_id=case_id,
            offset=paging.offset,
            limit=paging.page_size,
        )
        return page_of(paging, listed.rows, listed.total, flag_out)

    @post("/{flag_id:int}/acknowledge", status_code=200)
    async def acknowledge(self, flag_id: PathId, data: JSONBody[FlagNote], ctx: CtxDep) -> FlagOut:
        return flag_out(await service.acknowledge(ctx, flag_id, data.note))

    @post("/{flag_id:int}/resolve", status_code=200)
    async def resolve(self, flag_id: PathId, data: JSONBody[FlagResolve], ctx: CtxDep) -> FlagOut:
        return flag_out(await service.resolve(ctx, flag_id, data.note))
