"""Holidays the cabinet declares (admins): the year's days off, declaring and removing a day;
each change re-plans the check-ins it touches and tells the people (docs/planning.md)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import JSONBody, QueryParameter

from reporting_api.api.schemas import HolidayChangeOut, HolidayOut
from reporting_api.commands import HolidayIn
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import holidays as holiday_service
from reporting_api.services.holidays import HolidayChange

Year = Annotated[int, QueryParameter(ge=1900, le=2199, description="Christian-era year")]


def change_out(change: HolidayChange) -> HolidayChangeOut:
    h = change.holiday
    return HolidayChangeOut(
        id=h["id"],
        day=h["day"],
        name_th=h["name_th"],
        name_en=h["name_en"],
        removed_at=h["removed_at"],
        cases_replanned=change.cases_replanned,
        check_ins_moved=change.check_ins_moved,
        people_notified=change.people_notified,
        cases_failed=change.cases_failed,
    )


class HolidayController(Controller):
    path = "/holidays"
    tags = ["holidays"]

    @get("/")
    async def list_holidays(self, ctx: CtxDep, year: Year) -> list[HolidayOut]:
        """The year's public and government holidays and the declared days (admins)."""
        return [
            HolidayOut(
                day=h.day,
                name_en=h.name_en,
                name_th=h.name_th,
                source="declared" if h.source == "declared" else "package",
                id=h.id,
            )
            for h in await holiday_service.list_holidays(ctx, year)
        ]

    @post("/")
    async def declare(self, data: JSONBody[HolidayIn], ctx: CtxDep) -> HolidayChangeOut:
        """Declare a day a holiday: due dates on it move to the next working day, their
        reminders with them, and the people are told (admins)."""
        return change_out(await holiday_service.declare(ctx, data))

    @delete("/{holiday_id:int}", status_code=200)
    async def remove(self, holiday_id: PathId, ctx: CtxDep) -> HolidayChangeOut:
        """Remove a declared day (kept as history): the dates it moved move back (admins)."""
        return change_out(await holiday_service.remove(ctx, holiday_id))
