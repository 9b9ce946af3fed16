"""The SMS outbox: planning rows, claiming due ones, recording what Twilio said.

A reminder row moves queued -> sending -> sent -> delivered | undelivered | failed, or ends
cancelled (its check-in or case went away) or skipped (at send time there was no reason to
send: opted out, already checked in, blocked number, too late). While a dispatcher holds a row
it is `sending` with `claimed_by` and `lease_until`; `next_attempt_at` then equals the lease end,
so one partial index on `next_attempt_at` finds both due rows and lapsed claims.

A row left `sending` without a claimer means "we may have sent it and do not know": the next
dispatcher that takes it asks Twilio before sending again (scheduler/dispatch.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from reporting_api.db import is_postgres
from reporting_api.store import fetch_page, transaction
from reporting_api.tables import CheckIn, OfficeReminderSettings, Reminder, SmsBlockedNumber

QUEUED, SENDING, SENT = "queued", "sending", "sent"
DELIVERED, UNDELIVERED, FAILED = "delivered", "undelivered", "failed"
CANCELLED, SKIPPED = "cancelled", "skipped"
UNSENT = (QUEUED,)
FINAL = (SENT, DELIVERED, UNDELIVERED, FAILED, CANCELLED, SKIPPED)
# Delivery news only moves forward: a late "sent" callback never undoes "delivered".
DELIVERY_RANK = {QUEUED: 0, SENDING: 1, SENT: 2, DELIVERED: 3, UNDELIVERED: 3, FAILED: 3}


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


# --- office settings ----------------------------------------------------------------------


async def get_office_settings(office_id: int) -> dict[str, Any] | None:
    return (
        await OfficeReminderSettings.select()
        .where(OfficeReminderSettings.office == office_id)
        .first()
    )


async def save_office_settings(office_id: int, values: dict[str, Any]) -> None:
    """Insert the office's settings or replace the ones it has."""
    query = OfficeReminderSettings.exists().where(OfficeReminderSettings.office == office_id)
    if await query:
        await OfficeReminderSettings.update(values).where(
            OfficeReminderSettings.office == office_id
        )
    else:
        await OfficeReminderSettings.insert(OfficeReminderSettings(office=office_id, **values))


# --- planning -----------------------------------------------------------------------------


async def insert_reminders(rows: list[dict[str, Any]]) -> int:
    """Insert planned rows; a (check_in, kind) or (flag, kind) that exists is left alone, so a
    sent reminder is never planned again. Returns how many rows were new."""
    if not rows:
        return 0
    inserted = (
        await Reminder.insert(*(Reminder(**row) for row in rows))
        .on_conflict(action="DO NOTHING")
        .returning(Reminder.id)
    )
    return len(inserted)


async def reminders_of_check_ins(check_in_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not check_in_ids:
        return []
    return await Reminder.select(
        Reminder.id, Reminder.check_in, Reminder.kind, Reminder.status, Reminder.attempts
    ).where(Reminder.check_in.is_in(list(check_in_ids)))


async def reschedule_unsent(
    reminder_id: int, due_at: datetime, expires_at: datetime, now: datetime
) -> None:
    """Move a reminder that was never tried to its new time."""
    await Reminder.update(
        {
            Reminder.due_at: due_at,
            Reminder.next_attempt_at: due_at,
            Reminder.expires_at: expires_at,
            Reminder.updated_at: now,
        }
    ).where((Reminder.id == reminder_id) & (Reminder.status == QUEUED) & (Reminder.attempts == 0))


async def cancel_unsent(reminder_ids: Sequence[int], now: datetime, reason: str) -> int:
    """Cancel the given reminders that are still only queued; returns how many."""
    if not reminder_ids:
        return 0
    rows = (
        await Reminder.update(
            {
                Reminder.status: CANCELLED,
                Reminder.error_message: reason,
                Reminder.updated_at: now,
            }
        )
        .where(Reminder.id.is_in(list(reminder_ids)) & (Reminder.status == QUEUED))
        .returning(Reminder.id)
    )
    return len(rows)


async def cancel_unsent_for_check_ins(
    check_in_ids: Sequence[int], now: datetime, reason: str
) -> int:
    if not check_in_ids:
        return 0
    rows = (
        await Reminder.update(
            {Reminder.status: CANCELLED, Reminder.error_message: reason, Reminder.updated_at: now}
        )
        .where(Reminder.check_in.is_in(list(check_in_ids)) & (Reminder.status == QUEUED))
        .returning(Reminder.id)
    )
    return len(rows)


async def cancel_unsent_for_case(case_id: int, now: datetime, reason: str) -> int:
    rows = (
        await Reminder.update(
            {Reminder.status: CANCELLED, Reminder.error_message: reason, Reminder.updated_at: now}
        )
        .where((Reminder.case == case_id) & (Reminder.status == QUEUED))
        .returning(Reminder.id)
    )
    return len(rows)


async def list_for_case(case_id: int, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    query = Reminder.select().order_by(Reminder.due_at).order_by(Reminder.id)
    return await fetch_page(query, Reminder.count(), [Reminder.case == case_id], offset, limit)


# --- dispatch -----------------------------------------------------------------------------


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


async def blocked_among(phones: Iterable[str]) -> set[str]:
    """Which of ``phones`` Twilio refused for good."""
    phones = sorted({p for p in phones if p})
    if not phones:
        return set()
    rows = await SmsBlockedNumber.select(SmsBlockedNumber.phone).where(
        SmsBlockedNumber.phone.is_in(phones)
    )
    return {row["phone"] for row in rows}


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


async def block_number(
    phone: str, *, error_code: int, error_message: str, reminder_id: int | None, now: datetime
) -> bool:
    """Never send to ``phone`` again; returns False if it was blocked already."""
    rows = (
        await SmsBlockedNumber.insert(
            SmsBlockedNumber(
                phone=phone,
                error_code=error_code,
                error_message=error_message[:500],
                reminder=reminder_id,
                blocked_at=now,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(SmsBlockedNumber.id)
    )
    return bool(rows)


async def get_blocked_number(phone: str) -> dict[str, Any] | None:
    return await SmsBlockedNumber.select().where(SmsBlockedNumber.phone == phone).first()


# --- delivery status ------------------------------------------------------------------------


async def find_by_reference(reference: str) -> dict[str, Any] | None:
    return await Reminder.select().where(Reminder.reference == reference).first()


async def find_by_sid(message_sid: str) -> dict[str, Any] | None:
    return await Reminder.select().where(Reminder.message_sid == message_sid).first()


async def record_delivery(
    reminder_id: int,
    *,
    from_status: str,
    status: str,
    message_sid: str,
    error_code: int | None,
    error_message: str | None,
    now: datetime,
) -> bool:
    """Move a row from ``from_status`` to what Twilio reported (compare-and-set, so two
    callbacks racing cannot move it backwards). Returns whether the row changed."""
    values: dict[Any, Any] = {
        Reminder.status: status,
        Reminder.message_sid: message_sid,
        Reminder.updated_at: now,
        Reminder.claimed_by: None,
        Reminder.lease_until: None,
    }
    if status == DELIVERED:
        values[Reminder.delivered_at] = now
    if status in (UNDELIVERED, FAILED):
        values[Reminder.error_code] = error_code
        values[Reminder.error_message] = (error_message or "")[:500]
    if from_status in (QUEUED, SENDING):
        values[Reminder.sent_at] = now
    rows = (
        await Reminder.update(values)
        .where((Reminder.id == reminder_id) & (Reminder.status == from_status))
        .returning(Reminder.id)
    )
    return bool(rows)


async def count_by_status() -> dict[str, int]:
    rows = await Reminder.raw("SELECT status, count(*) AS n FROM reminder GROUP BY status")
    return {row["status"]: row["n"] for row in rows}


async def check_in_for_link(code: str) -> dict[str, Any] | None:
    """The check-in an SMS link names, with its office (what the link page shows)."""
    return (
        await CheckIn.select(
            CheckIn.id,
            CheckIn.due_date,
            CheckIn.status,
            CheckIn.office.name_th.as_alias("office_name_th"),
            CheckIn.office.name_en.as_alias("office_name_en"),
            CheckIn.office.phone.as_alias("office_phone"),
        )
        .where(CheckIn.code == code)
        .first()
    )
