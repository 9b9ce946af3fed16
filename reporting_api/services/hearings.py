"""Court hearings as their own records (docs/hearings.md): many per case, each with its time,
court, room and purpose, entered and edited by the case's office; SMS reminders 7, 3 and 1 days
before (the office's own days if it set them), planned in the transaction that writes the
hearing; afterwards an officer records the result, and an absence raises a high-severity flag.
The case's `next_court_date` is kept equal to its next hearing, so every reader of it (the risk
score, the reports) follows the hearings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from reporting_api.access import ensure_can_read_office
from reporting_api.commands import HearingIn, HearingResultIn
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.hearing_rules import (
    DEFAULT_HEARING_OFFSETS,
    HearingText,
    hearing_date,
    hearing_days,
    plan_hearing_reminders,
    render_hearing_reminder,
)
from reporting_api.planning import check_not_buddhist_year
from reporting_api.services import alerts, cases
from reporting_api.services import reminders as reminder_service
from reporting_api.services.context import Ctx
from reporting_api.statuses import FlagKind, Severity
from reporting_api.store import hearings as store
from reporting_api.store import offices as office_store
from reporting_api.store import outbox as outbox_store
from reporting_api.store import reminder_settings as settings_store
from reporting_api.store import transaction
from reporting_api.store.cases import CaseRow
from reporting_api.store.hearings import HearingRow, WeekHearing
from reporting_api.thai_dates import (
    BANGKOK,
    bangkok_today,
    check_date_range,
    format_english_date,
    format_thai_date,
)

MAX_YEARS_AHEAD = 5


@dataclass(frozen=True)
class HearingResult:
    """A hearing after its result was recorded, the next one a postponement set, and the flag
    an absence raised."""

    hearing: HearingRow
    next_hearing: HearingRow | None
    flag_id: int | None


def starts_at_of(day: date, hhmm: str, field: str, today: date) -> datetime:
    """The UTC instant of ``hhmm`` Bangkok on ``day``; a day in the past or too far ahead, or a
    Buddhist-era year typed as Christian, is refused naming ``field``."""
    check_not_buddhist_year(day, field, today)
    check_date_range(day, field)
    if day < today:
        raise InvalidInput(field, "is in the past", "เป็นวันที่ผ่านมาแล้ว")
    if day.year > today.year + MAX_YEARS_AHEAD:
        raise InvalidInput(field, "must be within five years", "ต้องอยู่ภายในห้าปี")
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=BANGKOK).astimezone(UTC)


async def _load(hearing_id: int) -> HearingRow:
    row = await store.get(hearing_id)
    if row is None:
        raise NotFound("hearing")
    return row


async def read(ctx: Ctx, hearing_id: int) -> HearingRow:
    """A hearing of a case this user may read."""
    row = await _load(hearing_id)
    ensure_can_read_office(ctx.principal, row["office"], "hearing")
    return row


async def list_for_case(ctx: Ctx, case_id: int) -> list[HearingRow]:
    case = await cases.read(ctx, case_id)
    ensure_can_read_office(ctx.principal, case["office"], "case")
    return await store.of_case(case_id)


async def add(ctx: Ctx, case_id: int, data: HearingIn, *, audit: bool = True) -> HearingRow:
    """A new hearing of an active case, with its reminders."""
    case = await cases.load_for_change(ctx, case_id)
    starts_at = starts_at_of(data.day, data.time, "day", bangkok_today(ctx.now))
    if starts_at <= ctx.now:
        raise InvalidInput("time", "is in the past", "เวลานี้ผ่านมาแล้ว")
    values = {
        "case": case_id,
        "office": case["office"],
        "starts_at": starts_at,
        "court": data.court.strip() or case["court"],
        "room": (data.room or "").strip() or None,
        "purpose": data.purpose.strip(),
        "created_by": ctx.principal.id,
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }
    async with transaction():
        hearing_id = await store.insert(values)
        hearing = await _load(hearing_id)
        await _plan_reminders(ctx, case, hearing)
        await _sync_next_court_date(ctx, case_id)
    if audit:
        await ctx.audit(
            "hearing.create", "court_hearing", hearing_id, {"case": case_id, "day": str(data.day)}
        )
    return await _load(hearing_id)


async def edit(ctx: Ctx, hearing_id: int, data: HearingIn) -> HearingRow:
    """Move or correct a hearing whose result is not recorded; its reminders follow."""
    hearing = await _load(hearing_id)
    case = await cases.load_for_change(ctx, hearing["case"])
    _still_open(hearing)
    starts_at = starts_at_of(data.day, data.time, "day", bangkok_today(ctx.now))
    if starts_at <= ctx.now:
        raise InvalidInput("time", "is in the past", "เวลานี้ผ่านมาแล้ว")
    before = hearing["starts_at"]
    async with transaction():
        await store.update(
            hearing_id,
            {
                "starts_at": starts_at,
                "court": data.court.strip() or hearing["court"],
                "room": (data.room or "").strip() or None,
                "purpose": data.purpose.strip(),
                "updated_at": ctx.now,
            },
        )
        await _plan_reminders(ctx, case, await _load(hearing_id))
        await _sync_next_court_date(ctx, hearing["case"])
    await ctx.audit(
        "hearing.update",
        "court_hearing",
        hearing_id,
        {"from": before.isoformat(), "to": starts_at.isoformat()},
    )
    return await _load(hearing_id)


async def cancel(ctx: Ctx, hearing_id: int, reason: str) -> HearingRow:
    """Remove a hearing entered by mistake or called off (kept as history); its unsent
    reminders are cancelled."""
    hearing = await _load(hearing_id)
    await cases.load_for_change(ctx, hearing["case"])
    _still_open(hearing)
    async with transaction():
        await store.update(hearing_id, {"cancelled_at": ctx.now, "updated_at": ctx.now})
        await _cancel_unsent(hearing_id, ctx.now, "hearing cancelled")
        await _sync_next_court_date(ctx, hearing["case"])
    await ctx.audit("hearing.cancel", "court_hearing", hearing_id, {"reason": reason.strip()})
    return await _load(hearing_id)


async def record_result(ctx: Ctx, hearing_id: int, data: HearingResultIn) -> HearingResult:
    """What happened: `attended`, `absent` (a high-severity flag for the officer, which
    escalates like a missed check-in) or `postponed` (the next hearing, with its reminders).
    Only a postponement may be recorded before the hearing's time."""
    hearing = await _load(hearing_id)
    case = await cases.load_for_change(ctx, hearing["case"])
    _still_open(hearing)
    if data.result != "postponed" and hearing["starts_at"] > ctx.now:
        raise InvalidInput(
            "result",
            "the hearing has not taken place yet: only a postponement can be recorded now",
            "ยังไม่ถึงเวลานัดศาล บันทึกได้เฉพาะการเลื่อนนัด",
        )
    next_in: HearingIn | None = None
    if data.result == "postponed":
        if data.next_day is None or data.next_time is None:
            raise InvalidInput(
                "next_day", "give the new hearing's day and time", "กรุณาระบุวันและเวลานัดใหม่"
            )
        next_in = HearingIn(data.next_day, data.next_time, hearing["court"], hearing["room"])
        starts_at_of(data.next_day, data.next_time, "next_day", bangkok_today(ctx.now))
    flag_id: int | None = None
    next_row: HearingRow | None = None
    async with transaction():
        await store.update(
            hearing_id,
            {
                "result": data.result,
                "result_note": data.note.strip() or None,
                "recorded_by": ctx.principal.id,
                "recorded_at": ctx.now,
                "updated_at": ctx.now,
            },
        )
        await _cancel_unsent(hearing_id, ctx.now, f"hearing {data.result}")
        if next_in is not None:
            next_row = await add(ctx, hearing["case"], next_in, audit=False)
            await store.update(hearing_id, {"postponed_to": next_row["id"]})
        if data.result == "absent":
            flag_id = await _flag_absence(ctx, case, hearing)
        await _sync_next_court_date(ctx, hearing["case"])
    await ctx.audit(
        "hearing.result",
        "court_hearing",
        hearing_id,
        {
            "result": data.result,
            "note": data.note.strip(),
            "next_hearing": next_row["id"] if next_row else None,
            "flag": flag_id,
        },
    )
    return HearingResult(await _load(hearing_id), next_row, flag_id)


def _still_open(hearing: HearingRow) -> None:
    if hearing["cancelled_at"] is not None:
        raise Conflict("hearing", "the hearing was cancelled", "นัดนี้ถูกยกเลิกแล้ว")
    if hearing["result"] is not None:
        raise Conflict(
            "hearing",
            f"the hearing's result is recorded already ({hearing['result']})",
            "บันทึกผลการนัดนี้แล้ว",
        )


async def _flag_absence(ctx: Ctx, case: CaseRow, hearing: HearingRow) -> int | None:
    local = hearing["starts_at"].astimezone(BANGKOK)
    flag_id = await alerts.raise_flag(
        alerts.NewFlag(
            kind=FlagKind.HEARING_ABSENT,
            case_id=case["id"],
            check_in_id=None,
            office_id=case["office"],
            severity=Severity.HIGH,
            detail_th=(
                f"ไม่ไปศาลตามนัด {format_thai_date(local.date())} เวลา {local:%H:%M} น. "
                f"ที่{hearing['court']}"
            ),
            detail_en=(
                f"Absent from the court hearing of {format_english_date(local.date())} at "
                f"{local:%H:%M} ({hearing['court']})."
            ),
            dedupe_key=f"{FlagKind.HEARING_ABSENT.value}:{hearing['id']}",
        ),
        ctx.now,
    )
    if flag_id is not None and case["officer"] is not None:
        await alerts.alert_officer(
            flag_id=flag_id,
            officer_id=case["officer"],
            case_id=case["id"],
            office_id=case["office"],
            now=ctx.now,
            settings=ctx.settings,
        )
    return flag_id


async def _sync_next_court_date(ctx: Ctx, case_id: int) -> None:
    upcoming = await store.next_upcoming(case_id, ctx.now)
    day = hearing_date(upcoming["starts_at"]) if upcoming else None
    await store.set_next_court_date(case_id, day, ctx.now)


async def _cancel_unsent(hearing_id: int, now: datetime, reason: str) -> int:
    ids = [
        r["id"]
        for r in await store.reminders_of(hearing_id)
        if r["status"] == "queued" and r["attempts"] == 0
    ]
    return await outbox_store.cancel_unsent(ids, now, reason)


async def hearing_offsets(office_id: int) -> tuple[int, ...]:
    row = await settings_store.get_office_settings(office_id)
    raw = row["hearing_offsets_days"] if row else None
    if raw is None:
        return DEFAULT_HEARING_OFFSETS
    return tuple(int(d) for d in reminder_service._json_list(raw))


async def _plan_reminders(ctx: Ctx, case: CaseRow, hearing: HearingRow) -> None:
    """Bring the hearing's reminders in line with its time: untried ones are reworded and
    moved, missing ones added, ones no longer wanted cancelled; tried ones are left alone."""
    person = await store.person_of_case(case["id"])
    office = await office_store.get_office(case["office"])
    if person is None or office is None:
        raise NotFound("case")
    policy = await reminder_service.office_policy(case["office"])
    planned = plan_hearing_reminders(
        starts_at=hearing["starts_at"],
        now=ctx.now,
        offsets_days=await hearing_offsets(case["office"]),
        send_hour=policy.send_hour,
        quiet=reminder_service.quiet_hours(ctx.settings),
    )
    language = "en" if person["preferred_language"] == "en" else "th"
    existing = {r["kind"]: r for r in await store.reminders_of(hearing["id"])}
    new_rows: list[outbox_store.NewReminder] = []
    for p in planned:
        days = hearing_days(p.kind)
        assert days is not None
        body = render_hearing_reminder(
            HearingText(
                days=days,
                language=language,
                office_name_th=office["name_th"],
                office_name_en=office["name_en"],
                court=hearing["court"],
                starts_at=hearing["starts_at"],
                room=hearing["room"],
            )
        )
        row = existing.get(p.kind)
        if row is None:
            new_rows.append(
                {
                    "check_in": None,
                    "hearing": hearing["id"],
                    "case": case["id"],
                    "office": case["office"],
                    "defendant": case["defendant"],
                    "kind": p.kind,
                    "body": body,
                    "language": language,
                    "due_at": p.due_at,
                    "expires_at": p.expires_at,
                    "next_attempt_at": p.due_at,
                    "status": outbox_store.QUEUED,
                    "reference": reminder_service.new_reference(),
                    "created_at": ctx.now,
                    "updated_at": ctx.now,
                }
            )
        elif row["status"] == "queued" and row["attempts"] == 0:
            await store.reword_unsent(
                row["id"],
                body=body,
                language=language,
                due_at=p.due_at,
                expires_at=p.expires_at,
                now=ctx.now,
            )
    await outbox_store.insert_reminders(new_rows)
    wanted = {p.kind for p in planned}
    await outbox_store.cancel_unsent(
        [
            r["id"]
            for kind, r in existing.items()
            if kind not in wanted and r["status"] == "queued" and r["attempts"] == 0
        ],
        ctx.now,
        "no longer in the hearing's plan",
    )


async def week_of_office(office_id: int, first: datetime, last: datetime) -> list[WeekHearing]:
    """The office's hearings between two instants (the Today page's week)."""
    return await store.of_office_between(office_id, first, last)


async def backfill_from_court_dates(now: datetime) -> int:
    """Hearing records for bulk-loaded cases that carry only a next court date (the demo)."""
    return await store.backfill_from_court_dates(now)
