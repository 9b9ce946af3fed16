"""Deadlines for recordings waiting for review, on both databases: the sweep escalates one
past its deadline in working hours (weekends and Thai holidays not counted) to a manager,
once, however many sweeps run at the same time; the check-in keeps waiting (never "missed");
an office sets its own deadline; the officer's decision settles the flag; Today shows the
oldest wait with its deadline."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from reporting_api.errors import InvalidInput
from reporting_api.services import reminders as reminder_service
from reporting_api.services import review as review_service
from reporting_api.services import today as today_service
from reporting_api.services.deadlines import REVIEW_OVERDUE_KEY
from reporting_api.services.sweep import sweep
from reporting_api.store import attempts as attempt_store
from reporting_api.tables import AuditLog, CheckIn, Flag, Reminder, StaffUser
from reporting_api.thai_dates import BANGKOK
from scheduler.dispatch import Dispatcher
from scheduler.sender import FakeSender
from tests.scheduler.helpers import case_with_plan, check_ins_of, make_world, run

DUE = date(2026, 12, 4)  # a Friday; the window closes at the end of Saturday 5 December
PLANNED = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def bkk(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


# Friday 15:00: 1.5 working hours that day; the weekend and Monday 7 December (King
# Bhumibol's birthday in lieu) do not count; 6.5 hours on Tuesday: 15:00.
MADE = bkk(date(2026, 12, 4), 15)
DEADLINE = bkk(date(2026, 12, 8), 15)
MANAGER_PHONE = "+66866666666"


async def waiting_recording(world, made: datetime = MADE) -> tuple[dict, int]:
    """A case whose check-in waits for review with one recording made at ``made``."""
    _, case, _ = await case_with_plan(world, DUE, now=PLANNED)
    check_in = (await check_ins_of(case["id"]))[0]
    await CheckIn.update({CheckIn.status: "pending_review"}).where(CheckIn.id == check_in["id"])
    attempt_id = await attempt_store.insert_attempt(
        {
            "check_in": check_in["id"],
            "case": case["id"],
            "office": check_in["office"],
            "idempotency_key": f"deadline-{check_in['id']}",
            "state": "done",
            "media_kind": "mp4",
            "decision": "review",
            "outcome": "review",
            "reasons": [{"code": "low_match", "en": "Low face match", "th": "ใบหน้าตรงกันน้อย"}],
            "needs_review": True,
            "created_at": made,
            "completed_at": made,
        }
    )
    return check_in, attempt_id


def test_a_review_past_its_working_hours_deadline_goes_to_a_manager_once(database_url):
    world = make_world(database_url)
    manager = world.staff["manager"]
    sender = FakeSender(clock=lambda: DEADLINE)

    async def check() -> None:
        await StaffUser.update({StaffUser.phone: MANAGER_PHONE}).where(StaffUser.id == manager.id)
        check_in, attempt_id = await waiting_recording(world)
        # Monday noon, a holiday: 45 hours on the clock, 1.5 working hours. The window has
        # closed, but a check-in waiting for review is not missed.
        report = await sweep(bkk(date(2026, 12, 7), 12), world.settings)
        assert (report.missed, report.reviews_overdue) == (0, 0)
        assert (await sweep(DEADLINE - timedelta(minutes=1), world.settings)).reviews_overdue == 0
        assert await Flag.count() == 0
        reports = await asyncio.gather(*(sweep(DEADLINE, world.settings) for _ in range(3)))
        assert sum(r.reviews_overdue for r in reports) == 1
        again = await sweep(DEADLINE + timedelta(hours=30), world.settings)
        assert (again.reviews_overdue, again.escalated, again.missed) == (0, 0, 0)

        flags = await Flag.select()
        assert len(flags) == 1
        flag = flags[0]
        assert (flag["kind"], flag["severity"]) == ("review_overdue", "high")
        assert flag["check_in"] == check_in["id"]
        assert flag["dedupe_key"] == f"{REVIEW_OVERDUE_KEY}{attempt_id}"
        assert flag["escalated_at"] == DEADLINE and flag["escalated_to"] == manager.id
        thai, english = flag["detail"].split("\n")
        assert "รอเจ้าหน้าที่ตรวจสอบ" in thai and "8 ชั่วโมงทำการ" in thai, thai
        assert "past its deadline of 8 working hours (15:00 on 8 Dec 2026" in english, english
        audit = await AuditLog.select().where(AuditLog.action == "flag.escalate")
        assert len(audit) == 1 and audit[0]["entity_id"] == str(flag["id"])
        assert "8 working hours" in str(audit[0]["detail"])
        alerts = await Reminder.select().where(Reminder.staff == manager.id)
        assert len(alerts) >= 1 and {a["kind"] for a in alerts} == {"manager_alert"}
        # The check-in still waits for the officer.
        assert (await check_ins_of(check_in["case"]))[0]["status"] == "pending_review"
        await Dispatcher(world.settings, sender, worker_id="t").drain(lambda: DEADLINE)
        to_manager = [m for m in sender.sent if m.to == MANAGER_PHONE]
        assert len(to_manager) == 1
        assert "ยกระดับ" in to_manager[0].body and "เกินกำหนดเวลา" in to_manager[0].body

    run(check())


def test_the_officers_decision_settles_the_overdue_flag(database_url):
    world = make_world(database_url)

    async def check() -> None:
        check_in, attempt_id = await waiting_recording(world)
        await sweep(DEADLINE, world.settings)
        result = await review_service.review(
            world.ctx(DEADLINE + timedelta(hours=1)), attempt_id, "accept", "ใบหน้าตรงกัน"
        )
        flag = (await Flag.select())[0]
        assert flag["id"] in result.resolved_flags
        assert flag["resolved_at"] is not None and flag["resolution_note"] == "ใบหน้าตรงกัน"
        assert (await check_ins_of(check_in["case"]))[0]["status"] == "verified"

    run(check())


def test_an_office_sets_its_own_deadline(database_url):
    world = make_world(database_url)

    async def check() -> None:
        check_in, _ = await waiting_recording(world)
        admin = world.ctx(PLANNED, "admin")
        office = check_in["office"]
        settings = await reminder_service.get_office_settings(admin, office)
        assert settings.review_deadline_hours == 8
        for bad in (0, 81):
            with pytest.raises(InvalidInput) as refused:
                await reminder_service.set_office_settings(
                    admin, office, [3, 1, 0], 9, True, review_deadline_hours=bad
                )
            assert refused.value.field == "review_deadline_hours"
            assert "ชั่วโมงทำการ" in (refused.value.reason_th or "")
        changed = await reminder_service.set_office_settings(
            admin, office, [3, 1, 0], 9, True, review_deadline_hours=2
        )
        assert changed.review_deadline_hours == 2
        # Friday 15:00 + 2 working hours: 1.5 on Friday, 0.5 on Tuesday (Monday a holiday).
        due = bkk(date(2026, 12, 8), 9)
        assert (await sweep(due - timedelta(minutes=1), world.settings)).reviews_overdue == 0
        assert (await sweep(due, world.settings)).reviews_overdue == 1
        audit = await AuditLog.select().where(AuditLog.action == "office.reminder_settings")
        assert "review_deadline_hours" in str(audit[-1]["detail"])

    run(check())


def test_a_declared_holiday_moves_the_deadline(database_url):
    world = make_world(database_url)

    async def check() -> None:
        from reporting_api.store import holidays as holiday_store

        await holiday_store.insert(
            day=date(2026, 12, 8),
            name_th="วันหยุดพิเศษ",
            name_en="Special holiday",
            declared_by=world.staff["admin"].id,
            now=PLANNED,
        )
        await waiting_recording(world)
        assert (await sweep(DEADLINE, world.settings)).reviews_overdue == 0
        assert (await sweep(bkk(date(2026, 12, 9), 15), world.settings)).reviews_overdue == 1

    run(check())


def test_today_shows_the_oldest_wait_and_its_deadline(database_url):
    world = make_world(database_url)

    async def check() -> None:
        await waiting_recording(world)
        await waiting_recording(world, made=MADE + timedelta(hours=20))
        before = await today_service.today_page(world.ctx(DEADLINE - timedelta(hours=1)), None)
        oldest = before.oldest_review
        assert oldest is not None and before.review.total == 2
        assert (oldest.waiting_since, oldest.due_at, oldest.hours) == (MADE, DEADLINE, 8)
        assert not oldest.overdue
        after = await today_service.today_page(world.ctx(DEADLINE), None)
        assert after.oldest_review is not None and after.oldest_review.overdue
        empty = await today_service.today_page(world.ctx(DEADLINE, "officer_cnx"), None)
        assert empty.oldest_review is None

    run(check())
