"""Reading the audit log (managers and administrators)."""

from __future__ import annotations

from reporting_api.access import ADMIN, MANAGER, ensure_role
from reporting_api.commands import AuditFilter
from reporting_api.services.context import Ctx
from reporting_api.store import audit as store
from reporting_api.store.rows import AuditLogRow


async def list_audit(
    ctx: Ctx, where: AuditFilter, offset: int, limit: int
) -> tuple[list[AuditLogRow], int]:
    """Newest first."""
    ensure_role(ctx.principal, MANAGER, ADMIN)
    return await store.list_audit(where, offset=offset, limit=limit)
