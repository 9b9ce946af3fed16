"""The audit log: every view of a person's data and every change, with who and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reporting_api.commands import AuditFilter
from reporting_api.store import fetch_page
from reporting_api.store.rows import AuditLogRow
from reporting_api.tables import AuditLog

# The actor named on rows the service writes by itself (sweeps, dispatch).
SYSTEM_ACTOR = "scheduler"


async def record(
    *,
    actor_id: int | None,
    actor_username: str | None,
    action: str,
    entity: str,
    entity_id: int | str | None,
    at: datetime,
    client_address: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    await AuditLog.insert(
        AuditLog(
            actor=actor_id,
            actor_username=actor_username,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            at=at,
            client_address=client_address,
            detail=detail or {},
        )
    )


async def record_system(
    action: str,
    entity: str,
    entity_id: int | str | None,
    at: datetime,
    detail: dict[str, Any] | None = None,
    actor: str = SYSTEM_ACTOR,
) -> None:
    """An audit row for something the service did by itself (no staff user, no client)."""
    await record(
        actor_id=None,
        actor_username=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        at=at,
        client_address=None,
        detail=detail,
    )


async def list_audit(
    where: AuditFilter, *, offset: int, limit: int
) -> tuple[list[AuditLogRow], int]:
    conditions = []
    if where.entity is not None:
        conditions.append(AuditLog.entity == where.entity)
    if where.entity_id is not None:
        conditions.append(AuditLog.entity_id == where.entity_id)
    if where.actor_id is not None:
        conditions.append(AuditLog.actor == where.actor_id)
    if where.action is not None:
        conditions.append(AuditLog.action == where.action)
    query = AuditLog.select().order_by(AuditLog.id, ascending=False).output(load_json=True)
    return await fetch_page(AuditLogRow, query, AuditLog.count(), conditions, offset, limit)
