"""LINE's webhook events, taken in once each (by LINE's `webhookEventId`), then acted on.

LINE redelivers an event it could not hand over, and may send one twice; each is recorded
the first time only and acted on then, after the webhook has answered:
- `accountLink` with result `ok` and a nonce we gave (`start_link`: to a person who passed
  identification, alive `LINK_MINUTES`, usable once) links that LINE user to the person; a
  nonce that is unknown, used, expired, or a failed result links nothing;
- `unfollow` (the person blocked or left the Official Account) removes their link, so SMS is
  in charge again (LINE accepts pushes to someone who blocked it and never delivers them).
- `follow` (someone added the Official Account), and anything written by someone not linked,
  is answered with an invitation to link: a link token from LINE and a button to our page
  (`/line/link`), where the person passes check-in's identification (`identify_for_line`)
  and is sent on to LINE's account-link dialog with a fresh nonce;
- a linked person's buttons (postbacks) and texts become requests (`line_requests`).
Each link and unlink is audited; a link is also told to the person's number by SMS
(`notices.line_linked`), in case it was not them. Replies use the event's reply token
(free, good for one reply within a minute) through `LineApi`, which the composition root
gives (`scheduler.line_sender.LineSender`)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlencode

from reporting_api.line_messages import (
    LineText,
    link_failed,
    link_invitation,
    link_not_available,
    linked_confirmation,
)
from reporting_api.runtime import Runtime
from reporting_api.services import line_requests, links, notices
from reporting_api.settings import Settings
from reporting_api.store import audit
from reporting_api.store import line_events as store

log = logging.getLogger(__name__)
MAX_EVENT_ID = 64
MAX_KIND = 32
LINK_MINUTES = 10
"""How long a nonce given for the account-link flow stays usable (LINE's link token lives as
long)."""
ACTOR = "line"
LINK_PAGE = "/line/link"
"""Our identification page for the account link, on `PUBLIC_BASE_URL`."""
LINE_ACCOUNT_LINK = "https://access.line.me/dialog/bot/accountLink"
"""LINE's account-link dialog, where the person is sent with the link token and our nonce."""


class LineApi(Protocol):
    """What the webhook's work needs of LINE's Messaging API."""

    def reply(self, reply_token: str, texts: Sequence[LineText]) -> bool: ...

    def issue_link_token(self, user_id: str) -> str | None: ...


@dataclass(frozen=True)
class Inbound:
    """What acting on events needs besides them: the settings, the runtime (the sealer for
    requests' text) and LINE's API (None: nothing is answered)."""

    settings: Settings
    runtime: Runtime
    line: LineApi | None


@dataclass(frozen=True)
class WebhookEvent:
    """What is used of one event: its id and type (`follow`, `accountLink`, ...), the LINE
    user it came from, and an `accountLink`'s result and nonce."""

    event_id: str
    kind: str
    user_id: str | None = None
    link_result: str | None = None
    link_nonce: str | None = None
    reply_token: str | None = None
    postback_data: str | None = None
    text: str | None = None
    """A text message's words (None for other messages and events)."""


async def take_in(events: list[WebhookEvent], now: datetime) -> list[WebhookEvent]:
    """The events not seen before, each now recorded (id, type and time only)."""
    new = []
    for event in events:
        if await store.take_in(event.event_id[:MAX_EVENT_ID], event.kind[:MAX_KIND], now):
            new.append(event)
    return new


async def act_on(events: list[WebhookEvent], now: datetime, inbound: Inbound) -> None:
    """Do what new events ask for; one failing does not stop the others."""
    for event in events:
        try:
            await _act(event, now, inbound)
        except Exception:
            log.exception("acting on LINE event %s (%s) failed", event.event_id, event.kind)


async def _act(event: WebhookEvent, now: datetime, inbound: Inbound) -> None:
    user = event.user_id
    if not user:
        return  # from a group or a room: not a person we can link
    if event.kind == "accountLink":
        linked = await _account_link(event, now, inbound.settings)
        await _reply(inbound, event, linked_confirmation() if linked else link_failed())
    elif event.kind == "unfollow":
        await unlink(user, now, "unfollow")
    elif event.kind == "follow":
        await _invite(inbound, event, user)
    elif event.kind == "postback" and event.postback_data is not None:
        answer = await line_requests.on_postback(
            user, event.postback_data, now, inbound.runtime, inbound.settings
        )
        if answer is not None:
            await _reply(inbound, event, [answer])
    elif event.kind == "message":
        if await store.linked_person(user) is None:
            await _invite(inbound, event, user)
        elif event.text is not None:
            answer = await line_requests.on_text(
                user, event.text, now, inbound.runtime, inbound.settings
            )
            if answer is not None:
                await _reply(inbound, event, [answer])


async def _invite(inbound: Inbound, event: WebhookEvent, user_id: str) -> None:
    """Answer with a button to our identification page, carrying a fresh link token."""
    if inbound.line is None:
        return
    token = await asyncio.to_thread(inbound.line.issue_link_token, user_id)
    if token is None:
        await _reply(inbound, event, link_not_available())
        return
    url = f"{inbound.settings.public_base_url}{LINK_PAGE}?{urlencode({'linkToken': token})}"
    await _reply(inbound, event, link_invitation(url))


async def _reply(inbound: Inbound, event: WebhookEvent, texts: list[LineText]) -> None:
    if inbound.line is not None and event.reply_token:
        await asyncio.to_thread(inbound.line.reply, event.reply_token, texts)


async def identify_for_line(
    visit: links.Visit, date_of_birth: str, national_id_last4: str, link_token: str
) -> str:
    """Check-in's identification (the code of a working link from the person's SMS, their
    date of birth and the last four ID digits, under the same limits), then a nonce for the
    person: the address of LINE's account-link dialog to send them to."""
    await links.identify(visit, date_of_birth, national_id_last4)
    row = await links.find(visit)
    nonce = await start_link(row["defendant_id"], visit.now)
    await visit.audit("line.link_started", row["defendant_id"], {}, entity="defendant")
    return f"{LINE_ACCOUNT_LINK}?{urlencode({'linkToken': link_token, 'nonce': nonce})}"


async def start_link(defendant_id: int, now: datetime) -> str:
    """A fresh nonce for the person's account link (after they passed identification)."""
    nonce = secrets.token_urlsafe(24)
    await store.create_link(nonce, defendant_id, now, now + timedelta(minutes=LINK_MINUTES))
    return nonce


async def _account_link(event: WebhookEvent, now: datetime, settings: Settings) -> bool:
    """Link the LINE user to the person the nonce was given for; whether it did."""
    if event.link_result != "ok" or not event.link_nonce or not event.user_id:
        log.info("LINE account link not completed (%s)", event.link_result)
        return False
    defendant_id = await store.use_link(event.link_nonce[:64], now)
    if defendant_id is None:
        log.warning("LINE account link with a nonce that is unknown, used or expired")
        return False
    await store.link_account(defendant_id, event.user_id, now)
    await audit.record_system("line.linked", "defendant", defendant_id, now, actor=ACTOR)
    await notices.line_linked(settings, now, defendant_id)
    return True


async def unlink(user_id: str, now: datetime, why: str) -> int | None:
    """Remove the LINE user's link; the person it was linked to (audited), or None."""
    defendant_id = await store.unlink_user(user_id)
    if defendant_id is not None:
        await audit.record_system(
            "line.unlinked", "defendant", defendant_id, now, {"why": why}, actor=ACTOR
        )
    return defendant_id
