"""One person's page: profile, cases and plans, and a single timeline (newest first) of
their check-ins, reminders, recordings and flags; and the check-in actions taken from it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from reporting_api.access import ensure_can_change_office
from reporting_api.errors import InvalidInput, NotFound
from reporting_api.reminder_schedule import MISSED_FOLLOW_UP
from reporting_api.services import checkins, defendants
from reporting_api.services.context import Ctx
from reporting_api.statuses import CheckInStatus, can_transition
from reporting_api.store import cases as case_store
from reporting_api.store import timeline as store

UPCOMING_SHOWN = 6
"""Future dates listed under each plan."""
NOTE_MAX = 2000
EXCUSE_REASONS: dict[str, tuple[str, str]] = {
    "illness": ("เจ็บป่วย", "Illness"),
    "appointment": ("มีนัดศาลหรือนัดหน่วยงานราชการในวันเดียวกัน", "Court or official appointment"),
    "travel": ("เดินทางไม่ได้ด้วยเหตุสุดวิสัย", "Unable to travel (force majeure)"),
    "other": ("อื่น ๆ", "Other"),
}
"""Why an officer may excuse a check-in; "other" needs the note to say why."""
ENDED_REMINDER = ("failed", "undelivered", "skipped", "cancelled")


def _json_list(value: Any) -> list[Any]:
    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else list(value or [])


def _check_in_time(row: dict[str, Any]) -> datetime:
    if row["completed_at"] is not None:
        return row["completed_at"]
    if row["status"] == CheckInStatus.MISSED:
        return row["closes_at"]
    return row["due_at"]


def _reminder_time(row: dict[str, Any]) -> datetime:
    if row["delivered_at"] is not None:
        return row["delivered_at"]
    if row["sent_at"] is not None:
        return row["sent_at"]
    if row["status"] in ENDED_REMINDER:
        return row["updated_at"]
    return row["due_at"]


def _flag_state(row: dict[str, Any]) -> str:
    if row["resolved_at"] is not None:
        return "resolved"
    if row["acknowledged_at"] is not None:
        return "acknowledged"
    return "open"


def _shown_check_ins(rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Check-ins whose window has opened or that were met early, and each case's next one."""
    shown: list[dict[str, Any]] = []
    next_of_case: set[int] = set()
    for row in rows:  # by due date
        if row["opens_at"] <= now or row["completed_at"] is not None:
            shown.append(row)
        elif row["case"] not in next_of_case:
            next_of_case.add(row["case"])
            shown.append(row)
    return shown


def build_timeline(
    *,
    check_ins: list[dict[str, Any]],
    reminders: list[dict[str, Any]],
    attempts: list[dict[str, Any]],
    flags: list[dict[str, Any]],
    now: datetime,
    can_change: bool,
) -> list[dict[str, Any]]:
    """The events of one person, newest first; future ones (the next check-in and its
    planned reminders) on top, marked as such."""
    events: list[dict[str, Any]] = []
    shown = _shown_check_ins(check_ins, now)
    shown_ids = {row["id"] for row in shown}
    for row in shown:
        status = CheckInStatus(row["status"])
        item = row | {
            "can_in_person": can_change and can_transition(status, CheckInStatus.VERIFIED),
            "can_excuse": can_change and can_transition(status, CheckInStatus.EXCUSED),
        }
        events.append({"type": "check_in", "at": _check_in_time(row), "item": item})
    for row in reminders:
        if row["check_in"] is not None and row["check_in"] not in shown_ids:
            continue
        if row["kind"] == MISSED_FOLLOW_UP and row["status"] == "queued" and row["due_at"] > now:
            continue  # goes out only if the check-in is missed: not a plan to show yet
        events.append({"type": "reminder", "at": _reminder_time(row), "item": row})
    for row in attempts:
        events.append({"type": "attempt", "at": row["created_at"], "item": row})
    for row in flags:
        item = row | {"state": _flag_state(row)}
        events.append({"type": "flag", "at": row["raised_at"], "item": item})
    order = {"flag": 0, "attempt": 1, "check_in": 2, "reminder": 3}
    events.sort(key=lambda e: (e["at"], -order[e["type"]], e["item"]["id"]), reverse=True)
    for event in events:
        event["future"] = event["at"] > now
    return events


async def defendant_page(ctx: Ctx, defendant_id: int) -> dict[str, Any]:
    """Everything the person's page shows. Managers read every office, officers their own."""
    person = await defendants.read(ctx, defendant_id)  # checks access, audits the view
    can_change = ctx.principal.is_officer and ctx.principal.office_id == person["office"]
    cases = await store.cases_of(defendant_id)
    check_ins = [
        checkins.with_effective_status(r, ctx.now) for r in await store.check_ins_of(defendant_id)
    ]
    plans = []
    for case in cases:
        plan = await case_store.get_plan(case["id"])
        later = [r for r in check_ins if r["case"] == case["id"] and r["opens_at"] > ctx.now]
        plans.append(
            {
                "case": case | {"bail_amount": Decimal(str(case["bail_amount"]))},
                "plan": plan | {"dates": _json_list(plan["dates"])} if plan else None,
                "upcoming": later[:UPCOMING_SHOWN],
            }
        )
    reminders = await store.reminders_of(defendant_id)
    attempts = await store.attempts_of(defendant_id)
    flags = await store.flags_of(defendant_id)
    events = build_timeline(
        check_ins=check_ins,
        reminders=reminders,
        attempts=attempts,
        flags=flags,
        now=ctx.now,
        can_change=can_change,
    )
    await ctx.audit(
        "defendant.timeline",
        "defendant",
        defendant_id,
        {
            "check_ins": len(check_ins),
            "reminders": len(reminders),
            "attempts": len(attempts),
            "flags": len(flags),
        },
    )
    return {
        "person": person,
        "cases": plans,
        "events": events,
        "can_change": can_change,
        "excuse_reasons": EXCUSE_REASONS,
    }


async def _person_of(check_in_id: int) -> dict[str, Any]:
    row = await store.person_of_check_in(check_in_id)
    if row is None:
        raise NotFound("check-in")
    return row


async def page_for_check_in(ctx: Ctx, check_in_id: int) -> dict[str, Any]:
    """The page of the person a check-in belongs to (a form on it is shown again)."""
    row = await _person_of(check_in_id)
    return await defendant_page(ctx, row["defendant_id"])


def _note(value: str, field: str) -> str:
    value = value.strip()
    if len(value) > NOTE_MAX:
        raise InvalidInput(
            field, f"must be at most {NOTE_MAX} characters", f"ยาวเกิน {NOTE_MAX} ตัวอักษร"
        )
    return value


async def record_in_person(ctx: Ctx, check_in_id: int, note: str) -> dict[str, Any]:
    """The person reported at the office; returns the check-in with its person's id."""
    person = await _person_of(check_in_id)
    ensure_can_change_office(ctx.principal, person["office"], "check-in")
    row = await checkins.record_in_person(ctx, check_in_id, _note(note, "note"))
    return row | {"defendant_id": person["defendant_id"]}


def excuse_text(reason: str, note: str) -> str:
    """What the check-in keeps as its note: the reason (Thai, then English) and the details."""
    th, en = EXCUSE_REASONS[reason]
    return f"{th} ({en})" + (f": {note}" if note else "")


async def excuse(ctx: Ctx, check_in_id: int, reason: str, note: str) -> dict[str, Any]:
    """Excuse a check-in for one of EXCUSE_REASONS; "other" must say why in the note."""
    person = await _person_of(check_in_id)
    ensure_can_change_office(ctx.principal, person["office"], "check-in")
    note = _note(note, "note")
    if reason not in EXCUSE_REASONS:
        raise InvalidInput(
            "reason", "choose why the check-in is excused", "โปรดเลือกเหตุผลที่ยกเว้นการรายงานตัว"
        )
    if reason == "other" and not note:
        raise InvalidInput("note", "say why the check-in is excused", "โปรดระบุเหตุผลที่ยกเว้น")
    row = await checkins.excuse(ctx, check_in_id, excuse_text(reason, note))
    return row | {"defendant_id": person["defendant_id"]}
