"""Reminder rows are written with their check-ins, in the same transaction (both databases)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reporting_api.commands import CaseClose
from reporting_api.reminder_schedule import PLANNING_HORIZON_DAYS
from reporting_api.services import cases as case_service
from reporting_api.services import plans as plan_service
from reporting_api.services import reminders as reminder_service
from reporting_api.services.housekeeping import housekeeping
from reporting_api.store import checkins as checkin_store
from reporting_api.tables import CheckIn, Reminder
from reporting_api.thai_dates import BANGKOK
from tests.scheduler.helpers import (
    NOW,
    by_kind,
    case_with_plan,
    check_ins_of,
    dates_plan,
    make_world,
    reminders_of,
    run,
)

D1, D2, D3 = date(2026, 12, 16), date(2027, 1, 13), date(2027, 2, 10)


def test_a_plan_writes_each_check_in_with_its_reminders_and_a_link_code(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, plan = await case_with_plan(world, D1, D2)
        assert plan.created == 2
        check_ins = await check_ins_of(case["id"])
        codes = [c["code"] for c in check_ins]
        assert all(code and len(code) >= 12 for code in codes) and len(set(codes)) == 2
        rows = await reminders_of(case["id"])
        assert len(rows) == 8  # 3 days, 1 day, the day, the missed follow-up, for each
        first = by_kind([r for r in rows if r["check_in"] == check_ins[0]["id"]])
        assert set(first) == {"before_3d", "before_1d", "due_day", "missed_followup"}
        assert first["before_3d"]["due_at"].astimezone(BANGKOK).hour == 9
        assert first["before_3d"]["due_at"].astimezone(BANGKOK).date() == D1 - timedelta(days=3)
        assert {r["status"] for r in rows} == {"queued"}
        assert all(r["reference"].startswith("rem-") for r in rows)
        assert len({r["reference"] for r in rows}) == 8
        assert all(r["next_attempt_at"] == r["due_at"] for r in rows)

    run(check())


def test_the_same_plan_again_adds_nothing(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, D1, D2)
        before = await reminders_of(case["id"])
        again = await plan_service.set_plan(world.ctx(), case["id"], dates_plan(D1, D2))
        assert again.created == 0
        after = await reminders_of(case["id"])
        assert [(r["id"], r["due_at"]) for r in after] == [(r["id"], r["due_at"]) for r in before]

    run(check())


def test_replanning_cancels_removed_check_ins_and_never_resends_sent_ones(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, D1, D2)
        rows = await reminders_of(case["id"])
        d1 = (await check_ins_of(case["id"]))[0]
        sent = by_kind([r for r in rows if r["check_in"] == d1["id"]])["before_3d"]
        await Reminder.update(
            {Reminder.status: "sent", Reminder.message_sid: "SM" + "1" * 32}
        ).where(Reminder.id == sent["id"])
        # D2 is dropped and D3 added; D1 stays.
        result = await plan_service.set_plan(world.ctx(), case["id"], dates_plan(D1, D3))
        assert (result.created, result.deleted) == (1, 1)
        after = await reminders_of(case["id"])
        removed = [
            r for r in after if r["check_in"] is None and r["kind"] != "notice_dates_changed"
        ]
        assert len(removed) == 4 and {r["status"] for r in removed} == {"cancelled"}
        # The person is told at once: one notice, D2 moved to D3.
        (notice,) = [r for r in after if r["kind"] == "notice_dates_changed"]
        assert notice["status"] == "queued" and notice["check_in"] is None
        d1_rows = [r for r in after if r["check_in"] == d1["id"]]
        assert len(d1_rows) == 4  # no second before_3d was planned
        assert by_kind(d1_rows)["before_3d"]["status"] == "sent"
        d3 = (await check_ins_of(case["id"]))[-1]
        assert d3["due_date"] == D3
        # D3 is 65 days ahead, beyond the planning horizon (45): its reminders come with the
        # nightly housekeeping once it is due within 45 days.
        assert [r for r in after if r["check_in"] == d3["id"]] == []
        night = NOW + timedelta(days=(D3 - NOW.date()).days - PLANNING_HORIZON_DAYS)
        await housekeeping(night, world.settings)
        assert {r["kind"] for r in await reminders_of(case["id"]) if r["check_in"] == d3["id"]} == {
            "before_3d",
            "before_1d",
            "due_day",
            "missed_followup",
        }

    run(check())


def test_a_changed_window_moves_untried_reminders_only(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, D1, grace=1)
        rows = by_kind(await reminders_of(case["id"]))
        follow_up = rows["missed_followup"]
        await plan_service.set_plan(world.ctx(), case["id"], dates_plan(D1, grace=3))
        moved = by_kind(await reminders_of(case["id"]))["missed_followup"]
        assert moved["id"] == follow_up["id"]
        assert moved["due_at"] - follow_up["due_at"] == timedelta(days=2)

    run(check())


def test_office_offsets_apply_to_new_plans(database_url):
    world = make_world(database_url)

    async def check() -> None:
        office = world.staff["officer_bkk"].office_id
        await reminder_service.set_office_settings(
            world.ctx(user="admin"), office, [7, 0], 10, False
        )
        _, case, _ = await case_with_plan(world, D1)
        rows = by_kind(await reminders_of(case["id"]))
        assert set(rows) == {"before_7d", "due_day"}
        assert rows["before_7d"]["due_at"].astimezone(BANGKOK).hour == 10

    run(check())


def test_closing_the_case_cancels_what_was_not_sent(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, D1, D2)
        await case_service.close_case(
            world.ctx(), case["id"], CaseClose(status="concluded", outcome="ศาลพิพากษาแล้ว")
        )
        rows = await reminders_of(case["id"])
        reminders = [r for r in rows if r["kind"] != "notice_case_ended"]
        assert reminders and {r["status"] for r in reminders} == {"cancelled"}
        # ... and the person is told reporting has ended (one notice, queued).
        assert [r["status"] for r in rows if r["kind"] == "notice_case_ended"] == ["queued"]

    run(check())


def test_check_ins_and_reminders_are_written_together_or_not_at_all(database_url, monkeypatch):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, D1)

        async def broken(*args, **kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(reminder_service, "plan_for_new_check_ins", broken)
        with pytest.raises(RuntimeError):
            await plan_service.set_plan(world.ctx(), case["id"], dates_plan(D1, D2))
        assert [c["due_date"] for c in await checkin_store.list_for_case(case["id"])] == [D1]
        assert await CheckIn.count().where(CheckIn.case == case["id"]) == 1
        assert len(await reminders_of(case["id"])) == 4

    run(check())


def test_planning_late_in_the_evening_respects_quiet_hours(database_url):
    world = make_world(database_url)
    evening = NOW.replace(hour=15)  # 22:00 in Bangkok

    async def check() -> None:
        tomorrow = (evening.astimezone(BANGKOK) + timedelta(days=1)).date()
        _, case, _ = await case_with_plan(world, tomorrow, now=evening, opens=0)
        rows = by_kind(await reminders_of(case["id"]))
        assert "before_1d" not in rows  # "tomorrow" cannot go out tonight and is stale by 09:00
        assert rows["due_day"]["due_at"].astimezone(BANGKOK).hour == 9

    run(check())


def test_a_changed_window_beyond_the_horizon_writes_nothing_yet(database_url):
    """A plan edit that changes every window (one more grace day): the check-in within the
    horizon has its reminders rescheduled; the one 70 days on, with none written yet, keeps
    none (housekeeping writes them in time), and the preview says nothing changes for it."""
    from reporting_api.services.plan_preview import preview_plan

    world = make_world(database_url)
    far = NOW.date() + timedelta(days=70)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, D1, far)
        near_ci, far_ci = await check_ins_of(case["id"])
        assert await Reminder.count().where(Reminder.check_in == far_ci["id"]) == 0
        edit = dates_plan(D1, far, grace=2)
        preview = await preview_plan(world.ctx(), case["id"], edit)
        changed = {r.due_date: r.reminders for r in preview.rows}
        assert changed[far_ci["due_date"]] == []
        assert changed[near_ci["due_date"]]  # the follow-up moves with the later close
        await plan_service.set_plan(world.ctx(), case["id"], edit)
        assert await Reminder.count().where(Reminder.check_in == far_ci["id"]) == 0
        near = by_kind(await Reminder.select().where(Reminder.check_in == near_ci["id"]))
        assert set(near) == {"before_3d", "before_1d", "due_day", "missed_followup"}

    run(check())
