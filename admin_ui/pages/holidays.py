"""Holidays the cabinet declares (`/admin/holidays`, admins): the year's days off (the
`holidays` package's public and government ones, and the declared ones), declaring a day and
removing one; each shows what it did (cases re-planned, check-ins moved, people told)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from admin_ui.pages.checkin_actions import text
from admin_ui.web import date_field, field_errors, render
from reporting_api.commands import HolidayIn
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import holidays
from reporting_api.services.context import Ctx
from reporting_api.services.holidays import HolidayChange
from reporting_api.thai_dates import bangkok_today


def _year(request: Request[Any, Any, Any], ctx: Ctx) -> int:
    raw = request.query_params.get("year", "")
    year = int(raw) if raw.isdigit() else bangkok_today(ctx.now).year
    if year > 2400:  # a Buddhist-era year in the address
        year -= 543
    return year


async def _page(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    year: int,
    *,
    values: dict[str, str] | None = None,
    error: InvalidInput | Conflict | None = None,
    done: HolidayChange | None = None,
    done_kind: str | None = None,
) -> Template:
    return render(
        request,
        "admin/holidays.html",
        status_code=(409 if isinstance(error, Conflict) else 400) if error else 200,
        year=year,
        days=await holidays.list_holidays(ctx, year),
        values=values or {},
        errors=field_errors(error) if error else {},
        done=done,
        done_kind=done_kind,
    )


class HolidayPages(Controller):
    path = "/admin/holidays"
    include_in_schema = False

    @get("/")
    async def list_days(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        return await _page(request, ctx, _year(request, ctx))

    @post("/")
    async def declare(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template | Redirect:
        form = await request.form()
        values = {name: text(form, name) for name in ("day", "name_th", "name_en")}
        year = bangkok_today(ctx.now).year
        try:
            day = date_field(values, "day", required=True)
            assert day is not None
            year = day.year
            change = await holidays.declare(
                ctx, HolidayIn(day, values["name_th"][:200], values["name_en"][:200])
            )
        except (InvalidInput, Conflict) as error:
            return await _page(request, ctx, year, values=values, error=error)
        return await _page(
            request, ctx, change.holiday["day"].year, done=change, done_kind="declared"
        )

    @post("/{holiday_id:int}/remove")
    async def remove(
        self, request: Request[Any, Any, Any], ctx: CtxDep, holiday_id: PathId
    ) -> Template:
        try:
            change = await holidays.remove(ctx, holiday_id)
        except Conflict as error:
            return await _page(request, ctx, bangkok_today(ctx.now).year, error=error)
        return await _page(
            request, ctx, change.holiday["day"].year, done=change, done_kind="removed"
        )
