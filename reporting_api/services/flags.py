"""Listing, acknowledging and resolving flags."""

from __future__ import annotations

from typing import Any

from reporting_api.access import ensure_can_change_office, office_scope
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.services.context import Ctx
from reporting_api.store import flags as store


async def list_flags(
    ctx: Ctx,
    *,
    office_id: int | None,
    state: str,
    kind: str | None,
    case_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    scope = office_scope(ctx.principal, office_id)
    return await store.list_flags(
        office_id=scope, state=state, kind=kind, case_id=case_id, offset=offset, limit=limit
    )


async def _load_for_change(ctx: Ctx, flag_id: int) -> dict[str, Any]:
    row = await store.get_flag(flag_id)
    if row is None:
        raise NotFound("flag")
    ensure_can_change_office(ctx.principal, row["office"], "flag")
    if row["resolved_at"] is not None:
        raise Conflict("flag", "the flag is already resolved", "เรื่องนี้ได้รับการแก้ไขแล้ว")
    return row


async def acknowledge(ctx: Ctx, flag_id: int, note: str) -> dict[str, Any]:
    row = await _load_for_change(ctx, flag_id)
    if row["acknowledged_at"] is not None:
        raise Conflict("flag", "the flag is already acknowledged", "รับทราบเรื่องนี้แล้ว")
    await store.update_flag(
        flag_id,
        {
            "acknowledged_at": ctx.now,
            "acknowledged_by": ctx.principal.id,
            "acknowledge_note": note.strip() or None,
        },
    )
    await ctx.audit("flag.acknowledge", "flag", flag_id, {"note": note})
    return await store.get_flag(flag_id) or row


async def resolve(ctx: Ctx, flag_id: int, note: str) -> dict[str, Any]:
    row = await _load_for_change(ctx, flag_id)
    if not note.strip():
        raise InvalidInput("note", "say how it was resolved", "โปรดระบุว่าแก้ไขอย่างไร")
    values = {"resolved_at": ctx.now, "resolved_by": ctx.principal.id, "resolution_note": note}
    if row["acknowledged_at"] is None:  # resolving implies having seen it
        values |= {"acknowledged_at": ctx.now, "acknowledged_by": ctx.principal.id}
    await store.update_flag(flag_id, values)
    await ctx.audit("flag.resolve", "flag", flag_id, {"note": note})
    return await store.get_flag(flag_id) or row
