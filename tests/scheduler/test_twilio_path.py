"""The whole path on both databases: the dispatcher, the real `twilio` client, the fake Twilio
over HTTP, and its signed status callbacks coming back to the API."""

from __future__ import annotations

from collections import deque
from datetime import UTC, date, datetime, timedelta

import pytest

from reporting_api.tables import Flag, Reminder, SmsBlockedNumber
from reporting_api.thai_dates import BANGKOK
from scheduler.dispatch import Dispatcher
from scheduler.fake_twilio import FaultPlan
from scheduler.sender import TwilioSender
from tests.scheduler.helpers import by_kind, case_with_plan, make_world, reminders_of, run
from tests.scheduler.live import twilio_world


def today_plus(days: int) -> date:
    return (datetime.now(UTC).astimezone(BANGKOK) + timedelta(days=days)).date()


async def make_due(case_id: int, kinds: list[str], now: datetime) -> None:
    """Bring these reminders due now (the fake Twilio keeps real time, so the test does too)."""
    await Reminder.update(
        {
            Reminder.next_attempt_at: now - timedelta(minutes=1),
            Reminder.expires_at: now + timedelta(days=1),
        }
    ).where((Reminder.case == case_id) & Reminder.kind.is_in(kinds))


def world_for(database_url: str, **scheduler):
    return make_world(
        database_url, quiet_hours=(0, 0), retry_base_seconds=1, retry_max_seconds=2, **scheduler
    )


def test_sent_through_twilio_and_delivered_by_callback(database_url):
    world = world_for(database_url)
    with twilio_world(world.settings) as (fake, settings):

        async def check() -> None:
            now = datetime.now(UTC)
            defendant, case, _ = await case_with_plan(world, today_plus(10), now=now)
            await make_due(case["id"], ["before_3d", "before_1d"], now)
            sender = TwilioSender(settings)
            try:
                report = await Dispatcher(settings, sender).drain(lambda: now)
            finally:
                await sender.aclose()
            assert report.sent == 2
            messages = fake.sent_to(defendant["phone"])
            assert len(messages) == 2
            assert all(
                m.status_callback.startswith(settings.public_base_url + "/twilio/status?ref=rem-")
                for m in messages
            )
            rows = by_kind(await reminders_of(case["id"]))
            assert {rows["before_3d"]["message_sid"], rows["before_1d"]["message_sid"]} == {
                m.sid for m in messages
            }

        run(check())
        fake.wait_for_callbacks()
        assert fake.callback_results == {204: 4}

        async def delivered() -> None:
            rows = [r for r in await Reminder.select() if r["message_sid"]]
            assert len(rows) == 2
            assert {r["status"] for r in rows} == {"delivered"}
            assert all(r["delivered_at"] is not None for r in rows)

        run(delivered())


@pytest.mark.parametrize("code", [21211, 21610, 21614])
def test_permanent_errors_stop_sends_and_flag_the_officer(database_url, code):
    world = world_for(database_url)

    async def setup():
        now = datetime.now(UTC)
        d, c, _ = await case_with_plan(world, today_plus(10), now=now)
        await make_due(c["id"], ["before_3d", "before_1d"], now)
        return d, c

    defendant, case = run(setup())
    with twilio_world(world.settings, number_errors={defendant["phone"]: code}) as (fake, settings):

        async def check() -> None:
            sender = TwilioSender(settings)
            try:
                report = await Dispatcher(settings, sender).drain(lambda: datetime.now(UTC))
            finally:
                await sender.aclose()
            # The first refusal blocks the number; the second reminder in the same batch was
            # already on its way, so it is refused too but raises no second flag.
            assert report.unreachable >= 1 and report.sent == 0
            assert fake.stats["created"] == 0
            rows = await reminders_of(case["id"])
            assert {r["error_code"] for r in rows if r["status"] == "failed"} == {code}
            assert (
                await SmsBlockedNumber.count().where(SmsBlockedNumber.phone == defendant["phone"])
                == 1
            )
            flags = await Flag.select().where(Flag.kind == "unreachable_phone")
            assert len(flags) == 1 and str(code) in flags[0]["detail"]

        run(check())


def test_transient_faults_are_retried_and_nothing_is_sent_twice(database_url):
    world = world_for(database_url, concurrency=1)
    script = deque(["429", "500", "drop_before", "drop_after", "slow", None, None, None])
    faults = FaultPlan(script=script, slow_seconds=1.5)
    with twilio_world(replace_timeout(world.settings, 0.5), faults=faults) as (fake, settings):

        async def check() -> None:
            now = datetime.now(UTC)
            defendants = []
            for _ in range(3):
                defendant, case, _ = await case_with_plan(world, today_plus(10), now=now)
                await make_due(case["id"], ["before_3d", "before_1d"], now)
                defendants.append(defendant)
            sender = TwilioSender(settings)
            try:
                dispatcher = Dispatcher(settings, sender)
                clock = now
                for _ in range(30):  # each pass a minute later: every retry is due by then
                    clock += timedelta(minutes=1)
                    await dispatcher.drain(lambda at=clock: at)
                    statuses = {
                        r["status"]
                        for r in await Reminder.select(Reminder.status).where(
                            Reminder.kind.is_in(["before_3d", "before_1d"])
                        )
                    }
                    if statuses <= {"sent", "delivered"}:
                        break
            finally:
                await sender.aclose()
            assert statuses <= {"sent", "delivered"}
            bodies = fake.bodies()
            assert sum(bodies.values()) == 6 and set(bodies.values()) == {1}
            rows = await Reminder.select().where(Reminder.kind.is_in(["before_3d", "before_1d"]))
            assert {r["message_sid"] for r in rows} == set(fake.messages)
            assert max(r["attempts"] for r in rows) >= 2

        run(check())
        fake.wait_for_callbacks()


def replace_timeout(settings, seconds: float):
    from dataclasses import replace

    return replace(settings, twilio=replace(settings.twilio, timeout_seconds=seconds))


def test_an_undelivered_report_blocks_the_number(database_url):
    world = world_for(database_url)

    async def setup():
        now = datetime.now(UTC)
        d, c, _ = await case_with_plan(world, today_plus(10), now=now)
        await make_due(c["id"], ["before_3d"], now)
        return d, c

    defendant, case = run(setup())
    with twilio_world(world.settings, undeliverable={defendant["phone"]: 30005}) as (
        fake,
        settings,
    ):

        async def send() -> None:
            sender = TwilioSender(settings)
            try:
                await Dispatcher(settings, sender).drain(lambda: datetime.now(UTC))
            finally:
                await sender.aclose()

        run(send())
        fake.wait_for_callbacks()

        async def check() -> None:
            row = by_kind(await reminders_of(case["id"]))["before_3d"]
            assert row["status"] == "undelivered" and row["error_code"] == 30005
            assert (
                await SmsBlockedNumber.count().where(SmsBlockedNumber.phone == defendant["phone"])
                == 1
            )
            assert await Flag.count().where(Flag.kind == "unreachable_phone") == 1

        run(check())
