"""The sheet an officer prints for the person at enrolment (and whenever dates change): their
coming reporting dates and hearings, how the reminders will reach them, whom to call, and
while LINE is on the fund's Official Account to add. Thai, then the same in English."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from reporting_api.services import defendants
from reporting_api.services.checkins import with_effective_status
from reporting_api.services.context import Ctx
from reporting_api.statuses import CheckInStatus
from reporting_api.store import hearings as hearing_store
from reporting_api.store import offices as office_store
from reporting_api.store import timeline as store

SHOWN = 12
"""Coming reporting dates on the sheet (a monthly plan's year)."""
STILL_TO_COME = {CheckInStatus.UPCOMING, CheckInStatus.OPEN, CheckInStatus.LATE}


@dataclass(frozen=True)
class ComingDate:
    due_date: date
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class ComingHearing:
    starts_at: datetime
    court: str
    room: str | None


@dataclass(frozen=True)
class Handout:
    defendant_id: int
    name_th: str
    name_en: str
    office_name_th: str
    office_name_en: str
    office_phone: str | None
    dates: list[ComingDate]
    more_dates: int
    """Coming dates beyond those shown."""
    hearings: list[ComingHearing]
    link_host: str
    """The host every check-in link the fund sends starts with (`PUBLIC_BASE_URL`)."""
    line_add_friend: str | None
    """The Official Account to add, while LINE is on."""


async def handout(ctx: Ctx, defendant_id: int) -> Handout:
    """The person's sheet; managers read every office, officers their own (audited)."""
    person = await defendants.read(ctx, defendant_id)
    office = await office_store.get_office(person["office"])
    cases = [c for c in await store.cases_of(defendant_id) if c["status"] == "active"]
    active = {c["id"] for c in cases}
    coming = [
        ComingDate(r["due_date"], r["opens_at"], r["closes_at"])
        for r in (
            with_effective_status(row, ctx.now) for row in await store.check_ins_of(defendant_id)
        )
        if r["case"] in active and CheckInStatus(r["status"]) in STILL_TO_COME
    ]
    coming.sort(key=lambda d: d.due_date)
    hearings = sorted(
        (
            ComingHearing(h["starts_at"], h["court"], h["room"])
            for h in await hearing_store.of_cases(sorted(active))
            if h["starts_at"] >= ctx.now and h["result"] is None and h["cancelled_at"] is None
        ),
        key=lambda h: h.starts_at,
    )
    await ctx.audit("defendant.handout", "defendant", defendant_id, {"dates": len(coming)})
    return Handout(
        defendant_id=defendant_id,
        name_th=f"{person['first_name_th']} {person['last_name_th']}",
        name_en=" ".join(p for p in (person["first_name_en"], person["last_name_en"]) if p),
        office_name_th=office["name_th"] if office else "",
        office_name_en=office["name_en"] if office else "",
        office_phone=office["phone"] if office else None,
        dates=coming[:SHOWN],
        more_dates=max(0, len(coming) - SHOWN),
        hearings=hearings,
        link_host=urlsplit(ctx.settings.public_base_url).netloc,
        line_add_friend=ctx.settings.line.invitation,
    )
