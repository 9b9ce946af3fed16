"""Officers' flags: the list (the API's and the pages' inbox are one operation), one flag in
full, acknowledging and resolving. Every list and every detail is audited as a view of
personal data, since a flag names the person. Flags the service raises by itself are in
`services.alerts`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from reporting_api.access import ensure_can_change_office, ensure_can_read_office, office_scope
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.services.context import Ctx
from reporting_api.statuses import FlagKind
from reporting_api.store import flags as store
from reporting_api.store.flags import InboxRow
from reporting_api.store.rows import FlagRow

STATES = store.STATES
"""A flag is open, acknowledged (someone saw it) or resolved (someone dealt with it)."""
ALL = "all"
KINDS = tuple(k.value for k in FlagKind)


class FlagTimes(TypedDict):
    acknowledged_at: datetime | None
    resolved_at: datetime | None


def flag_state(row: FlagTimes) -> str:
    """Open, acknowledged or resolved, from the flag's timestamps."""
    if row["resolved_at"] is not None:
        return "resolved"
    if row["acknowledged_at"] is not None:
        return "acknowledged"
    return "open"


class ListedFlag(InboxRow):
    state: str


class FlagDetail(ListedFlag):
    can_acknowledge: bool
    can_resolve: bool


@dataclass(frozen=True)
class FlagList:
    """One page of flags, and how many flags each state holds under the same filters."""

    rows: list[ListedFlag]
    total: int
    counts: dict[str, int]
    state: str
    kind: str | None
    case_id: int | None
    check_in_id: int | None
    office_id: int | None


async def inbox(
    ctx: Ctx,
    *,
    office_id: int | None,
    state: str,
    kind: str | None,
    case_id: int | None = None,
    check_in_id: int | None = None,
    offset: int,
    limit: int,
) -> FlagList:
    """Flags in ``state`` (open, acknowledged, resolved or all), newest first with the
    escalated ones on top; an officer sees their office's, a manager any office's."""
    scope = office_scope(ctx.principal, office_id)
    if state not in (*STATES, ALL):
        raise InvalidInput(
            "state", f"must be one of {', '.join((*STATES, ALL))}", "สถานะการแจ้งเตือนไม่ถูกต้อง"
        )
    if kind is not None and kind not in KINDS:
        raise InvalidInput("kind", f"must be one of {', '.join(KINDS)}", "ประเภทการแจ้งเตือนไม่ถูกต้อง")
    rows, total = await store.list_inbox(
        office_id=scope,
        state=None if state == ALL else state,
        kind=kind,
        case_id=case_id,
        check_in_id=check_in_id,
        offset=offset,
        limit=limit,
    )
    counts = await store.count_by_state(
        office_id=scope, kind=kind, case_id=case_id, check_in_id=check_in_id
    )
    await ctx.audit(
        "flag.list",
        "office",
        scope,
        {
            "state": state,
            "flags": [r["id"] for r in rows],
            "defendants": sorted({r["defendant_id"] for r in rows}),
        },
    )
    listed = [ListedFlag(**r, state=flag_state(r)) for r in rows]
    return FlagList(listed, total, counts, state, kind, case_id, check_in_id, scope)


async def read_flag(ctx: Ctx, flag_id: int) -> FlagDetail:
    """One flag with its person, check-in, escalation and who acknowledged or resolved it."""
    row = await store.get_inbox_flag(flag_id)
    if row is None:
        raise NotFound("flag")
    ensure_can_read_office(ctx.principal, row["office"], "flag")
    await ctx.audit("flag.read", "flag", flag_id, {"defendant_id": row["defendant_id"]})
    state = flag_state(row)
    can_change = ctx.principal.is_officer and ctx.principal.office_id == row["office"]
    return FlagDetail(
        **row,
        state=state,
        can_acknowledge=can_change and state == "open",
        can_resolve=can_change and state != "resolved",
    )


async def _load_for_change(ctx: Ctx, flag_id: int) -> FlagRow:
    row = await store.get_flag(flag_id)
    if row is None:
        raise NotFound("flag")
    ensure_can_change_office(ctx.principal, row["office"], "flag")
    if row["resolved_at"] is not None:
        raise Conflict("flag", "the flag is already resolved", "เรื่องนี้ได้รับการแก้ไขแล้ว")
    return row


async def acknowledge(ctx: Ctx, flag_id: int, note: str) -> FlagRow:
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


async def resolve(ctx: Ctx, flag_id: int, note: str) -> FlagRow:
    row = await _load_for_change(ctx, flag_id)
    if not note.strip():
        raise InvalidInput("note", "say how it was resolved", "โปรดระบุว่าแก้ไขอย่างไร")
    values = {"resolved_at": ctx.now, "resolved_by": ctx.principal.id, "resolution_note": note}
    if row["acknowledged_at"] is None:  # resolving implies having seen it
        values |= {"acknowledged_at": ctx.now, "acknowledged_by": ctx.principal.id}
    await store.update_flag(flag_id, values)
    await ctx.audit("flag.resolve", "flag", flag_id, {"note": note})
    return await store.get_flag(flag_id) or row


async def resolve_failed_verification(
    ctx: Ctx, check_in_id: int, note: str, detail: dict[str, Any]
) -> list[int]:
    """The officer settled the check-in: its open failed-verification flags are resolved with
    the officer's note (and acknowledged, if nobody had); returns their ids."""
    return await _resolve_kind(ctx, check_in_id, FlagKind.FAILED_VERIFICATION, note, detail)


async def resolve_review_overdue(
    ctx: Ctx, check_in_id: int, note: str, detail: dict[str, Any]
) -> list[int]:
    """An officer decided a recording of the check-in: the flag raised because it waited past
    its deadline is settled too (`services/deadlines.py`); returns the flags' ids."""
    return await _resolve_kind(ctx, check_in_id, FlagKind.REVIEW_OVERDUE, note, detail)


async def resolve_by_key(
    ctx: Ctx, dedupe_key: str, note: str, detail: dict[str, Any]
) -> list[int]:
    """Resolve the open flag raised with ``dedupe_key`` (a person's request that waited past
    its deadline, once an officer decided it); returns the flags' ids."""
    return await _resolve_ids(ctx, await store.unresolved_by_key(dedupe_key), note, detail)


async def _resolve_kind(
    ctx: Ctx, check_in_id: int, kind: FlagKind, note: str, detail: dict[str, Any]
) -> list[int]:
    return await _resolve_ids(ctx, await store.unresolved_ids(check_in_id, kind.value), note, detail)


async def _resolve_ids(
    ctx: Ctx, flag_ids: list[int], note: str, detail: dict[str, Any]
) -> list[int]:
    resolved = []
    for flag_id in flag_ids:
        flag = await store.get_flag(flag_id)
        assert flag is not None
        values: dict[str, Any] = {
            "resolved_at": ctx.now,
            "resolved_by": ctx.principal.id,
            "resolution_note": note,
        }
        if flag["acknowledged_at"] is None:  # resolving implies having seen it
            values |= {"acknowledged_at": ctx.now, "acknowledged_by": ctx.principal.id}
        await store.update_flag(flag_id, values)
        await ctx.audit("flag.resolve", "flag", flag_id, {"note": note, **detail})
        resolved.append(flag_id)
    return resolved
