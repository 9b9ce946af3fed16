"""Opening, reading, listing and closing bail cases."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from reporting_api.access import (
    ensure_can_change_office,
    ensure_can_read_office,
    office_scope,
)
from reporting_api.commands import (
    CaseClose,
    CaseCreate,
    CaseReassign,
    CaseReopen,
    CaseTransfer,
    HearingIn,
)
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.services import notices
from reporting_api.services import reminders as reminder_service
from reporting_api.services.context import Ctx
from reporting_api.store import cases as store
from reporting_api.store import checkins as checkin_store
from reporting_api.store import defendants as defendant_store
from reporting_api.store import flags as flag_store
from reporting_api.store import hearings as hearing_store
from reporting_api.store import offices as office_store
from reporting_api.store import outbox as outbox_store
from reporting_api.store import staff as staff_store
from reporting_api.store import transaction
from reporting_api.store.cases import CaseRow
from reporting_api.thai_dates import bangkok_today, check_date_range

MAX_BAIL = Decimal("100000000")
EARLIEST_RELEASE = date(1990, 1, 1)


def check_bail_amount(amount: Decimal, field: str = "bail_amount") -> Decimal:
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput(field, "must be a positive amount in baht", "ต้องเป็นจำนวนเงินบาทที่มากกว่า 0")
    if amount > MAX_BAIL:
        raise InvalidInput(field, "is larger than 100,000,000 baht", "เกิน 100,000,000 บาท")
    exponent = amount.as_tuple().exponent  # an int for a finite amount
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidInput(field, "has more than 2 decimal places (satang)", "มีทศนิยมเกิน 2 ตำแหน่ง")
    return amount.quantize(Decimal("0.01"))


def check_case_dates(release_date: date, next_court_date: date | None, today: date) -> None:
    """A case's release date (1990 to 30 days from today) and next court date (not before
    the release); InvalidInput naming the field."""
    if release_date < EARLIEST_RELEASE or release_date > today + timedelta(days=30):
        raise InvalidInput(
            "release_date",
            "must be between 1990 and 30 days from today (Christian era)",
            "วันปล่อยตัวไม่ถูกต้อง (ใช้ปี ค.ศ.)",
        )
    if next_court_date is not None:
        check_date_range(next_court_date, "next_court_date")
    if next_court_date is not None and next_court_date < release_date:
        raise InvalidInput("next_court_date", "must not be before release_date", "ต้องไม่ก่อนวันปล่อยตัว")


async def _load(case_id: int) -> CaseRow:
    row = await store.get_case(case_id)
    if row is None:
        raise NotFound("case")
    return row


async def open_case(ctx: Ctx, data: CaseCreate) -> CaseRow:
    office_id = data.office_id or ctx.principal.office_id
    ensure_can_change_office(ctx.principal, office_id, "office")
    defendant_office = await defendant_store.get_defendant_office(data.defendant_id)
    if defendant_office is None or defendant_office != office_id:
        raise InvalidInput(
            "defendant_id", "no such defendant in this office", "ไม่พบผู้ถูกปล่อยตัวนี้ในสำนักงาน"
        )
    officer_id = data.officer_id or ctx.principal.id
    if not await staff_store.is_officer_of_office(officer_id, office_id):
        raise InvalidInput(
            "officer_id",
            "must be an active officer of the case's office",
            "ต้องเป็นเจ้าหน้าที่ของสำนักงานนี้",
        )
    check_case_dates(data.release_date, data.next_court_date, bangkok_today(ctx.now))
    case_id = await store.insert_case(
        {
            "defendant": data.defendant_id,
            "office": office_id,
            "officer": officer_id,
            "court": data.court.strip(),
            "black_case_number": data.black_case_number.strip(),
            "red_case_number": (data.red_case_number or "").strip() or None,
            "charge": data.charge.strip(),
            "bail_amount": check_bail_amount(data.bail_amount),
            "fund_request_ref": (data.fund_request_ref or "").strip() or None,
            "release_date": data.release_date,
            "conditions": data.conditions.strip(),
            "next_court_date": data.next_court_date,
            "status": "active",
            "created_at": ctx.now,
            "updated_at": ctx.now,
        }
    )
    await ctx.audit("case.create", "bail_case", case_id, {"defendant_id": data.defendant_id})
    if data.next_court_date is not None:
        await first_hearing(ctx, case_id, data.next_court_date)
    return await _load(case_id)


FIRST_HEARING_TIME = "09:00"
"""A case's first hearing, from the court date it was opened with, starts at this time
(Bangkok) until an officer corrects it (the bulk import writes the same)."""


async def first_hearing(ctx: Ctx, case_id: int, day: date) -> None:
    """A case opened with its next court date gets that hearing as a record (09:00 Bangkok,
    the case's court; the officer corrects the time on the person's page), with reminders."""
    from reporting_api.services import hearings  # hearings builds on this module

    if day <= bangkok_today(ctx.now):
        return  # today's or a past date: nothing left to remind of
    await hearings.add(ctx, case_id, HearingIn(day=day, time=FIRST_HEARING_TIME, court=""))


async def read(ctx: Ctx, case_id: int) -> CaseRow:
    row = await _load(case_id)
    ensure_can_read_office(ctx.principal, row["office"], "case")
    await ctx.audit("case.read", "bail_case", case_id)
    return row


async def load_for_change(ctx: Ctx, case_id: int) -> CaseRow:
    """The case, if this officer may change it and it is still active."""
    row = await _load(case_id)
    ensure_can_change_office(ctx.principal, row["office"], "case")
    if row["status"] != "active":
        raise Conflict("case", f"the case is {row['status']}", "คดีนี้ปิดแล้ว")
    return row


async def list_cases(
    ctx: Ctx,
    *,
    office_id: int | None,
    status: str | None,
    officer_id: int | None,
    defendant_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[CaseRow], int]:
    scope = office_scope(ctx.principal, office_id)
    rows, total = await store.list_cases(
        office_id=scope,
        status=status,
        officer_id=officer_id,
        defendant_id=defendant_id,
        offset=offset,
        limit=limit,
    )
    await ctx.audit("case.list", "bail_case", None, {"returned": [r["id"] for r in rows]})
    return rows, total


async def close_case(ctx: Ctx, case_id: int, data: CaseClose) -> CaseRow:
    await load_for_change(ctx, case_id)
    outcome = data.outcome.strip()
    if not outcome:
        raise InvalidInput("outcome", "is required", "ต้องระบุผลการปิดคดี")
    # Check-ins that have not opened yet no longer apply; past and open ones stay as evidence.
    future = [
        row["id"]
        for row in await checkin_store.list_for_case(case_id)
        if row["status"] == "upcoming" and row["opens_at"] > ctx.now
    ]
    async with transaction():
        # No SMS goes out for a closed case: what is still queued is cancelled with it.
        cancelled = await reminder_service.cancel_for_closed_case(case_id, ctx.now, data.status)
        await checkin_store.delete_check_ins(future)
        await store.update_case(
            case_id,
            {
                "status": data.status,
                "closing_outcome": outcome,
                "closed_at": ctx.now,
                "updated_at": ctx.now,
            },
        )
        # The person hears that reporting has ended; a person who absconded is not told.
        told = None
        if data.status != "absconded":
            told = await notices.case_ended(ctx, case_id)
    await ctx.audit(
        "case.close",
        "bail_case",
        case_id,
        {
            "status": data.status,
            "removed_future_check_ins": len(future),
            "cancelled_reminders": cancelled,
            "person_told": told is not None,
        },
    )
    return await _load(case_id)


async def reopen_case(ctx: Ctx, case_id: int, data: CaseReopen) -> CaseRow:
    """Open a closed case again (a closing by mistake, a revocation set aside): its plan is
    expanded again from now on, with its reminders, and the person is told the dates. A plan
    that has ended asks for nothing more: the officer sets a new one."""
    from reporting_api.services import plans  # plans builds on this module

    row = await _load(case_id)
    ensure_can_change_office(ctx.principal, row["office"], "case")
    if row["status"] == "active":
        raise Conflict("case", "the case is active already", "คดีนี้ยังดำเนินอยู่แล้ว")
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput("reason", "is required", "ต้องระบุเหตุผล")
    previous = {"status": row["status"], "closing_outcome": row["closing_outcome"]}
    async with transaction():
        await store.update_case(
            case_id,
            {"status": "active", "closing_outcome": None, "closed_at": None, "updated_at": ctx.now},
        )
        reopened = await _load(case_id)
        try:
            change = await plans.replan_stored(ctx, reopened)
        except InvalidInput:
            # A plan stored before today's rules: the case is open, its officer sets a plan.
            change = None
    await ctx.audit(
        "case.reopen",
        "bail_case",
        case_id,
        {
            "reason": reason,
            "before": previous,
            "check_ins_created": change.created if change else 0,
        },
    )
    return await _load(case_id)


async def reassign(ctx: Ctx, case_id: int, data: CaseReassign) -> CaseRow:
    """Give the case to another active officer of its office."""
    row = await load_for_change(ctx, case_id)
    if not await staff_store.is_officer_of_office(data.officer_id, row["office"]):
        raise InvalidInput(
            "officer_id",
            "must be an active officer of the case's office",
            "ต้องเป็นเจ้าหน้าที่ของสำนักงานนี้",
        )
    if data.officer_id == row["officer"]:
        raise InvalidInput("officer_id", "is the case's officer already", "เป็นเจ้าหน้าที่ของคดีนี้อยู่แล้ว")
    await store.update_case(case_id, {"officer": data.officer_id, "updated_at": ctx.now})
    await ctx.audit(
        "case.reassign",
        "bail_case",
        case_id,
        {"from": row["officer"], "to": data.officer_id, "reason": data.reason.strip()},
    )
    return await _load(case_id)


async def transfer(ctx: Ctx, case_id: int, data: CaseTransfer) -> CaseRow:
    """Move the case, with its check-ins, messages and flags, to another office: the receiving
    office sees it at once, the sending office no longer does. The person moves too when no
    other active case of theirs stays in the sending office."""
    row = await load_for_change(ctx, case_id)
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput("reason", "is required", "ต้องระบุเหตุผล")
    if not await office_store.office_exists(data.office_id):
        raise InvalidInput("office_id", "unknown office", "ไม่พบสำนักงานนี้")
    if data.office_id == row["office"]:
        raise InvalidInput("office_id", "is the case's office already", "คดีอยู่ที่สำนักงานนี้แล้ว")
    officer = data.officer_id or await staff_store.first_officer_of_office(data.office_id)
    if officer is None or not await staff_store.is_officer_of_office(officer, data.office_id):
        raise InvalidInput(
            "officer_id",
            "must be an active officer of the receiving office (it has none)"
            if officer is None
            else "must be an active officer of the receiving office",
            "ต้องเป็นเจ้าหน้าที่ของสำนักงานที่รับโอน",
        )
    async with transaction(immediate=True):
        await store.update_case(
            case_id, {"office": data.office_id, "officer": officer, "updated_at": ctx.now}
        )
        await checkin_store.move_case_office(case_id, data.office_id)
        await outbox_store.move_case_office(case_id, data.office_id)
        await flag_store.move_case_office(case_id, data.office_id)
        await hearing_store.move_case_office(case_id, data.office_id)
        person_moves = (
            await store.other_active_cases_in_office(row["defendant"], row["office"], case_id) == 0
        )
        if person_moves:
            await defendant_store.update_defendant(
                row["defendant"], {"office": data.office_id, "updated_at": ctx.now}
            )
    await ctx.audit(
        "case.transfer",
        "bail_case",
        case_id,
        {
            "from_office": row["office"],
            "to_office": data.office_id,
            "officer": officer,
            "person_moved": person_moves,
            "reason": reason,
        },
    )
    return await _load(case_id)
