"""`bail-checkin scheduler`, its APScheduler jobs, the in-process mode of `make run`, and
nightly housekeeping (both databases where a database is involved)."""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from reporting_api.cli import build_app
from reporting_api.services.housekeeping import housekeeping
from reporting_api.tables import AuthToken, CheckIn, Reminder
from scheduler.runner import SchedulerService
from scheduler.sender import OutboxLogSender
from tests.conftest import TEST_DATA_KEY, _make_staff, run_cli
from tests.scheduler.bulk import seed_due_reminders
from tests.scheduler.helpers import NOW, case_with_plan, make_world, run


def test_three_fixed_jobs_tick_in_utc(tmp_path):
    world_settings = make_world.__globals__["make_settings"]("sqlite:///" + str(tmp_path / "x.db"))

    async def check() -> None:
        service = SchedulerService(world_settings, sender=OutboxLogSender(tmp_path / "out.log"))
        service.start(paused=True)
        try:
            jobs = {job.id: job for job in service.scheduler.get_jobs()}
            assert set(jobs) == {"dispatch", "sweep", "housekeeping", "risk_snapshot"}
            assert jobs["risk_snapshot"].trigger.interval == timedelta(minutes=15)
            assert isinstance(jobs["dispatch"].trigger, IntervalTrigger)
            assert jobs["dispatch"].trigger.interval == timedelta(seconds=30)
            assert jobs["sweep"].trigger.interval == timedelta(minutes=1)
            assert isinstance(jobs["housekeeping"].trigger, CronTrigger)
            assert str(service.scheduler.timezone) == "UTC"
            assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())
        finally:
            await service.stop()

    asyncio.run(check())


def test_the_command_sends_what_is_due_to_the_outbox_log_without_credentials(
    database_url, tmp_path
):
    _make_staff(database_url)
    now = datetime.now(UTC)
    phones = run(seed_due_reminders(3, now, per_case=3))
    outbox = tmp_path / "outbox.log"
    result = run_cli(
        "scheduler",
        "--once",
        database_url=database_url,
        DATA_KEYS=TEST_DATA_KEY,
        SMS_OUTBOX_PATH=str(outbox),
        SMS_QUIET_HOURS="off",
        DB_POOL_SIZE="1",
    )
    assert result.returncode == 0, result.stderr
    assert "no Twilio credentials" in result.stderr
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3 and {line["to"] for line in lines} == set(phones)
    rows = run(Reminder.select(Reminder.status, Reminder.message_sid, Reminder.body))
    assert {r["status"] for r in rows} == {"sent"}
    assert {r["message_sid"] for r in rows} == {line["sid"] for line in lines}
    assert all(r["message_sid"].startswith("LO") for r in rows)
    # Running again sends nothing twice.
    again = run_cli(
        "scheduler",
        "--drain",
        database_url=database_url,
        DATA_KEYS=TEST_DATA_KEY,
        SMS_OUTBOX_PATH=str(outbox),
        SMS_QUIET_HOURS="off",
    )
    assert again.returncode == 0, again.stderr
    assert len(outbox.read_text(encoding="utf-8").splitlines()) == 3


def test_the_command_refuses_bad_options(database_url):
    result = run_cli("scheduler", "--drain", "--lanes", "0", database_url=database_url)
    assert (
        result.returncode == 2 and "--lanes" in result.stderr and "Traceback" not in result.stderr
    )


def test_make_run_mode_serves_the_api_with_the_scheduler(database_url, tmp_path, monkeypatch):
    from litestar.testing import TestClient

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DB_POOL_SIZE", "0")
    monkeypatch.setenv("RUN_SCHEDULER", "1")
    monkeypatch.setenv("SMS_OUTBOX_PATH", str(tmp_path / "outbox.log"))
    monkeypatch.setenv("DATA_KEY_FILE", str(tmp_path / "data.key"))
    app = build_app()
    # The scheduler starts after the API's own hooks and stops before them.
    assert app.on_startup[-1].__qualname__.startswith("scheduler_hooks")
    assert app.on_shutdown[0].__qualname__.startswith("scheduler_hooks")
    with TestClient(app=app) as client:
        assert client.get("/healthz").status_code == 200
    # What `bail-checkin serve` runs also serves the officers' pages.
    with TestClient(app=build_app()) as client:
        assert client.get("/admin/login").status_code == 200


def test_a_check_in_beyond_the_horizon_gets_its_reminders_the_night_it_comes_within(
    database_url,
):
    """Created 60 days ahead, a check-in has no reminders yet (PLANNING_HORIZON_DAYS is 45);
    each night's housekeeping leaves it until it is due within the horizon, then plans what
    it would have got at creation, once."""
    world = make_world(database_url)
    due = NOW.date() + timedelta(days=60)

    async def check() -> None:
        _, near_case, _ = await case_with_plan(world, NOW.date() + timedelta(days=10))
        _, case, _ = await case_with_plan(world, due)
        assert await Reminder.count().where(Reminder.case == near_case["id"]) == 4
        assert await Reminder.count().where(Reminder.case == case["id"]) == 0
        for days in (0, 1, 14):
            report = await housekeeping(NOW + timedelta(days=days), world.settings)
            assert report.reminders == 0
        night = NOW + timedelta(days=15)  # due in 45 days: within the horizon
        assert (await housekeeping(night, world.settings)).reminders == 4
        rows = await Reminder.select(Reminder.kind, Reminder.status).where(
            Reminder.case == case["id"]
        )
        assert sorted(r["kind"] for r in rows) == [
            "before_1d",
            "before_3d",
            "due_day",
            "missed_followup",
        ]
        assert {r["status"] for r in rows} == {"queued"}
        assert (await housekeeping(night + timedelta(days=1), world.settings)).reminders == 0

    run(check())


def test_housekeeping_gives_old_check_ins_codes_and_reminders_once(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, NOW.date() + timedelta(days=20))
        # As the demo seeder or an older release left them: no code, no reminders.
        await Reminder.delete(force=True)
        await CheckIn.update({CheckIn.code: None}, force=True)
        await AuthToken.insert(
            AuthToken(
                token_hash=secrets.token_hex(32),
                staff=world.staff["admin"].id,
                kind="session",
                created_at=NOW - timedelta(days=2),
                expires_at=NOW - timedelta(days=1),
            )
        )
        report = await housekeeping(NOW, world.settings)
        assert (report.codes, report.reminders, report.expired_tokens) == (1, 4, 1)
        assert (await CheckIn.select(CheckIn.code).first())["code"]
        again = await housekeeping(NOW, world.settings)
        assert (again.codes, again.reminders) == (0, 0)

    run(check())
