"""A linked person's messages on LINE through the outbox (issue 17), through the official
`line-bot-sdk` to the fake LINE, on both databases: pushed once with the row's retry key
(a button to the check-in link on our domain and three quick answers); the SMS instead when
LINE refuses the push or the month's quota is used up, never both; LINE not answering is
pushed again later with the same key, never turned into an SMS; a dispatcher that dies
after its push is answered 409 by LINE and sends nothing twice; quiet hours hold LINE too;
an unlinked person, or LINE off, gets the SMS. Every request the SDK made is checked against
LINE's `messaging-api.yml` (the `fake_line` fixture)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from reporting_api import metrics
from reporting_api.line_messages import PostbackAction, parse_postback
from reporting_api.settings import LineSettings
from reporting_api.store import line_events, outbox_context
from reporting_api.store import outbox_claims as store
from scheduler.decisions import decide
from scheduler.dispatch import Dispatcher
from scheduler.line_sender import LineSender, retry_key
from tests.line.recording import Recording
from tests.scheduler.helpers import PUBLIC, by_kind, case_with_plan, make_world, reminders_of, run
from tests.scheduler.test_dispatch import DUE, THREE_DAYS_BEFORE, bkk, fake_sender

USER = "U" + "6" * 32


def on_line(world, fake: Recording):
    return replace(
        world.settings,
        line=LineSettings(
            channel_secret="secret", channel_access_token=fake.access_token, base_url=fake.base_url
        ),
    )


async def linked_case(world, fake: Recording, *, follows: bool = True, **kw):
    defendant, case, plan = await case_with_plan(world, DUE, **kw)
    await line_events.link_account(defendant["id"], USER, THREE_DAYS_BEFORE)
    if follows:
        fake.follow(USER)
    return defendant, case


def test_a_linked_persons_reminder_is_pushed_once_with_its_button_and_answers(
    database_url, fake_line
):
    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()

    async def check() -> None:
        _, case = await linked_case(world, fake_line)
        pushes_before = metrics.LINE_PUSHES.labels(answer="sent")._value.get()
        report = await Dispatcher(settings, sms, worker_id="t").drain(lambda: THREE_DAYS_BEFORE)
        assert (report.claimed, report.sent) == (1, 1)
        assert sms.sent == []
        assert metrics.LINE_PUSHES.labels(answer="sent")._value.get() == pushes_before + 1
        (push,) = fake_line.pushed
        assert push.to == USER and push.retry_key is not None
        (message,) = push.messages
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert push.retry_key == retry_key(row["reference"])
        assert (row["status"], row["channel"], row["line_outcome"]) == ("sent", "line", "sent")
        assert row["line_user"] == USER and row["message_sid"] == push.request_id
        # The text the SMS would have carried, a button to the link on our domain, and the
        # three answers for this check-in.
        assert message["type"] == "template" and message["altText"] == row["body"]
        (button,) = message["template"]["actions"]
        assert button["uri"].startswith(PUBLIC + "/c/") and button["uri"] in row["body"]
        answers = [parse_postback(i["action"]["data"]) for i in message["quickReply"]["items"]]
        assert [(a.action, a.check_in_id) for a in answers if a] == [
            (action, row["check_in"]) for action in PostbackAction
        ]
        # A second dispatcher finds nothing to do.
        again = await Dispatcher(settings, sms, worker_id="u").drain(lambda: THREE_DAYS_BEFORE)
        assert again.claimed == 0 and len(fake_line.pushed) == 1

    run(check())


def test_unlinked_people_and_line_off_get_the_sms(database_url, fake_line):
    world = make_world(database_url)
    sms = fake_sender()

    async def check() -> None:
        plain, _, _ = await case_with_plan(world, DUE)
        linked, _ = await linked_case(world, fake_line)
        # LINE off: even the linked person gets the SMS.
        report = await Dispatcher(world.settings, sms, worker_id="t").drain(
            lambda: THREE_DAYS_BEFORE
        )
        assert report.sent == 2 and fake_line.pushed == []
        assert sorted(m.to for m in sms.sent) == sorted([plain["phone"], linked["phone"]])

    run(check())


def test_a_refused_push_sends_the_sms_instead_on_one_channel_only(database_url, fake_line):
    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()

    async def check() -> None:
        # Linked here, but LINE does not know the user (never followed): 400.
        defendant, case = await linked_case(world, fake_line, follows=False)
        report = await Dispatcher(settings, sms, worker_id="t").drain(lambda: THREE_DAYS_BEFORE)
        assert report.sent == 1 and fake_line.pushed == []
        (message,) = sms.sent
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert message.to == defendant["phone"] and message.body == row["body"]
        assert (row["channel"], row["line_outcome"], row["message_sid"]) == (
            "sms",
            "refused",
            message.sid,
        )

    run(check())


def test_the_months_quota_used_up_sends_the_sms_without_a_push(database_url, fake_line):
    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()
    fake_line.monthly_limit, fake_line.used = 100, 100

    async def check() -> None:
        defendant, case = await linked_case(world, fake_line)
        report = await Dispatcher(settings, sms, worker_id="t").drain(lambda: THREE_DAYS_BEFORE)
        assert report.sent == 1 and [m.to for m in sms.sent] == [defendant["phone"]]
        assert not [r for r in fake_line.requests if r.path.endswith("/push")]
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert (row["channel"], row["line_outcome"]) == ("sms", "quota")

    run(check())


def test_a_push_past_the_limit_is_answered_quota_and_the_sms_goes(database_url, fake_line):
    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()
    fake_line.monthly_limit = 1  # the quota read says one is left; a push past it is 429

    async def check() -> None:
        _, first = await linked_case(world, fake_line)
        await Dispatcher(settings, sms, worker_id="t").drain(lambda: THREE_DAYS_BEFORE)
        assert len(fake_line.pushed) == 1 and sms.sent == []
        second, case, _ = await case_with_plan(world, DUE)
        await line_events.link_account(second["id"], "U" + "7" * 32, THREE_DAYS_BEFORE)
        fake_line.follow("U" + "7" * 32)
        dispatcher = Dispatcher(settings, sms, worker_id="u")
        dispatcher._quota_left, dispatcher._quota_read_at = 1, 1e18  # read before the push
        await dispatcher.drain(lambda: THREE_DAYS_BEFORE)
        assert len(fake_line.pushed) == 1 and [m.to for m in sms.sent] == [second["phone"]]
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert (row["channel"], row["line_outcome"]) == ("sms", "quota")

    run(check())


def test_line_not_answering_is_pushed_again_later_with_the_same_key_never_by_sms(
    database_url, fake_line
):
    world = make_world(database_url)
    sms = fake_sender()
    down = replace(
        on_line(world, fake_line),
        line=replace(on_line(world, fake_line).line, base_url="http://127.0.0.1:9"),
    )

    async def check() -> None:
        _, case = await linked_case(world, fake_line)
        first = await Dispatcher(down, sms, worker_id="t").drain(lambda: THREE_DAYS_BEFORE)
        assert first.retried == 1 and sms.sent == []
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert (row["status"], row["channel"], row["line_outcome"]) == (
            "sending",
            "line",
            "unavailable",
        )
        later = row["next_attempt_at"]
        second = await Dispatcher(on_line(world, fake_line), sms, worker_id="u").drain(
            lambda: later
        )
        assert second.sent == 1 and sms.sent == []
        (push,) = fake_line.pushed
        assert push.retry_key == retry_key(row["reference"])

    run(check())


def test_a_dispatcher_dying_after_its_push_sends_nothing_twice(database_url, fake_line):
    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()

    async def check() -> None:
        _, case = await linked_case(world, fake_line)
        # Claim, prepare on LINE and push like a dispatcher, then die without recording.
        now, claimer = THREE_DAYS_BEFORE, "dead-worker/1"
        lease = now + timedelta(seconds=settings.scheduler.lease_seconds)
        (claimed,) = await store.claim_due_reminders(
            now, claimer=claimer, lease_until=lease, limit=1
        )
        (row,) = await outbox_context.load_for_sending([claimed["id"]])
        decision = decide(row, now, blocked=set(), public_base_url=PUBLIC, line_on=True)
        assert decision.channel == "line" and decision.to == USER
        prepared: store.Prepared = {
            "id": row["id"],
            "to_phone": decision.fallback,
            "body": decision.body,
            "language": "th",
            "channel": "line",
            "line_user": USER,
        }
        await store.save_prepared(claimer, [prepared], now)
        first = LineSender(settings.line).push_text(
            USER, decision.body, retry_key(row["reference"])
        )
        assert first.outcome == "sent"
        after = now + timedelta(seconds=settings.scheduler.lease_seconds + 1)
        report = await Dispatcher(settings, sms, worker_id="t").drain(lambda: after)
        assert report.sent == 1 and sms.sent == []
        assert len(fake_line.pushed) == 1  # the second push was answered 409
        done = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert (done["status"], done["message_sid"]) == ("sent", first.request_id)

    run(check())


def test_a_row_whose_sms_went_instead_stays_on_sms(database_url, fake_line):
    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()

    async def check() -> None:
        defendant, case = await linked_case(world, fake_line, follows=False)
        sms.accept_then_fail[defendant["phone"]] = 1  # the SMS went, its answer was lost
        first = await Dispatcher(settings, sms, worker_id="t").drain(lambda: THREE_DAYS_BEFORE)
        assert first.retried == 1 and len(sms.sent) == 1
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert (row["channel"], row["line_outcome"]) == ("sms", "refused")
        fake_line.follow(USER)  # LINE would take it now: it must not be pushed
        second = await Dispatcher(settings, sms, worker_id="u").drain(
            lambda: row["next_attempt_at"]
        )
        assert second.found == 1 and len(sms.sent) == 1 and fake_line.pushed == []

    run(check())


def test_quiet_hours_hold_line_too(database_url, fake_line):
    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()

    async def check() -> None:
        await linked_case(world, fake_line)
        night = bkk(DUE - timedelta(days=3), 22, 0)
        report = await Dispatcher(settings, sms, worker_id="t").drain(lambda: night)
        assert report.claimed == 0 and fake_line.pushed == [] and sms.sent == []

    run(check())


def test_turning_sms_off_leaves_line_and_a_refusal_then_fails_with_its_reason(
    database_url, fake_line
):
    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()

    async def check() -> None:
        defendant, case = await linked_case(world, fake_line, follows=False)
        from reporting_api.tables import Defendant

        await Defendant.update({Defendant.sms_opt_out: True}).where(Defendant.id == defendant["id"])
        report = await Dispatcher(settings, sms, worker_id="t").drain(lambda: THREE_DAYS_BEFORE)
        assert report.failed == 1 and sms.sent == [] and fake_line.pushed == []
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert row["status"] == "failed" and "LINE refused" in row["error_message"]
        # Following the account again: the next reminder goes on LINE despite SMS being off.
        fake_line.follow(USER)
        day_before = bkk(DUE - timedelta(days=1), 9, 1)
        await Dispatcher(settings, sms, worker_id="u").drain(lambda: day_before)
        assert len(fake_line.pushed) == 1 and sms.sent == []

    run(check())


def test_a_notice_goes_on_line_as_its_text_and_the_link_notice_goes_by_sms(database_url, fake_line):
    from reporting_api.notice_texts import NOTICE_CASE_ENDED, NOTICE_LINE_LINKED
    from reporting_api.services import notices
    from tests.scheduler.helpers import NOW

    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()

    async def check() -> None:
        defendant, case = await linked_case(world, fake_line)
        await notices.case_ended(world.ctx(NOW), case["id"])
        await notices.line_linked(world.settings, NOW, defendant["id"])
        dispatcher = Dispatcher(settings, sms, worker_id="t")
        await dispatcher.drain(lambda: NOW + timedelta(minutes=1))
        rows = {r["kind"]: r for r in await reminders_of(case["id"])}
        ended, told = rows[NOTICE_CASE_ENDED], rows[NOTICE_LINE_LINKED]
        (push,) = fake_line.pushed
        assert push.messages == [{"type": "text", "text": ended["body"]}]
        assert (ended["channel"], told["channel"]) == ("line", "sms")
        assert [(m.to, m.body) for m in sms.sent] == [(defendant["phone"], told["body"])]

    run(check())


def test_a_person_who_turned_sms_off_still_gets_notices_on_line(database_url, fake_line):
    from reporting_api.notice_texts import NOTICE_CASE_ENDED
    from reporting_api.services import notices
    from reporting_api.tables import Defendant
    from tests.scheduler.helpers import NOW

    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()

    async def check() -> None:
        linked, case = await linked_case(world, fake_line)
        plain, other, _ = await case_with_plan(world, DUE)
        for person in (linked, plain):
            await Defendant.update({Defendant.sms_opt_out: True}).where(
                Defendant.id == person["id"]
            )
        assert await notices.case_ended(world.ctx(NOW), case["id"]) is not None
        assert await notices.case_ended(world.ctx(NOW), other["id"]) is None  # nothing to carry it
        await Dispatcher(settings, sms, worker_id="t").drain(lambda: NOW + timedelta(minutes=1))
        (push,) = fake_line.pushed
        ended = by_kind(await reminders_of(case["id"]))[NOTICE_CASE_ENDED]
        assert push.messages[0]["text"] == ended["body"] and sms.sent == []

    run(check())


def test_a_dispatcher_killed_after_the_sms_went_instead_never_pushes_it_on_line(
    database_url, fake_line, monkeypatch
):
    # Found by bench/dispatch_faults.py --line-share 0.5 (4 and 5 of 2,000 on both channels):
    # LINE's refusal must be on the row before its SMS goes.
    import pytest

    world = make_world(database_url)
    settings, sms = on_line(world, fake_line), fake_sender()

    async def killed(*args, **kwargs):
        raise RuntimeError("killed between the sends and the record")

    async def check() -> None:
        _, case = await linked_case(world, fake_line, follows=False)  # LINE refuses: 400
        monkeypatch.setattr(Dispatcher, "_record", killed)
        with pytest.raises(RuntimeError):
            await Dispatcher(settings, sms, worker_id="t").drain(lambda: THREE_DAYS_BEFORE)
        monkeypatch.undo()
        assert len(sms.sent) == 1 and fake_line.pushed == []
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        assert (row["status"], row["channel"], row["line_outcome"]) == ("sending", "sms", "refused")
        fake_line.follow(USER)  # LINE would take it now
        after = THREE_DAYS_BEFORE + timedelta(seconds=settings.scheduler.lease_seconds + 1)
        report = await Dispatcher(settings, sms, worker_id="u").drain(lambda: after)
        assert report.found == 1 and len(sms.sent) == 1 and fake_line.pushed == []

    run(check())
