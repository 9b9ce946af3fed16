"""`/c/<code>/contact`: the identified person's trusted contact and their consent (issue 14).

The same session cookie as the check-in and the requests: the person confirmed who they are on
this link. GET shows the contact and the consent's words; PUT names (or replaces) the contact
with consent; DELETE withdraws the consent (the record stays).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, put
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from reporting_api.api.checkin_link import COOKIE, NO_STORE, Code, _visit
from reporting_api.services import links, trusted_contacts
from reporting_api.services.trusted_contacts import ContactIn, ContactView


class ContactBody(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    relationship: str
    phone: str
    consent: bool = False


class ContactOut(msgspec.Struct):
    name: str | None
    relationship: str | None
    phone: str | None
    consent_version: str | None
    consented_at: str | None
    withdrawn_at: str | None
    active: bool
    consent_text: str


def _out(view: ContactView) -> ContactOut:
    return ContactOut(
        name=view.name,
        relationship=view.relationship,
        phone=view.phone,
        consent_version=view.consent_version,
        consented_at=view.consented_at.isoformat() if view.consented_at else None,
        withdrawn_at=view.withdrawn_at.isoformat() if view.withdrawn_at else None,
        active=view.active,
        consent_text=view.consent_text,
    )


class PersonContactController(Controller):
    path = "/c/{code:str}/contact"
    tags = ["check-in link"]
    opt = {"exclude_from_auth": True}

    @get("/")
    async def show(self, request: Request[Any, Any, Any], code: Code) -> Response[Any]:
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        view = await trusted_contacts.mine(visit, row)
        return Response(_out(view), status_code=HTTP_200_OK, headers=NO_STORE)

    @put("/")
    async def name(
        self, request: Request[Any, Any, Any], code: Code, data: JSONBody[ContactBody]
    ) -> Response[Any]:
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        new = ContactIn(data.name, data.relationship, data.phone, data.consent)
        view = await trusted_contacts.name_contact(visit, row, new)
        return Response(_out(view), status_code=HTTP_200_OK, headers=NO_STORE)

    @delete("/", status_code=HTTP_200_OK)
    async def withdraw(self, request: Request[Any, Any, Any], code: Code) -> Response[Any]:
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        view = await trusted_contacts.withdraw(visit, row)
        return Response(_out(view), status_code=HTTP_200_OK, headers=NO_STORE)
