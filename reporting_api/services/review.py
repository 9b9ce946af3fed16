"""An officer's review of remote check-in attempts: the queue, the evidence, the decision.

Every automated negative can be reviewed: any finished attempt not reviewed yet may be
accepted (the check-in becomes verified, method remote) or rejected (a check-in waiting for
the officer goes back to the status its window gives it, so the person may record again).
An officer may also settle a check-in after seeing the person on a video call, which closes
the attempts still waiting, and unlock a link locked after wrong identity answers. Every view
and every decision is audited; a decision's rows change in one transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from reporting_api.access import ensure_can_change_office, ensure_can_read_office, office_scope
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.sealing import SealError
from reporting_api.services.checkins import effective_status
from reporting_api.services.context import Ctx
from reporting_api.statuses import CheckInMethod, CheckInStatus, FlagKind, ensure_transition
from reporting_api.store import attempts as store
from reporting_api.store import checkins as checkin_store
from reporting_api.store import flags as flag_store
from reporting_api.store import links as link_store
from reporting_api.store import transaction

log = logging.getLogger(__name__)

ACCEPT, REJECT = "accept", "reject"
SUPERSEDED = "superseded"
"""The review decision of waiting attempts closed because the officer settled the check-in."""
NOTE_MAX = 2000


def frame_context(attempt_id: int, position: int) -> str:
    """What an evidence frame is sealed to (services.attempts seals with the same)."""
    return f"attempt:{attempt_id}:evidence:{position}"


def _note(note: str) -> str:
    text = (note or "").strip()
    if not text or len(text) > NOTE_MAX:
        raise InvalidInput(
            "note",
            f"write a note of 1 to {NOTE_MAX} characters saying what you saw and decided",
            f"โปรดเขียนบันทึก 1 ถึง {NOTE_MAX} ตัวอักษร ว่าเห็นอะไรและตัดสินอย่างไร",
        )
    return text


def _with_check_in_status(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The attempt row with its check-in's status as of ``now`` (not as last written)."""
    window = {
        "status": row["check_in_status"],
        "opens_at": row["check_in_opens_at"],
        "due_at": row["check_in_due_at"],
        "closes_at": row["check_in_closes_at"],
    }
    return row | {"check_in_status": effective_status(window, now).value}


def _window_status(check_in: dict[str, Any], now: datetime) -> CheckInStatus:
    """What the window alone makes a check-in that nobody completed."""
    if now < check_in["due_at"]:
        return CheckInStatus.OPEN
    if now < check_in["closes_at"]:
        return CheckInStatus.LATE
    return CheckInStatus.MISSED


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def list_attempts(
    ctx: Ctx,
    *,
    office_id: int | None,
    waiting: bool,
    check_in_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    scope = office_scope(ctx.principal, office_id)
    rows, total = await store.list_for_reviewer(
        office_id=scope, waiting=waiting, check_in_id=check_in_id, offset=offset, limit=limit
    )
    await ctx.audit(
        "attempt.list",
        "office",
        scope,
        {
            "waiting": waiting,
            "check_in": check_in_id,
            "attempts": [r["id"] for r in rows],
            "defendants": sorted({r["defendant_id"] for r in rows}),
        },
    )
    return [_with_check_in_status(r, ctx.now) for r in rows], total


async def _readable(ctx: Ctx, attempt_id: int) -> dict[str, Any]:
    row = await store.get_for_reviewer(attempt_id)
    if row is None:
        raise NotFound("verification attempt")
    ensure_can_read_office(ctx.principal, row["office"], "verification attempt")
    return row


async def read_attempt(ctx: Ctx, attempt_id: int) -> dict[str, Any]:
    """One attempt with its challenge, timings, client metadata and evidence frames."""
    row = await _readable(ctx, attempt_id)
    frames = await store.list_frames(attempt_id)
    await ctx.audit(
        "attempt.read",
        "verification_attempt",
        attempt_id,
        {
            "check_in": row["check_in"],
            "defendant": row["defendant_id"],
            "frames": [f["position"] for f in frames],
        },
    )
    return _with_check_in_status(row, ctx.now) | {"frames": frames}


async def read_frame(ctx: Ctx, attempt_id: int, position: int) -> bytes:
    """One evidence frame, opened (JPEG); 404 once retention purged it."""
    row = await _readable(ctx, attempt_id)
    frame = await store.get_frame(attempt_id, position)
    if frame is None:
        raise NotFound(
            "evidence frame",
            "no such evidence frame: frames are deleted after the retention period",
            "ไม่พบภาพหลักฐาน ภาพจะถูกลบเมื่อพ้นระยะเวลาการเก็บรักษา",
        )
    try:
        jpeg = ctx.rt.sealer.open(frame["image"], frame_context(attempt_id, position))
    except SealError:
        # The key that sealed it is no longer configured: nothing to show, and an admin must know.
        log.error("evidence frame %s of attempt %s cannot be opened", position, attempt_id)
        raise NotFound(
            "evidence frame",
            "this evidence frame cannot be opened with the service's data keys",
            "เปิดภาพหลักฐานนี้ด้วยกุญแจข้อมูลของระบบไม่ได้ โปรดแจ้งผู้ดูแลระบบ",
        ) from None
    await ctx.audit(
        "attempt.frame.read",
        "verification_attempt",
        attempt_id,
        {"position": position, "check_in": row["check_in"], "defendant": row["defendant_id"]},
    )
    return jpeg


async def _resolve_failed_verification(
    ctx: Ctx, check_in_id: int, note: str, detail: dict[str, Any]
) -> list[int]:
    """Resolve the check-in's open failed-verification flags: the officer settled it."""
    resolved = []
    for flag_id in await store.unresolved_flag_ids(check_in_id, FlagKind.FAILED_VERIFICATION.value):
        flag = await flag_store.get_flag(flag_id)
        assert flag is not None
        values: dict[str, Any] = {
            "resolved_at": ctx.now,
            "resolved_by": ctx.principal.id,
            "resolution_note": note,
        }
        if flag["acknowledged_at"] is None:  # resolving implies having seen it
            values |= {"acknowledged_at": ctx.now, "acknowledged_by": ctx.principal.id}
        await flag_store.update_flag(flag_id, values)
        await ctx.audit("flag.resolve", "flag", flag_id, {"note": note, **detail})
        resolved.append(flag_id)
    return resolved


def _review_state(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "reviewed_by": row["reviewed_by"],
        "reviewed_at": _iso(row["reviewed_at"]),
        "review_decision": row["review_decision"],
        "review_note": row["review_note"],
    }


async def review(ctx: Ctx, attempt_id: int, decision: str, note: str) -> dict[str, Any]:
    """Accept or reject one finished attempt; returns the attempt, its check-in and the flags
    the decision resolved."""
    text = _note(note)
    if decision not in (ACCEPT, REJECT):
        raise InvalidInput("decision", "must be accept or reject", "ต้องเป็น accept หรือ reject")
    async with transaction(immediate=True):
        attempt = await store.get_attempt(attempt_id)
        if attempt is None:
            raise NotFound("verification attempt")
        ensure_can_change_office(ctx.principal, attempt["office"], "verification attempt")
        if attempt["state"] != "done":
            raise Conflict(
                "attempt",
                "the recording is still being checked; review it when its result is in",
                "ระบบยังตรวจวิดีโอนี้ไม่เสร็จ โปรดตรวจสอบเมื่อมีผลแล้ว",
            )
        if attempt["reviewed_at"] is not None:
            raise Conflict(
                "attempt",
                f"this attempt was already reviewed ({attempt['review_decision']})",
                f"การส่งครั้งนี้ได้รับการตรวจสอบแล้ว ({attempt['review_decision']})",
            )
        check_in = await checkin_store.get_check_in(attempt["check_in"])
        assert check_in is not None  # the attempt's foreign key cascades
        current = effective_status(check_in, ctx.now)
        after = current
        changes: dict[str, Any] = {}
        if decision == ACCEPT:
            after = CheckInStatus.VERIFIED
            ensure_transition(current, after)
            changes = {
                "status": after.value,
                "method": CheckInMethod.REMOTE.value,
                "completed_at": ctx.now,
                "recorded_by": ctx.principal.id,
                "note": text,
            }
        elif current == CheckInStatus.PENDING_REVIEW:
            after = _window_status(check_in, ctx.now)
            ensure_transition(current, after)
            # A closed window is written as late, not missed: the periodic sweep then makes
            # it missed the way it does every other one, with its flag and follow-up SMS.
            stored = CheckInStatus.LATE if after == CheckInStatus.MISSED else after
            changes = {"status": stored.value}
        if changes:
            await checkin_store.update_check_in(check_in["id"], {**changes, "updated_at": ctx.now})
        values = {
            "reviewed_by": ctx.principal.id,
            "reviewed_at": ctx.now,
            "review_decision": decision,
            "review_note": text,
        }
        if not await store.record_review(attempt_id, values):
            raise Conflict(
                "attempt", "someone reviewed this attempt first", "มีผู้ตรวจสอบการส่งครั้งนี้แล้ว"
            )
        resolved = []
        if decision == ACCEPT:
            resolved = await _resolve_failed_verification(
                ctx, check_in["id"], text, {"attempt": attempt_id, "check_in": check_in["id"]}
            )
        await ctx.audit(
            "attempt.review",
            "verification_attempt",
            attempt_id,
            {
                "decision": decision,
                "note": text,
                "check_in": check_in["id"],
                "before": {"check_in_status": current.value, **_review_state(attempt)},
                "after": {
                    "check_in_status": after.value,
                    **_review_state(values | {"reviewed_at": ctx.now}),
                },
                "flags_resolved": resolved,
            },
        )
        if changes:
            await ctx.audit(
                f"checkin.{after.value}",
                "check_in",
                check_in["id"],
                {
                    "from": current.value,
                    "to": after.value,
                    "note": text,
                    "attempt": attempt_id,
                    "method": changes.get("method"),
                },
            )
    row = await store.get_for_reviewer(attempt_id)
    updated = await checkin_store.get_check_in(check_in["id"])
    assert row is not None and updated is not None
    return {
        "attempt": _with_check_in_status(row, ctx.now),
        "check_in": updated | {"status": effective_status(updated, ctx.now).value},
        "resolved_flags": resolved,
    }


async def _changeable_check_in(ctx: Ctx, check_in_id: int) -> dict[str, Any]:
    row = await checkin_store.get_check_in(check_in_id)
    if row is None:
        raise NotFound("check-in")
    ensure_can_change_office(ctx.principal, row["office"], "check-in")
    return row


async def verify_by_video_call(ctx: Ctx, check_in_id: int, note: str) -> dict[str, Any]:
    """The officer saw the person on a video call: the check-in is verified that way, and its
    attempts still waiting for review are closed as superseded."""
    text = _note(note)
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
        resolved = await _resolve_failed_verification(
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
    return {
        "check_in": updated | {"status": effective_status(updated, ctx.now).value},
        "superseded_attempts": superseded,
        "resolved_flags": resolved,
    }


async def unlock_link(ctx: Ctx, check_in_id: int, note: str) -> dict[str, Any]:
    """Open a link locked after wrong identity answers again (its failure count restarts)."""
    text = _note(note)
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
    return updated | {"status": effective_status(updated, ctx.now).value}
