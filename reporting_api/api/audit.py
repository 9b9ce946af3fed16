"""The audit log, for managers and admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from reporting_api.api.convert import audit_out, page_of
from reporting_api.api.schemas import AuditOut, Page
from reporting_api.commands import AuditFilter
from reporting_api.http.context import CtxDep, PagingDep
from reporting_api.services import audit as service


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]

    @get("/")
    async def list_audit(
        self,
        ctx: CtxDep,
        paging: PagingDep,
        entity: Annotated[str | None, QueryParameter(max_length=32)] = None,
        entity_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        actor_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        action: Annotated[str | None, QueryParameter(max_length=64)] = None,
    ) -> Page[AuditOut]:
        """Newest first."""
        where = AuditFilter(entity=entity, entity_id=entity_id, actor_id=actor_id, action=action)
        rows, total = await service.list_audit(ctx, where, paging.offset, paging.page_size)
        return page_of(paging, rows, total, audit_out)
