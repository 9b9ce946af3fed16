"""The dispatcher with an in-memory sender, on both databases: what is sent, skipped, retried,
given up, and how a claim left behind by a crash is reconciled without a duplicate."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from reporting_api.commands import CaseClose
from reporting_api.services import cases as case_service
from reporting_api.services import checkins as checkin_service
from reporting_api.services import defendants as defendant_service
from reporting_api.store import outbox_claims as store
from reporting_api.store import outbox_context
from reporting_api.tables import Flag, Reminder, SmsBlockedNumber
from reporting_api.thai_dates import BANGKOK
from scheduler.decisions import decide
from scheduler.dispatch import Dispatcher
from scheduler.sender import FakeSender, PermanentSendError, TransientSendError
from tests.scheduler.helpers import (
    PUBLIC,
    by_kind,
    case_with_plan,
    check_ins_of,
    make_world,
    reminders_of,
    run,
    with_twilio,
)

DUE = date(2026, 12, 16)


def bkk(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


THREE_DAYS_BEFORE = bkk(DUE - timedelta(days=3), 9, 1)


def fake_sender() -> FakeSender:
    # The provider's clock reads the test's day, as Twilio's reads ours in production.
    return FakeSender(clock=lambda: THREE_DAYS_BEFORE)


def dispatcher(world, sender=None, **kw) -> Dispatcher:
    return Dispatcher(world.settings, sender or fake_sender(), worker_id="test", **kw)


def test_due_reminders_are_sent_once_with_their_text_and_sid(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        defendant, case, _ = await case_with_plan(world, DUE)
        report = await dispatcher(world, sender).drain(lambda: THREE_DAYS_BEFORE)
        assert (report.claimed, report.sent) == (1, 1)
        (message,) = sender.sent
        assert message.to == defendant["phone"]
        code = (await check_ins_of(case["id"]))[0]["code"]
        assert message.body.endswith(f"{PUBLIC}/c/{code}")
        assert "อีก 3 วัน" in message.body and "16 ธ.ค. 2569" in message.body
        assert "ครั้งสุดท้าย" in message.body  # the plan's only check-in is its last
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert row["status"] == "sent" and row["message_sid"] == message.sid
        assert row["body"] == message.body and row["to_phone"] == message.to
        assert row["attempts"] == 1 and row["lease_until"] is None
        assert row["claimed_by"].startswith("test/")  # which dispatcher sent it
        # Nothing else is due yet, and a second pass sends nothing again.
        again = await dispatcher(world, sender).drain(lambda: THREE_DAYS_BEFORE)
        assert again.claimed == 0 and len(sender.sent) == 1

    run(check())


def test_nothing_goes_out_in_the_quiet_hours(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        await case_with_plan(world, DUE)
        night = bkk(DUE - timedelta(days=3), 22)
        assert (await dispatcher(world, sender).drain(lambda: night)).claimed == 0
        assert sender.sent == []

    run(check())


def test_opted_out_people_are_skipped_at_send_time_and_english_is_honoured(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        quiet, case_q, _ = await case_with_plan(world, DUE)
        english, case_e, _ = await case_with_plan(world, DUE, language="en")
        await defendant_service.update(world.ctx(), quiet["id"], {"sms_opt_out": True})
        report = await dispatcher(world, sender).drain(lambda: THREE_DAYS_BEFORE)
        assert (report.sent, report.skipped) == (1, 1)
        skipped = by_kind(await reminders_of(case_q["id"]))["before_3d"]
        assert skipped["status"] == "skipped" and "SMS off" in skipped["error_message"]
        (message,) = sender.sent
        assert message.to == english["phone"] and "due in 3 days" in message.body
        assert "16 Dec 2569 (2026)" in message.body

    run(check())


def test_a_person_who_checked_in_gets_no_more_reminders_for_it(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        check_in = (await check_ins_of(case["id"]))[0]
        early = bkk(DUE - timedelta(days=2), 10)
        await checkin_service.record_in_person(world.ctx(early), check_in["id"], "มาที่สำนักงาน")
        report = await dispatcher(world, sender).drain(lambda: bkk(DUE - timedelta(days=1), 9, 5))
        # 3 days before (expired: its day passed) and 1 day before (checked in): both skipped.
        # What goes is the notice that this, the plan's only check-in, ended the reporting.
        assert report.sent == 1 and report.skipped == 2
        rows = by_kind(await reminders_of(case["id"]))
        assert [m.body for m in sender.sent] == [rows["notice_last_checkin_done"]["body"]]
        assert "verified" in rows["before_1d"]["error_message"]
        assert "too late" in rows["before_3d"]["error_message"]

    run(check())


def test_a_closed_case_sends_nothing(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        # Absconded: no reminder goes, and no "reporting has ended" notice either
        # (tests/scheduler/test_notices.py has the notice of a case concluded).
        await case_service.close_case(
            world.ctx(), case["id"], CaseClose(status="absconded", outcome="ติดต่อไม่ได้")
        )
        report = await dispatcher(world, sender).drain(lambda: THREE_DAYS_BEFORE)
        assert report.claimed == 0 and sender.sent == []

    run(check())


def test_a_permanent_error_blocks_the_number_and_flags_the_officer(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        defendant, case, _ = await case_with_plan(world, DUE)
        phone = defendant["phone"]
        sender.failures[phone] = [PermanentSendError("unsubscribed", code=21610)]
        report = await dispatcher(world, sender).drain(lambda: THREE_DAYS_BEFORE)
        assert (report.failed, report.unreachable) == (1, 1)
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert row["status"] == "failed" and row["error_code"] == 21610
        blocked = await SmsBlockedNumber.select().where(SmsBlockedNumber.phone == phone)
        assert len(blocked) == 1
        flags = await Flag.select().where(Flag.kind == "unreachable_phone")
        assert len(flags) == 1 and flags[0]["case"] == case["id"]
        assert flags[0]["dedupe_key"] == f"unreachable_phone:{defendant['id']}:{phone}"
        # The next reminder to that number is skipped, not tried.
        later = await dispatcher(world, sender).drain(lambda: bkk(DUE - timedelta(days=1), 9, 1))
        assert (later.sent, later.skipped) == (0, 1) and sender.calls == 1
        # A new number from the officer starts the messages again.
        await defendant_service.update(world.ctx(), defendant["id"], {"phone": "0899999999"})
        on_the_day = await dispatcher(world, sender).drain(lambda: bkk(DUE, 9, 1))
        assert on_the_day.sent == 1 and sender.sent[-1].to == "+66899999999"
        assert await Flag.count().where(Flag.kind == "unreachable_phone") == 1

    run(check())


def test_transient_errors_retry_with_backoff_then_succeed(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        defendant, case, _ = await case_with_plan(world, DUE)
        sender.failures[defendant["phone"]] = [
            TransientSendError("HTTP 429", code=20429, outcome_unknown=False),
            TransientSendError("cannot connect", outcome_unknown=False),
        ]
        now = THREE_DAYS_BEFORE
        first = await dispatcher(world, sender).drain(lambda: now)
        assert first.retried == 1
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert row["status"] == "queued" and row["error_code"] == 20429
        wait = row["next_attempt_at"] - now
        assert timedelta(seconds=40) <= wait <= timedelta(seconds=80)
        assert (await dispatcher(world, sender).drain(lambda: now + wait / 2)).claimed == 0
        second = await dispatcher(world, sender).drain(lambda: now + wait)
        assert second.retried == 1
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        third = await dispatcher(world, sender).drain(lambda: row["next_attempt_at"])
        assert third.sent == 1 and len(sender.sent) == 1
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert row["attempts"] == 3 and row["status"] == "sent" and row["error_code"] is None

    run(check())


def test_retries_stop_at_the_limit(database_url):
    world = make_world(database_url, max_attempts=2)
    sender = fake_sender()

    async def check() -> None:
        defendant, case, _ = await case_with_plan(world, DUE)
        sender.failures[defendant["phone"]] = [
            TransientSendError("HTTP 429", code=20429, outcome_unknown=False) for _ in range(5)
        ]
        await dispatcher(world, sender).drain(lambda: THREE_DAYS_BEFORE)
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        report = await dispatcher(world, sender).drain(lambda: row["next_attempt_at"])
        assert report.failed == 1
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert (
            row["status"] == "failed" and row["attempts"] == 2 and "gave up" in row["error_message"]
        )
        assert sender.sent == []

    run(check())


def test_a_timeout_after_the_provider_accepted_is_reconciled_not_resent(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        defendant, case, _ = await case_with_plan(world, DUE)
        sender.accept_then_fail[defendant["phone"]] = 1
        first = await dispatcher(world, sender).drain(lambda: THREE_DAYS_BEFORE)
        assert first.retried == 1 and len(sender.sent) == 1
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert row["status"] == "sending" and row["claimed_by"] is None  # outcome unknown
        second = await dispatcher(world, sender).drain(lambda: row["next_attempt_at"])
        assert second.found == 1 and second.sent == 0
        assert len(sender.sent) == 1 and sender.calls == 1
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert row["status"] == "sent" and row["message_sid"] == sender.sent[0].sid

    run(check())


async def _crash_after(world, sender, now, *, send: bool) -> str:
    """Claim and prepare like a dispatcher, maybe send, then 'die' without recording."""
    claimer = "dead-worker/1"
    lease = now + timedelta(seconds=world.settings.scheduler.lease_seconds)
    (claimed,) = await store.claim_due_reminders(now, claimer=claimer, lease_until=lease, limit=1)
    (row,) = await outbox_context.load_for_sending([claimed["id"]])
    decision = decide(row, now, blocked=set(), public_base_url=PUBLIC)
    await store.save_prepared(
        claimer,
        [{"id": row["id"], "to_phone": decision.to, "body": decision.body, "language": "th"}],
        now,
    )
    if send:
        await sender.send_sms(decision.to, decision.body, row["reference"])
    return claimer


def test_a_lapsed_claim_is_reconciled_before_any_resend(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        await _crash_after(world, sender, THREE_DAYS_BEFORE, send=True)
        # While the lease holds, nobody else touches the row.
        assert (await dispatcher(world, sender).drain(lambda: THREE_DAYS_BEFORE)).claimed == 0
        after_lease = THREE_DAYS_BEFORE + timedelta(
            seconds=world.settings.scheduler.lease_seconds + 1
        )
        report = await dispatcher(world, sender).drain(lambda: after_lease)
        assert (report.found, report.sent) == (1, 0)
        assert len(sender.sent) == 1
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert row["status"] == "sent" and row["message_sid"] == sender.sent[0].sid

    run(check())


def test_a_lapsed_claim_that_never_sent_is_sent_once(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        await _crash_after(world, sender, THREE_DAYS_BEFORE, send=False)
        after_lease = THREE_DAYS_BEFORE + timedelta(
            seconds=world.settings.scheduler.lease_seconds + 1
        )
        report = await dispatcher(world, sender).drain(lambda: after_lease)
        assert (report.found, report.sent) == (0, 1)
        assert len(sender.sent) == 1
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert row["status"] == "sent" and row["attempts"] == 2

    run(check())


def test_the_old_claimer_cannot_overwrite_a_row_it_lost(database_url):
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        old = await _crash_after(world, sender, THREE_DAYS_BEFORE, send=True)
        after_lease = THREE_DAYS_BEFORE + timedelta(
            seconds=world.settings.scheduler.lease_seconds + 1
        )
        await dispatcher(world, sender).drain(lambda: after_lease)
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        # The slow first claimer finally answers: its write changes nothing.
        assert (
            await store.mark_reminders_sent(old, [(row["id"], "SM" + "f" * 32)], after_lease) == 0
        )
        assert (await Reminder.select(Reminder.message_sid).where(Reminder.id == row["id"]))[0][
            "message_sid"
        ] == sender.sent[0].sid

    run(check())


class _SlowSender(FakeSender):
    """Every send takes ``seconds``: a batch then outlives the lease it was claimed with."""

    def __init__(self, seconds: float) -> None:
        super().__init__(clock=lambda: THREE_DAYS_BEFORE)
        self.seconds = seconds

    async def send_sms(self, to, body, reference):
        await asyncio.sleep(self.seconds)
        return await super().send_sms(to, body, reference)


def test_a_live_dispatcher_renews_its_claims_through_a_batch_longer_than_the_lease(
    database_url,
):
    """Lease 8 s renewed every second; three sends one after another of 4 s each: every one
    starts (none handed back), and a second dispatcher looking 9 s in, past the first lease,
    finds nothing to take."""
    from dataclasses import replace

    from reporting_api.settings import EmailSettings

    world = make_world(database_url, lease_seconds=8, heartbeat_seconds=1, concurrency=1)
    settings = with_twilio(world.settings, timeout_seconds=0.5)
    settings = replace(settings, email=replace(EmailSettings(), timeout_seconds=0.5))
    sender = _SlowSender(seconds=4)

    async def check() -> None:
        for _ in range(3):
            await case_with_plan(world, DUE)
        first = Dispatcher(settings, sender, worker_id="first")
        batch = asyncio.create_task(first.run_batch(THREE_DAYS_BEFORE))
        await asyncio.sleep(9)
        later = THREE_DAYS_BEFORE + timedelta(seconds=9)
        second = await Dispatcher(settings, fake_sender(), worker_id="second").run_batch(later)
        report = await batch
        assert second.claimed == 0
        assert (report.claimed, report.sent, report.released) == (3, 3, 0)
        assert len(sender.sent) == 3

    run(check())


def test_a_dead_dispatchers_claims_come_back_after_the_lease(database_url):
    """Nothing renews the claims of a dispatcher that died: past the lease (90 s by default,
    300 s before the heartbeat) another one reconciles and sends."""
    world = make_world(database_url)
    sender = fake_sender()

    async def check() -> None:
        _, case, _ = await case_with_plan(world, DUE)
        await _crash_after(world, sender, THREE_DAYS_BEFORE, send=False)
        lease = world.settings.scheduler.lease_seconds
        assert lease == 90
        almost = THREE_DAYS_BEFORE + timedelta(seconds=lease - 1)
        assert (await dispatcher(world, sender).drain(lambda: almost)).claimed == 0
        after = THREE_DAYS_BEFORE + timedelta(seconds=lease + 1)
        report = await dispatcher(world, sender).drain(lambda: after)
        assert (report.claimed, report.sent) == (1, 1)

    run(check())
