"""`/c/<code>/requests`: the identified person's requests to their officer, from the link page.

The same session cookie as the check-in (`bc_link`, scoped to the link's path): the person
confirmed who they are on this link. A request can be made whatever the check-in's state
(before its window, while open, after it closed), as long as the link works.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from reporting_api.api.checkin_link import COOKIE, NO_STORE, Code, _visit
from reporting_api.request_rules import NewRequest
from reporting_api.services import links, person_requests
from reporting_api.services.person_requests import FormLimits, PersonView
from reporting_api.thai_dates import parse_date_either_era


class RequestIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    reason: str | None = None
    help_kind: str | None = None
    proposed_date: str | None = None
    away_from: str | None = None
    away_to: str | None = None
    province: str | None = None
    new_phone: str | None = None
    text: str | None = None
    attachment_ids: list[str] | None = None
    """Uploads of this link (`/c/<code>/uploads`) that are ready, at most five."""


class HistoryOut(msgspec.Struct):
    status: str
    at: str


class AttachmentOut(msgspec.Struct):
    name: str
    kind: str | None
    size: int | None


class RequestOut(msgspec.Struct):
    id: int
    kind: str
    reason: str | None
    help_kind: str | None
    status: str
    created_at: str
    proposed_date: str | None
    away_from: str | None
    away_to: str | None
    province: str | None
    text: str | None
    new_date: str | None
    outcome_note: str | None
    history: list[HistoryOut]
    attachments: list[AttachmentOut]


class RequestsOut(msgspec.Struct):
    requests: list[RequestOut]
    due_date: str
    earliest_new_date: str
    latest_new_date: str


def _day(value: str | None, field: str) -> date | None:
    return parse_date_either_era(value, field) if value and value.strip() else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _out(view: PersonView) -> RequestOut:
    return RequestOut(
        id=view.id,
        kind=view.kind,
        reason=view.reason,
        help_kind=view.help_kind,
        status=view.status,
        created_at=view.created_at.isoformat(),
        proposed_date=_iso(view.proposed_date),
        away_from=_iso(view.away_from),
        away_to=_iso(view.away_to),
        province=view.province,
        text=view.text,
        new_date=_iso(view.new_date),
        outcome_note=view.outcome_note,
        history=[HistoryOut(status, at.isoformat()) for status, at in view.history],
        attachments=[AttachmentOut(name, kind, size) for name, kind, size in view.attachments],
    )


def _all(views: list[PersonView], limits: FormLimits) -> RequestsOut:
    return RequestsOut(
        requests=[_out(v) for v in views],
        due_date=limits.due_date.isoformat(),
        earliest_new_date=limits.earliest.isoformat(),
        latest_new_date=limits.latest.isoformat(),
    )


class PersonRequestController(Controller):
    path = "/c/{code:str}/requests"
    tags = ["check-in link"]
    opt = {"exclude_from_auth": True}

    @get("/")
    async def list_mine(self, request: Request[Any, Any, Any], code: Code) -> Response[Any]:
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        views = await person_requests.mine(visit, row)
        limits = await person_requests.form_limits(visit, row)
        return Response(_all(views, limits), status_code=HTTP_200_OK, headers=NO_STORE)

    @post("/", status_code=HTTP_201_CREATED)
    async def submit(
        self, request: Request[Any, Any, Any], code: Code, data: JSONBody[RequestIn]
    ) -> Response[Any]:
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        new = NewRequest(
            kind=data.kind,
            reason=data.reason,
            help_kind=data.help_kind,
            proposed_date=_day(data.proposed_date, "proposed_date"),
            away_from=_day(data.away_from, "away_from"),
            away_to=_day(data.away_to, "away_to"),
            province=data.province,
            new_phone=data.new_phone,
            text=data.text,
        )
        view = await person_requests.submit(visit, row, new, data.attachment_ids)
        return Response(_out(view), status_code=HTTP_201_CREATED, headers=NO_STORE)
