"""The sweep on both databases: windows open, go late, close as missed; one flag per missed
check-in however often (or how concurrently) it runs; follow-ups; escalation to a manager."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from reporting_api.commands import CaseClose
from reporting_api.services import cases as case_service
from reporting_api.services import checkins as checkin_service
from reporting_api.services import flags as flag_service
from reporting_api.services.sweep import sweep
from reporting_api.tables import AuditLog, CheckIn, Flag, Reminder, StaffUser
from reporting_api.thai_dates import BANGKOK
from scheduler.dispatch import Dispatcher
from scheduler.sender import FakeSender
from tests.scheduler.helpers import case_with_plan, check_ins_of, make_world, run

DUE = date(2026, 12, 16)  # window opens 14 Dec (2 days before), grace ends 17 Dec


def bkk(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


OPENED = bkk(date(2026, 12, 14), 1)
LATE = bkk(date(2026, 12, 17), 1)
CLOSED = bkk(date(2026, 12, 18), 0, 1)


async def status_of(case_id: int) -> str:
    return (await check_ins_of(case_id))[0]["status"]


def test_windows_open_go_late_and_close_as_missed_with_one_flag(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        assert (await sweep(OPENED - timedelta(hours=2), world.settings)).opened == 0
        assert (await sweep(OPENED, world.settings)).opened == 1
        assert await status_of(case["id"]) == "open"
        assert (await sweep(LATE, world.settings)).late == 1
        assert await status_of(case["id"]) == "late"
        report = await sweep(CLOSED, world.settings)
        assert (report.missed, report.flags) == (1, 1)
        assert await status_of(case["id"]) == "missed"
        for _ in range(3):
            again = await sweep(CLOSED + timedelta(minutes=5), world.settings)
            assert (again.missed, again.flags) == (0, 0)
        flags = await Flag.select()
        assert len(flags) == 1
        flag = flags[0]
        check_in = (await check_ins_of(case["id"]))[0]
        assert flag["kind"] == "missed_checkin" and flag["check_in"] == check_in["id"]
        assert flag["dedupe_key"] == f"missed_checkin:{check_in['id']}"
        # Thai first (Buddhist era), then English, for the officer's inbox.
        thai, english = flag["detail"].split("\n")
        assert thai.startswith("ไม่มารายงานตัวตามกำหนด 16 ธ.ค. 2569 "), thai
        assert english.startswith("Missed check-in due 16 Dec 2026; "), english
        assert "(Bangkok) without a verified check-in" in english
        audit = await AuditLog.select().where(AuditLog.action == "checkin.missed")
        assert len(audit) == 1 and "without a verified check-in" in str(audit[0]["detail"])

    run(check())


def test_a_sweep_that_wakes_late_walks_every_step(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        report = await sweep(CLOSED + timedelta(days=3), world.settings)
        assert (report.opened, report.late, report.missed, report.flags) == (1, 0, 1, 1)

    run(check())


def test_concurrent_sweeps_add_one_flag(database_url):
    world = make_world(database_url)

    async def check() -> None:
        for _ in range(5):
            await case_with_plan(world, DUE)
        await sweep(LATE, world.settings)
        reports = await asyncio.gather(*(sweep(CLOSED, world.settings) for _ in range(3)))
        assert sum(r.missed for r in reports) == 5
        assert sum(r.flags for r in reports) == 5
        assert await Flag.count() == 5

    run(check())


def test_pending_review_and_completed_check_ins_are_left_alone(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, waiting, _ = await case_with_plan(world, DUE)
        _, done, _ = await case_with_plan(world, DUE)
        await CheckIn.update({CheckIn.status: "pending_review"}).where(
            CheckIn.case == waiting["id"]
        )
        checked = (await check_ins_of(done["id"]))[0]
        await checkin_service.record_in_person(world.ctx(OPENED), checked["id"], "")
        report = await sweep(CLOSED, world.settings)
        assert report.missed == 0 and await Flag.count() == 0
        assert await status_of(waiting["id"]) == "pending_review"
        assert await status_of(done["id"]) == "verified"

    run(check())


def test_a_closed_case_raises_no_flag(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        await sweep(OPENED, world.settings)  # open now: closing the case keeps it as evidence
        await case_service.close_case(
            world.ctx(OPENED), case["id"], CaseClose(status="absconded", outcome="หลบหนี")
        )
        report = await sweep(CLOSED, world.settings)
        assert report.missed == 1 and report.flags == 0

    run(check())


def test_the_person_gets_a_follow_up_the_morning_after(database_url):
    world = make_world(database_url)
    sender = FakeSender(clock=lambda: CLOSED)

    async def check() -> None:
        defendant, case, _ = await case_with_plan(world, DUE)
        await sweep(CLOSED, world.settings)
        morning = bkk(date(2026, 12, 18), 9, 1)
        dispatcher = Dispatcher(world.settings, sender, worker_id="t")
        report = await dispatcher.drain(lambda: morning)
        # Everything before is past its day (skipped); the follow-up goes out.
        follow_up = [m for m in sender.sent if "ยังไม่ได้รายงานตัว" in m.body]
        assert len(follow_up) == 1 and follow_up[0].to == defendant["phone"]
        assert report.sent == 1

    run(check())


def test_no_follow_up_when_the_person_reported_within_grace(database_url):
    world = make_world(database_url)
    sender = FakeSender(clock=lambda: CLOSED)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        check_in = (await check_ins_of(case["id"]))[0]
        await checkin_service.record_in_person(world.ctx(LATE), check_in["id"], "มาสาย")
        await sweep(CLOSED, world.settings)
        await Dispatcher(world.settings, sender, worker_id="t").drain(
            lambda: bkk(date(2026, 12, 18), 9, 1)
        )
        # Only the notice that this, the plan's only check-in, ended the reporting goes.
        kinds = {r["body"]: r["kind"] for r in await Reminder.select()}
        assert [kinds[m.body] for m in sender.sent] == ["notice_last_checkin_done"]
        rows = await Reminder.select().where(Reminder.kind == "missed_followup")
        assert rows[0]["status"] == "skipped"

    run(check())


def test_the_officer_is_alerted_by_sms_when_they_have_a_number(database_url):
    world = make_world(database_url)
    sender = FakeSender(clock=lambda: CLOSED)
    officer = world.staff["officer_bkk"]

    async def check() -> None:
        await StaffUser.update({StaffUser.phone: "+66855555555"}).where(StaffUser.id == officer.id)
        await case_with_plan(world, DUE)
        report = await sweep(CLOSED, world.settings)
        assert report.staff_alerts == 1
        alert = (await Reminder.select().where(Reminder.kind == "officer_alert"))[0]
        assert alert["staff"] == officer.id and alert["defendant"] is None
        # Queued at 00:01, it waits for the end of the quiet hours.
        assert alert["due_at"] == bkk(date(2026, 12, 18), 9)
        await Dispatcher(world.settings, sender, worker_id="t").drain(
            lambda: bkk(date(2026, 12, 18), 9, 1)
        )
        to_officer = [m for m in sender.sent if m.to == "+66855555555"]
        assert len(to_officer) == 1 and "อ.1234/2569" in to_officer[0].body
        assert "สมชาย" not in to_officer[0].body

    run(check())


def test_unacknowledged_flags_escalate_once_to_a_manager(database_url):
    world = make_world(database_url, escalate_after_hours=24)
    manager = world.staff["manager"]
    sender = FakeSender(clock=lambda: CLOSED)

    async def check() -> None:
        await StaffUser.update({StaffUser.phone: "+66866666666"}).where(StaffUser.id == manager.id)
        _, acked_case, _ = await case_with_plan(world, DUE)
        await case_with_plan(world, DUE)
        await sweep(CLOSED, world.settings)
        acked = (await Flag.select().where(Flag.case == acked_case["id"]))[0]
        await flag_service.acknowledge(
            world.ctx(CLOSED + timedelta(hours=1)), acked["id"], "โทรแล้ว"
        )
        assert (await sweep(CLOSED + timedelta(hours=23), world.settings)).escalated == 0
        later = CLOSED + timedelta(hours=24, minutes=1)
        assert (await sweep(later, world.settings)).escalated == 1
        assert (await sweep(later + timedelta(hours=5), world.settings)).escalated == 0
        flags = {f["id"]: f for f in await Flag.select()}
        escalated = [f for f in flags.values() if f["escalated_at"] is not None]
        assert len(escalated) == 1 and escalated[0]["id"] != acked["id"]
        # The Bangkok office has no manager of its own: the central office's gets it.
        assert escalated[0]["escalated_to"] == manager.id
        audit = await AuditLog.select().where(AuditLog.action == "flag.escalate")
        assert len(audit) == 1 and audit[0]["entity_id"] == str(escalated[0]["id"])
        await Dispatcher(world.settings, sender, worker_id="t").drain(
            lambda: bkk(date(2026, 12, 19), 10)
        )
        to_manager = [m for m in sender.sent if m.to == "+66866666666"]
        assert len(to_manager) == 1 and "ยกระดับ" in to_manager[0].body

    run(check())


def test_flags_list_shows_escalation_unchanged_for_officers(database_url):
    world = make_world(database_url, escalate_after_hours=1)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        await sweep(CLOSED, world.settings)
        await sweep(CLOSED + timedelta(hours=2), world.settings)
        listed = await flag_service.inbox(
            world.ctx(CLOSED),
            office_id=None,
            state="open",
            kind=None,
            case_id=case["id"],
            offset=0,
            limit=10,
        )
        assert listed.total == 1 and listed.rows[0]["escalated_at"] is not None

    run(check())
