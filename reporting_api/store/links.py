"""Queries behind the SMS check-in link: the check-in a code names, identification tries,
sessions of identified people, the challenges issued to them, and the link's rate limits.

Every limit is taken in the database before the work it guards, by statements that check and
count at once (a conditional UPDATE, an upsert), inside one transaction when two limits apply:
requests arriving together queue on the row (PostgreSQL's row lock, SQLite's write lock), so a
burst cannot pass a limit that each of its requests read before any of them counted.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypedDict

from reporting_api.reminder_schedule import DUE_DAY
from reporting_api.store import row_as, rows_as, transaction
from reporting_api.store.outbox import CANCELLED
from reporting_api.store.rows import CheckInRow, LivenessChallengeRow
from reporting_api.tables import (
    CheckIn,
    CheckInSession,
    IdentifyAttempt,
    LinkLimit,
    LivenessChallenge,
    Reminder,
)

SERIAL_MAX = 2**31 - 1
"""The largest id a `serial` column holds."""
LIMIT_WINDOW = timedelta(hours=1)
"""Every link limit counts in windows of an hour, from the first hit of the window."""

LINK_COLUMNS = (
    *CheckIn.all_columns(),
    CheckIn.case._.defendant._.id.as_alias("defendant_id"),
    CheckIn.case._.defendant._.date_of_birth.as_alias("date_of_birth"),
    CheckIn.case._.defendant._.national_id.as_alias("national_id"),
    CheckIn.case._.defendant._.preferred_language.as_alias("preferred_language"),
    CheckIn.case._.defendant._.sms_opt_out.as_alias("sms_opt_out"),
    CheckIn.office._.name_th.as_alias("office_name_th"),
    CheckIn.office._.name_en.as_alias("office_name_en"),
    CheckIn.office._.phone.as_alias("office_phone"),
)


class LinkRow(CheckInRow):
    """The check-in a link names, with what the page needs of its person and office."""

    defendant_id: int
    date_of_birth: date
    national_id: str
    preferred_language: str
    sms_opt_out: bool
    office_name_th: str
    office_name_en: str
    office_phone: str | None


class NextDue(TypedDict):
    id: int
    due_date: date
    due_at: datetime


async def check_in_by_code(code: str) -> LinkRow | None:
    """The check-in a link code names, with what the page needs of its person and office."""
    return row_as(LinkRow, await CheckIn.select(*LINK_COLUMNS).where(CheckIn.code == code).first())


async def check_in_with_person(check_in_id: int) -> LinkRow | None:
    """A check-in by its id, with what a request on it needs of its person and office (a
    LINE postback names the check-in by id; who pressed it is the linked LINE user). None
    too for an id no `serial` column can hold (PostgreSQL would refuse the query)."""
    if not 0 < check_in_id <= SERIAL_MAX:
        return None
    row = await CheckIn.select(*LINK_COLUMNS).where(CheckIn.id == check_in_id).first()
    return row_as(LinkRow, row)


async def active_check_ins_of(defendant_id: int) -> list[LinkRow]:
    """The check-ins of the person's active cases, by due time."""
    rows = (
        await CheckIn.select(*LINK_COLUMNS)
        .where(
            (CheckIn.case._.defendant._.id == defendant_id) & (CheckIn.case._.status == "active")
        )
        .order_by(CheckIn.due_at)
    )
    return rows_as(LinkRow, rows)


async def next_due_after(case_id: int, after: datetime) -> NextDue | None:
    """The case's next check-in still to come (for "next check-in: ..." on the result)."""
    row = (
        await CheckIn.select(CheckIn.id, CheckIn.due_date, CheckIn.due_at)
        .where(
            (CheckIn.case == case_id)
            & (CheckIn.due_at > after)
            & CheckIn.status.is_in(["upcoming", "open"])
        )
        .order_by(CheckIn.due_at)
        .first()
    )
    return row_as(NextDue, row)


async def first_reminder_at(check_in_id: int) -> datetime | None:
    """When the check-in's first reminder before its due date is (or was) due to go out;
    None when it has none (the person gets no SMS, or every one was cancelled)."""
    row = (
        await Reminder.select(Reminder.due_at)
        .where(
            (Reminder.check_in == check_in_id)
            & ((Reminder.kind == DUE_DAY) | Reminder.kind.like("before_%"))
            & (Reminder.status != CANCELLED)
        )
        .order_by(Reminder.due_at)
        .first()
    )
    return None if row is None else row["due_at"]


async def record_identify(
    check_in_id: int, client_address: str | None, ok: bool, at: datetime
) -> None:
    await IdentifyAttempt.insert(
        IdentifyAttempt(check_in=check_in_id, client_address=client_address, ok=ok, at=at)
    )


def _limit_key(key: str) -> str:
    """A limit's key as stored: its SHA-256, so no code or address is kept in clear."""
    return hashlib.sha256(key.encode()).hexdigest()


async def _hit(key: str, limit: int, now: datetime) -> bool:
    """Count one hit on ``key`` if its hour holds fewer than ``limit``; False (and nothing
    counted) when it is full. One upsert: the check and the count cannot be split."""
    since = now - LIMIT_WINDOW
    rows = await LinkLimit.raw(
        "INSERT INTO link_limit (key, window_start, hits) VALUES ({}, {}, 1) "
        "ON CONFLICT (key) DO UPDATE SET "
        "hits = CASE WHEN link_limit.window_start <= {} THEN 1 ELSE link_limit.hits + 1 END, "
        "window_start = CASE WHEN link_limit.window_start <= {} THEN {} "
        "ELSE link_limit.window_start END "
        "WHERE link_limit.window_start <= {} OR link_limit.hits < {} "
        "RETURNING hits",
        _limit_key(key),
        now,
        since,
        since,
        now,
        since,
        limit,
    )
    return bool(rows)


async def _unhit(key: str) -> None:
    await LinkLimit.raw(
        "UPDATE link_limit SET hits = hits - 1 WHERE key = {} AND hits > 0", _limit_key(key)
    )


class Full(StrEnum):
    """Which limit refused a request."""

    LINK = "link"  # the link's own (wrong answers on it, or presses on it)
    CLIENT = "client"  # the client address's


class _Refused(Exception):
    """Raised inside a transaction to undo the counts taken in it."""


async def take_identify_turn(
    check_in_id: int, max_failures: int, client_key: str | None, client_limit: int, now: datetime
) -> int | Full:
    """Take a place for one answer under both limits before it is compared: the link's
    (`identify_failures` below ``max_failures`` and not locked, counted up at once) and the
    client's (``client_limit`` an hour). Returns the answer's place on the link (the count of
    wrong answers if it is wrong), or which limit refused it; a refused answer counts nowhere.
    A right answer gives its places back (`finish_right_answer`)."""
    try:
        async with transaction(immediate=True):
            rows = await CheckIn.raw(
                "UPDATE check_in SET identify_failures = identify_failures + 1 "
                "WHERE id = {} AND link_locked_at IS NULL AND identify_failures < {} "
                "RETURNING identify_failures",
                check_in_id,
                max_failures,
            )
            if not rows:
                return Full.LINK
            if client_key is not None and not await _hit(client_key, client_limit, now):
                raise _Refused
            return int(rows[0]["identify_failures"])
    except _Refused:
        return Full.CLIENT


async def finish_right_answer(
    check_in_id: int, client_key: str | None, session: dict[str, Any]
) -> bool:
    """Give back a right answer's places and open its session, unless the link locked while
    it was compared (then no session: False). The link's row is updated first, as `lock_link`
    does, so the two queue on it and a lock never misses a session opened beside it."""
    async with transaction(immediate=True):
        rows = await CheckIn.raw(
            "UPDATE check_in SET identify_failures = "
            "CASE WHEN identify_failures > 0 THEN identify_failures - 1 ELSE 0 END "
            "WHERE id = {} RETURNING link_locked_at",
            check_in_id,
        )
        if client_key is not None:
            await _unhit(client_key)
        if not rows or rows[0]["link_locked_at"] is not None:
            return False
        await CheckInSession.insert(CheckInSession(**session))
        return True


async def lock_link(check_in_id: int, at: datetime) -> bool:
    """Lock the link and end its sessions; False when it was locked already (by an answer
    racing this one), so one lock raises one flag."""
    async with transaction(immediate=True):
        rows = await CheckIn.raw(
            "UPDATE check_in SET link_locked_at = {} "
            "WHERE id = {} AND link_locked_at IS NULL RETURNING id",
            at,
            check_in_id,
        )
        if not rows:
            return False
        await CheckInSession.delete().where(CheckInSession.check_in == check_in_id)
        return True


async def take_press(
    link_key: str, link_limit: int, client_key: str | None, client_limit: int, now: datetime
) -> Full | None:
    """Count one press under the client's limit and the link's, both or neither; None when
    both had room, else which refused."""
    try:
        async with transaction(immediate=True):
            if client_key is not None and not await _hit(client_key, client_limit, now):
                return Full.CLIENT
            if not await _hit(link_key, link_limit, now):
                raise _Refused
            return None
    except _Refused:
        return Full.LINK


async def unlock_link(check_in_id: int) -> None:
    await CheckIn.update({CheckIn.link_locked_at: None, CheckIn.identify_failures: 0}).where(
        CheckIn.id == check_in_id
    )


async def find_session(token_hash: str, check_in_id: int, now: datetime) -> bool:
    return await CheckInSession.exists().where(
        (CheckInSession.token_hash == token_hash)
        & (CheckInSession.check_in == check_in_id)
        & (CheckInSession.expires_at > now)
    )


async def create_challenge(values: dict[str, Any]) -> None:
    await LivenessChallenge.insert(LivenessChallenge(**values))


async def get_challenge(token: str, check_in_id: int) -> LivenessChallengeRow | None:
    row = (
        await LivenessChallenge.select()
        .where((LivenessChallenge.token == token) & (LivenessChallenge.check_in == check_in_id))
        .output(load_json=True)
        .first()
    )
    return row_as(LivenessChallengeRow, row)


async def use_challenge(challenge_id: int, now: datetime) -> bool:
    """Mark the challenge used; False when another upload used it first (single use)."""
    rows = await LivenessChallenge.raw(
        "UPDATE liveness_challenge SET used_at = {} WHERE id = {} AND used_at IS NULL RETURNING id",
        now,
        challenge_id,
    )
    return bool(rows)


async def delete_expired(now: datetime) -> int:
    """Housekeeping: sessions and unused challenges past their expiry, and limit counters
    whose hour is over."""
    sessions = (
        await CheckInSession.delete()
        .where(CheckInSession.expires_at < now)
        .returning(CheckInSession.id)
    )
    challenges = (
        await LivenessChallenge.delete()
        .where((LivenessChallenge.expires_at < now) & LivenessChallenge.used_at.is_null())
        .returning(LivenessChallenge.id)
    )
    counters = (
        await LinkLimit.delete()
        .where(LinkLimit.window_start <= now - LIMIT_WINDOW)
        .returning(LinkLimit.id)
    )
    return len(sessions) + len(challenges) + len(counters)


async def delete_identify_attempts(before: datetime) -> int:
    """Identification tries (they hold client addresses) older than ``before``."""
    rows = (
        await IdentifyAttempt.delete()
        .where(IdentifyAttempt.at < before)
        .returning(IdentifyAttempt.id)
    )
    return len(rows)
