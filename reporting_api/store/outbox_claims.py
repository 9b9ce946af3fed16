"""The dispatcher's hold on outbox rows: claim due ones, load what wording them needs, record
what became of each try.

While a dispatcher holds a row it is `sending` with `claimed_by` and `lease_until`;
`next_attempt_at` then equals the lease end, so one partial index on `next_attempt_at` finds
both due rows and lapsed claims.

A row left `sending` without a claimer means "we may have sent it and do not know": the next
dispatcher that takes it asks Twilio before sending again (scheduler/dispatch.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from reporting_api.db import is_postgres
from reporting_api.store import transaction
from reporting_api.store.outbox import DELIVERED, FAILED, QUEUED, SENDING, SENT, UNDELIVERED
from reporting_api.tables import Reminder


def _engine() -> Any:
    return Reminder._meta.db


def _postgres() -> bool:
    return is_postgres(_engine())


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join("{}" for _ in values)


def _to_date(value: Any) -> date | None:
    # A computed column (max(due_date)) comes back from SQLite as text.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def claim_due_reminders(
    now: datetime, *, claimer: str, lease_until: datetime, limit: int
) -> list[dict[str, Any]]:
    """Take up to ``limit`` reminders that are due, or whose claim lapsed, for ``claimer``.

    Returns ``{"id", "previous_status"}`` per row; `previous_status` `sending` means an earlier
    try may have reached Twilio. The caller sends only after this transaction has committed.
    """
    if _postgres():
        async with transaction():
            # FOR UPDATE SKIP LOCKED: a second dispatcher must skip rows the first one holds,
            # not wait for them, and never take the same row. The lease (next_attempt_at =
            # lease_until) hands a row back if its claimer dies before recording the outcome.
            return await Reminder.raw(
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
    return [{"id": row["id"], "previous_status": row["status"]} for row in due]


_CONTEXT = """
SELECT r.id, r.kind, r.reference, r.attempts, r.expires_at, r.to_phone, r.body, r.language,
       r.first_attempt_at, r.message_sid, r.check_in AS check_in_id, r."case" AS case_id,
       r.defendant AS defendant_id, r.staff AS staff_id, r.flag AS flag_id, r.office,
       d.phone AS defendant_phone, d.sms_opt_out, d.preferred_language,
       c.status AS check_in_status, c.due_date, c.opens_at, c.due_at AS check_in_due_at,
       c.closes_at, c.code,
       (SELECT max(c2.due_date) FROM check_in c2 WHERE c2."case" = r."case") AS last_due_date,
       bc.status AS case_status, bc.black_case_number,
       o.name_th AS office_name_th, o.name_en AS office_name_en,
       s.phone AS staff_phone, s.active AS staff_active,
       f.acknowledged_at AS flag_acknowledged_at, f.resolved_at AS flag_resolved_at,
       f.raised_at AS flag_raised_at, f.kind AS flag_kind, fc.due_date AS flag_due_date
FROM reminder r
JOIN bail_case bc ON bc.id = r."case"
JOIN office o ON o.id = r.office
LEFT JOIN defendant d ON d.id = r.defendant
LEFT JOIN check_in c ON c.id = r.check_in
LEFT JOIN staff_user s ON s.id = r.staff
LEFT JOIN flag f ON f.id = r.flag
LEFT JOIN check_in fc ON fc.id = f.check_in
"""


async def load_for_sending(reminder_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Claimed rows with everything deciding and wording a message needs, in one query."""
    if not reminder_ids:
        return []
    if _postgres():
        rows = await Reminder.raw(_CONTEXT + "WHERE r.id = ANY({}::int[])", list(reminder_ids))
    else:
        rows = await Reminder.raw(
            _CONTEXT + f"WHERE r.id IN ({_placeholders(reminder_ids)})", *reminder_ids
        )
    for row in rows:
        row["last_due_date"] = _to_date(row["last_due_date"])
        row["due_date"] = _to_date(row["due_date"])
        row["flag_due_date"] = _to_date(row["flag_due_date"])
        for key in ("sms_opt_out", "staff_active"):
            if row[key] is not None:
                row[key] = bool(row[key])
    return rows


async def save_prepared(claimer: str, items: Sequence[dict[str, Any]], now: datetime) -> None:
    """Store, before any send, the number and text of each row about to be tried, and count
    the try. A row whose outcome is later unknown is matched at Twilio by exactly these."""
    if not items:
        return
    if _postgres():
        await Reminder.raw(
            """
            UPDATE reminder AS r
            SET to_phone = u.to_phone, body = u.body, language = u.language,
                attempts = r.attempts + 1, first_attempt_at = COALESCE(r.first_attempt_at, {}),
                updated_at = {}
            FROM unnest({}::int[], {}::text[], {}::text[], {}::text[])
                AS u(id, to_phone, body, language)
            WHERE r.id = u.id AND r.claimed_by = {} AND r.status = 'sending'
            """,
            now,
            now,
            [i["id"] for i in items],
            [i["to_phone"] for i in items],
            [i["body"] for i in items],
            [i["language"] for i in items],
            claimer,
        )
        return
    for item in items:
        await Reminder.raw(
            "UPDATE reminder SET to_phone = {}, body = {}, language = {},"
            " attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, {}),"
            " updated_at = {} WHERE id = {} AND claimed_by = {} AND status = 'sending'",
            item["to_phone"],
            item["body"],
            item["language"],
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


def _still_held(reminder_id: int, claimer: str) -> Any:
    """The row is still this dispatcher's claim: a slow dispatcher whose lease ran out must
    not overwrite the outcome of whoever claimed the row after it."""
    return (
        (Reminder.id == reminder_id)
        & (Reminder.claimed_by == claimer)
        & (Reminder.status == SENDING)
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
    values: dict[Any, Any] = {
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


async def release_claim(
    reminder_id: int, claimer: str, now: datetime, *, undo_attempt: bool
) -> None:
    """Give back a row this claimer did not get to send: due again at once."""
    values: dict[Any, Any] = {
        Reminder.status: QUEUED,
        Reminder.claimed_by: None,
        Reminder.lease_until: None,
        Reminder.next_attempt_at: now,
        Reminder.updated_at: now,
    }
    if undo_attempt:
        values[Reminder.attempts] = Reminder.attempts - 1
    await Reminder.update(values).where(_still_held(reminder_id, claimer))
