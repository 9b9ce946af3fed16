"""A person's requests (`person_request`) and their status history (`request_transition`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypedDict

from piccolo.columns.combination import Combinable

from reporting_api.db import is_postgres
from reporting_api.request_rules import OPEN
from reporting_api.store import attachments, row_as, rows_as, transaction
from reporting_api.store.outbox import NewReminder, insert_reminders
from reporting_api.tables import (
    CheckIn,
    CheckInAnswer,
    OfficeReminderSettings,
    PersonRequest,
    RequestTransition,
)

OPEN_STATUSES = tuple(sorted(s.value for s in OPEN))


class RequestRow(TypedDict):
    """A whole `person_request` row."""

    id: int
    defendant: int
    case: int
    check_in: int | None
    office: int
    kind: str
    reason: str | None
    help_kind: str | None
    proposed_date: date | None
    away_from: date | None
    away_to: date | None
    province: str | None
    new_phone_sealed: bytes | None
    text_sealed: bytes | None
    status: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    escalated_at: datetime | None
    decided_at: datetime | None
    decided_by: int | None
    new_date: date | None
    outcome_note: str | None


class QueueRow(RequestRow):
    """A request in the officers' queue, with whom and what it is about."""

    first_name_th: str
    last_name_th: str
    black_case_number: str
    check_in_due_date: date | None


class TransitionRow(TypedDict):
    """A whole `request_transition` row, with the staff member's name."""

    id: int
    request: int
    from_status: str | None
    to_status: str
    at: datetime
    actor: int | None
    actor_kind: str
    note: str | None
    actor_name: str | None


class NewTransition(TypedDict):
    from_status: str | None
    to_status: str
    at: datetime
    actor: int | None
    actor_kind: str
    note: str | None


class AttachmentsGone(Exception):
    """A file a new request names is not ready on its link or belongs to another request
    (nothing was written)."""


class AlreadyOpen(Exception):
    """An open request of the same kind on the same check-in came first (nothing was
    written)."""

    def __init__(self, request_id: int) -> None:
        super().__init__(request_id)
        self.request_id = request_id


async def insert_request(
    values: dict[str, Any],
    first: NewTransition,
    attachment_tokens: Sequence[str] = (),
    check_in_id: int | None = None,
    *,
    one_open: bool = False,
) -> int:
    """A new request, its first transition and its files, in one transaction; its id.

    With ``one_open``, raises `AlreadyOpen` instead when the check-in has an open request of
    the same kind (a button pressed twice makes one request)."""
    async with transaction(immediate=True):
        if one_open and values["check_in"] is not None:
            if is_postgres(PersonRequest._meta.db):
                # Two presses racing on two replicas queue here, so the second sees the first
                # one's request (SQLite's immediate transaction already serialises writers).
                await CheckIn.raw(
                    "SELECT id FROM check_in WHERE id = {} FOR UPDATE", values["check_in"]
                )
            found = await open_of_kind(values["check_in"], values["kind"])
            if found is not None:
                raise AlreadyOpen(found["id"])
        rows = await PersonRequest.insert(PersonRequest(**values)).returning(PersonRequest.id)
        request_id = int(rows[0]["id"])
        await RequestTransition.insert(RequestTransition(request=request_id, **first))
        if attachment_tokens:
            taken = await attachments.attach(request_id, check_in_id or 0, attachment_tokens)
            if taken != len(attachment_tokens):
                raise AttachmentsGone
    return request_id


async def open_of_kind(check_in_id: int, kind: str) -> RequestRow | None:
    """The check-in's oldest open request of this kind, if any."""
    return row_as(
        RequestRow,
        await PersonRequest.select()
        .where(
            (PersonRequest.check_in == check_in_id)
            & (PersonRequest.kind == kind)
            & PersonRequest.status.is_in(list(OPEN_STATUSES))
        )
        .order_by(PersonRequest.id)
        .first(),
    )


async def record_answer(
    check_in_id: int, defendant_id: int, answer: str, via: str, at: datetime
) -> bool:
    """The person's answer to the check-in's reminder (`check_in_answer`); False, writing
    nothing, when they had given this answer already."""
    async with transaction(immediate=True):
        if await CheckInAnswer.exists().where(
            (CheckInAnswer.check_in == check_in_id) & (CheckInAnswer.answer == answer)
        ):
            return False
        await CheckInAnswer.insert(
            CheckInAnswer(
                check_in=check_in_id, defendant=defendant_id, answer=answer, via=via, at=at
            )
        )
    return True


async def get_request(request_id: int) -> RequestRow | None:
    return row_as(
        RequestRow,
        await PersonRequest.select().where(PersonRequest.id == request_id).first(),
    )


async def change_status(
    request_id: int,
    from_status: str,
    change: NewTransition,
    values: dict[str, Any],
    notice: NewReminder | None = None,
) -> bool:
    """Move the request from ``from_status`` to ``change['to_status']``, record the change and
    queue the person's ``notice``, in one transaction (each change told exactly once); False
    (nothing written) when its status is no longer ``from_status`` (another officer first)."""
    async with transaction(immediate=True):
        updated = (
            await PersonRequest.update(
                {
                    PersonRequest.status: change["to_status"],
                    PersonRequest.updated_at: change["at"],
                    **{getattr(PersonRequest, k): v for k, v in values.items()},
                }
            )
            .where((PersonRequest.id == request_id) & (PersonRequest.status == from_status))
            .returning(PersonRequest.id)
        )
        if not updated:
            return False
        await RequestTransition.insert(RequestTransition(request=request_id, **change))
        if notice is not None:
            await insert_reminders([notice])
    return True


async def for_defendant(defendant_id: int) -> list[RequestRow]:
    """A person's requests, newest first."""
    return rows_as(
        RequestRow,
        await PersonRequest.select()
        .where(PersonRequest.defendant == defendant_id)
        .order_by(PersonRequest.id, ascending=False),
    )


async def transitions_of(request_ids: Sequence[int]) -> list[TransitionRow]:
    """The status history of these requests, oldest first."""
    if not request_ids:
        return []
    return rows_as(
        TransitionRow,
        await RequestTransition.select(
            *RequestTransition.all_columns(),
            RequestTransition.actor.display_name.as_alias("actor_name"),
        )
        .where(RequestTransition.request.is_in(list(request_ids)))
        .order_by(RequestTransition.id),
    )


def _queue_select() -> Any:
    return PersonRequest.select(
        *PersonRequest.all_columns(),
        PersonRequest.defendant.first_name_th.as_alias("first_name_th"),
        PersonRequest.defendant.last_name_th.as_alias("last_name_th"),
        PersonRequest.case.black_case_number.as_alias("black_case_number"),
        PersonRequest.check_in.due_date.as_alias("check_in_due_date"),
    )


async def queue(
    office_ids: Sequence[int] | None,
    statuses: Sequence[str],
    created_before: datetime | None,
    limit: int,
    offset: int = 0,
) -> tuple[list[QueueRow], int]:
    """Requests in ``statuses`` (of these offices; None: all), oldest first, and how many."""
    where: Combinable = PersonRequest.status.is_in(list(statuses))
    if office_ids is not None:
        where &= PersonRequest.office.is_in(list(office_ids) or [-1])
    if created_before is not None:
        where &= PersonRequest.created_at < created_before
    rows = (
        await _queue_select()
        .where(where)
        .order_by(PersonRequest.created_at)
        .limit(limit)
        .offset(offset)
    )
    total = await PersonRequest.count().where(where)
    return rows_as(QueueRow, rows), int(total)


async def queue_row(request_id: int) -> QueueRow | None:
    return row_as(QueueRow, await _queue_select().where(PersonRequest.id == request_id).first())


async def oldest_open(office_ids: Sequence[int] | None) -> datetime | None:
    """When the oldest request still waiting for a decision was made."""
    where: Combinable = PersonRequest.status.is_in(list(OPEN_STATUSES))
    if office_ids is not None:
        where &= PersonRequest.office.is_in(list(office_ids) or [-1])
    row = (
        await PersonRequest.select(PersonRequest.created_at)
        .where(where)
        .order_by(PersonRequest.created_at)
        .first()
    )
    return None if row is None else row["created_at"]


async def holds_check_in(check_in_id: int) -> bool:
    """Whether an open request made before the check-in's window closed holds it."""
    rows = await PersonRequest.raw(
        "SELECT 1 FROM person_request r JOIN check_in c ON c.id = r.check_in"
        " WHERE r.check_in = {} AND r.status IN ('submitted', 'awaiting_contact')"
        " AND r.created_at < c.closes_at LIMIT 1",
        check_in_id,
    )
    return bool(rows)


async def touched_since(check_in_id: int, since: datetime) -> bool:
    """Whether a request made on this check-in's link changed at or after ``since`` (the
    link then stays valid for the person to follow it)."""
    return await PersonRequest.exists().where(
        (PersonRequest.check_in == check_in_id) & (PersonRequest.updated_at >= since)
    )


class OverdueRow(TypedDict):
    id: int
    case: int
    check_in: int | None
    office: int
    kind: str
    created_at: datetime
    due_at: datetime


async def overdue(now: datetime, limit: int) -> list[OverdueRow]:
    """Open requests past their deadline not yet escalated, oldest first."""
    return rows_as(
        OverdueRow,
        await PersonRequest.select(
            PersonRequest.id,
            PersonRequest.case,
            PersonRequest.check_in,
            PersonRequest.office,
            PersonRequest.kind,
            PersonRequest.created_at,
            PersonRequest.due_at,
        )
        .where(
            PersonRequest.status.is_in(list(OPEN_STATUSES))
            & PersonRequest.escalated_at.is_null()
            & PersonRequest.due_at.is_not_null()
            & (PersonRequest.due_at <= now)
        )
        .order_by(PersonRequest.due_at)
        .limit(limit),
    )


async def mark_escalated(request_id: int, now: datetime) -> bool:
    """Mark the request escalated; False if another sweep did it first."""
    rows = (
        await PersonRequest.update({PersonRequest.escalated_at: now})
        .where((PersonRequest.id == request_id) & PersonRequest.escalated_at.is_null())
        .returning(PersonRequest.id)
    )
    return bool(rows)


async def office_limits(office_id: int) -> tuple[int | None, int | None]:
    """The office's own (request deadline hours, reschedule max days); None: the defaults."""
    row = (
        await OfficeReminderSettings.select(
            OfficeReminderSettings.request_deadline_hours,
            OfficeReminderSettings.reschedule_max_days,
        )
        .where(OfficeReminderSettings.office == office_id)
        .first()
    )
    if row is None:
        return None, None
    return row["request_deadline_hours"], row["reschedule_max_days"]


async def hold_check_ins(now: datetime) -> list[int]:
    """open or late -> held for windows that closed while an open request made before the
    close was waiting: the sweep then leaves them out of "missed"."""
    rows = await CheckIn.raw(
        "UPDATE check_in SET status = 'held', updated_at = {}"
        " WHERE status IN ('open', 'late') AND closes_at <= {} AND EXISTS ("
        " SELECT 1 FROM person_request r WHERE r.check_in = check_in.id"
        " AND r.status IN ('submitted', 'awaiting_contact') AND r.created_at < check_in.closes_at)"
        " RETURNING id",
        now,
        now,
    )
    return [int(r["id"]) for r in rows]


async def release_check_in(check_in_id: int, now: datetime) -> bool:
    """held -> late once no open request holds it: the next sweep judges it as any other
    (missed, if its window has closed)."""
    rows = (
        await CheckIn.update({CheckIn.status: "late", CheckIn.updated_at: now})
        .where((CheckIn.id == check_in_id) & (CheckIn.status == "held"))
        .returning(CheckIn.id)
    )
    return bool(rows)


async def purge_for_defendants(defendant_ids: Sequence[int]) -> int:
    """Delete the requests (and their history) of these people; how many."""
    if not defendant_ids:
        return 0
    rows = (
        await PersonRequest.delete()
        .where(PersonRequest.defendant.is_in(list(defendant_ids)))
        .returning(PersonRequest.id)
    )
    return len(rows)
