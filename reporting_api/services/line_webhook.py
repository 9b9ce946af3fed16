"""LINE's webhook events, taken in once each (by LINE's `webhookEventId`), then acted on.

LINE redelivers an event it could not hand over, and may send one twice; each is recorded
the first time only and acted on then, after the webhook has answered:
- `accountLink` with result `ok` and a nonce we gave (`start_link`: to a person who passed
  identification, alive `LINK_MINUTES`, usable once) links that LINE user to the person; a
  nonce that is unknown, used, expired, or a failed result links nothing;
- `unfollow` (the person blocked or left the Official Account) removes their link, so SMS is
  in charge again (LINE accepts pushes to someone who blocked it and never delivers them).
Each link and unlink is audited. Following, buttons and messages come in issue 17's next
parts."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from reporting_api.store import audit
from reporting_api.store import line_events as store

log = logging.getLogger(__name__)
MAX_EVENT_ID = 64
MAX_KIND = 32
LINK_MINUTES = 10
"""How long a nonce given for the account-link flow stays usable (LINE's link token lives as
long)."""
ACTOR = "line"


@dataclass(frozen=True)
class WebhookEvent:
    """What is used of one event: its id and type (`follow`, `accountLink`, ...), the LINE
    user it came from, and an `accountLink`'s result and nonce."""

    event_id: str
    kind: str
    user_id: str | None = None
    link_result: str | None = None
    link_nonce: str | None = None


async def take_in(events: list[WebhookEvent], now: datetime) -> list[WebhookEvent]:
    """The events not seen before, each now recorded (id, type and time only)."""
    new = []
    for event in events:
        if await store.take_in(event.event_id[:MAX_EVENT_ID], event.kind[:MAX_KIND], now):
            new.append(event)
    return new


async def act_on(events: list[WebhookEvent], now: datetime) -> None:
    """Do what new events ask for; one failing does not stop the others."""
    for event in events:
        try:
            if event.kind == "accountLink":
                await _account_link(event, now)
            elif event.kind == "unfollow" and event.user_id:
                await unlink(event.user_id, now, "unfollow")
        except Exception:
            log.exception("acting on LINE event %s (%s) failed", event.event_id, event.kind)


async def start_link(defendant_id: int, now: datetime) -> str:
    """A fresh nonce for the person's account link (after they passed identification)."""
    nonce = secrets.token_urlsafe(24)
    await store.create_link(nonce, defendant_id, now, now + timedelta(minutes=LINK_MINUTES))
    return nonce


async def _account_link(event: WebhookEvent, now: datetime) -> None:
    if event.link_result != "ok" or not event.link_nonce or not event.user_id:
        log.info("LINE account link not completed (%s)", event.link_result)
        return
    defendant_id = await store.use_link(event.link_nonce[:64], now)
    if defendant_id is None:
        log.warning("LINE account link with a nonce that is unknown, used or expired")
        return
    await store.link_account(defendant_id, event.user_id, now)
    await audit.record_system("line.linked", "defendant", defendant_id, now, actor=ACTOR)


async def unlink(user_id: str, now: datetime, why: str) -> int | None:
    """Remove the LINE user's link; the person it was linked to (audited), or None."""
    defendant_id = await store.unlink_user(user_id)
    if defendant_id is not None:
        await audit.record_system(
            "line.unlinked", "defendant", defendant_id, now, {"why": why}, actor=ACTOR
        )
    return defendant_id
