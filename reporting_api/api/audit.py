"""The audit log, for managers and admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from reporting_api.access import ADMIN, MANAGER, ensure_role
from reporting_api.api.convert import audit_out
from reporting_api.api.deps import CtxDep, PagingDep
from reporting_api.api.schemas import AuditOut, Page
from reporting_api.store import audit as store


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
        ensure_role(ctx.principal, MANAGER, ADMIN)
        rows, total = await store.list_audit(
            entity=entity,
            entity_id=entity_id,
            actor_id=actor_id,
            action=action,
            offset=paging.offset,
            limit=paging.page_size,
        )
        return paging.page_of(rows, total, audit_out)
