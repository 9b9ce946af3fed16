"""An officer's review of remote check-in attempts: the queue, the evidence, the decision.

Every automated negative can be reviewed: any finished attempt not reviewed yet may be
accepted (the check-in becomes verified, method remote) or rejected (a check-in waiting for
the officer goes back to the status its window gives it, so the person may record again).
A recording the machine verified may instead be marked as someone else (a false acceptance):
the check-in keeps its verified record, which is history, and a high flag puts the case
before its officer and into the risk score. The verification quality page counts these marks
and the acceptances of machine negatives as the machine's errors.
(Settling a check-in after a video call, or unlocking its link, is `check_in_decisions`.)
Every view and every decision is audited; a decision's rows change in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from reporting_api.access import ensure_can_change_office, ensure_can_read_office, office_scope
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.sealing import SealError
from reporting_api.services import alerts, flags, notices
from reporting_api.services.alerts import NewFlag
from reporting_api.services.attempt_views import (
    AttemptDetail,
    AttemptSummary,
    attempt_detail,
    attempt_summary,
)
from reporting_api.services.attempts import evidence_context
from reporting_api.services.checkins import (
    CheckInWindow,
    effective_status,
    required_note,
    with_effective_status,
)
from reporting_api.services.context import Ctx
from reporting_api.statuses import (
    CheckInMethod,
    CheckInStatus,
    FlagKind,
    Severity,
    ensure_transition,
    status_name,
)
from reporting_api.store import attempts as store
from reporting_api.store import checkins as checkin_store
from reporting_api.store import transaction
from reporting_api.store.attempts import ReviewerRow
from reporting_api.store.rows import CheckInRow

log = logging.getLogger(__name__)

ACCEPT, REJECT = "accept", "reject"
SOMEONE_ELSE = "someone_else"
"""An officer found that a recording the machine verified shows someone else."""
SUPERSEDED = "superseded"
"""The review decision of waiting attempts closed because the officer settled the check-in."""


@dataclass(frozen=True)
class ReviewResult:
    attempt: AttemptSummary
    check_in: CheckInRow
    resolved_flags: list[int]


def _with_check_in_status(row: ReviewerRow, now: datetime) -> ReviewerRow:
    """The attempt row with its check-in's status as of ``now`` (not as last written)."""
    window = CheckInWindow(
        status=row["check_in_status"],
        opens_at=row["check_in_opens_at"],
        due_at=row["check_in_due_at"],
        closes_at=row["check_in_closes_at"],
    )
    shown = row.copy()
    shown["check_in_status"] = status_name(effective_status(window, now))
    return shown


def _window_status(check_in: CheckInRow, now: datetime) -> CheckInStatus:
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
) -> tuple[list[AttemptSummary], int]:
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
    return [attempt_summary(_with_check_in_status(r, ctx.now)) for r in rows], total


async def _readable(ctx: Ctx, attempt_id: int) -> ReviewerRow:
    row = await store.get_for_reviewer(attempt_id)
    if row is None:
        raise NotFound("verification attempt")
    ensure_can_read_office(ctx.principal, row["office"], "verification attempt")
    return row


async def read_attempt(ctx: Ctx, attempt_id: int) -> AttemptDetail:
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
    return attempt_detail(_with_check_in_status(row, ctx.now), frames)


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
        jpeg = ctx.rt.sealer.open(frame["image"], evidence_context(attempt_id, position))
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


class _ReviewState(TypedDict):
    reviewed_by: int | None
    reviewed_at: datetime | None
    review_decision: str | None
    review_note: str | None


def _review_state(row: _ReviewState) -> dict[str, Any]:
    return {
        "reviewed_by": row["reviewed_by"],
        "reviewed_at": _iso(row["reviewed_at"]),
        "review_decision": row["review_decision"],
        "review_note": row["review_note"],
    }


def _ensure_fits_machine_decision(machine: str | None, decision: str) -> None:
    """A recording the machine verified can only be found to be someone else; any other can
    only be accepted or rejected."""
    if machine == "verified" and decision != SOMEONE_ELSE:
        raise Conflict(
            "decision",
            "the machine verified this recording: if it shows someone else, mark it so",
            "ระบบยืนยันตัวตนจากวิดีโอนี้แล้ว หากไม่ใช่บุคคลนี้ ให้บันทึกว่าเป็นบุคคลอื่น",
        )
    if machine != "verified" and decision == SOMEONE_ELSE:
        raise Conflict(
            "decision",
            "only a recording the machine verified can be marked as someone else",
            "บันทึกว่าเป็นบุคคลอื่นได้เฉพาะวิดีโอที่ระบบยืนยันตัวตนผ่านแล้ว",
        )


def _someone_else_flag(check_in: CheckInRow, attempt_id: int, note: str) -> NewFlag:
    return NewFlag(
        kind=FlagKind.FAILED_VERIFICATION,
        case_id=check_in["case"],
        check_in_id=check_in["id"],
        office_id=check_in["office"],
        severity=Severity.HIGH,
        detail_th=f"เจ้าหน้าที่พบว่าวิดีโอรายงานตัว (ครั้งที่บันทึก {attempt_id}) ที่ระบบยืนยันผ่าน เป็นบุคคลอื่น: {note}",
        detail_en=f"an officer found that remote check-in attempt {attempt_id}, which the machine"
        f" verified, shows someone else: {note}",
        dedupe_key=f"{SOMEONE_ELSE}:{attempt_id}",
    )


async def review(ctx: Ctx, attempt_id: int, decision: str, note: str) -> ReviewResult:
    """Accept or reject one finished attempt; returns the attempt, its check-in and the flags
    the decision resolved."""
    text = required_note(note)
    if decision not in (ACCEPT, REJECT, SOMEONE_ELSE):
        raise InvalidInput(
            "decision",
            "must be accept, reject or someone_else",
            "ต้องเป็น accept, reject หรือ someone_else",
        )
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
        _ensure_fits_machine_decision(attempt["decision"], decision)
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
        about = {"attempt": attempt_id, "check_in": check_in["id"]}
        if decision == SOMEONE_ELSE:
            await alerts.raise_flag(_someone_else_flag(check_in, attempt_id, text), ctx.now)
        if decision == ACCEPT:
            resolved = await flags.resolve_failed_verification(ctx, check_in["id"], text, about)
        resolved += await flags.resolve_review_overdue(ctx, check_in["id"], text, about)
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
                    **_review_state(
                        _ReviewState(
                            reviewed_by=ctx.principal.id,
                            reviewed_at=ctx.now,
                            review_decision=decision,
                            review_note=text,
                        )
                    ),
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
            await notices.review_decided(ctx, check_in, decision == ACCEPT, after)
    row = await store.get_for_reviewer(attempt_id)
    updated = await checkin_store.get_check_in(check_in["id"])
    assert row is not None and updated is not None
    return ReviewResult(
        attempt_summary(_with_check_in_status(row, ctx.now)),
        with_effective_status(updated, ctx.now),
        resolved,
    )
