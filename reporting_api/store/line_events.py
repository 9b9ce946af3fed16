"""LINE webhook events taken in: one row an event id, so a redelivery is seen as one."""

from __future__ import annotations

from datetime import datetime

from reporting_api.tables import LineEvent


async def take_in(event_id: str, kind: str, at: datetime) -> bool:
    """Record the event; False when it was already taken in.

    The unique index on event_id decides in the same statement, so two deliveries of one
    event racing on two replicas still record it once."""
    rows = (
        await LineEvent.insert(LineEvent(event_id=event_id, kind=kind, received_at=at))
        .on_conflict(target=LineEvent.event_id, action="DO NOTHING")
        .returning(LineEvent.id)
    )
    return bool(rows)


async def purge_before(cutoff: datetime) -> int:
    """Forget the events received before ``cutoff``; how many."""
    rows = await LineEvent.delete().where(LineEvent.received_at < cutoff).returning(LineEvent.id)
    return len(rows)
