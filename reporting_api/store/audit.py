"""The audit log: every view of a person's data and every change, with who and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from piccolo.columns.combination import WhereRaw

from reporting_api.commands import AuditFilter
from reporting_api.masking import scrub
from reporting_api.store import fetch_page, rows_as
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
    """One audit row. National ID and mobile numbers anywhere in ``detail`` are masked
    (`masking.scrub`): the log outlives the purpose a number was typed for."""
    await AuditLog.insert(
        AuditLog(
            actor=actor_id,
            actor_username=actor_username,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            at=at,
            client_address=client_address,
            detail=scrub(detail or {}),
        )
    )


async def record_many(
    *,
    actor_id: int | None,
    actor_username: str | None,
    at: datetime,
    client_address: str | None,
    entries: list[tuple[str, str, int | str | None, dict[str, Any] | None]],
) -> None:
    """Audit rows of one actor at one time, one statement (inside a transaction): each entry
    is (action, entity, entity id, detail), its detail masked as `record` masks it."""
    from reporting_api.store.bulk_rows import insert_many

    await insert_many(
        AuditLog,
        [
            {
                "actor": actor_id,
                "actor_username": actor_username,
                "action": action,
                "entity": entity,
                "entity_id": None if entity_id is None else str(entity_id),
                "at": at,
                "client_address": client_address,
                "detail": scrub(detail or {}),
            }
            for action, entity, entity_id, detail in entries
        ],
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


SEARCH_ACTIONS = ("defendant.search", "admin.caseload")
"""Audit rows that record what a staff member searched for (`q`)."""
SEARCH_KEYS = ("q", "q_kind", "q_fingerprint")
PURGE_BATCH = 500


class _SearchRow(TypedDict):
    id: int
    detail: dict[str, Any]


async def drop_search_terms(before: datetime) -> int:
    """Retention: take what was searched for out of search rows written before ``before``
    (the row stays: who searched, when, and which records were shown)."""
    dropped = 0
    while True:
        found = rows_as(
            _SearchRow,
            await AuditLog.select(AuditLog.id, AuditLog.detail)
            .where(
                AuditLog.action.is_in(list(SEARCH_ACTIONS))
                & (AuditLog.at < before)
                & WhereRaw("CAST(detail AS TEXT) LIKE {}", '%"q"%')
            )
            .order_by(AuditLog.id)
            .limit(PURGE_BATCH)
            .output(load_json=True),
        )
        for row in found:
            detail = {k: v for k, v in row["detail"].items() if k not in SEARCH_KEYS}
            await AuditLog.update({AuditLog.detail: detail}).where(AuditLog.id == row["id"])
        dropped += len(found)
        if len(found) < PURGE_BATCH:
            return dropped


async def drop_client_addresses(actor_username: str, before: datetime) -> int:
    """Retention: the client address on rows ``actor_username`` wrote before ``before`` (the
    check-in link's rows: the address is the person's)."""
    rows = (
        await AuditLog.update({AuditLog.client_address: None})
        .where(
            (AuditLog.actor_username == actor_username)
            & (AuditLog.at < before)
            & AuditLog.client_address.is_not_null()
        )
        .returning(AuditLog.id)
    )
    return len(rows)
