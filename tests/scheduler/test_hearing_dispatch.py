"""Hearing reminders through the dispatcher, on both databases: sent once with the court and the
time when due; cancelled at send time when the hearing was cancelled or its case closed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reporting_api.commands import CaseClose, HearingIn
from reporting_api.services import cases as case_service
from reporting_api.services import hearings
from reporting_api.tables import Reminder
from reporting_api.thai_dates import BANGKOK
from scheduler.dispatch import Dispatcher
from scheduler.sender import FakeSender
from tests.scheduler.helpers import enrol, make_world, open_case, run

HEARING_DAY = date(2026, 12, 24)


def bkk(d: date, hour: int) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=BANGKOK).astimezone(UTC)


SEVEN_BEFORE = bkk(date(2026, 12, 17), 9)


def drain(world, at):
    sender = FakeSender(clock=lambda: at)
    run(Dispatcher(world.settings, sender, worker_id="test").drain(lambda: at))
    return sender


def statuses(hearing_id):
    rows = Reminder.select(Reminder.kind, Reminder.status, Reminder.error_message).where(
        Reminder.hearing == hearing_id
    )
    return {r["kind"]: (r["status"], r["error_message"]) for r in rows.run_sync()}


def new_hearing(world):
    person = run(enrol(world))
    case = run(open_case(world, person["id"]))
    hearing = run(
        hearings.add(world.ctx(), case["id"], HearingIn(HEARING_DAY, "10:30", "ศาลแขวงพระนครเหนือ"))
    )
    return person, case, hearing


def test_a_due_hearing_reminder_goes_out_once_with_the_court_and_time(database_url):
    world = make_world(database_url)
    person, _, hearing = new_hearing(world)
    sender = drain(world, SEVEN_BEFORE)
    (message,) = sender.sent
    assert message.to == person["phone"]
    assert "ศาลแขวงพระนครเหนือ" in message.body and "10:30 น." in message.body
    assert "อีก 7 วัน 24 ธ.ค. 2569" in message.body
    assert drain(world, SEVEN_BEFORE).sent == []  # never twice
    assert statuses(hearing["id"])["hearing_7d"][0] == "sent"


def test_a_cancelled_hearing_or_a_closed_case_sends_nothing(database_url):
    world = make_world(database_url)
    _, _, cancelled = new_hearing(world)
    _, case, closed = new_hearing(world)
    run(hearings.cancel(world.ctx(), cancelled["id"], "เลื่อนโดยศาล"))
    run(
        case_service.close_case(
            world.ctx(), case["id"], CaseClose(status="concluded", outcome="ถอนฟ้อง")
        )
    )
    assert drain(world, SEVEN_BEFORE).sent == []
    assert {s for s, _ in statuses(cancelled["id"]).values()} == {"cancelled"}
    assert {s for s, _ in statuses(closed["id"]).values()} == {"cancelled"}
