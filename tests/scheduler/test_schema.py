"""What the outbox relies on in the schema (both databases), the link every SMS carries, and
the direction of the package dependencies."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from litestar.testing import TestClient

from reporting_api.app import create_app
from reporting_api.db import engine_from_url
from reporting_api.tables import CheckIn, Reminder
from tests.conftest import ROOT
from tests.scheduler.helpers import NOW, case_with_plan, check_ins_of, make_world, reminders_of, run


def _index_names(database_url: str) -> set[str]:
    from piccolo.querystring import QueryString

    if database_url.startswith("sqlite"):
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        sql = "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'"
    engine = engine_from_url(database_url)
    return {row["name"] for row in run(engine.run_querystring(QueryString(sql)))}


def test_the_outbox_indexes_exist(database_url):
    assert {
        "reminder_check_in_kind",
        "reminder_flag_kind_channel",
        "reminder_claimable",
        "check_in_code",
        "check_in_upcoming_opens_at",
        "check_in_open_or_late_closes_at",
        "flag_unacknowledged_raised_at",
    } <= _index_names(database_url)


def test_one_reminder_per_check_in_and_kind_and_one_check_in_per_code(database_url):
    world = make_world(database_url)

    async def check() -> None:
        _, case, _ = await case_with_plan(world, NOW.date() + timedelta(days=20))
        row = (await reminders_of(case["id"]))[0]
        copy = {k: v for k, v in row.items() if k != "id"} | {"reference": "rem-other"}
        with pytest.raises(Exception, match="(?i)unique"):
            await Reminder.insert(Reminder(**copy))
        check_in = (await check_ins_of(case["id"]))[0]
        twin = {k: v for k, v in check_in.items() if k != "id"} | {"due_date": date(2027, 6, 1)}
        with pytest.raises(Exception, match="(?i)unique"):
            await CheckIn.insert(CheckIn(**twin))

    run(check())


def test_the_sms_link_answers_without_a_login(database_url):
    world = make_world(database_url)
    _, case, _ = run(case_with_plan(world, date(2026, 12, 16)))
    first = run(check_ins_of(case["id"]))[0]
    code = first["code"]
    # A link works from its check-in's first reminder: let that one be due already.
    reminders = [r for r in run(reminders_of(case["id"])) if r["check_in"] == first["id"]]
    earliest = min(r["due_at"] for r in reminders)
    run(
        Reminder.update({Reminder.due_at: earliest - timedelta(days=30)}).where(
            (Reminder.check_in == first["id"]) & (Reminder.due_at == earliest)
        )
    )
    with TestClient(app=create_app(world.settings)) as client:
        page = client.get(f"/c/{code}")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "16 ธ.ค. 2569" in page.text and "สำนักงานยุติธรรมกรุงเทพมหานคร" in page.text
        assert "สมชาย" not in page.text  # no name on a page anyone with the link can open
        assert client.get("/c/not-a-real-code-x").status_code == 404
        assert client.get("/c/%3Cscript%3E").status_code == 404


def _imports(package: str) -> dict[Path, set[str]]:
    found: dict[Path, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[path] = names
    return found


def test_the_core_never_imports_the_scheduler():
    # The command line is where the packages meet; nothing else in the core knows the scheduler.
    offenders = {
        path.relative_to(ROOT).as_posix()
        for path, names in _imports("reporting_api").items()
        if any(n == "scheduler" or n.startswith("scheduler.") for n in names)
    }
    assert offenders <= {"reporting_api/cli.py"}
