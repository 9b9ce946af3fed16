"""Notices to the person (services/notices.py) on both databases: what is queued for a changed
date, an ended case and a new number, and what the dispatcher does with each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from reporting_api.commands import CaseClose
from reporting_api.services import cases as case_service
from reporting_api.services import checkins as checkin_service
from reporting_api.services import defendants as defendant_service
from reporting_api.services import notices
from reporting_api.services.notices import DateChange
from reporting_api.tables import Reminder
from reporting_api.thai_dates import BANGKOK
from scheduler.dispatch import Dispatcher
from scheduler.sender import FakeSender
from tests.scheduler.helpers import NOW, case_with_plan, check_ins_of, make_world, new_phone, run

DUE = date(2026, 12, 16)
LATER = date(2026, 12, 18)


def bkk(d: date, hour: int) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=BANGKOK).astimezone(UTC)


async def notices_of(case_id: int) -> list[dict]:
    return (
        await Reminder.select()
        .where((Reminder.case == case_id) & Reminder.kind.like("notice_%"))
        .order_by(Reminder.id)
    )


def send_all(world, at: datetime) -> FakeSender:
    sender = FakeSender(clock=lambda: at)
    run(Dispatcher(world.settings, sender, worker_id="test").drain(lambda: at))
    return sender


def test_a_moved_date_is_told_at_once_in_the_persons_words(database_url):
    world = make_world(database_url)
    defendant, case, _ = run(case_with_plan(world, DUE))
    row_id = run(notices.dates_changed(world.ctx(), case["id"], [DateChange(DUE, LATER)]))
    (row,) = run(notices_of(case["id"]))
    assert row["id"] == row_id and row["kind"] == "notice_dates_changed"
    assert row["check_in"] is None and row["defendant"] == defendant["id"]
    assert "เลื่อนวันรายงานตัว 16 ธ.ค. 2569 เป็น 18 ธ.ค. 2569" in row["body"]
    assert row["due_at"] == NOW  # 10:00 in Bangkok: sent now
    sender = send_all(world, NOW)
    notice = [m for m in sender.sent if "เลื่อน" in m.body]
    assert [m.to for m in notice] == [defendant["phone"]]


def test_english_speakers_are_told_in_english(database_url):
    world = make_world(database_url)
    _, case, _ = run(case_with_plan(world, DUE, language="en"))
    run(notices.dates_changed(world.ctx(), case["id"], [DateChange(None, LATER)]))
    (row,) = run(notices_of(case["id"]))
    assert "a check-in was added on 18 Dec 2569 (2026)" in row["body"]
    assert row["language"] == "en"


def test_changes_in_a_row_make_one_message_naming_the_next_date(database_url):
    world = make_world(database_url)
    _, case, _ = run(case_with_plan(world, DUE))
    first = run(notices.dates_changed(world.ctx(), case["id"], [DateChange(DUE, LATER)]))
    second = run(notices.dates_changed(world.ctx(), case["id"], [DateChange(None, LATER)]))
    (row,) = run(notices_of(case["id"]))
    assert first == second == row["id"]
    assert "ครั้งถัดไป 16 ธ.ค. 2569" in row["body"]  # the stored check-in is still on the 16th


def test_a_notice_already_sent_is_not_reworded_a_new_one_is_queued(database_url):
    world = make_world(database_url)
    _, case, _ = run(case_with_plan(world, DUE))
    run(notices.dates_changed(world.ctx(), case["id"], [DateChange(DUE, LATER)]))
    send_all(world, NOW)
    later = NOW + timedelta(hours=1)
    run(notices.dates_changed(world.ctx(later), case["id"], [DateChange(LATER, DUE)]))
    rows = run(notices_of(case["id"]))
    assert [r["status"] for r in rows] == ["sent", "queued"]
    assert "เลื่อนวันรายงานตัว 18 ธ.ค. 2569 เป็น 16 ธ.ค. 2569" in rows[1]["body"]


def test_nothing_is_queued_for_past_changes_or_an_opted_out_person(database_url):
    world = make_world(database_url)
    defendant, case, _ = run(case_with_plan(world, DUE))
    past = date(2026, 11, 30)
    assert run(notices.dates_changed(world.ctx(), case["id"], [DateChange(past, past)])) is None
    assert run(notices.dates_changed(world.ctx(), case["id"], [])) is None
    run(defendant_service.update(world.ctx(), defendant["id"], {"sms_opt_out": True}))
    assert run(notices.dates_changed(world.ctx(), case["id"], [DateChange(DUE, LATER)])) is None
    assert run(notices_of(case["id"])) == []


def test_in_the_quiet_hours_a_notice_waits_for_the_morning(database_url):
    world = make_world(database_url)
    _, case, _ = run(case_with_plan(world, DUE))
    night = bkk(date(2026, 12, 7), 22)
    run(notices.dates_changed(world.ctx(night), case["id"], [DateChange(DUE, LATER)]))
    (row,) = run(notices_of(case["id"]))
    assert row["due_at"] == bkk(date(2026, 12, 8), 9)
    assert row["expires_at"] > row["due_at"]


def test_a_closed_case_gets_its_ended_notice_and_no_date_notice(database_url):
    world = make_world(database_url)
    defendant, case, _ = run(case_with_plan(world, DUE))
    run(notices.dates_changed(world.ctx(), case["id"], [DateChange(DUE, LATER)]))
    run(
        case_service.close_case(
            world.ctx(), case["id"], CaseClose(status="concluded", outcome="คดีถึงที่สุด")
        )
    )
    # Closing queued the ended notice itself; a date notice for the closed case is none.
    assert run(notices.dates_changed(world.ctx(), case["id"], [DateChange(DUE, LATER)])) is None
    sender = send_all(world, NOW)
    assert [m.to for m in sender.sent] == [defendant["phone"]]
    assert "สิ้นสุดแล้ว" in sender.sent[0].body
    statuses = {r["kind"]: r["status"] for r in run(notices_of(case["id"]))}
    # The date notice queued before the closing is cancelled with the case, not sent.
    assert statuses == {"notice_dates_changed": "cancelled", "notice_case_ended": "sent"}


def test_a_new_number_is_told_and_a_stale_one_is_not(database_url):
    world = make_world(database_url)
    defendant, case, _ = run(case_with_plan(world, DUE))
    first, second = new_phone(), new_phone()
    # A change of number queues its own notice (services/defendants.change_phone).
    run(defendant_service.update(world.ctx(), defendant["id"], {"phone": first}))
    run(defendant_service.update(world.ctx(), defendant["id"], {"phone": second}))
    sender = send_all(world, NOW)
    told = [m for m in sender.sent if "เบอร์นี้" in m.body]
    assert [m.to for m in told] == [second]
    rows = [r for r in run(notices_of(case["id"])) if r["kind"] == "notice_phone_changed"]
    # The first number's notice was addressed to it: cancelled when the number changed again.
    assert [r["status"] for r in rows] == ["cancelled", "sent"]
    assert rows[0]["error_message"] == "number changed"


def test_no_new_number_notice_without_an_active_case(database_url):
    world = make_world(database_url)
    defendant, case, _ = run(case_with_plan(world, DUE))
    run(case_service.close_case(world.ctx(), case["id"], CaseClose(status="revoked", outcome="x")))
    assert run(notices.phone_changed(world.ctx(), defendant["id"], new_phone())) is None


def test_the_last_check_in_verified_tells_the_person_reporting_ended(database_url):
    """Only the last check-in still to report gets the notice (the first one, verified while
    another is still ahead, gets none); it is still sent once the officer closed the case."""
    world = make_world(database_url)
    last = date(2026, 12, 28)
    defendant, case, _ = run(case_with_plan(world, DUE, last))
    first, second = run(check_ins_of(case["id"]))
    run(checkin_service.record_in_person(world.ctx(bkk(DUE, 10)), first["id"], "at the counter"))
    assert run(notices_of(case["id"])) == []
    at = bkk(last, 10)
    run(checkin_service.record_in_person(world.ctx(at), second["id"], "at the counter"))
    (row,) = run(notices_of(case["id"]))
    assert row["kind"] == "notice_last_checkin_done" and row["defendant"] == defendant["id"]
    assert "ครั้งสุดท้าย" in row["body"] and "28 ธ.ค. 2569" in row["body"]
    run(
        case_service.close_case(
            world.ctx(at), case["id"], CaseClose(status="concluded", outcome="คดีถึงที่สุด")
        )
    )
    send_all(world, at)
    statuses = {r["kind"]: r["status"] for r in run(notices_of(case["id"]))}
    assert statuses == {"notice_last_checkin_done": "sent", "notice_case_ended": "sent"}


def test_an_excused_last_check_in_is_not_told_as_verified(database_url):
    world = make_world(database_url)
    _, case, _ = run(case_with_plan(world, DUE))
    (only,) = run(check_ins_of(case["id"]))
    run(checkin_service.excuse(world.ctx(bkk(DUE, 10)), only["id"], "illness", "in hospital"))
    assert run(notices_of(case["id"])) == []
