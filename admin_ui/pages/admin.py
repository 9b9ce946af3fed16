"""Administration (role admin): staff accounts and offices.

The forms are read into the JSON API's own request types (StaffCreate, StaffUpdate,
OfficeCreate, OfficeUpdate), so a rule holds the same way on both; services/staff does the
work and the audit. Officers and managers get the 403 page.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from admin_ui.i18n import N_, in_both
from admin_ui.pages.enrol import form_text, read_fields
from admin_ui.web import field_errors, render
from reporting_api.access import ADMIN, ensure_role
from reporting_api.commands import OfficeCreate, OfficeUpdate, StaffCreate, StaffUpdate
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import offices as office_service
from reporting_api.services import sign_in_throttle as throttle
from reporting_api.services import staff as staff_service
from reporting_api.services import two_factor

Saved = Literal["created", "updated", "activated", "deactivated"]
SignInSaved = Literal["unlocked", "reset"]
STAFF_FIELDS = ("username", "display_name", "role", "office_id")
OFFICE_FIELDS = ("code", "name_th", "name_en", "province_th", "province_en", "region", "phone")


async def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """These pages are the administrator's: everyone else gets the 403 page."""
    ensure_role(connection.user, ADMIN)


def _status(problem: InvalidInput | Conflict) -> int:
    return 409 if isinstance(problem, Conflict) else 400


class StaffPages(Controller):
    path = "/admin/staff"
    include_in_schema = False
    guards = [admin_only]

    async def _list(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        *,
        status_code: int = 200,
        values: dict[str, str] | None = None,
        errors: dict[str, dict[str, str]] | None = None,
        saved: str | None = None,
    ) -> Template:
        staff = await staff_service.list_staff(ctx.principal, None)
        return render(
            request,
            "admin/staff.html",
            status_code=status_code,
            staff=staff,
            locks=await throttle.staff_lock_states(ctx, {s["id"]: s["username"] for s in staff}),
            offices=await office_service.list_offices(),
            values=values or {"role": "officer"},
            errors=errors or {},
            saved=saved,
        )

    @get("/")
    async def list_staff(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        saved: Annotated[Saved | None, QueryParameter()] = None,
    ) -> Template:
        return await self._list(request, ctx, saved=saved)

    @post("/")
    async def create(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template | Redirect:
        form = await request.form()
        text = form_text(form, STAFF_FIELDS)
        values, errors = read_fields(text | form_text(form, ("password",)), StaffCreate)
        problems: list[InvalidInput | Conflict] = list(errors)
        if not problems:
            try:
                await staff_service.create_staff(ctx, StaffCreate(**values))
            except (InvalidInput, Conflict) as problem:
                problems = [problem]
            else:
                return Redirect("/admin/staff?saved=created", status_code=303)
        return await self._list(
            request,
            ctx,
            status_code=max(_status(p) for p in problems),
            values=text,  # never the password
            errors=field_errors(*problems),
        )

    @get("/{staff_id:int}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        staff_id: PathId,
        saved: Annotated[SignInSaved | None, QueryParameter()] = None,
    ) -> Template:
        user = await staff_service.get_staff(ctx.principal, staff_id)
        return render(
            request,
            "admin/staff_edit.html",
            person=user,
            lock=(await throttle.staff_lock_state(ctx, staff_id))[1],
            offices=await office_service.list_offices(),
            values={k: str(v) for k, v in user.items()}
            | {"office_id": str(user["office"]), "email": user["email"] or ""},
            errors={},
            saved=saved,
        )

    @post("/{staff_id:int}")
    async def update(
        self, request: Request[Any, Any, Any], ctx: CtxDep, staff_id: PathId
    ) -> Template | Redirect:
        form = await request.form()
        text = form_text(form, ("display_name", "role", "office_id", "email"))
        values, errors = read_fields(text | form_text(form, ("password",)), StaffUpdate)
        if "email" in text and not text["email"].strip():
            values["email"] = ""  # an emptied address is removed
        problems: list[InvalidInput | Conflict] = list(errors)
        if values.get("display_name") is None and "display_name" not in field_errors(*problems):
            problems.append(InvalidInput("display_name", *in_both(N_("is required"))))
        user = await staff_service.get_staff(ctx.principal, staff_id)
        if problems and values.get("password"):  # every field's error at once
            refusal = staff_service.password_refusal(
                values["password"], username=user["username"], display_name=user["display_name"]
            )
            problems += [refusal] if refusal else []
        if not problems:
            try:
                await staff_service.update_staff(ctx, staff_id, StaffUpdate(**values))
            except (InvalidInput, Conflict) as problem:
                problems = [problem]
            else:
                return Redirect("/admin/staff?saved=updated", status_code=303)
        return render(
            request,
            "admin/staff_edit.html",
            status_code=max(_status(p) for p in problems),
            person=user,
            lock=(await throttle.staff_lock_state(ctx, staff_id))[1],
            offices=await office_service.list_offices(),
            values=text,
            errors=field_errors(*problems),
        )

    @post("/{staff_id:int}/active")
    async def set_active(
        self, request: Request[Any, Any, Any], ctx: CtxDep, staff_id: PathId
    ) -> Template | Redirect:
        """Deactivate (which logs the account out everywhere) or activate again."""
        active = (await request.form()).get("active") == "true"
        try:
            await staff_service.update_staff(ctx, staff_id, StaffUpdate(active=active))
        except (InvalidInput, Conflict) as problem:
            return await self._list(
                request, ctx, status_code=_status(problem), errors=field_errors(problem)
            )
        return Redirect(
            f"/admin/staff?saved={'activated' if active else 'deactivated'}", status_code=303
        )

    @post("/{staff_id:int}/lock")
    async def lift_lock(self, ctx: CtxDep, staff_id: PathId) -> Redirect:
        """Lift the account's sign-in lock (and forget its failed tries)."""
        await throttle.lift_lock(ctx, staff_id)
        return Redirect(f"/admin/staff/{staff_id}?saved=unlocked", status_code=303)

    @post("/{staff_id:int}/two-factor")
    async def reset_two_factor(self, ctx: CtxDep, staff_id: PathId) -> Redirect:
        """Turn off the account's two-factor (a lost phone): it sets it up again at its next
        sign-in, and its sessions end now."""
        await two_factor.reset(ctx, staff_id)
        return Redirect(f"/admin/staff/{staff_id}?saved=reset", status_code=303)


class OfficePages(Controller):
    path = "/admin/offices"
    include_in_schema = False
    guards = [admin_only]

    @get("/")
    async def list_offices(
        self,
        request: Request[Any, Any, Any],
        saved: Annotated[Saved | None, QueryParameter()] = None,
    ) -> Template:
        return render(
            request,
            "admin/offices.html",
            offices=await office_service.list_offices(),
            values={},
            errors={},
            saved=saved,
        )

    @post("/")
    async def create(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template | Redirect:
        text = form_text(await request.form(), OFFICE_FIELDS)
        values, errors = read_fields(text, OfficeCreate)
        problems: list[InvalidInput | Conflict] = list(errors)
        if not problems:
            try:
                await office_service.create_office(ctx, OfficeCreate(**values))
            except (InvalidInput, Conflict) as problem:
                problems = [problem]
            else:
                return Redirect("/admin/offices?saved=created", status_code=303)
        return render(
            request,
            "admin/offices.html",
            status_code=max(_status(p) for p in problems),
            offices=await office_service.list_offices(),
            values=text,
            errors=field_errors(*problems),
            saved=None,
        )

    @get("/{office_id:int}")
    async def edit(self, request: Request[Any, Any, Any], office_id: PathId) -> Template:
        office = await office_service.get_office(office_id)
        values = {k: "" if v is None else str(v) for k, v in office.items()}
        return render(request, "admin/offices_edit.html", office=office, values=values, errors={})

    @post("/{office_id:int}")
    async def update(
        self, request: Request[Any, Any, Any], ctx: CtxDep, office_id: PathId
    ) -> Template | Redirect:
        office = await office_service.get_office(office_id)
        text = form_text(await request.form(), ("name_th", "name_en", "phone"))
        values, errors = read_fields(text, OfficeUpdate)
        problems: list[InvalidInput | Conflict] = list(errors)
        for name in ("name_th", "name_en"):
            if not any(p.field == name for p in problems) and values.get(name) is None:
                problems.append(InvalidInput(name, *in_both(N_("is required"))))
        if not problems:
            try:
                await office_service.update_office(ctx, office_id, OfficeUpdate(**values))
            except (InvalidInput, Conflict) as problem:
                problems = [problem]
            else:
                return Redirect("/admin/offices?saved=updated", status_code=303)
        return render(
            request,
            "admin/offices_edit.html",
            status_code=max(_status(p) for p in problems),
            office=office,
            values=text,
            errors=field_errors(*problems),
        )
