"""Reading check-ins, and officers recording in-person or excused check-ins.

One rule for each operation whichever edge calls it: the JSON API and the officers' pages
both excuse a check-in for one of EXCUSE_REASONS ("other" must say why in the note) and keep
notes to NOTE_MAX characters.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, TypeVar

from reporting_api.access import ensure_can_change_office, ensure_can_read_office
from reporting_api.errors import InvalidInput, NotFound
from reporting_api.services import notices
from reporting_api.services.context import Ctx
from reporting_api.statuses import (
    CheckInStatus,
    CheckInStatusName,
    ensure_transition,
    status_name,
)
from reporting_api.store import attempts as attempt_store
from reporting_api.store import cases as case_store
from reporting_api.store import checkins as store
from reporting_api.store import transaction
from reporting_api.store.checkins import CheckInOfPerson
from reporting_api.store.rows import CheckInRow

# Statuses that only the passing of time changes (the sweep writes them; reads must not wait).
TIME_DRIVEN = {CheckInStatus.UPCOMING, CheckInStatus.OPEN, CheckInStatus.LATE}

NOTE_MAX = 2000
"""Longest note an officer may keep on a check-in."""
EXCUSE_REASONS: dict[str, tuple[str, str]] = {
    "illness": ("เจ็บป่วย", "Illness"),
    "appointment": ("มีนัดศาลหรือนัดหน่วยงานราชการในวันเดียวกัน", "Court or official appointment"),
    "travel": ("เดินทางไม่ได้ด้วยเหตุสุดวิสัย", "Unable to travel (force majeure)"),
    "other": ("อื่น ๆ", "Other"),
}
"""Why an officer may excuse a check-in (Thai, English); "other" needs the note to say why."""


class CheckInWindow(TypedDict):
    """What the status as of now is read from: any check-in row has these."""

    status: CheckInStatusName
    opens_at: datetime
    due_at: datetime
    closes_at: datetime


W = TypeVar("W", bound=CheckInWindow)


def effective_status(row: CheckInWindow, now: datetime) -> CheckInStatus:
    """The status as of ``now``, even if the periodic sweep has not written it yet."""
    stored = CheckInStatus(row["status"])
    if stored not in TIME_DRIVEN:
        return stored
    if now < row["opens_at"]:
        return CheckInStatus.UPCOMING
    if now < row["due_at"]:
        return CheckInStatus.OPEN
    if now < row["closes_at"]:
        return CheckInStatus.LATE
    return CheckInStatus.MISSED


def with_effective_status(row: W, now: datetime) -> W:
    """A copy of ``row`` showing its status as of ``now``."""
    shown = row.copy()
    shown["status"] = status_name(effective_status(row, now))
    return shown


async def list_for_case(ctx: Ctx, case_id: int) -> list[CheckInRow]:
    case = await case_store.get_case(case_id)
    if case is None:
        raise NotFound("case")
    ensure_can_read_office(ctx.principal, case["office"], "case")
    return [with_effective_status(r, ctx.now) for r in await store.list_for_case(case_id)]


def check_note(value: str, field: str = "note") -> str:
    """A note as kept: trimmed, at most NOTE_MAX characters."""
    value = value.strip()
    if len(value) > NOTE_MAX:
        raise InvalidInput(
            field, f"must be at most {NOTE_MAX} characters", f"ยาวเกิน {NOTE_MAX} ตัวอักษร"
        )
    return value


def required_note(note: str, field: str = "note") -> str:
    """An officer's note on a decision: what they saw and decided, 1 to NOTE_MAX characters."""
    text = (note or "").strip()
    if not text or len(text) > NOTE_MAX:
        raise InvalidInput(
            field,
            f"write a note of 1 to {NOTE_MAX} characters saying what you saw and decided",
            f"โปรดเขียนบันทึก 1 ถึง {NOTE_MAX} ตัวอักษร ว่าเห็นอะไรและตัดสินอย่างไร",
        )
    return text


def excuse_text(reason: str, note: str) -> str:
    """What the check-in keeps as its note: the reason (Thai, then English) and the details."""
    th, en = EXCUSE_REASONS[reason]
    return f"{th} ({en})" + (f": {note}" if note else "")


async def _complete(
    ctx: Ctx, check_in_id: int, target: CheckInStatus, note: str, extra: dict[str, Any]
) -> CheckInOfPerson:
    """Move a check-in of the officer's office to a completed status, if the table allows."""
    row = await store.get_with_person(check_in_id)
    if row is None:
        raise NotFound("check-in")
    ensure_can_change_office(ctx.principal, row["office"], "check-in")
    current = effective_status(row, ctx.now)
    ensure_transition(current, target)
    async with transaction():
        await store.update_check_in(
            check_in_id,
            {
                "status": target.value,
                "completed_at": ctx.now,
                "recorded_by": ctx.principal.id,
                "note": note or None,
                "updated_at": ctx.now,
                **extra,
            },
        )
        if target == CheckInStatus.VERIFIED:
            await notices.check_in_settled(ctx.settings, ctx.now, row)
        # Settled another way: remote recordings waiting for review need no decision now.
        await attempt_store.close_waiting_for_check_in(
            check_in_id,
            {
                "reviewed_by": ctx.principal.id,
                "reviewed_at": ctx.now,
                "review_decision": "superseded",
                "review_note": f"check-in {target.value} by an officer",
            },
        )
    await ctx.audit(
        f"checkin.{target.value}",
        "check_in",
        check_in_id,
        {"from": current.value, "note": note, **extra},
    )
    return with_effective_status(await store.get_with_person(check_in_id) or row, ctx.now)


async def record_in_person(ctx: Ctx, check_in_id: int, note: str) -> CheckInOfPerson:
    """An officer saw the person at the office: the check-in is verified in person."""
    return await _complete(
        ctx, check_in_id, CheckInStatus.VERIFIED, check_note(note), {"method": "in_person"}
    )


async def excuse_for_request(ctx: Ctx, check_in_id: int, note: str) -> CheckInOfPerson:
    """An officer approved the person's request not to come: the check-in is excused, its
    note naming the request."""
    return await _complete(ctx, check_in_id, CheckInStatus.EXCUSED, check_note(note), {})


async def excuse(ctx: Ctx, check_in_id: int, reason: str, note: str) -> CheckInOfPerson:
    """The person need not report this time, for one of EXCUSE_REASONS; "other" must say why
    in the note. The check-in keeps the reason and the note."""
    note = check_note(note)
    if reason not in EXCUSE_REASONS:
        raise InvalidInput(
            "reason",
            f"choose why the check-in is excused: {', '.join(EXCUSE_REASONS)}",
            "โปรดเลือกเหตุผลที่ยกเว้นการรายงานตัว",
        )
    if reason == "other" and not note:
        raise InvalidInput("note", "say why the check-in is excused", "โปรดระบุเหตุผลที่ยกเว้น")
    return await _complete(ctx, check_in_id, CheckInStatus.EXCUSED, excuse_text(reason, note), {})
