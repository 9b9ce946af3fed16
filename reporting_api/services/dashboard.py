"""An officer's day on one screen: what is due, open, overdue, missed, waiting for review,
and whose phone cannot be reached."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from reporting_api.access import office_scope
from reporting_api.services.checkins import with_effective_status
from reporting_api.services.context import Ctx
from reporting_api.store import attempts as attempt_store
from reporting_api.store import checkins as store
from reporting_api.store import flags as flag_store
from reporting_api.thai_dates import bangkok_today, end_of_local_day_utc

MISSED_DAYS = 14
SECTION_LIMIT = 50
"""Rows shown in each list; its card shows how many there are in all."""


async def today(ctx: Ctx, office_id: int | None) -> dict[str, Any]:
    office = office_scope(ctx.principal, office_id) or ctx.principal.office_id
    day = bangkok_today(ctx.now)
    now, limit = ctx.now, SECTION_LIMIT
    due = await store.due_on(office, day, limit)
    overdue = await store.overdue(office, now, limit)
    missed = await store.missed_since(office, now - timedelta(days=MISSED_DAYS), now, limit)
    open_now = await store.windows_open(office, end_of_local_day_utc(day), now, limit)
    review, review_total = await attempt_store.list_waiting(office, 0, limit)
    unreachable = await flag_store.list_flags(
        office_id=office,
        state="open",
        kind="unreachable_phone",
        case_id=None,
        offset=0,
        limit=limit,
    )
    _, flags_total = await flag_store.list_flags(
        office_id=office, state="open", kind=None, case_id=None, offset=0, limit=1
    )
    lists = {"due_today": due, "overdue": overdue, "missed": missed, "open_now": open_now}
    shown = {r["defendant_id"] for rows, _ in lists.values() for r in rows}
    shown |= {r["defendant_id"] for r in review}
    await ctx.audit("admin.today", "office", office, {"defendants": sorted(shown)})
    sections = {
        name: {"rows": [with_effective_status(r, now) for r in rows], "total": total}
        for name, (rows, total) in lists.items()
    }
    return {
        "office_id": office,
        "today": day,
        **sections,
        "review": {"rows": review, "total": review_total},
        "unreachable": {"rows": unreachable[0], "total": unreachable[1]},
        "open_flags_total": flags_total,
    }
