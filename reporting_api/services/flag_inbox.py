"""The officers' flag inbox: flags by state, kind or check-in, and one flag in full.

Acknowledging and resolving stay in `services.flags`; this reads, with the person each flag
names, so every list and every detail is audited as a view of personal data.
"""

from __future__ import annotations

from typing import Any

from reporting_api.access import ensure_can_read_office, office_scope
from reporting_api.errors import NotFound
from reporting_api.services.context import Ctx
from reporting_api.statuses import FlagKind
from reporting_api.store import flag_inbox as store

STATES = store.STATES
KINDS = tuple(k.value for k in FlagKind)


def _state(row: dict[str, Any]) -> str:
    if row["resolved_at"] is not None:
        return "resolved"
    if row["acknowledged_at"] is not None:
        return "acknowledged"
    return "open"


async def inbox(
    ctx: Ctx,
    *,
    office_id: int | None,
    state: str,
    kind: str | None,
    check_in_id: int | None,
    offset: int,
    limit: int,
) -> dict[str, Any]:
    """One page of flags in ``state`` (open, acknowledged, resolved), with the count of each
    state under the same filters. An unknown state or kind is read as none given."""
    scope = office_scope(ctx.principal, office_id)
    state = state if state in STATES else "open"
    kind = kind if kind in KINDS else None
    rows, total = await store.list_inbox(
        office_id=scope,
        state=state,
        kind=kind,
        check_in_id=check_in_id,
        offset=offset,
        limit=limit,
    )
    counts = await store.count_by_state(office_id=scope, kind=kind, check_in_id=check_in_id)
    await ctx.audit(
        "admin.flags",
        "office",
        scope,
        {
            "state": state,
            "flags": [r["id"] for r in rows],
            "defendants": sorted({r["defendant_id"] for r in rows}),
        },
    )
    return {
        "rows": [r | {"state": _state(r)} for r in rows],
        "total": total,
        "counts": counts,
        "state": state,
        "kind": kind,
        "check_in_id": check_in_id,
        "office_id": scope,
    }


async def read_flag(ctx: Ctx, flag_id: int) -> dict[str, Any]:
    """One flag with its person, check-in, escalation and who acknowledged or resolved it."""
    row = await store.get_flag(flag_id)
    if row is None:
        raise NotFound("flag")
    ensure_can_read_office(ctx.principal, row["office"], "flag")
    await ctx.audit("flag.read", "flag", flag_id, {"defendant_id": row["defendant_id"]})
    state = _state(row)
    can_change = ctx.principal.is_officer and ctx.principal.office_id == row["office"]
    return row | {
        "state": state,
        "can_acknowledge": can_change and state == "open",
        "can_resolve": can_change and state != "resolved",
    }
