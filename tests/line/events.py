"""Webhook events as LINE sends them (`webhook.yml`), for the LINE tests."""

from __future__ import annotations

from typing import Any

BOT = "U" + "0" * 32
PERSON = "U" + "1" * 32


def event(
    kind: str, event_id: str, user: str = PERSON, redelivery: bool = False, **fields: Any
) -> dict[str, Any]:
    """One event of ``kind`` from ``user``, with the fields its type adds (``replyToken``,
    ``follow``, ``link``, ...)."""
    return {
        "type": kind,
        "mode": "active",
        "timestamp": 1_764_800_000_000,
        "source": {"type": "user", "userId": user},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": redelivery},
        **fields,
    }
