"""The risk report's snapshot (table risk_snapshot): every active case scored as of one instant,
rebuilt by the scheduler and by the report when missing or older than RISK_REFRESH_MINUTES,
and the page saying when it was computed; on both databases.

The world is tests/admin/test_reports.py's: four active cases (high 85, Chiang Mai 45,
medium 35, clean 0) and two closed ones.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from reporting_api.access import Principal
from reporting_api.clock import utcnow
from reporting_api.services.context import Ctx
from reporting_api.settings import SchedulerSettings, Settings
from reporting_api.thai_dates import BANGKOK, format_english_date, format_thai_datetime
from tests.admin.test_reports import _check_ins, build_world, ranked_case_ids
from tests.conftest import settings_for_test

AS_OF = re.compile(r'<p class="muted" id="as-of">(.*?)</p>', re.S)
TIME = re.compile(r'<time datetime="([^"]+)">([^<]+)</time>')


@pytest.fixture
def world(site):
    _, api = site
    return build_world(api)


def run(awaitable: Any) -> Any:
    async def wait() -> Any:
        return await awaitable

    return asyncio.run(wait())


def ctx(api: Any, username: str, now: datetime, minutes: int = 15) -> Ctx:
    s = api.staff[username]
    settings = Settings(scheduler=SchedulerSettings(risk_refresh_minutes=minutes))
    return Ctx(Principal(s.id, s.username, s.username, s.role, s.office_id), None, now, settings)


def ids(world: dict[str, Any], *keys: str) -> list[int]:
    return [world[k]["case"]["id"] for k in keys]


def view(office_id: int | None) -> Any:
    """The whole snapshot of one office or all: page of 100, aggregates, months since 2000."""
    from reporting_api.store import reports as store

    return run(store.snapshot_report(office_id, 0, 100, date(2000, 1, 1), date(2100, 1, 1)))


def report(api: Any, now: datetime, minutes: int = 15, office_id: int | None = None) -> Any:
    from reporting_api.services import reports

    return run(reports.risk_report(ctx(api, "manager", now, minutes), office_id, None, None))


def test_a_rebuild_scores_every_active_case_as_of_its_instant(site, world):
    from reporting_api import risk
    from reporting_api.services import risk_snapshot as snapshot_service
    from reporting_api.store import risk_scoring
    from reporting_api.store import risk_snapshot as store

    _, api = site
    assert run(store.snapshot_time()) is None  # nothing built yet
    now = utcnow()
    done = run(snapshot_service.refresh_risk_snapshot(now))
    assert (done.computed_at, done.cases) == (now, 4)
    assert run(store.snapshot_time()) == now
    snapshot = view(None)
    computed_at, page, groups = snapshot.computed_at, snapshot.page, snapshot.groups
    assert computed_at == now
    assert [r["case_id"] for r in page] == ids(world, *world["ranked"])
    scores = {world[k]["case"]["id"]: s for k, s in world["scores"].items()}
    assert {r["case_id"]: r["score"] for r in page} == scores
    for row in page:  # the stored facts explain the stored score
        assert risk.assess(risk_scoring.facts_of(row), computed_at).points == row["score"]
    summary = next(g for g in groups if g["dim"] == "all")
    assert (summary["cases"], summary["high"], summary["medium"], summary["low"]) == (4, 2, 1, 1)
    cnx = api.office_id("TH-50")
    page, groups = view(cnx).page, view(cnx).groups
    assert [r["case_id"] for r in page] == ids(world, "cnx")
    assert next(g for g in groups if g["dim"] == "all")["cases"] == 1
    # Check-in outcomes of every case, closed ones too, counted by day as of the same instant:
    # verified on time (medium, clean, cnx), late (medium twice), missed (4 + 1 + 2 + 2).
    totals = [sum(m[k] for m in snapshot.months) for k in ("on_time", "late", "missed", "excused")]
    assert totals == [3, 2, 9, 0]
    assert {m["office_id"] for m in view(cnx).months} == {cnx}
    # A rebuild that finds a snapshot made since its cut-off (by another process) does nothing.
    later = now + timedelta(minutes=1)
    assert run(store.refresh_risk_snapshot(later, stale_before=now - timedelta(seconds=1))) is None
    assert run(store.snapshot_time()) == now
    assert run(store.refresh_risk_snapshot(later, stale_before=now)) == 4
    assert run(store.snapshot_time()) == later
    assert len(view(None).page) == 4  # replaced, not added


def test_the_report_reads_the_snapshot_until_it_is_older_than_the_setting(site, world):
    _, api = site
    start = utcnow()
    first = report(api, start)  # no snapshot yet: built for this view
    assert first["as_of"] == start
    assert [r["case_id"] for r in first["rows"]] == ids(world, *world["ranked"])
    missed = sum(m["missed"] for m in first["by_month"])
    response = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{world['high']['case']['id']}/close",
        json={"status": "absconded", "outcome": "ศาลออกหมายจับ"},
    )
    assert response.status_code == 200, response.text
    _check_ins(world["clean"]["case"], (world["today"] - timedelta(days=3), "missed", None))
    # Younger than the setting: the closed case is still ranked and the new missed check-in
    # not counted, as of the snapshot's time.
    for minutes, later in ((15, timedelta(minutes=14)), (60, timedelta(minutes=30))):
        data = report(api, start + later, minutes)
        assert data["as_of"] == start
        assert [r["case_id"] for r in data["rows"]] == ids(world, *world["ranked"])
        assert data["summary"]["cases"] == 4
        assert sum(m["missed"] for m in data["by_month"]) == missed
    # As old as the setting: rebuilt first; the closed case is gone, the missed one counted.
    now = start + timedelta(minutes=15)
    data = report(api, now)
    assert data["as_of"] == now
    assert [r["case_id"] for r in data["rows"]] == ids(world, "cnx", "medium", "clean")
    assert [r["score"] for r in data["rows"]] == [45, 35, 15]  # clean: +15 for the missed one
    assert data["summary"]["cases"] == 3
    assert sum(m["missed"] for m in data["by_month"]) == missed + 1
    audit = api.request("admin", "GET", "/api/v1/audit?action=report.risk").json()["items"]
    assert {row["detail"]["as_of"] for row in audit} == {start.isoformat(), now.isoformat()}


def test_the_page_says_when_the_ranking_was_computed_in_thai_and_english(site, world):
    from reporting_api.store import risk_snapshot as store

    browser, _ = site
    manager = browser.as_("manager").client
    then = utcnow() - timedelta(minutes=5)
    run(store.refresh_risk_snapshot(then))
    page = manager.get("/admin/reports")
    assert page.status_code == 200
    as_of = AS_OF.search(page.text)
    assert as_of is not None
    assert f'ข้อมูล ณ <time datetime="{then.isoformat()}">{format_thai_datetime(then)}</time>' in (
        as_of.group(1)
    )
    assert "คำนวณใหม่ทุก 15 นาที" in as_of.group(1)
    english = AS_OF.search(manager.get("/admin/reports?lang=en").text)
    assert english is not None
    local = then.astimezone(BANGKOK)
    assert f">{format_english_date(local.date())} {local:%H:%M}</time>" in english.group(1)
    assert english.group(1).startswith("As of ") and "every 15 minutes" in english.group(1)
    # Twenty minutes old: the page rebuilds it first and gives the new time.
    stale = utcnow() - timedelta(minutes=20)
    run(store.refresh_risk_snapshot(stale))
    before = utcnow()
    fresh = manager.get("/admin/reports")
    found = TIME.search(AS_OF.search(fresh.text).group(1))
    assert found is not None and datetime.fromisoformat(found.group(1)) >= before
    assert ranked_case_ids(fresh.text) == ids(world, *world["ranked"])
    assert run(store.snapshot_time()) >= before


def test_the_reasons_are_given_as_of_the_snapshot_not_the_view(site, world):
    from reporting_api.store import risk_snapshot as store

    _, api = site
    then = utcnow() - timedelta(days=2)
    run(store.refresh_risk_snapshot(then))
    data = report(api, utcnow(), minutes=7 * 24 * 60)  # a week: two days old is fresh
    assert data["as_of"] == then
    high = data["rows"][0]
    assert (high["case_id"], high["score"]) == (world["high"]["case"]["id"], 85)
    court = next(f for f in high["factors"] if f.factor == "court_date")
    # The court date is 5 days after today, so 7 days after the snapshot's day.
    assert court.explanation_en.endswith(", in 7 days") and "(อีก 7 วัน)" in court.explanation_th


def test_housekeeping_and_the_scheduler_job_rebuild_it(site, world, database_url, tmp_path):
    from reporting_api.services.housekeeping import housekeeping
    from reporting_api.store import risk_snapshot as store
    from scheduler.runner import SchedulerService
    from scheduler.sender import OutboxLogSender

    now = utcnow()
    settings = settings_for_test(database_url)
    nightly = run(housekeeping(now, settings))
    assert nightly.risk_snapshot is not None
    assert (nightly.risk_snapshot.computed_at, nightly.risk_snapshot.cases) == (now, 4)
    assert run(store.snapshot_time()) == now

    clock = [now + timedelta(minutes=4)]
    every = replace(settings.scheduler, risk_refresh_minutes=10)
    service = SchedulerService(
        replace(settings, scheduler=every),
        sender=OutboxLogSender(tmp_path / "out.log"),
        clock=lambda: clock[0],
    )
    # Made 4 minutes ago (by another scheduler process): fresh enough for a 10-minute job,
    # which rebuilds what is older than half its interval.
    assert run(service.risk_snapshot()) is None
    assert run(store.snapshot_time()) == now
    clock[0] = now + timedelta(minutes=6)
    done = run(service.risk_snapshot())
    assert done is not None and done.computed_at == clock[0] and done.cases == 4
    assert run(store.snapshot_time()) == clock[0]

    async def jobs() -> dict[str, Any]:
        service.start(paused=True)
        try:
            return {job.id: job for job in service.scheduler.get_jobs()}
        finally:
            await service.stop()

    job = asyncio.run(jobs())["risk_snapshot"]
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(minutes=10)
    assert job.max_instances == 1 and job.coalesce


def test_the_setting_comes_from_the_environment():
    assert SchedulerSettings.from_env({}).risk_refresh_minutes == 15
    assert SchedulerSettings.from_env({"RISK_REFRESH_MINUTES": "5"}).risk_refresh_minutes == 5
    assert Settings.from_env({"RISK_REFRESH_MINUTES": "30"}).scheduler.risk_refresh_minutes == 30


def test_a_stale_view_does_not_wait_for_a_rebuild_already_running(site, world, database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite rebuilds queue on its write lock; the advisory lock is PostgreSQL's")
    import asyncpg

    from reporting_api.store import risk_snapshot as store

    _, api = site
    old = utcnow() - timedelta(minutes=30)
    run(store.refresh_risk_snapshot(old))

    async def while_another_rebuilds() -> None:
        other = await asyncpg.connect(database_url)
        try:
            await other.execute("SELECT pg_advisory_lock($1)", store.REBUILD_LOCK)
            assert await store.refresh_risk_snapshot(utcnow(), wait=False) is None
            from reporting_api.services import reports

            data = await reports.risk_report(ctx(api, "manager", utcnow()), None, None, None)
            assert data["as_of"] == old  # shown with its time rather than waited for
            assert len(data["rows"]) == 4
        finally:
            await other.close()

    asyncio.run(while_another_rebuilds())
    now = utcnow()
    assert report(api, now)["as_of"] == now  # the lock gone, the stale snapshot is rebuilt
