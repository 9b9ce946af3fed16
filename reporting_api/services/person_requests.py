"""A person's requests to their officer: made on the check-in link (or on LINE, through
`make`: `services/line_requests.py`), decided by an officer.

The person, identified on a link exactly as for a check-in, asks (`request_rules`): they can't
come (with a reason and perhaps a new date inside the office's limit), please call, help
getting there, a new phone number, away for some days, or a message. The request starts
*submitted* with a deadline in working hours (`working_hours`; the office's
`request_deadline_hours`, else its review deadline); an officer moves it through the Citizen
Portal's statuses, each change recorded with who and when and told to the person by SMS
(`notices.request_status`). While it is open (submitted or awaiting contact) a request made
before its check-in's window closed holds that check-in out of "missed" (`hold_check_ins`,
run by the sweep); the officer's decision settles it: approving a new date moves the
check-in (or, once its window opened, excuses it and adds one on the new date); approving a
"can't come" without a date excuses it; anything else releases it to be judged as usual.
Past its deadline an open request goes to a manager, once (`escalate_overdue_requests`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from reporting_api.access import ensure_can_change_office, ensure_can_read_office, office_scope
from reporting_api.errors import Conflict, InvalidInput, NotFound, Refused
from reporting_api.phones import parse_thai_mobile
from reporting_api.planning import is_working_day, next_working_day, thai_holidays
from reporting_api.reminder_schedule import MANAGER_ALERT, QuietHours
from reporting_api.request_rules import (
    DEFAULT_RESCHEDULE_MAX_DAYS,
    OPEN,
    CheckedRequest,
    NewRequest,
    RequestKind,
    RequestStatus,
    check_proposed_date,
    check_request,
    ensure_transition,
    latest_new_date,
)
from reporting_api.runtime import Runtime
from reporting_api.services import (
    alerts,
    attachments,
    check_in_edits,
    checkins,
    deadlines,
    flags,
    notices,
)
from reporting_api.services.context import Ctx
from reporting_api.services.holidays import declared_names
from reporting_api.services.links import ACTOR as link_actor
from reporting_api.services.links import Visit
from reporting_api.settings import Settings
from reporting_api.statuses import CheckInStatus, FlagKind, Severity
from reporting_api.store import attachments as attachment_store
from reporting_api.store import audit as audit_store
from reporting_api.store import cases as case_store
from reporting_api.store import checkins as checkin_store
from reporting_api.store import flags as flag_store
from reporting_api.store import links as link_store
from reporting_api.store import requests as store
from reporting_api.store import staff as staff_store
from reporting_api.store import transaction
from reporting_api.store.attachments import AttachmentRow
from reporting_api.store.links import LinkRow
from reporting_api.store.requests import NewTransition, QueueRow, RequestRow, TransitionRow
from reporting_api.thai_dates import (
    bangkok_today,
    format_english_date,
    format_thai_date,
    format_thai_datetime,
)
from reporting_api.working_hours import (
    MAX_DEADLINE_HOURS,
    MIN_DEADLINE_HOURS,
    add_working_hours,
)

log = logging.getLogger(__name__)

PERSON_HOURLY_LIMIT = 6
"""Requests one person may send an hour (counted atomically, `link_store.take_press`)."""
CLIENT_HOURLY_LIMIT = 20
"""Requests from one address an hour, across people."""
OVERDUE_BATCH = 500
REQUEST_OVERDUE_KEY = f"{FlagKind.REQUEST_OVERDUE.value}:"
QUEUE_PAGE = 50
NOTE_MAX = 1000


def _context(defendant_id: int) -> str:
    """The sealing context of a person's own words in a request."""
    return f"person_request:{defendant_id}"


# ---------------------------------------------------------------------------------------
# The person, on the link


@dataclass(frozen=True)
class PersonView:
    """One of the person's requests as their page shows it (their own words included)."""

    id: int
    kind: str
    reason: str | None
    help_kind: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    proposed_date: date | None
    away_from: date | None
    away_to: date | None
    province: str | None
    text: str | None
    new_date: date | None
    outcome_note: str | None
    history: tuple[tuple[str, datetime], ...]
    attachments: tuple[tuple[str, str | None, int | None], ...] = ()
    """The files sent with it: name, type found, size stored."""


@dataclass(frozen=True)
class FormLimits:
    """What the page's form needs: the dates a new date may take."""

    due_date: date
    earliest: date
    latest: date


async def reschedule_max_days(office_id: int) -> int:
    own = (await store.office_limits(office_id))[1]
    return own if own is not None else DEFAULT_RESCHEDULE_MAX_DAYS


async def request_hours(office_id: int) -> int:
    own = (await store.office_limits(office_id))[0]
    hours = own if own is not None else await deadlines.review_hours(office_id)
    return min(max(hours, MIN_DEADLINE_HOURS), MAX_DEADLINE_HOURS)


async def form_limits(visit: Visit, row: LinkRow) -> FormLimits:
    today = bangkok_today(visit.now)
    days = await reschedule_max_days(row["office"])
    return FormLimits(
        row["due_date"], today + timedelta(days=1), latest_new_date(today, row["due_date"], days)
    )


class Via(StrEnum):
    """How a request reached us (in its audit row's detail)."""

    LINK = "link"  # the check-in page, after identification
    LINE = "line"  # a LINE button or message from the person's linked account


ACTOR_OF = {Via.LINK: link_actor, Via.LINE: "line"}
"""The actor named on the audit row of a request that came this way."""


async def submit(
    visit: Visit, row: LinkRow, new: NewRequest, attachment_ids: list[str] | None = None
) -> PersonView:
    """Record the identified person's request on the link's check-in, with the files
    uploaded on this link (`services/attachments.py`); refuses as `make` does, and a file not
    ready or already sent."""
    tokens = attachments.check_tokens(attachment_ids)
    request_id = await make(
        row,
        new,
        now=visit.now,
        runtime=visit.runtime,
        via=Via.LINK,
        client_address=visit.client_address,
        tokens=tokens,
    )
    views = await mine(visit, row)
    return next(v for v in views if v.id == request_id)


async def make(
    row: LinkRow,
    new: NewRequest,
    *,
    now: datetime,
    runtime: Runtime,
    via: Via,
    client_address: str | None = None,
    tokens: list[str] | None = None,
    one_open: bool = False,
) -> int:
    """Record a request of the person ``row`` names on its check-in (the caller knows who
    they are: identified on the link, or the LINE user linked to them); its id. Refuses a
    request on a case that has ended (`Conflict`), more than PERSON_HOURLY_LIMIT an hour
    (`Refused` 429), and fields that do not fit the kind (`InvalidInput`); with ``one_open``,
    raises `store.AlreadyOpen` when the check-in has an open request of the same kind."""
    tokens = tokens or []
    case = await case_store.get_case(row["case"])
    if case is None or case["status"] != "active":
        raise Conflict(
            "case",
            "your reporting has ended; call the office if you need anything",
            "การรายงานตัวของท่านสิ้นสุดแล้ว หากต้องการติดต่อ โปรดโทรหาสำนักงาน",
        )
    today = bangkok_today(now)
    checked = check_request(
        new,
        today=today,
        due_date=row["due_date"],
        reschedule_max_days=await reschedule_max_days(row["office"]),
    )
    if checked.proposed_date is not None:
        await _check_working_day(checked.proposed_date)
    new_phone = parse_thai_mobile(checked.new_phone, "new_phone") if checked.new_phone else None
    client_key = None if client_address is None else f"request:client:{client_address}"
    full = await link_store.take_press(
        f"request:person:{row['defendant_id']}",
        PERSON_HOURLY_LIMIT,
        client_key,
        CLIENT_HOURLY_LIMIT,
        now,
    )
    if full is not None:
        raise Refused(
            429,
            "kind",
            "too many requests in an hour; wait, or call your office",
            "ส่งคำร้องหลายครั้งเกินไปในหนึ่งชั่วโมง โปรดรอ หรือโทรหาสำนักงาน",
        )
    request_id = await _insert(row, checked, new_phone, tokens, now, runtime, one_open)
    detail: dict[str, Any] = {
        "kind": checked.kind.value,
        "check_in": row["id"],
        "attachments": len(tokens),
        "via": via.value,
    }
    await audit_store.record(
        actor_id=None,
        actor_username=ACTOR_OF[via],
        action="request.submit",
        entity="person_request",
        entity_id=request_id,
        at=now,
        client_address=client_address,
        detail=detail,
    )
    return request_id


async def _insert(
    row: LinkRow,
    checked: CheckedRequest,
    new_phone: str | None,
    tokens: list[str],
    now: datetime,
    runtime: Runtime,
    one_open: bool,
) -> int:
    sealer = runtime.sealer
    context = _context(row["defendant_id"])
    hours = await request_hours(row["office"])
    declared = await deadlines.declared_from(bangkok_today(now))
    due_at = add_working_hours(now, hours, declared=declared)
    values: dict[str, Any] = {
        "defendant": row["defendant_id"],
        "case": row["case"],
        "check_in": row["id"],
        "office": row["office"],
        "kind": checked.kind.value,
        "reason": checked.reason.value if checked.reason else None,
        "help_kind": checked.help_kind.value if checked.help_kind else None,
        "proposed_date": checked.proposed_date,
        "away_from": checked.away_from,
        "away_to": checked.away_to,
        "province": checked.province,
        "new_phone_sealed": sealer.seal(new_phone.encode(), context) if new_phone else None,
        "text_sealed": sealer.seal(checked.text.encode(), context) if checked.text else None,
        "status": RequestStatus.SUBMITTED.value,
        "created_at": now,
        "updated_at": now,
        "due_at": due_at,
    }
    first = NewTransition(
        from_status=None,
        to_status=RequestStatus.SUBMITTED.value,
        at=now,
        actor=None,
        actor_kind="person",
        note=None,
    )
    try:
        return await store.insert_request(values, first, tokens, row["id"], one_open=one_open)
    except store.AttachmentsGone:
        raise InvalidInput(
            "attachment_ids",
            "a file is not ready (still uploading, refused) or was sent with another request; "
            "send the request again without it",
            "มีไฟล์ที่ยังส่งไม่เสร็จ ถูกปฏิเสธ หรือแนบกับคำร้องอื่นแล้ว โปรดส่งคำร้องใหม่โดยไม่แนบไฟล์นั้น",
        ) from None


async def _check_working_day(day: date) -> None:
    declared = await declared_names(day, day)
    holidays_then = thai_holidays([day.year], declared)
    if not is_working_day(day, holidays_then):
        after = next_working_day(day, holidays_then)
        raise InvalidInput(
            "proposed_date",
            f"{day.isoformat()} is not a working day; the next is {after.isoformat()}",
            f"{format_thai_date(day)} ไม่ใช่วันทำการ วันทำการถัดไปคือ {format_thai_date(after)}",
        )


def _unseal(sealer: Any, sealed: bytes | None, defendant_id: int) -> str | None:
    if sealed is None:
        return None
    return str(sealer.open(sealed, _context(defendant_id)).decode())


async def mine(visit: Visit, row: LinkRow) -> list[PersonView]:
    """The identified person's requests, newest first, each with its status history."""
    rows = await store.for_defendant(row["defendant_id"])
    history = await store.transitions_of([r["id"] for r in rows])
    files = await attachment_store.for_requests([r["id"] for r in rows])
    sealer = visit.runtime.sealer
    return [
        _person_view(r, history, _unseal(sealer, r["text_sealed"], r["defendant"]), files)
        for r in rows
    ]


def _person_view(
    r: RequestRow,
    history: list[TransitionRow],
    text: str | None,
    files: list[AttachmentRow],
) -> PersonView:
    return PersonView(
        id=r["id"],
        kind=r["kind"],
        reason=r["reason"],
        help_kind=r["help_kind"],
        status=r["status"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        proposed_date=r["proposed_date"],
        away_from=r["away_from"],
        away_to=r["away_to"],
        province=r["province"],
        text=text,
        new_date=r["new_date"],
        outcome_note=r["outcome_note"],
        history=tuple((t["to_status"], t["at"]) for t in history if t["request"] == r["id"]),
        attachments=tuple(
            (f["name"], f["kind"], f["stored_size"]) for f in files if f["request"] == r["id"]
        ),
    )


# ---------------------------------------------------------------------------------------
# Officers


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    oldest_open: datetime | None


STATUS_FILTERS = {
    "open": tuple(s.value for s in OPEN),
    "in_progress": (RequestStatus.APPROVED.value, RequestStatus.IN_PROGRESS.value),
    "closed": (RequestStatus.REJECTED.value, RequestStatus.COMPLETED.value),
    "all": tuple(s.value for s in RequestStatus),
}
AGE_FILTERS = {"any": None, "1d": 1, "3d": 3, "7d": 7}


async def queue(
    ctx: Ctx, office_id: int | None, status: str = "open", age: str = "any", page: int = 1
) -> QueuePage:
    """The office's requests by status filter (open, in_progress, closed, all) and age
    (older than a day, three, seven), oldest first."""
    office = office_scope(ctx.principal, office_id)
    if status not in STATUS_FILTERS:
        raise InvalidInput("status", f"must be one of {', '.join(STATUS_FILTERS)}", "สถานะไม่ถูกต้อง")
    if age not in AGE_FILTERS:
        raise InvalidInput("age", f"must be one of {', '.join(AGE_FILTERS)}", "ช่วงเวลาไม่ถูกต้อง")
    days = AGE_FILTERS[age]
    before = None if days is None else ctx.now - timedelta(days=days)
    offices = None if office is None else [office]
    rows, total = await store.queue(
        offices, STATUS_FILTERS[status], before, QUEUE_PAGE, (max(page, 1) - 1) * QUEUE_PAGE
    )
    return QueuePage(rows, total, await store.oldest_open(offices))


@dataclass(frozen=True)
class OfficerView:
    """One request as an officer sees it: the person's words, the history, the deadline."""

    request: QueueRow
    text: str | None
    new_phone: str | None
    history: list[TransitionRow]
    others: list[RequestRow]
    overdue: bool
    latest_new_date: date | None
    actions: tuple[str, ...]
    attachments: list[AttachmentRow]


ACTIONS: dict[str, RequestStatus] = {
    "contact": RequestStatus.AWAITING_CONTACT,
    "approve": RequestStatus.APPROVED,
    "reject": RequestStatus.REJECTED,
    "start": RequestStatus.IN_PROGRESS,
    "complete": RequestStatus.COMPLETED,
}


def actions_for(status: str) -> tuple[str, ...]:
    """What an officer may do with a request in ``status``."""
    from reporting_api.request_rules import ALLOWED

    allowed = ALLOWED[RequestStatus(status)]
    return tuple(name for name, target in ACTIONS.items() if target in allowed)


async def readable_request(ctx: Ctx, request_id: int) -> QueueRow:
    """The request, if it exists and its office is one the staff member may read."""
    row = await store.queue_row(request_id)
    if row is None:
        raise NotFound("request")
    ensure_can_read_office(ctx.principal, row["office"], "request")
    return row


async def detail(ctx: Ctx, request_id: int) -> OfficerView:
    row = await readable_request(ctx, request_id)
    sealer = ctx.rt.sealer
    today = bangkok_today(ctx.now)
    latest = (
        latest_new_date(today, row["check_in_due_date"], await reschedule_max_days(row["office"]))
        if row["kind"] == RequestKind.CANT_COME
        else None
    )
    await ctx.audit("request.view", "person_request", request_id, {})
    return OfficerView(
        request=row,
        text=_unseal(sealer, row["text_sealed"], row["defendant"]),
        new_phone=_unseal(sealer, row["new_phone_sealed"], row["defendant"]),
        history=await store.transitions_of([request_id]),
        others=[r for r in await store.for_defendant(row["defendant"]) if r["id"] != request_id],
        overdue=row["status"] in STATUS_FILTERS["open"]
        and row["due_at"] is not None
        and ctx.now >= row["due_at"],
        latest_new_date=latest,
        actions=actions_for(row["status"]) if ctx.principal.is_officer else (),
        attachments=await attachment_store.for_requests([request_id]),
    )


async def decide(
    ctx: Ctx,
    request_id: int,
    action: str,
    note: str = "",
    new_date: date | None = None,
) -> RequestRow:
    """An officer moves the request on: contact (awaiting contact), approve, reject, start
    (in progress), complete. Approving a "can't come" with a new date moves the check-in;
    rejecting needs a note saying why (the person reads it)."""
    if action not in ACTIONS:
        raise InvalidInput("action", f"must be one of {', '.join(ACTIONS)}", "การดำเนินการไม่ถูกต้อง")
    row = await store.get_request(request_id)
    if row is None:
        raise NotFound("request")
    ensure_can_change_office(ctx.principal, row["office"], "request")
    target = ACTIONS[action]
    ensure_transition(row["status"], target.value)
    text = " ".join(note.split())
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            "note", f"is longer than {NOTE_MAX} characters", f"ยาวเกิน {NOTE_MAX} ตัวอักษร"
        )
    if target == RequestStatus.REJECTED and not text:
        raise InvalidInput("note", "say why, for the person to read", "โปรดระบุเหตุผลให้ผู้ยื่นคำร้องทราบ")
    case = await case_store.get_case(row["case"])
    if case is None or (case["status"] != "active" and target == RequestStatus.APPROVED):
        raise Conflict(
            "case",
            "the case has ended: nothing can be approved on it",
            "คดีนี้สิ้นสุดแล้ว จึงอนุมัติคำร้องไม่ได้",
        )
    if new_date is not None and (
        target != RequestStatus.APPROVED or row["kind"] != RequestKind.CANT_COME
    ):
        raise InvalidInput(
            "new_date",
            "a new date goes only with approving a can't-come request",
            "กำหนดวันใหม่ได้เฉพาะเมื่ออนุมัติคำร้องขอเลื่อนการรายงานตัว",
        )
    check_in = await checkin_store.get_check_in(row["check_in"]) if row["check_in"] else None
    if new_date is not None:
        check_proposed_date(
            new_date,
            bangkok_today(ctx.now),
            check_in["due_date"] if check_in else None,
            await reschedule_max_days(row["office"]),
        )
        # Checked before anything changes: a date the plan refuses leaves the request as it is.
        try:
            await check_in_edits.check_new_date(
                ctx, row["case"], new_date, check_in["due_date"] if check_in else None
            )
        except InvalidInput as error:
            raise InvalidInput("new_date", error.reason, error.reason_th) from None
    values: dict[str, Any] = {}
    moved = False
    if (
        target == RequestStatus.APPROVED
        and new_date is not None
        and check_in is not None
        and checkins.effective_status(check_in, ctx.now) == CheckInStatus.UPCOMING
    ):
        # Not open yet: the check-in itself moves (re-planned, reminders and all), and the
        # request follows it, so the person's link and the notice name the new one.
        await check_in_edits.move(ctx, check_in["id"], new_date, _approved_reason(row))
        moved_to = await _check_in_on(row["case"], new_date)
        values["check_in"] = moved_to
        row = {**row, "check_in": moved_to}
        moved = True
    notice = await notices.request_status_row(ctx, row, target.value, new_date)
    if target in (RequestStatus.APPROVED, RequestStatus.REJECTED):
        values |= {"decided_at": ctx.now, "decided_by": ctx.principal.id, "new_date": new_date}
    if text:
        values["outcome_note"] = text
    changed = await store.change_status(
        request_id,
        row["status"],
        NewTransition(
            from_status=row["status"],
            to_status=target.value,
            at=ctx.now,
            actor=ctx.principal.id,
            actor_kind="staff",
            note=text or None,
        ),
        values,
        notice,
    )
    if not changed:
        raise Conflict(
            "status",
            "another officer changed this request first; reload the page",
            "เจ้าหน้าที่คนอื่นเปลี่ยนสถานะคำร้องนี้แล้ว โปรดโหลดหน้าใหม่",
        )
    await ctx.audit(
        f"request.{action}",
        "person_request",
        request_id,
        {"from": row["status"], "to": target.value, "note": text, "new_date": str(new_date or "")},
    )
    if (
        check_in is not None
        and not moved
        and target in (RequestStatus.APPROVED, RequestStatus.REJECTED)
    ):
        await _settle_check_in(ctx, row, check_in["id"], target, new_date)
    if target in (RequestStatus.APPROVED, RequestStatus.REJECTED):
        await flags.resolve_by_key(
            ctx,
            f"{REQUEST_OVERDUE_KEY}{request_id}",
            f"คำร้องได้รับการพิจารณาแล้ว (request {target.value})",
            {"request": request_id},
        )
    decided = await store.get_request(request_id)
    assert decided is not None
    return decided


def _approved_reason(row: RequestRow) -> str:
    return f"คำร้องของผู้ถูกปล่อยตัว #{row['id']} ได้รับอนุมัติ (request #{row['id']} approved)"


async def _check_in_on(case_id: int, day: date) -> int | None:
    found = [c["id"] for c in await checkin_store.list_for_case(case_id) if c["due_date"] == day]
    return found[0] if found else None


async def _settle_check_in(
    ctx: Ctx, row: RequestRow, check_in_id: int, target: RequestStatus, new_date: date | None
) -> None:
    """The check-in the request held, after the officer's decision."""
    check_in = await checkin_store.get_check_in(check_in_id)
    if check_in is None:
        return
    status = checkins.effective_status(check_in, ctx.now)
    cant_come = row["kind"] == RequestKind.CANT_COME
    if target == RequestStatus.APPROVED and cant_come:
        reason = _approved_reason(row)
        if status in (CheckInStatus.VERIFIED, CheckInStatus.EXCUSED):
            if new_date is not None:  # reported already: the new date is an extra one
                await check_in_edits.add(ctx, row["case"], new_date, reason)
            return
        await checkins.excuse_for_request(ctx, check_in_id, reason)
        if new_date is not None:
            await check_in_edits.add(
                ctx, row["case"], new_date, reason, ignoring=check_in["due_date"]
            )
        return
    # Anything else: the check-in is judged as any other (a held one goes back to late and
    # the next sweep marks it missed if its window has closed).
    if not await store.holds_check_in(check_in_id):
        await store.release_check_in(check_in_id, ctx.now)


# ---------------------------------------------------------------------------------------
# Deadlines


@dataclass
class OverdueOutcome:
    escalated: int = 0
    staff_alerts: int = 0


async def escalate_overdue_requests(
    now: datetime, settings: Settings, quiet: QuietHours
) -> OverdueOutcome:
    """Open requests past their deadline go to a manager, once each (the flag's key is the
    request, so concurrent sweeps raise one)."""
    outcome = OverdueOutcome()
    for row in await store.overdue(now, OVERDUE_BATCH):
        manager = await staff_store.escalation_manager(row["office"])
        async with transaction(immediate=True):
            if not await store.mark_escalated(row["id"], now):
                continue
            flag_id = await alerts.raise_flag(
                alerts.NewFlag(
                    kind=FlagKind.REQUEST_OVERDUE,
                    case_id=row["case"],
                    check_in_id=row["check_in"],
                    office_id=row["office"],
                    severity=Severity.HIGH,
                    detail_th=(
                        f"คำร้องของผู้ถูกปล่อยตัว #{row['id']} ยื่นเมื่อ "
                        f"{format_thai_datetime(row['created_at'])} รอเจ้าหน้าที่เกินกำหนด"
                        f" (ครบกำหนด {format_thai_datetime(row['due_at'])})"
                    ),
                    detail_en=(
                        f"The person's request #{row['id']} made on "
                        f"{format_english_date(row['created_at'].date())} has waited for an "
                        "officer past its deadline in working hours"
                    ),
                    dedupe_key=f"{REQUEST_OVERDUE_KEY}{row['id']}",
                ),
                now,
            )
            if flag_id is None:
                continue
            to_staff = manager["id"] if manager else None
            await flag_store.mark_escalated(flag_id, to_staff, now)
            await audit_store.record_system(
                "flag.escalate",
                "flag",
                flag_id,
                now,
                detail={
                    "to_staff_id": to_staff,
                    "request": row["id"],
                    "reason": "a person's request waited past its deadline in working hours",
                    "waiting_since": row["created_at"].isoformat(),
                    "deadline": row["due_at"].isoformat(),
                },
            )
            outcome.escalated += 1
            if manager is not None:
                outcome.staff_alerts += await alerts.queue_staff_alert(
                    kind=MANAGER_ALERT,
                    staff_id=manager["id"],
                    flag_id=flag_id,
                    case_id=row["case"],
                    office_id=row["office"],
                    now=now,
                    quiet=quiet,
                    settings=settings,
                )
    return outcome


def due_text(due_at: datetime | None, lang: str) -> str:
    if due_at is None:
        return ""
    return format_thai_datetime(due_at) if lang == "th" else format_english_date(due_at.date())
