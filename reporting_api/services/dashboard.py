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
LIST_LIMIT = 200


async def today(ctx: Ctx, office_id: int | None) -> dict[str, Any]:
    office = office_scope(ctx.principal, office_id) or ctx.principal.office_id
    day = bangkok_today(ctx.now)
    due = await store.due_on(office, day)
    overdue = await store.overdue(office, ctx.now)
    missed = await store.missed_since(office, ctx.now - timedelta(days=MISSED_DAYS), ctx.now)
    open_now = await store.windows_open(office, end_of_local_day_utc(day), ctx.now)
    review, review_total = await attempt_store.list_waiting(office, 0, LIST_LIMIT)
    unreachable, _ = await flag_store.list_flags(
        office_id=office,
        state="open",
        kind="unreachable_phone",
        case_id=None,
        offset=0,
        limit=LIST_LIMIT,
    )
    open_flags, flags_total = await flag_store.list_flags(
        office_id=office, state="open", kind=None, case_id=None, offset=0, limit=1
    )
    shown = {r["defendant_id"] for r in due + overdue + missed + open_now}
    shown |= {r["defendant_id"] for r in review}
    await ctx.audit("admin.today", "office", office, {"defendants": sorted(shown)})
    return {
        "office_id": office,
        "today": day,
        "due_today": [with_effective_status(r, ctx.now) for r in due],
        "open_now": [with_effective_status(r, ctx.now) for r in open_now[:LIST_LIMIT]],
        "overdue": [with_effective_status(r, ctx.now) for r in overdue],
        "missed": [with_effective_status(r, ctx.now) for r in missed],
        "review": review,
        "review_total": review_total,
        "unreachable": unreachable,
        "open_flags_total": flags_total,
    }
