"""Queries on verification attempts (uploaded recordings) and their evidence frames."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from piccolo.columns.combination import WhereRaw

from reporting_api.statuses import CheckInStatusName
from reporting_api.store import columns, fetch_page, row_as, rows_as
from reporting_api.store.rows import AttemptRow, EvidenceFrameRow
from reporting_api.tables import EvidenceFrame, VerificationAttempt

A = VerificationAttempt
# Everything but the sealed upload, which only the verifier reads.
COLUMNS = tuple(c for c in A.all_columns() if c._meta.name != "media")
REVIEW_COLUMNS = (
    *COLUMNS,
    A.case._.defendant._.id.as_alias("defendant_id"),
    A.case._.defendant._.title_th.as_alias("defendant_title_th"),
    A.case._.defendant._.first_name_th.as_alias("defendant_first_name_th"),
    A.case._.defendant._.last_name_th.as_alias("defendant_last_name_th"),
    A.check_in._.due_date.as_alias("due_date"),
    A.check_in._.status.as_alias("check_in_status"),
    A.challenge._.steps.as_alias("challenge_steps"),
    A.challenge._.left_out.as_alias("challenge_left_out"),
)


class ReviewRow(AttemptRow):
    """An attempt with its person, its check-in and the challenge it answered."""

    defendant_id: int
    defendant_title_th: str
    defendant_first_name_th: str
    defendant_last_name_th: str
    due_date: date
    check_in_status: CheckInStatusName
    challenge_steps: list[dict[str, Any]] | None
    challenge_left_out: dict[str, str] | None


class MediaRow(TypedDict):
    """What the verifier needs: the sealed upload and the challenge it answered."""

    id: int
    check_in: int
    idempotency_key: str
    media_kind: str
    media: bytes | None
    state: str
    defendant_id: int
    steps: list[dict[str, Any]] | None
    challenge_token: str | None


class FrameInfoRow(TypedDict):
    """An evidence frame without its image."""

    id: int
    position: int
    t: float
    width: int
    height: int
    created_at: datetime


async def find_by_key(check_in_id: int, key: str) -> AttemptRow | None:
    row = (
        await A.select(*COLUMNS)
        .where((A.check_in == check_in_id) & (A.idempotency_key == key))
        .output(load_json=True)
        .first()
    )
    return row_as(AttemptRow, row)


async def insert_attempt(values: dict[str, Any]) -> int:
    rows = await A.insert(A(**values)).returning(A.id)
    return int(rows[0]["id"])


async def get_attempt(attempt_id: int) -> AttemptRow | None:
    query = A.select(*COLUMNS).where(A.id == attempt_id).output(load_json=True)
    return row_as(AttemptRow, await query.first())


async def load_media(attempt_id: int) -> MediaRow | None:
    row = (
        await A.select(
            A.id,
            A.check_in,
            A.idempotency_key,
            A.media_kind,
            A.media,
            A.state,
            A.case._.defendant._.id.as_alias("defendant_id"),
            A.challenge._.steps.as_alias("steps"),
            A.challenge._.token.as_alias("challenge_token"),
        )
        .where(A.id == attempt_id)
        .output(load_json=True)
        .first()
    )
    return row_as(MediaRow, row)


async def take_over(
    attempt_id: int, now: datetime, lease_until: datetime, owner: str
) -> int | None:
    """Claim an attempt still processing whose lease has passed, for ``owner``: the tries so
    far, or None if another process claimed it first (one conditional update decides). A
    lease its holder handed back (no owner) costs no try; one that lapsed in a process that
    died counts that run as a try."""
    rows = await A.raw(
        "UPDATE verification_attempt SET lease_until = {}, lease_owner = {}, "
        "tries = tries + CASE WHEN lease_owner IS NULL THEN 0 ELSE 1 END "
        "WHERE id = {} AND state = 'processing' AND (lease_until IS NULL OR lease_until < {}) "
        "RETURNING tries",
        lease_until,
        owner,
        attempt_id,
        now,
    )
    return int(rows[0]["tries"]) if rows else None


async def renew(attempt_id: int, owner: str, lease_until: datetime) -> bool:
    """Extend ``owner``'s lease (the heartbeat); False when the attempt is no longer its own
    (taken over after a lapse, handed back, or finished)."""
    rows = await A.raw(
        "UPDATE verification_attempt SET lease_until = {} "
        "WHERE id = {} AND state = 'processing' AND lease_owner = {} RETURNING id",
        lease_until,
        attempt_id,
        owner,
    )
    return bool(rows)


async def hand_back(owner: str, now: datetime, attempt_ids: Sequence[int] | None = None) -> int:
    """End ``owner``'s leases at once (all of them, or ``attempt_ids``), so another process
    takes them over at its next look without counting a try; how many."""
    if attempt_ids is not None and not attempt_ids:
        return 0
    where = (A.state == "processing") & (A.lease_owner == owner)
    if attempt_ids is not None:
        where &= A.id.is_in(list(attempt_ids))
    rows = (
        await A.update({A.lease_owner: None, A.lease_until: now - timedelta(seconds=1)})
        .where(where)
        .returning(A.id)
    )
    return len(rows)


async def count_failed_try(attempt_id: int, owner: str, lease_until: datetime) -> int | None:
    """A run ``owner`` holds ended without a verdict (its worker was killed or died): count
    the try and renew the lease for the next one; the tries so far, or None if the attempt is
    no longer processing in its hands."""
    rows = await A.raw(
        "UPDATE verification_attempt SET lease_until = {}, tries = tries + 1 "
        "WHERE id = {} AND state = 'processing' AND lease_owner = {} RETURNING tries",
        lease_until,
        attempt_id,
        owner,
    )
    return int(rows[0]["tries"]) if rows else None


async def count_failed_try_and_release(
    attempt_id: int, owner: str, retry_at: datetime
) -> int | None:
    """A run ``owner`` holds failed for a reason of its own (not its worker's): count the try
    and let go, so that any process takes it over from ``retry_at`` without counting again."""
    rows = await A.raw(
        "UPDATE verification_attempt SET lease_until = {}, lease_owner = NULL, tries = tries + 1 "
        "WHERE id = {} AND state = 'processing' AND lease_owner = {} RETURNING tries",
        retry_at,
        attempt_id,
        owner,
    )
    return int(rows[0]["tries"]) if rows else None


async def stale_processing(now: datetime, limit: int = 50) -> list[int]:
    rows = (
        await A.select(A.id)
        .where((A.state == "processing") & (A.lease_until < now))
        .order_by(A.id)
        .limit(limit)
    )
    return [int(r["id"]) for r in rows]


async def finish_attempt(attempt_id: int, values: dict[str, Any], owner: str) -> bool:
    """Store the verdict and drop the upload, if the attempt is still processing and its lease
    is ``owner``'s or was handed back; False (nothing written) when another process finished
    it or took it over: a late finisher never overwrites the new owner's verdict."""
    rows = (
        await A.update({**columns(values), A.state: "done", A.media: None, A.lease_until: None})
        .where(
            (A.id == attempt_id)
            & (A.state == "processing")
            & ((A.lease_owner == owner) | A.lease_owner.is_null())
        )
        .returning(A.id)
    )
    return bool(rows)


async def mark_told(attempt_id: int, now: datetime) -> bool:
    """Record that the person was told the verdict; False when someone told them first (the
    page and the SMS sweep race: one conditional update decides)."""
    rows = (
        await A.update({A.result_told_at: now})
        .where((A.id == attempt_id) & (A.state == "done") & A.result_told_at.is_null())
        .returning(A.id)
    )
    return bool(rows)


class UntoldRow(TypedDict):
    id: int
    check_in: int
    case: int
    outcome: str | None
    completed_at: datetime


async def untold_results(
    completed_before: datetime, completed_after: datetime, limit: int
) -> list[UntoldRow]:
    """Verdicts no page has shown, stored between the two instants (an older one is left
    alone: the person has seen their link since, or it no longer matters)."""
    return rows_as(
        UntoldRow,
        await A.select(A.id, A.check_in, A.case, A.outcome, A.completed_at)
        .where(
            (A.state == "done")
            & A.result_told_at.is_null()
            & (A.completed_at <= completed_before)
            & (A.completed_at > completed_after)
        )
        .order_by(A.completed_at)
        .limit(limit),
    )


class RecordingSteps(TypedDict):
    """How far through its challenge a finished recording got."""

    steps: list[dict[str, Any]] | None
    scores: dict[str, Any]
    reasons: list[dict[str, Any]]


async def recent_recordings(defendant_id: int, limit: int) -> list[RecordingSteps]:
    """The person's last ``limit`` finished recordings (any check-in), newest first."""
    rows = (
        await A.select(A.challenge._.steps.as_alias("steps"), A.scores, A.reasons)
        .where((A.case._.defendant == defendant_id) & (A.state == "done"))
        .order_by(A.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return rows_as(RecordingSteps, rows)


async def count_rejected(check_in_id: int) -> int:
    """Rejected recordings of a check-in."""
    return await A.count().where((A.check_in == check_in_id) & (A.decision == "rejected"))


async def list_waiting(
    office_id: int | None, offset: int, limit: int
) -> tuple[list[ReviewRow], int]:
    """Attempts an officer must decide, oldest first."""
    conditions = [A.needs_review == True, A.reviewed_at.is_null()]  # noqa: E712
    if office_id is not None:
        conditions.append(A.office == office_id)
    query = A.select(*REVIEW_COLUMNS).order_by(A.created_at).output(load_json=True)
    return await fetch_page(ReviewRow, query, A.count(), conditions, offset, limit)


class WaitingRow(TypedDict):
    """A recording waiting for review, as its deadline needs it."""

    id: int
    check_in: int
    case: int
    office: int
    created_at: datetime
    due_date: date


async def waiting_without_flag(
    created_before: datetime, flag_prefix: str, limit: int
) -> list[WaitingRow]:
    """Recordings waiting for review made before ``created_before`` (oldest first) for which
    no flag keyed ``flag_prefix`` + the attempt's id exists yet."""
    no_flag = WhereRaw(
        "NOT EXISTS (SELECT 1 FROM flag WHERE flag.dedupe_key = "
        "{} || CAST(verification_attempt.id AS TEXT))",
        flag_prefix,
    )
    rows = (
        await A.select(
            A.id,
            A.check_in,
            A.case,
            A.office,
            A.created_at,
            A.check_in._.due_date.as_alias("due_date"),
        )
        .where(
            (A.needs_review == True)  # noqa: E712
            & A.reviewed_at.is_null()
            & (A.created_at < created_before)
            & no_flag
        )
        .order_by(A.created_at, A.id)
        .limit(limit)
    )
    return rows_as(WaitingRow, rows)


async def record_review(attempt_id: int, values: dict[str, Any]) -> bool:
    """Store an officer's decision; False if someone decided first."""
    rows = (
        await A.update(columns(values))
        .where((A.id == attempt_id) & A.reviewed_at.is_null())
        .returning(A.id)
    )
    return bool(rows)


async def close_waiting_for_check_in(check_in_id: int, values: dict[str, Any]) -> None:
    """An officer settled the check-in another way: its waiting attempts are decided too."""
    await A.update(columns(values)).where(
        (A.check_in == check_in_id) & (A.needs_review == True) & A.reviewed_at.is_null()  # noqa: E712
    )


async def insert_frames(rows: list[dict[str, Any]]) -> None:
    if rows:
        await EvidenceFrame.insert(*(EvidenceFrame(**row) for row in rows))


async def list_frames(attempt_id: int) -> list[FrameInfoRow]:
    rows = (
        await EvidenceFrame.select(
            EvidenceFrame.id,
            EvidenceFrame.position,
            EvidenceFrame.t,
            EvidenceFrame.width,
            EvidenceFrame.height,
            EvidenceFrame.created_at,
        )
        .where(EvidenceFrame.attempt == attempt_id)
        .order_by(EvidenceFrame.position)
    )
    return rows_as(FrameInfoRow, rows)


async def get_frame(attempt_id: int, position: int) -> EvidenceFrameRow | None:
    row = (
        await EvidenceFrame.select()
        .where((EvidenceFrame.attempt == attempt_id) & (EvidenceFrame.position == position))
        .first()
    )
    return row_as(EvidenceFrameRow, row)


async def purge_frames(before: datetime) -> int:
    """Delete evidence frames older than ``before``, except those of attempts still waiting
    for an officer (the concern is not settled yet)."""
    waiting = A.select(A.id).where((A.needs_review == True) & A.reviewed_at.is_null())  # noqa: E712
    rows = (
        await EvidenceFrame.delete()
        .where((EvidenceFrame.created_at < before) & EvidenceFrame.attempt.not_in(waiting))
        .returning(EvidenceFrame.id)
    )
    return len(rows)


# --- the officer's review -----------------------------------------------------------------

REVIEWER_COLUMNS = (
    *REVIEW_COLUMNS,
    # The check-in's window, so its status can be read as of now (services.checkins).
    A.check_in._.opens_at.as_alias("check_in_opens_at"),
    A.check_in._.due_at.as_alias("check_in_due_at"),
    A.check_in._.closes_at.as_alias("check_in_closes_at"),
    A.reviewed_by._.username.as_alias("reviewed_by_username"),
)


class ReviewerRow(ReviewRow):
    """An attempt as the review pages show it: with its check-in's window and reviewer."""

    check_in_opens_at: datetime
    check_in_due_at: datetime
    check_in_closes_at: datetime
    reviewed_by_username: str | None


async def list_for_reviewer(
    *,
    office_id: int | None,
    waiting: bool,
    check_in_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[ReviewerRow], int]:
    """Attempts with their person and check-in: those waiting for an officer (oldest first,
    a queue) or, with ``waiting`` false, every attempt (newest first, a history)."""
    conditions = []
    if waiting:
        conditions += [A.needs_review == True, A.reviewed_at.is_null()]  # noqa: E712
    if office_id is not None:
        conditions.append(A.office == office_id)
    if check_in_id is not None:
        conditions.append(A.check_in == check_in_id)
    query = (
        A.select(*REVIEWER_COLUMNS)
        .order_by(A.created_at, A.id, ascending=waiting)
        .output(load_json=True)
    )
    return await fetch_page(ReviewerRow, query, A.count(), conditions, offset, limit)


async def get_for_reviewer(attempt_id: int) -> ReviewerRow | None:
    query = A.select(*REVIEWER_COLUMNS).where(A.id == attempt_id).output(load_json=True)
    return row_as(ReviewerRow, await query.first())


async def waiting_ids_for_check_in(check_in_id: int) -> list[int]:
    """The attempts `close_waiting_for_check_in` would close, for the audit row."""
    rows = (
        await A.select(A.id)
        .where(
            (A.check_in == check_in_id) & (A.needs_review == True) & A.reviewed_at.is_null()  # noqa: E712
        )
        .order_by(A.id)
    )
    return [int(r["id"]) for r in rows]


async def purge_client_details(before: datetime) -> int:
    """Retention: the client details of recordings made before ``before`` (user agent,
    screen, location, client address), except of attempts still waiting for an officer."""
    waiting = A.select(A.id).where((A.needs_review == True) & A.reviewed_at.is_null())  # noqa: E712
    rows = (
        await A.update({A.client: {}, A.client_address: None})
        .where(
            (A.created_at < before)
            & A.id.not_in(waiting)
            & (A.client_address.is_not_null() | WhereRaw("CAST(client AS TEXT) <> {}", "{}"))
        )
        .returning(A.id)
    )
    return len(rows)
