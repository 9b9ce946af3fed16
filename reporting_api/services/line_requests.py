"""Two-way on LINE (issue 17): what a linked person presses or writes, answered in one reply.

`line_webhook.act_on` calls these for a `postback` or a text `message` from a LINE user; the
reply (Thai, then English: `line_replies`) goes back with the event's reply token.
- A postback (`line_messages`: ``action=<come|cant_come|call_me>&check_in=<id>``) is acted on
  only for the LINE user's linked person and only on their own check-in of an active case;
  the data names the check-in, never who pressed.
- "I can't come" and "call me" make the same request as the check-in page
  (`person_requests.make`: same table, statuses, deadlines, queue, hourly limit, audit row
  `request.submit` with ``{"via": "line"}``, status notices). The page asks a "can't come"
  for a reason; a button cannot, so it is recorded with reason *other* and the words
  `line_replies.CANT_COME_NOTE` in place of the person's, and the reply tells them an officer
  will contact them and that they may give a reason or ask for a new date on the check-in
  page. A second press while the first request is still open makes nothing: the reply gives
  that request's status.
- "I'll come" is an answer, not a request: recorded once on the check-in
  (`check_in_answer`, shown on the person's timeline) and audited (`line.will_come`).
- A text message becomes a *message* request on the person's current check-in (the open or
  late one, else the next one, else the last one of an active case), sealed as the page
  seals it; it is read by an officer, never parsed for decisions.
Nothing here raises for what a person sends: every refusal is a reply.
"""

from __future__ import annotations

import logging
from datetime import datetime

from reporting_api import line_replies as replies
from reporting_api.errors import Conflict, Refused, ServiceError
from reporting_api.line_messages import LineText, PostbackAction, parse_postback
from reporting_api.request_rules import MAX_TEXT, CantComeReason, NewRequest, RequestKind
from reporting_api.runtime import Runtime
from reporting_api.services.checkins import effective_status
from reporting_api.services.links import valid_now
from reporting_api.services.person_requests import Via, make
from reporting_api.settings import Settings
from reporting_api.sms_templates import checkin_link
from reporting_api.statuses import CheckInStatus
from reporting_api.store import audit
from reporting_api.store import cases as case_store
from reporting_api.store import defendants as defendant_store
from reporting_api.store import line_events as line_store
from reporting_api.store import links as link_store
from reporting_api.store import offices as office_store
from reporting_api.store import requests as request_store
from reporting_api.store.links import LinkRow

log = logging.getLogger(__name__)

ACTOR = "line"
"""The actor named on audit rows written for what a person did on LINE."""
WILL_COME = "will_come"
DONE = (CheckInStatus.VERIFIED, CheckInStatus.EXCUSED, CheckInStatus.PENDING_REVIEW)
"""A check-in recorded already (or waiting for an officer's review of its recording)."""
CURRENT = (CheckInStatus.OPEN, CheckInStatus.LATE)
KIND_OF = {
    PostbackAction.CANT_COME: RequestKind.CANT_COME,
    PostbackAction.CALL_ME: RequestKind.CALL_ME,
}


async def on_postback(
    user_id: str, data: str, now: datetime, runtime: Runtime, settings: Settings
) -> LineText | None:
    """The reply to a button the LINE user pressed; None for data we did not make (ignored)."""
    defendant_id = await line_store.linked_person(user_id)
    if defendant_id is None:
        return LineText(replies.not_linked())
    postback = parse_postback(data)
    if postback is None:
        log.info("LINE postback with data we did not make, ignored (%d characters)", len(data))
        return None
    row = await link_store.check_in_with_person(postback.check_in_id)
    if row is None or row["defendant_id"] != defendant_id:
        log.warning("LINE postback on a check-in that is not the linked person's, refused")
        return LineText(replies.not_yours(await _office_phone(defendant_id)))
    case = await case_store.get_case(row["case"])
    if case is None or case["status"] != "active":
        return LineText(replies.case_ended(row["office_phone"]))
    if postback.action == PostbackAction.COME:
        return await _will_come(row, now)
    return await _ask(row, KIND_OF[postback.action], now, runtime, settings)


async def on_text(
    user_id: str, text: str, now: datetime, runtime: Runtime, settings: Settings
) -> LineText | None:
    """The reply to a text the LINE user wrote; None when the user is not linked (the caller
    invites them to link) or the text is blank."""
    defendant_id = await line_store.linked_person(user_id)
    if defendant_id is None:
        return None
    # Characters UTF-8 cannot carry (a lone surrogate from a JSON escape) become "?".
    words = " ".join(text.encode("utf-8", "replace").decode("utf-8").split())
    if not words:
        return None
    cut_at = MAX_TEXT if len(words) > MAX_TEXT else None
    words = words[:MAX_TEXT].rstrip()
    row = _current(await link_store.active_check_ins_of(defendant_id), now)
    if row is None:
        return LineText(replies.no_active_case(await _office_phone(defendant_id)))
    new = NewRequest(kind=RequestKind.MESSAGE.value, text=words)
    refused = await _make(row, new, now, runtime)
    return LineText(refused or replies.message_received(cut_at))


def _current(rows: list[LinkRow], now: datetime) -> LinkRow | None:
    """Of the check-ins of a person's active cases (by due time): the open or late one, else
    the next one to come, else the last one."""
    statuses = [(row, effective_status(row, now)) for row in rows]
    for wanted in (CURRENT, (CheckInStatus.UPCOMING,)):
        for row, status in statuses:
            if status in wanted:
                return row
    return rows[-1] if rows else None


async def _will_come(row: LinkRow, now: datetime) -> LineText:
    status = effective_status(row, now)
    if status in DONE:
        return LineText(replies.already_done(row["due_date"]))
    if status in (CheckInStatus.MISSED, CheckInStatus.HELD) or now >= row["closes_at"]:
        return LineText(replies.too_late(row["due_date"], row["office_phone"]))
    if await request_store.record_answer(row["id"], row["defendant_id"], WILL_COME, ACTOR, now):
        await audit.record_system(
            "line.will_come",
            "check_in",
            row["id"],
            now,
            {"defendant": row["defendant_id"], "via": ACTOR},
            actor=ACTOR,
        )
    return LineText(replies.will_come(row["due_date"]))


async def _ask(
    row: LinkRow, kind: RequestKind, now: datetime, runtime: Runtime, settings: Settings
) -> LineText:
    """A "can't come" or "call me" on the check-in, as the page would make it."""
    if kind == RequestKind.CANT_COME and effective_status(row, now) in DONE:
        return LineText(replies.already_done(row["due_date"]))
    if not await valid_now(row, now, settings):
        # The page's link no longer works either: the check-in is long closed.
        return LineText(replies.too_late(row["due_date"], row["office_phone"]))
    existing = await request_store.open_of_kind(row["id"], kind.value)
    if existing is not None:
        return LineText(replies.already_asked(kind.value, existing["status"]))
    if kind == RequestKind.CANT_COME:
        new = NewRequest(
            kind=kind.value, reason=CantComeReason.OTHER.value, text=replies.CANT_COME_NOTE
        )
    else:
        new = NewRequest(kind=kind.value)
    refused = await _make(row, new, now, runtime, one_open=True)
    if refused is not None:
        return LineText(refused)
    if kind == RequestKind.CALL_ME:
        return LineText(replies.call_me_sent())
    link = checkin_link(settings.public_base_url, row["code"]) if row["code"] else None
    return LineText(
        replies.cant_come_sent(row["due_date"], with_link=link is not None),
        link=link,
        link_label=replies.CHECK_IN_LABEL if link else "",
    )


async def _make(
    row: LinkRow, new: NewRequest, now: datetime, runtime: Runtime, *, one_open: bool = False
) -> str | None:
    """Make the request as the page does; None when made, else the reply saying why not."""
    try:
        await make(row, new, now=now, runtime=runtime, via=Via.LINE, one_open=one_open)
    except request_store.AlreadyOpen as first:
        # The same button pressed twice at once: the other press made the request.
        made = await request_store.get_request(first.request_id)
        return replies.already_asked(new.kind, made["status"] if made else "submitted")
    except Refused as refused:
        if refused.status == 429:
            return replies.too_many(row["office_phone"])
        log.warning("LINE request refused: %s", refused.reason)
        return replies.not_recorded(row["office_phone"])
    except Conflict:
        return replies.case_ended(row["office_phone"])
    except ServiceError as error:
        log.warning("LINE request not recorded: %s (%s)", error.reason, error.field)
        return replies.not_recorded(row["office_phone"])
    return None


async def _office_phone(defendant_id: int) -> str | None:
    office_id = await defendant_store.get_defendant_office(defendant_id)
    office = await office_store.get_office(office_id) if office_id is not None else None
    return office["phone"] if office else None
