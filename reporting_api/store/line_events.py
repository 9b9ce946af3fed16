"""LINE: webhook events taken in (one row an event id, so a redelivery is seen as one), the
nonces of the account-link flow, and the linked accounts."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from reporting_api.store import row_as, transaction
from reporting_api.tables import LineAccount, LineEvent, LineLink


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


# --- linked accounts and the nonces of the account-link flow ----------------------------


async def create_link(nonce: str, defendant_id: int, at: datetime, expires_at: datetime) -> None:
    await LineLink.insert(
        LineLink(nonce=nonce, defendant=defendant_id, created_at=at, expires_at=expires_at)
    )


async def use_link(nonce: str, at: datetime) -> int | None:
    """The person a live, unused nonce was given for, the nonce now used; else None.

    One conditional update decides, so the same nonce brought back twice (two LINE users
    racing with one stolen link) links one account at most."""
    rows = (
        await LineLink.update({LineLink.used_at: at})
        .where((LineLink.nonce == nonce) & LineLink.used_at.is_null() & (LineLink.expires_at > at))
        .returning(LineLink.defendant)
    )
    return int(rows[0]["defendant"]) if rows else None


async def link_account(defendant_id: int, user_id: str, at: datetime) -> None:
    """Link ``user_id`` to the person, in place of any account either had."""
    async with transaction(immediate=True):
        await LineAccount.delete().where(
            (LineAccount.defendant == defendant_id) | (LineAccount.user_id == user_id)
        )
        await LineAccount.insert(LineAccount(defendant=defendant_id, user_id=user_id, linked_at=at))


async def unlink_user(user_id: str) -> int | None:
    """Remove the LINE user's link; the person it was linked to, or None."""
    rows = (
        await LineAccount.delete()
        .where(LineAccount.user_id == user_id)
        .returning(LineAccount.defendant)
    )
    return int(rows[0]["defendant"]) if rows else None


class LineAccountRow(TypedDict):
    user_id: str
    linked_at: datetime


async def line_account_of(defendant_id: int) -> LineAccountRow | None:
    """The person's linked LINE account, or None."""
    row = (
        await LineAccount.select(LineAccount.user_id, LineAccount.linked_at)
        .where(LineAccount.defendant == defendant_id)
        .first()
    )
    return row_as(LineAccountRow, row)


async def linked_person(user_id: str) -> int | None:
    """The person the LINE user is linked to, or None."""
    row = (
        await LineAccount.select(LineAccount.defendant)
        .where(LineAccount.user_id == user_id)
        .first()
    )
    return None if row is None else int(row["defendant"])


async def unlink_person(defendant_id: int) -> str | None:
    """Remove the person's link; the LINE user it was, or None when there was none.

    One delete decides, so two officers unlinking at once remove it once and the second is
    told there was nothing to unlink."""
    rows = (
        await LineAccount.delete()
        .where(LineAccount.defendant == defendant_id)
        .returning(LineAccount.user_id)
    )
    return str(rows[0]["user_id"]) if rows else None
