"""Queries behind the SMS check-in link: the check-in a code names, identification tries,
sessions of identified people, and the challenges issued to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from reporting_api.store import row_as
from reporting_api.store.rows import CheckInRow, LivenessChallengeRow
from reporting_api.tables import (
    CheckIn,
    CheckInSession,
    IdentifyAttempt,
    LivenessChallenge,
)

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


async def record_identify(
    check_in_id: int, client_address: str | None, ok: bool, at: datetime
) -> None:
    await IdentifyAttempt.insert(
        IdentifyAttempt(check_in=check_in_id, client_address=client_address, ok=ok, at=at)
    )


async def count_client_failures(client_address: str | None, since: datetime) -> int:
    if client_address is None:
        return 0
    return await IdentifyAttempt.count().where(
        (IdentifyAttempt.client_address == client_address)
        & (IdentifyAttempt.ok == False)  # noqa: E712 - a SQL comparison, not Python's
        & (IdentifyAttempt.at >= since)
    )


async def add_identify_failure(check_in_id: int) -> int:
    """Count one more wrong answer on the link; returns the new count (one UPDATE, so two
    requests at once cannot both read the old count)."""
    rows = await CheckIn.raw(
        "UPDATE check_in SET identify_failures = identify_failures + 1 WHERE id = {} "
        "RETURNING identify_failures",
        check_in_id,
    )
    return int(rows[0]["identify_failures"])


async def lock_link(check_in_id: int, at: datetime) -> None:
    await CheckIn.update({CheckIn.link_locked_at: at}).where(CheckIn.id == check_in_id)


async def unlock_link(check_in_id: int) -> None:
    await CheckIn.update({CheckIn.link_locked_at: None, CheckIn.identify_failures: 0}).where(
        CheckIn.id == check_in_id
    )


async def create_session(values: dict[str, Any]) -> None:
    await CheckInSession.insert(CheckInSession(**values))


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
    """Housekeeping: sessions and unused challenges past their expiry."""
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
    return len(sessions) + len(challenges)


async def delete_identify_attempts(before: datetime) -> int:
    """Identification tries (they hold client addresses) older than ``before``."""
    rows = (
        await IdentifyAttempt.delete()
        .where(IdentifyAttempt.at < before)
        .returning(IdentifyAttempt.id)
    )
    return len(rows)
