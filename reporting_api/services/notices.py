"""The notices a person is owed outside the reminders: a reporting date that changed, reporting
that ended, a new number that will get the messages.

Each is one outbox row (`reminder`, no check-in), worded now in the person's language and queued
in the caller's transaction, after the change that causes it (the outbox pattern: the change and
its notice are written together or not at all). The dispatcher sends it outside the quiet hours
(`scheduler/decisions.py`); a person who turned SMS off gets none, unless they linked LINE. Several date changes in a row
make one message: a notice still waiting is reworded to name the next date instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from reporting_api.errors import NotFound
from reporting_api.notice_texts import (
    NOTICE_CASE_ENDED,
    NOTICE_CHECKIN_RESULT,
    NOTICE_DATES_CHANGED,
    NOTICE_LAST_CHECKIN_DONE,
    NOTICE_LINE_LINKED,
    NOTICE_PHONE_CHANGED,
    NOTICE_REQUEST_STATUS,
    NOTICE_REVIEW_ACCEPTED,
    NOTICE_REVIEW_REJECTED,
    NOTICES_BY_NUMBER,
    DateChange,
    NoticeText,
    render_notice,
)
from reporting_api.services.context import Ctx
from reporting_api.services.reminders import new_reference, quiet_hours
from reporting_api.settings import Settings
from reporting_api.sms_templates import checkin_link
from reporting_api.statuses import CheckInStatus
from reporting_api.store import attempts as attempt_store
from reporting_api.store import cases as case_store
from reporting_api.store import checkins as checkin_store
from reporting_api.store import defendants as defendant_store
from reporting_api.store import line_events as line_store
from reporting_api.store import notices as store
from reporting_api.store import offices as office_store
from reporting_api.store import outbox, transaction
from reporting_api.store.cases import CaseRow
from reporting_api.store.requests import RequestRow
from reporting_api.store.rows import CheckInRow
from reporting_api.thai_dates import bangkok_today, end_of_local_day_utc

NOTICE_VALID_DAYS = 2
"""A notice not sent by the end of this many days after it was queued is skipped: by then the
reminders before the new date say it anyway."""
ACTIVE = "active"
STILL_TO_REPORT = (CheckInStatus.UPCOMING.value, CheckInStatus.OPEN.value, CheckInStatus.LATE.value)
UNSETTLED = (*STILL_TO_REPORT, CheckInStatus.PENDING_REVIEW.value, CheckInStatus.HELD.value)
"""A check-in in one of these still asks something of the person or of an officer."""
RECORDABLE = (CheckInStatus.OPEN, CheckInStatus.LATE)

__all__ = [
    "DateChange",
    "case_ended",
    "check_in_settled",
    "dates_changed",
    "phone_changed",
    "request_status_row",
    "review_decided",
]


async def dates_changed(ctx: Ctx, case_id: int, changes: Sequence[DateChange]) -> int | None:
    """Tell the person their reporting dates changed: one change is named (moved from, to;
    added; cancelled), several (or a change while an earlier notice still waits) give the next
    date. Changes wholly in the past, or no change at all, need no message (None)."""
    today = bangkok_today(ctx.now)
    changes = [
        c
        for c in changes
        if c.old != c.new and any(d is not None and d >= today for d in (c.old, c.new))
    ]
    if not changes:
        return None
    case = await _active_case(case_id)
    if case is None:
        return None
    waiting = await store.waiting_notice(case_id, NOTICE_DATES_CHANGED)
    next_date = await _next_date(case_id, today)
    text = NoticeText(
        kind=NOTICE_DATES_CHANGED,
        language="th",
        office_name_th="",
        office_name_en="",
        changes=tuple(changes) if len(changes) == 1 and waiting is None else (),
        next_date=next_date,
    )
    return await _queue(ctx, case, text, waiting_id=waiting["id"] if waiting else None)


async def case_ended(ctx: Ctx, case_id: int) -> int | None:
    """Tell the person that reporting under this case has ended (call it after closing a case
    as concluded or revoked; an absconded person is not told)."""
    case = await case_store.get_case(case_id)
    if case is None:
        raise NotFound("case")
    text = NoticeText(kind=NOTICE_CASE_ENDED, language="th", office_name_th="", office_name_en="")
    return await _queue(ctx, case, text, waiting_id=None)


async def phone_changed(ctx: Ctx, defendant_id: int, new_phone: str) -> int | None:
    """Tell the new number that the check-in reminders will come to it, and whom to call if it
    is not the person's. Only while the person has an active case (else no message is due)."""
    case = await _active_case_of(defendant_id)
    if case is None:
        return None
    text = NoticeText(
        kind=NOTICE_PHONE_CHANGED, language="th", office_name_th="", office_name_en=""
    )
    return await _queue(ctx, case, text, waiting_id=None, to_phone=new_phone)


async def line_linked(settings: Settings, now: datetime, defendant_id: int) -> int | None:
    """Tell the person's number that a LINE account was linked to them and whom to call if
    it was not them; the dispatcher sends this one by SMS whatever is linked. Only while the
    person has an active case."""
    case = await _active_case_of(defendant_id)
    if case is None:
        return None
    text = NoticeText(kind=NOTICE_LINE_LINKED, language="th", office_name_th="", office_name_en="")
    return await _insert(await _row_at(settings, now, case, text))


async def _active_case_of(defendant_id: int) -> CaseRow | None:
    """One of the person's active cases (a notice to the person goes with one)."""
    rows, _ = await case_store.list_cases(
        office_id=None,
        status=ACTIVE,
        officer_id=None,
        defendant_id=defendant_id,
        offset=0,
        limit=1,
    )
    return rows[0] if rows else None


async def review_decided(
    ctx: Ctx, check_in: CheckInRow, accepted: bool, after: CheckInStatus
) -> int | None:
    """Tell the person what an officer decided about the recording that waited for review
    (call it in the review's transaction, after the check-in changed to ``after``): accepted,
    with the next date (or, for the last check-in, that reporting has ended); not accepted,
    with the link to record again while the window is open, else to contact the office."""
    case = await _active_case(check_in["case"])
    if case is None:
        return None
    if accepted:
        return await _settled(ctx.settings, ctx.now, case, check_in, review=True)
    code = check_in["code"]
    link = (
        checkin_link(ctx.settings.public_base_url, code) if after in RECORDABLE and code else None
    )
    text = NoticeText(
        kind=NOTICE_REVIEW_REJECTED,
        language="th",
        office_name_th="",
        office_name_en="",
        checkin_date=check_in["due_date"],
        link=link,
    )
    return await _insert(await _row_at(ctx.settings, ctx.now, case, text))


async def check_in_settled(settings: Settings, now: datetime, check_in: CheckInRow) -> int | None:
    """When the case's last check-in still to report was just verified or excused (remotely,
    in person, on a video call), tell the person their reporting has ended; otherwise nothing
    (the page and the receipt say the rest). Call it in the transaction that settles it."""
    case = await _active_case(check_in["case"])
    if case is None:
        return None
    return await _settled(settings, now, case, check_in, review=False)


async def _settled(
    settings: Settings, now: datetime, case: CaseRow, check_in: CheckInRow, *, review: bool
) -> int | None:
    others = [
        row
        for row in await checkin_store.list_for_case(case["id"])
        if row["id"] != check_in["id"] and row["status"] in UNSETTLED
    ]
    if others and not review:
        return None
    if others:
        today = bangkok_today(now)
        later = [r["due_date"] for r in others if r["due_date"] >= today]
        text = NoticeText(
            kind=NOTICE_REVIEW_ACCEPTED,
            language="th",
            office_name_th="",
            office_name_en="",
            checkin_date=check_in["due_date"],
            next_date=min(later, default=None),
        )
    else:
        text = NoticeText(
            kind=NOTICE_LAST_CHECKIN_DONE,
            language="th",
            office_name_th="",
            office_name_en="",
            checkin_date=check_in["due_date"],
        )
    return await _insert(await _row_at(settings, now, case, text))


RESULT_UNSEEN_AFTER = timedelta(minutes=2)
"""How long a verdict may wait for the person's page before it goes by SMS."""
RESULT_NOTICE_WINDOW = timedelta(hours=1)
"""Verdicts older than this are not sent (the person has opened their link since, or it no
longer helps)."""
RESULT_BATCH = 200


async def untold_verdicts(settings: Settings, now: datetime) -> int:
    """Send by SMS the verdicts of remote check-ins that no page showed within
    `RESULT_UNSEEN_AFTER` (the person closed it, or lost the connection while the server
    verifying it changed): verified with the next date, not verified with the link while the
    window is open, or passed to an officer. One a check-in at most (the outbox's unique
    (check_in, kind)); a last check-in's verdict is told by its own notice instead. How many
    were queued. Run by each sweep."""
    queued = 0
    for row in await attempt_store.untold_results(
        now - RESULT_UNSEEN_AFTER, now - RESULT_NOTICE_WINDOW, RESULT_BATCH
    ):
        async with transaction():
            if not await attempt_store.mark_told(row["id"], now):
                continue  # the page showed it meanwhile
            check_in = await checkin_store.get_check_in(row["check_in"])
            case = await case_store.get_case(row["case"])
            if check_in is None or case is None or case["status"] != ACTIVE:
                continue
            outcome = {"verified": "verified", "retry": "retry"}.get(row["outcome"] or "", "review")
            status = CheckInStatus(check_in["status"])
            next_date = await _next_date(case["id"], bangkok_today(now))
            if outcome == "verified" and status == CheckInStatus.VERIFIED and next_date is None:
                continue  # the last check-in: NOTICE_LAST_CHECKIN_DONE says it
            code = check_in["code"]
            link = (
                checkin_link(settings.public_base_url, code)
                if outcome == "retry" and status in RECORDABLE and code
                else None
            )
            text = NoticeText(
                kind=NOTICE_CHECKIN_RESULT,
                language="th",
                office_name_th="",
                office_name_en="",
                checkin_date=check_in["due_date"],
                next_date=next_date if outcome == "verified" else None,
                link=link,
                outcome=outcome,
            )
            if await _insert(await _row_at(settings, now, case, text)) is not None:
                queued += 1
    return queued


async def _insert(row: outbox.NewReminder | None) -> int | None:
    if row is None:
        return None
    await outbox.insert_reminders([row])
    found = await store.waiting_notice(row["case"], row["kind"])
    return found["id"] if found else None


async def _active_case(case_id: int) -> CaseRow | None:
    case = await case_store.get_case(case_id)
    if case is None:
        raise NotFound("case")
    return case if case["status"] == ACTIVE else None


async def _next_date(case_id: int, today: date) -> date | None:
    dates = [
        row["due_date"]
        for row in await checkin_store.list_for_case(case_id)
        if row["status"] in STILL_TO_REPORT and row["due_date"] >= today
    ]
    return min(dates, default=None)


async def _queue(
    ctx: Ctx,
    case: CaseRow,
    text: NoticeText,
    *,
    waiting_id: int | None,
    to_phone: str | None = None,
) -> int | None:
    row = await _row(ctx, case, text, to_phone=to_phone)
    if row is None:
        return None
    if waiting_id is not None and await store.reword(
        waiting_id,
        body=row["body"],
        language=row["language"],
        due_at=row["due_at"],
        expires_at=row["expires_at"],
        now=ctx.now,
    ):
        return waiting_id
    await outbox.insert_reminders([row])
    found = await store.waiting_notice(case["id"], text.kind)
    return found["id"] if found else None


async def _row(
    ctx: Ctx, case: CaseRow, text: NoticeText, *, to_phone: str | None = None
) -> outbox.NewReminder | None:
    """The outbox row of a notice, worded in the person's language; None when the person
    turned SMS off (and has no LINE account linked, or it is a notice `NOTICES_BY_NUMBER`)."""
    return await _row_at(ctx.settings, ctx.now, case, text, to_phone=to_phone)


async def _row_at(
    settings: Settings,
    now: datetime,
    case: CaseRow,
    text: NoticeText,
    *,
    to_phone: str | None = None,
) -> outbox.NewReminder | None:
    person = await defendant_store.get_defendant(case["defendant"])
    office = await office_store.get_office(case["office"])
    if person is None or office is None:
        raise NotFound("defendant")
    if person["sms_opt_out"] and (
        text.kind in NOTICES_BY_NUMBER or await line_store.line_account_of(person["id"]) is None
    ):
        # SMS turned off and nothing else to carry it (a linked person still gets it on LINE).
        return None
    language = "en" if person["preferred_language"] == "en" else "th"
    body = render_notice(
        replace(
            text,
            language=language,
            office_name_th=office["name_th"],
            office_name_en=office["name_en"],
            office_phone=office["phone"],
        )
    )
    due_at = quiet_hours(settings).next_allowed(now)
    row: outbox.NewReminder = {
        "check_in": None,
        "case": case["id"],
        "office": case["office"],
        "defendant": case["defendant"],
        "kind": text.kind,
        "body": body,
        "language": language,
        "due_at": due_at,
        "expires_at": _expiry(due_at),
        "next_attempt_at": due_at,
        "status": outbox.QUEUED,
        "reference": new_reference(),
        "created_at": now,
        "updated_at": now,
    }
    if to_phone is not None:
        row["to_phone"] = to_phone
    return row


async def request_status_row(
    ctx: Ctx, request: RequestRow, status: str, new_date: date | None
) -> outbox.NewReminder | None:
    """The SMS telling the person their request moved to ``status`` (queued by the caller in
    the transaction that changes it, so each change is told exactly once), with the link to
    their page; None when the person turned SMS off or has no link to follow."""
    case = await case_store.get_case(request["case"])
    if case is None:
        raise NotFound("case")
    check_in = (
        await checkin_store.get_check_in(request["check_in"]) if request["check_in"] else None
    )
    code = check_in["code"] if check_in else None
    text = NoticeText(
        kind=NOTICE_REQUEST_STATUS,
        language="th",
        office_name_th="",
        office_name_en="",
        request_kind=request["kind"],
        request_status=status,
        new_date=new_date,
        link=checkin_link(ctx.settings.public_base_url, code) if code else None,
    )
    return await _row(ctx, case, text)


def _expiry(due_at: datetime) -> datetime:
    return end_of_local_day_utc(bangkok_today(due_at) + timedelta(days=NOTICE_VALID_DAYS))
