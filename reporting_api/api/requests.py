"""Officers' side of a person's requests: the queue, one request, a decision."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.response import Stream

from reporting_api.http.context import CtxDep, PathId
from reporting_api.http.downloads import download_response
from reporting_api.services import attachments
from reporting_api.services import person_requests as service
from reporting_api.thai_dates import parse_date_either_era

if TYPE_CHECKING:
    from reporting_api.store.requests import QueueRow, TransitionRow


class RequestSummaryOut(msgspec.Struct):
    id: int
    defendant_id: int
    case_id: int
    check_in_id: int | None
    office_id: int
    kind: str
    reason: str | None
    help_kind: str | None
    status: str
    created_at: datetime
    due_at: datetime | None
    escalated_at: datetime | None
    proposed_date: date | None
    away_from: date | None
    away_to: date | None
    province: str | None
    new_date: date | None
    outcome_note: str | None
    person_name_th: str
    black_case_number: str
    check_in_due_date: date | None


class TransitionOut(msgspec.Struct):
    from_status: str | None
    to_status: str
    at: datetime
    actor_kind: str
    actor_name: str | None
    note: str | None


class AttachmentOut(msgspec.Struct):
    id: int
    name: str
    """The name the person's phone gave; `file_name` carries the extension of the type found."""
    file_name: str
    kind: str | None
    size: int | None
    sha256: str | None
    created_at: datetime


class RequestDetailOut(msgspec.Struct):
    request: RequestSummaryOut
    text: str | None
    new_phone: str | None
    history: list[TransitionOut]
    overdue: bool
    latest_new_date: date | None
    actions: list[str]
    attachments: list[AttachmentOut]


class RequestPageOut(msgspec.Struct):
    items: list[RequestSummaryOut]
    total: int
    oldest_open: datetime | None


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    action: str
    note: str = ""
    new_date: str | None = None


def summary(row: QueueRow) -> RequestSummaryOut:
    return RequestSummaryOut(
        id=row["id"],
        defendant_id=row["defendant"],
        case_id=row["case"],
        check_in_id=row["check_in"],
        office_id=row["office"],
        kind=row["kind"],
        reason=row["reason"],
        help_kind=row["help_kind"],
        status=row["status"],
        created_at=row["created_at"],
        due_at=row["due_at"],
        escalated_at=row["escalated_at"],
        proposed_date=row["proposed_date"],
        away_from=row["away_from"],
        away_to=row["away_to"],
        province=row["province"],
        new_date=row["new_date"],
        outcome_note=row["outcome_note"],
        person_name_th=f"{row['first_name_th']} {row['last_name_th']}",
        black_case_number=row["black_case_number"],
        check_in_due_date=row["check_in_due_date"],
    )


def transition(row: TransitionRow) -> TransitionOut:
    return TransitionOut(
        from_status=row["from_status"],
        to_status=row["to_status"],
        at=row["at"],
        actor_kind=row["actor_kind"],
        actor_name=row["actor_name"],
        note=row["note"],
    )


async def detail_out(ctx: CtxDep, request_id: int) -> RequestDetailOut:
    view = await service.detail(ctx, request_id)
    return RequestDetailOut(
        request=summary(view.request),
        text=view.text,
        new_phone=view.new_phone,
        history=[transition(t) for t in view.history],
        overdue=view.overdue,
        latest_new_date=view.latest_new_date,
        actions=list(view.actions),
        attachments=[
            AttachmentOut(
                id=a["id"],
                name=a["name"],
                file_name=attachments.file_name(a),
                kind=a["kind"],
                size=a["stored_size"],
                sha256=a["sha256"],
                created_at=a["created_at"],
            )
            for a in view.attachments
        ],
    )


class RequestController(Controller):
    path = "/requests"
    tags = ["requests"]

    @get("/")
    async def list_requests(
        self,
        ctx: CtxDep,
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        status: Annotated[str, QueryParameter(max_length=16)] = "open",
        age: Annotated[str, QueryParameter(max_length=8)] = "any",
        page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    ) -> RequestPageOut:
        """Persons' requests, oldest first: status open (waiting for a decision),
        in_progress, closed or all; age any, 1d, 3d or 7d (older than)."""
        found = await service.queue(ctx, office_id, status, age, page)
        return RequestPageOut([summary(r) for r in found.rows], found.total, found.oldest_open)

    @get("/{request_id:int}")
    async def get_request(self, request_id: PathId, ctx: CtxDep) -> RequestDetailOut:
        """One request with the person's words, its history and what may be done next."""
        return await detail_out(ctx, request_id)

    @post("/{request_id:int}/decision", status_code=200)
    async def decide(
        self, request_id: PathId, data: JSONBody[DecisionIn], ctx: CtxDep
    ) -> RequestDetailOut:
        """contact, approve (a can't-come with an optional new_date), reject (note required),
        start or complete; each change is told to the person by SMS."""
        new_date = (
            parse_date_either_era(data.new_date, "new_date")
            if data.new_date and data.new_date.strip()
            else None
        )
        await service.decide(ctx, request_id, data.action, data.note, new_date)
        return await detail_out(ctx, request_id)

    @get("/{request_id:int}/attachments/{attachment_id:int}")
    async def attachment(self, request_id: PathId, attachment_id: PathId, ctx: CtxDep) -> Stream:
        """One file the person sent with the request, as stored (its type checked from its
        content, an image without its metadata); each download is audited."""
        return download_response(await attachments.open_for_officer(ctx, request_id, attachment_id))

