"""LINE's webhook events, taken in once each (by LINE's `webhookEventId`).

LINE redelivers an event it could not hand over, and may send one twice; each is recorded
the first time only, and the ones new to us are returned for the work they ask for (linking
an account, a button pressed, a message to the officer: issue 17's next parts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reporting_api.store import line_events as store

MAX_EVENT_ID = 64
MAX_KIND = 32


@dataclass(frozen=True)
class WebhookEvent:
    """What is kept of one event: its id and type (`follow`, `message`, `postback`, ...)."""

    event_id: str
    kind: str


async def take_in(events: list[WebhookEvent], now: datetime) -> list[WebhookEvent]:
    """The events not seen before, each now recorded."""
    new = []
    for event in events:
        if await store.take_in(event.event_id[:MAX_EVENT_ID], event.kind[:MAX_KIND], now):
            new.append(event)
    return new
