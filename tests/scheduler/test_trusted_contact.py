"""A person's trusted contact told, with consent, after a missed check-in and an unanswered
follow-up (issue 14 item 7), on both databases: once a missed check-in however often (or how
concurrently) the sweep runs; never after consent is withdrawn, to a blocked number, or once the
check-in was settled; only "please remind <first name> to contact the office"."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from reporting_api.contact_consent import CONSENT_VERSION
from reporting_api.services import checkins as checkin_service
from reporting_api.services.sweep import sweep
from reporting_api.store import contacts as contact_store
from reporting_api.tables import Reminder, SmsBlockedNumber
from reporting_api.thai_dates import BANGKOK
from scheduler.dispatch import Dispatcher
from scheduler.sender import FakeSender
from tests.scheduler.helpers import case_with_plan, check_ins_of, make_world, run

DUE = date(2026, 12, 16)  # window opens 14 Dec, grace ends 17 Dec, missed at 00:00 18 Dec
CONTACT = "+66899990001"
KIND = "notice_trusted_contact"


def bkk(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


CLOSED = bkk(date(2026, 12, 18), 0, 1)
FOLLOW_UP_SENT = bkk(date(2026, 12, 18), 9, 1)
A_DAY_LATER = bkk(date(2026, 12, 19), 9, 30)


async def missed_with_follow_up(world, sender, *, consent: bool = True):
    defendant, case, _ = await case_with_plan(world, DUE)
    if consent:
        await contact_store.save(
            defendant["id"],
            {
                "name": "สมศรี ใจดี",
                "relationship": "relative",
                "phone": CONTACT,
                "consent_version": CONSENT_VERSION,
                "consented_at": CLOSED - timedelta(days=30),
            },
            CLOSED - timedelta(days=30),
        )
    await sweep(CLOSED, world.settings)
    await Dispatcher(world.settings, sender, worker_id="t").drain(lambda: FOLLOW_UP_SENT)
    assert [m.to for m in sender.sent] == [defendant["phone"]]  # the follow-up
    return defendant, case


def test_the_contact_is_told_once_a_day_after_the_unanswered_follow_up(database_url):
    world = make_world(database_url)
    sender = FakeSender(clock=lambda: FOLLOW_UP_SENT)

    async def check() -> None:
        defendant, case = await missed_with_follow_up(world, sender)
        early = await sweep(FOLLOW_UP_SENT + timedelta(hours=23), world.settings)
        assert early.contact_notices == 0
        assert (await sweep(A_DAY_LATER, world.settings)).contact_notices == 1
        for _ in range(3):
            assert (
                await sweep(A_DAY_LATER + timedelta(hours=1), world.settings)
            ).contact_notices == 0
        await Dispatcher(world.settings, sender, worker_id="t").drain(lambda: A_DAY_LATER)
        (told,) = [m for m in sender.sent if m.to == CONTACT]
        assert "โปรดเตือนคุณ" in told.body and defendant["first_name_th"] in told.body
        assert "ให้ติดต่อสำนักงาน" in told.body
        assert "/c/" not in told.body and "http" not in told.body  # no link
        assert defendant["last_name_th"] not in told.body  # the first name only
        assert "16" not in told.body  # no date

    run(check())


def test_a_concurrent_burst_of_sweeps_queues_one_notice(database_url):
    world = make_world(database_url)
    sender = FakeSender(clock=lambda: FOLLOW_UP_SENT)

    async def check() -> None:
        await missed_with_follow_up(world, sender)
        reports = await asyncio.gather(*(sweep(A_DAY_LATER, world.settings) for _ in range(5)))
        assert sum(r.contact_notices for r in reports) == 1
        assert await Reminder.count().where(Reminder.kind == KIND) == 1

    run(check())


def test_no_consent_withdrawn_or_blocked_means_no_notice(database_url):
    world = make_world(database_url)

    async def check() -> None:
        # No contact named.
        await missed_with_follow_up(world, FakeSender(clock=lambda: FOLLOW_UP_SENT), consent=False)
        assert (await sweep(A_DAY_LATER, world.settings)).contact_notices == 0
        # Named, then withdrawn.
        await Reminder.delete(force=True)
        withdrawn, _ = await missed_with_follow_up(world, FakeSender(clock=lambda: FOLLOW_UP_SENT))
        assert await contact_store.withdraw(withdrawn["id"], A_DAY_LATER - timedelta(hours=1))
        assert not await contact_store.withdraw(withdrawn["id"], A_DAY_LATER)  # once
        assert (await sweep(A_DAY_LATER, world.settings)).contact_notices == 0
        row = await contact_store.for_defendant(withdrawn["id"])
        assert row is not None and row["withdrawn_at"] is not None  # kept as the record
        # The contact's number refused by Twilio for good.
        await SmsBlockedNumber.insert(
            SmsBlockedNumber(
                phone=CONTACT, error_code=21610, error_message="unsubscribed", blocked_at=CLOSED
            )
        )
        await missed_with_follow_up(world, FakeSender(clock=lambda: FOLLOW_UP_SENT))
        assert (await sweep(A_DAY_LATER, world.settings)).contact_notices == 0

    run(check())


def test_a_check_in_recorded_before_sending_is_not_told(database_url):
    world = make_world(database_url)
    sender = FakeSender(clock=lambda: FOLLOW_UP_SENT)

    async def check() -> None:
        defendant, case = await missed_with_follow_up(world, sender)
        assert (await sweep(A_DAY_LATER, world.settings)).contact_notices == 1
        # Queued in the quiet hours' end; meanwhile an officer overturns the miss.
        check_in = (await check_ins_of(case["id"]))[0]
        await checkin_service.record_in_person(
            world.ctx(A_DAY_LATER), check_in["id"], "มาที่สำนักงานแล้ว ติดต่อไม่ได้เพราะโทรศัพท์เสีย"
        )
        await Dispatcher(world.settings, sender, worker_id="t").drain(
            lambda: A_DAY_LATER + timedelta(minutes=5)
        )
        assert [m for m in sender.sent if m.to == CONTACT] == []
        (row,) = await Reminder.select().where(Reminder.kind == KIND)
        assert row["status"] == "skipped" and "not missed" in row["error_message"]

    run(check())


def test_a_request_about_the_missed_check_in_is_an_answer(database_url):
    from reporting_api.tables import PersonRequest

    world = make_world(database_url)
    sender = FakeSender(clock=lambda: FOLLOW_UP_SENT)

    async def check() -> None:
        defendant, case = await missed_with_follow_up(world, sender)
        check_in = (await check_ins_of(case["id"]))[0]
        await PersonRequest.insert(
            PersonRequest(
                defendant=defendant["id"],
                case=case["id"],
                check_in=check_in["id"],
                office=case["office"],
                kind="call_me",
                status="submitted",
                created_at=FOLLOW_UP_SENT + timedelta(hours=2),
                updated_at=FOLLOW_UP_SENT + timedelta(hours=2),
            )
        )
        assert (await sweep(A_DAY_LATER, world.settings)).contact_notices == 0

    run(check())
