"""Offices (everyone reads; admins change) and staff accounts (admins only)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody, QueryParameter

from reporting_api.access import Principal
from reporting_api.api.convert import office_out, staff_out
from reporting_api.api.schemas import OfficeOut, StaffOut
from reporting_api.commands import OfficeCreate, OfficeUpdate, StaffCreate, StaffUpdate
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import offices as office_service
from reporting_api.services import staff as staff_service


class OfficeController(Controller):
    path = "/offices"
    tags = ["offices"]

    @get("/")
    async def list_offices(self) -> list[OfficeOut]:
        """The central office and the 77 provincial Justice offices."""
        return [office_out(r) for r in await office_service.list_offices()]

    @get("/{office_id:int}")
    async def get_office(self, office_id: PathId) -> OfficeOut:
        return office_out(await office_service.get_office(office_id))

    @post("/")
    async def create_office(self, data: JSONBody[OfficeCreate], ctx: CtxDep) -> OfficeOut:
        """Admins only."""
        return office_out(await office_service.create_office(ctx, data))

    @patch("/{office_id:int}")
    async def update_office(
        self, office_id: PathId, data: JSONBody[OfficeUpdate], ctx: CtxDep
    ) -> OfficeOut:
        """Admins only: names and the phone number people are given."""
        return office_out(await office_service.update_office(ctx, office_id, data))


class StaffController(Controller):
    path = "/staff"
    tags = ["staff"]

    @get("/")
    async def list_staff(
        self,
        request: Request[Principal, Any, Any],
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> list[StaffOut]:
        return [staff_out(r) for r in await staff_service.list_staff(request.user, office_id)]

    @get("/{staff_id:int}")
    async def get_staff(self, staff_id: PathId, request: Request[Principal, Any, Any]) -> StaffOut:
        return staff_out(await staff_service.get_staff(request.user, staff_id))

    @post("/")
    async def create_staff(self, data: JSONBody[StaffCreate], ctx: CtxDep) -> StaffOut:
        return staff_out(await staff_service.create_staff(ctx, data))

    @patch("/{staff_id:int}")
    async def update_staff(
        self, staff_id: PathId, data: JSONBody[StaffUpdate], ctx: CtxDep
    ) -> StaffOut:
        return staff_out(await staff_service.update_staff(ctx, staff_id, data))
