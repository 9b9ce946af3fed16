"""The dispatcher's hold on outbox rows: claim due ones, store what is about to be sent, record
what became of each try (what wording them needs is read by `outbox_context`).

While a dispatcher holds a row it is `sending` with `claimed_by` and `lease_until`;
`next_attempt_at` then equals the lease end, so one partial index on `next_attempt_at` finds
both due rows and lapsed claims.

A row left `sending` without a claimer means "we may have sent it and do not know": the next
dispatcher that takes it asks Twilio before sending again (scheduler/dispatch.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NotRequired, TypedDict

from piccolo.columns import Column
from piccolo.columns.combination import Combinable
from piccolo.engine.base import Engine

from reporting_api.db import is_postgres
from reporting_api.store import rows_as, transaction
from reporting_api.store.outbox import DELIVERED, FAILED, QUEUED, SENDING, SENT, UNDELIVERED
from reporting_api.tables import Reminder


class Claimed(TypedDict):
    """A row this claimer now holds, and its status before the claim."""

    id: int
    previous_status: str


class Prepared(TypedDict):
    """The number (or, for an e-mail, the address), text and language a claimed row is about
    to be sent with."""

    id: int
    to_phone: str | None
    to_email: NotRequired[str | None]
    body: str
    language: str
    channel: NotRequired[str]
    """`line` when the row is about to be pushed on LINE (``to_phone`` is then the SMS
    fallback's number); other rows keep their channel."""
    line_user: NotRequired[str | None]


def _engine() -> Engine:
    return Reminder._meta.db


def _postgres() -> bool:
    return is_postgres(_engine())


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join("{}" for _ in values)


async def claim_due_reminders(
    now: datetime, *, claimer: str, lease_until: datetime, limit: int
) -> list[Claimed]:
    """Take up to ``limit`` reminders that are due, or whose claim lapsed, for ``claimer``.

    Returns ``{"id", "previous_status"}`` per row; `previous_status` `sending` means an earlier
    try may have reached Twilio. The caller sends only after this transaction has committed.
    """
    if _postgres():
        async with transaction():
            # FOR UPDATE SKIP LOCKED: a second dispatcher must skip rows the first one holds,
            # not wait for them, and never take the same row. The lease (next_attempt_at =
            # lease_until) hands a row back if its claimer dies before recording the outcome.
            claimed = await Reminder.raw(
                """
                WITH due AS (
                    SELECT id, status FROM reminder
                    WHERE status IN ('queued', 'sending') AND next_attempt_at <= {}
                    ORDER BY next_attempt_at
                    LIMIT {}
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE reminder AS r
                SET status = 'sending', claimed_by = {}, lease_until = {},
                    next_attempt_at = {}, updated_at = {}
                FROM due WHERE r.id = due.id
                RETURNING r.id, due.status AS previous_status
                """,
                now,
                limit,
                claimer,
                lease_until,
                lease_until,
                now,
            )
            return rows_as(Claimed, claimed)
    # SQLite has no row locks: BEGIN IMMEDIATE takes the database's write lock before the
    # SELECT, so a second dispatcher waits for this claim to commit and then sees the rows
    # already `sending` with a live lease.
    async with transaction(immediate=True):
        due = await Reminder.raw(
            "SELECT id, status FROM reminder WHERE status IN ('queued', 'sending')"
            " AND next_attempt_at <= {} ORDER BY next_attempt_at LIMIT {}",
            now,
            limit,
        )
        if not due:
            return []
        ids = [row["id"] for row in due]
        await Reminder.raw(
            "UPDATE reminder SET status = 'sending', claimed_by = {}, lease_until = {},"
            f" next_attempt_at = {{}}, updated_at = {{}} WHERE id IN ({_placeholders(ids)})",
            claimer,
            lease_until,
            lease_until,
            now,
            *ids,
        )
    return [Claimed(id=row["id"], previous_status=row["status"]) for row in due]


async def save_prepared(claimer: str, items: Sequence[Prepared], now: datetime) -> None:
    """Store, before any send, the number and text of each row about to be tried, and count
    the try. A row whose outcome is later unknown is matched at Twilio by exactly these."""
    if not items:
        return
    if _postgres():
        await Reminder.raw(
            """
            UPDATE reminder AS r
            SET to_phone = u.to_phone, to_email = u.to_email, body = u.body,
                language = u.language, attempts = r.attempts + 1,
                channel = COALESCE(u.channel, r.channel),
                line_user = COALESCE(u.line_user, r.line_user),
                first_attempt_at = COALESCE(r.first_attempt_at, {}), updated_at = {}
            FROM unnest({}::int[], {}::text[], {}::text[], {}::text[], {}::text[],
                        {}::text[], {}::text[])
                AS u(id, to_phone, to_email, body, language, channel, line_user)
            WHERE r.id = u.id AND r.claimed_by = {} AND r.status = 'sending'
            """,
            now,
            now,
            [i["id"] for i in items],
            [i["to_phone"] for i in items],
            [i.get("to_email") for i in items],
            [i["body"] for i in items],
            [i["language"] for i in items],
            [i.get("channel") for i in items],
            [i.get("line_user") for i in items],
            claimer,
        )
        return
    for item in items:
        await Reminder.raw(
            "UPDATE reminder SET to_phone = {}, to_email = {}, body = {}, language = {},"
            " attempts = attempts + 1, channel = COALESCE({}, channel),"
            " line_user = COALESCE({}, line_user),"
            " first_attempt_at = COALESCE(first_attempt_at, {}),"
            " updated_at = {} WHERE id = {} AND claimed_by = {} AND status = 'sending'",
            item["to_phone"],
            item.get("to_email"),
            item["body"],
            item["language"],
            item.get("channel"),
            item.get("line_user"),
            now,
            now,
            item["id"],
            claimer,
        )


async def mark_reminders_sent(claimer: str, sent: Sequence[tuple[int, str]], now: datetime) -> int:
    """Record the message SID of each row Twilio accepted; returns how many rows changed.

    Only rows this claimer still holds change: a row whose lease lapsed belongs to someone
    else now, and a row a status callback already moved on keeps what the callback wrote.
    """
    if not sent:
        return 0
    if _postgres():
        rows = await Reminder.raw(
            """
            UPDATE reminder AS r
            SET status = 'sent', message_sid = u.sid, sent_at = {}, updated_at = {},
                lease_until = NULL, error_code = NULL, error_message = NULL
            FROM unnest({}::int[], {}::text[]) AS u(id, sid)
            WHERE r.id = u.id AND r.claimed_by = {} AND r.status = 'sending'
            RETURNING r.id
            """,
            now,
            now,
            [i for i, _ in sent],
            [sid for _, sid in sent],
            claimer,
        )
        return len(rows)
    changed = 0
    for reminder_id, sid in sent:
        rows = await Reminder.raw(
            "UPDATE reminder SET status = 'sent', message_sid = {}, sent_at = {}, updated_at = {},"
            " lease_until = NULL, error_code = NULL, error_message = NULL"
            " WHERE id = {} AND claimed_by = {} AND status = 'sending' RETURNING id",
            sid,
            now,
            now,
            reminder_id,
            claimer,
        )
        changed += len(rows)
    return changed


def _still_held(reminder_id: int, claimer: str) -> Combinable:
    """The row is still this dispatcher's claim: a slow dispatcher whose lease ran out must
    not overwrite the outcome of whoever claimed the row after it."""
    return (
        (Reminder.id == reminder_id)
        & (Reminder.claimed_by == claimer)
        & (Reminder.status == SENDING)
    )


async def record_line_answer(reminder_id: int, claimer: str, channel: str, answer: str) -> None:
    """What LINE answered the row's push (`sent`, `refused`, `quota`, `unavailable`) and the
    channel the row ends on: `line`, or `sms` when LINE refused it or the month's quota is
    used up and the SMS went instead. Recorded before the row's outcome, in its transaction."""
    await Reminder.update({Reminder.channel: channel, Reminder.line_outcome: answer}).where(
        _still_held(reminder_id, claimer)
    )


async def mark_reminder_found(
    reminder_id: int, claimer: str, sid: str, status: str, now: datetime
) -> None:
    """An earlier try did reach Twilio (found by reconciliation): record it, send nothing."""
    await Reminder.update(
        {
            Reminder.status: status if status in (DELIVERED, UNDELIVERED, FAILED) else SENT,
            Reminder.message_sid: sid,
            Reminder.sent_at: now,
            Reminder.lease_until: None,
            Reminder.updated_at: now,
        }
    ).where(_still_held(reminder_id, claimer))


async def mark_reminder_retry(
    reminder_id: int,
    claimer: str,
    *,
    next_attempt_at: datetime,
    outcome_unknown: bool,
    error_code: int | None,
    error_message: str,
    now: datetime,
) -> None:
    """Try again at ``next_attempt_at``. If the failed call may still have reached Twilio
    (a timeout, a dropped connection, a 5xx) the row stays `sending` with no claimer, so
    whoever takes it next asks Twilio first."""
    await Reminder.update(
        {
            Reminder.status: SENDING if outcome_unknown else QUEUED,
            Reminder.claimed_by: None,
            Reminder.lease_until: next_attempt_at if outcome_unknown else None,
            Reminder.next_attempt_at: next_attempt_at,
            Reminder.error_code: error_code,
            Reminder.error_message: error_message[:500],
            Reminder.updated_at: now,
        }
    ).where(_still_held(reminder_id, claimer))


async def mark_reminder_done(
    reminder_id: int,
    claimer: str,
    *,
    status: str,
    error_code: int | None,
    error_message: str,
    now: datetime,
    undo_attempt: bool = False,
) -> None:
    """End a claimed row without a send: failed, skipped or cancelled, with the reason."""
    values: dict[Column | str, Any] = {
        Reminder.status: status,
        Reminder.claimed_by: None,
        Reminder.lease_until: None,
        Reminder.error_code: error_code,
        Reminder.error_message: error_message[:500],
        Reminder.updated_at: now,
    }
    if undo_attempt:
        values[Reminder.attempts] = Reminder.attempts - 1
    await Reminder.update(values).where(_still_held(reminder_id, claimer))


async def renew_claims(reminder_ids: Sequence[int], claimer: str, lease_until: datetime) -> int:
    """Extend this claimer's hold on the rows it still holds (the dispatcher's heartbeat);
    a row whose lease another claimer took over, or already recorded, is left alone. How many
    were renewed."""
    if not reminder_ids:
        return 0
    rows = (
        await Reminder.update(
            {Reminder.lease_until: lease_until, Reminder.next_attempt_at: lease_until}
        )
        .where(
            Reminder.id.is_in(list(reminder_ids))
            & (Reminder.claimed_by == claimer)
            & (Reminder.status == SENDING)
        )
        .returning(Reminder.id)
    )
    return len(rows)


async def release_claim(
    reminder_id: int, claimer: str, now: datetime, *, undo_attempt: bool
) -> None:
    """Give back a row this claimer did not get to send: due again at once."""
    values: dict[Column | str, Any] = {
        Reminder.status: QUEUED,
        Reminder.claimed_by: None,
        Reminder.lease_until: None,
        Reminder.next_attempt_at: now,
        Reminder.updated_at: now,
    }
    if undo_attempt:
        values[Reminder.attempts] = Reminder.attempts - 1
    await Reminder.update(values).where(_still_held(reminder_id, claimer))
