"""An office's caseload: its people, each with their case, next check-in and open flags.

The search itself is `defendants.search` (its rules for names, ID numbers and phones, its
office scope and its audit row); this adds what an officer's list needs around it and the
orders the officer may sort by.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from reporting_api.access import office_scope
from reporting_api.national_id import mask_national_id
from reporting_api.services import defendants
from reporting_api.services.checkins import CheckInWindow, effective_status
from reporting_api.services.context import Ctx
from reporting_api.statuses import status_name
from reporting_api.store import caseload as store
from reporting_api.store import offices as office_store
from reporting_api.store.caseload import CaseloadRow
from reporting_api.store.rows import OfficeRow

SORTS = store.SORTS
SEARCH_CAP = 1000
"""Matches of a search that are sorted by date or status; beyond this, narrow the search."""


class CaseloadEntry(CaseloadRow):
    national_id_masked: str
    """Lists never carry the full ID number (the person's page does)."""


@dataclass(frozen=True)
class Caseload:
    rows: list[CaseloadEntry]
    total: int
    truncated: bool
    """More people matched the search than SEARCH_CAP: the page asks to narrow it."""
    office_id: int | None
    offices: list[OfficeRow]
    sort: str
    q: str


def _entry(row: CaseloadRow, ctx: Ctx) -> CaseloadEntry:
    entry = CaseloadEntry(**row, national_id_masked=mask_national_id(row["national_id"]))
    if (
        row["next_status"] is not None
        and row["next_opens_at"] is not None
        and row["next_due_at"] is not None
        and row["next_closes_at"] is not None
    ):
        window = CheckInWindow(
            status=row["next_status"],
            opens_at=row["next_opens_at"],
            due_at=row["next_due_at"],
            closes_at=row["next_closes_at"],
        )
        entry["next_status"] = status_name(effective_status(window, ctx.now))
    return entry


async def caseload(
    ctx: Ctx,
    *,
    q: str | None,
    office_id: int | None,
    sort: str,
    offset: int,
    limit: int,
) -> Caseload:
    """One page of the caseload, searched by ``q`` and sorted by ``sort`` (name, due,
    status). Officers see their office; managers every office or the one they pick."""
    scope = office_scope(ctx.principal, office_id)
    sort = sort if sort in SORTS else "name"
    text = (q or "").strip()
    truncated = False
    if sort == "name":
        # The search's own order is by name: its page is the caseload's page.
        found, total = await defendants.search(ctx, text, scope, offset, limit)
        ids = [r["id"] for r in found]
        rows, _ = await store.caseload_page(
            office_id=scope, defendant_ids=ids, now=ctx.now, sort="name", offset=0, limit=limit
        )
    elif text:
        found, matched = await defendants.search(ctx, text, scope, 0, SEARCH_CAP)
        truncated = matched > SEARCH_CAP
        rows, total = await store.caseload_page(
            office_id=scope,
            defendant_ids=[r["id"] for r in found],
            now=ctx.now,
            sort=sort,
            offset=offset,
            limit=limit,
        )
    else:
        rows, total = await store.caseload_page(
            office_id=scope, defendant_ids=None, now=ctx.now, sort=sort, offset=offset, limit=limit
        )
    await ctx.audit(
        "admin.caseload",
        "office",
        scope,
        defendants.search_terms(ctx, text) | {"sort": sort, "defendants": [r["id"] for r in rows]},
    )
    offices = [] if ctx.principal.is_officer else await office_store.list_offices()
    return Caseload([_entry(r, ctx) for r in rows], total, truncated, scope, offices, sort, text)


EXPORT_CAP = 20_000
"""People a caseload export holds at most (an office has a few hundred; all offices together
can be narrowed by office or search)."""
EXPORT_BATCH = 500
"""People read (and handed to the writer) at a time."""


@dataclass(frozen=True)
class CaseloadExport:
    count: int
    truncated: bool
    """More people matched than EXPORT_CAP: the first EXPORT_CAP were written."""
    office_id: int | None
    q: str
    sort: str


async def export(
    ctx: Ctx,
    *,
    q: str | None,
    office_id: int | None,
    sort: str,
    write: Callable[[list[CaseloadEntry]], Awaitable[None]],
) -> CaseloadExport:
    """Every person the caseload page's filters select (not only its page), in its order,
    handed to ``write`` EXPORT_BATCH at a time (so a large office is never held at once);
    audited as one `admin.caseload.export` row naming them."""
    scope = office_scope(ctx.principal, office_id)
    sort = sort if sort in SORTS else "name"
    text = (q or "").strip()
    ids = None
    truncated = False
    if text:
        found, matched = await defendants.search(ctx, text, scope, 0, EXPORT_CAP)
        ids = [r["id"] for r in found]
        truncated = matched > EXPORT_CAP
    written: list[int] = []
    while len(written) < EXPORT_CAP:
        page, total = await store.caseload_page(
            office_id=scope,
            defendant_ids=ids,
            now=ctx.now,
            sort=sort,
            offset=len(written),
            limit=min(EXPORT_BATCH, EXPORT_CAP - len(written)),
        )
        if page:
            await write([_entry(r, ctx) for r in page])
        written += [r["id"] for r in page]
        truncated = truncated or total > EXPORT_CAP
        if len(page) < EXPORT_BATCH:
            break
    await ctx.audit(
        "admin.caseload.export",
        "office",
        scope,
        defendants.search_terms(ctx, text)
        | {"sort": sort, "count": len(written), "defendants": written},
    )
    return CaseloadExport(len(written), truncated, scope, text, sort)
