"""An officer settles a check-in outside the review queue: verified after seeing the person
on a video call (the recordings still waiting are closed as superseded and the failed
verification flags resolved), or its link opened again after it locked on wrong identity
answers. Each needs a note saying what the officer saw; each is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reporting_api.access import ensure_can_change_office
from reporting_api.errors import Conflict, NotFound
from reporting_api.services import flags, notices
from reporting_api.services.checkins import effective_status, required_note, with_effective_status
from reporting_api.services.context import Ctx
from reporting_api.statuses import CheckInMethod, CheckInStatus, ensure_transition
from reporting_api.store import attempts as store
from reporting_api.store import checkins as checkin_store
from reporting_api.store import links as link_store
from reporting_api.store import transaction
from reporting_api.store.rows import CheckInRow

SUPERSEDED = "superseded"
"""The review decision of waiting attempts closed because the officer settled the check-in."""


@dataclass(frozen=True)
class VideoCallResult:
    check_in: CheckInRow
    superseded_attempts: list[int]
    resolved_flags: list[int]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def _changeable_check_in(ctx: Ctx, check_in_id: int) -> CheckInRow:
    row = await checkin_store.get_check_in(check_in_id)
    if row is None:
        raise NotFound("check-in")
    ensure_can_change_office(ctx.principal, row["office"], "check-in")
    return row


async def verify_by_video_call(ctx: Ctx, check_in_id: int, note: str) -> VideoCallResult:
    """The officer saw the person on a video call: the check-in is verified that way, and its
    attempts still waiting for review are closed as superseded."""
    text = required_note(note)
    async with transaction(immediate=True):
        row = await _changeable_check_in(ctx, check_in_id)
        current = effective_status(row, ctx.now)
        ensure_transition(current, CheckInStatus.VERIFIED)
        await checkin_store.update_check_in(
            check_in_id,
            {
                "status": CheckInStatus.VERIFIED.value,
                "method": CheckInMethod.VIDEO_CALL.value,
                "completed_at": ctx.now,
                "recorded_by": ctx.principal.id,
                "note": text,
                "updated_at": ctx.now,
            },
        )
        await notices.check_in_settled(ctx.settings, ctx.now, row)
        superseded = await store.waiting_ids_for_check_in(check_in_id)
        await store.close_waiting_for_check_in(
            check_in_id,
            {
                "reviewed_by": ctx.principal.id,
                "reviewed_at": ctx.now,
                "review_decision": SUPERSEDED,
                "review_note": text,
            },
        )
        resolved = await flags.resolve_failed_verification(
            ctx, check_in_id, text, {"check_in": check_in_id, "method": "video_call"}
        )
        await ctx.audit(
            "checkin.verified",
            "check_in",
            check_in_id,
            {
                "from": current.value,
                "note": text,
                "method": CheckInMethod.VIDEO_CALL.value,
                "attempts_superseded": superseded,
                "flags_resolved": resolved,
            },
        )
    updated = await checkin_store.get_check_in(check_in_id)
    assert updated is not None
    return VideoCallResult(with_effective_status(updated, ctx.now), superseded, resolved)


async def unlock_link(ctx: Ctx, check_in_id: int, note: str) -> CheckInRow:
    """Open a link locked after wrong identity answers again (its failure count restarts)."""
    text = required_note(note)
    async with transaction(immediate=True):
        row = await _changeable_check_in(ctx, check_in_id)
        if row["link_locked_at"] is None:
            raise Conflict("link", "this check-in's link is not locked", "ลิงก์นี้ไม่ได้ถูกระงับ")
        await link_store.unlock_link(check_in_id)
        await ctx.audit(
            "checkin.unlock_link",
            "check_in",
            check_in_id,
            {
                "note": text,
                "before": {
                    "link_locked_at": _iso(row["link_locked_at"]),
                    "identify_failures": row["identify_failures"],
                },
                "after": {"link_locked_at": None, "identify_failures": 0},
            },
        )
    updated = await checkin_store.get_check_in(check_in_id)
    assert updated is not None
    return with_effective_status(updated, ctx.now)
