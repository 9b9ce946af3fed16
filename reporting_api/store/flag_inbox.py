"""Queries of the officers' flag inbox: flags with the person, check-in and staff they name."""

from __future__ import annotations

from datetime import date

from piccolo.query import OrderByRaw

from reporting_api.store import fetch_page, row_as
from reporting_api.store.flags import flag_conditions
from reporting_api.store.rows import FlagRow
from reporting_api.tables import Flag

STATES = ("open", "acknowledged", "resolved")
COLUMNS = (
    *Flag.all_columns(),
    Flag.case._.defendant._.id.as_alias("defendant_id"),
    Flag.case._.defendant._.title_th.as_alias("defendant_title_th"),
    Flag.case._.defendant._.first_name_th.as_alias("defendant_first_name_th"),
    Flag.case._.defendant._.last_name_th.as_alias("defendant_last_name_th"),
    Flag.case._.black_case_number.as_alias("black_case_number"),
    Flag.check_in._.due_date.as_alias("due_date"),
    Flag.check_in._.status.as_alias("check_in_status"),
    Flag.office._.code.as_alias("office_code"),
    Flag.escalated_to._.display_name.as_alias("escalated_to_name"),
    Flag.acknowledged_by._.display_name.as_alias("acknowledged_by_name"),
    Flag.resolved_by._.display_name.as_alias("resolved_by_name"),
)



class InboxRow(FlagRow):
    """A flag with the person, check-in and staff it names."""

    defendant_id: int
    defendant_title_th: str
    defendant_first_name_th: str
    defendant_last_name_th: str
    black_case_number: str
    due_date: date | None
    check_in_status: str | None
    office_code: str
    escalated_to_name: str | None
    acknowledged_by_name: str | None
    resolved_by_name: str | None


async def list_inbox(
    *,
    office_id: int | None,
    state: str,
    kind: str | None,
    check_in_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[InboxRow], int]:
    """Flags in ``state``, newest first (escalated ones before the rest)."""
    conditions = flag_conditions(
        office_id=office_id, state=state, kind=kind, check_in_id=check_in_id
    )
    query = (
        Flag.select(*COLUMNS)
        .order_by(OrderByRaw('"flag"."escalated_at" IS NULL'))
        .order_by(Flag.raised_at, ascending=False)
        .order_by(Flag.id, ascending=False)
    )
    return await fetch_page(InboxRow, query, Flag.count(), conditions, offset, limit)


async def count_by_state(
    *, office_id: int | None, kind: str | None, check_in_id: int | None
) -> dict[str, int]:
    counts = {}
    for state in STATES:
        conditions = flag_conditions(
            office_id=office_id, state=state, kind=kind, check_in_id=check_in_id
        )
        query = Flag.count()
        counts[state] = await (query.where(*conditions) if conditions else query)
    return counts


async def get_flag(flag_id: int) -> InboxRow | None:
    return row_as(InboxRow, await Flag.select(*COLUMNS).where(Flag.id == flag_id).first())
