"""Each office's reminder hour against the quiet hours, at start-up and when either changes,
on both databases: `serve` and `scheduler` refuse to start naming each office whose hour lies
in SMS_QUIET_HOURS (so a quiet-hours change cannot silently drop its reminders), and an
office's hour inside the configured quiet hours is refused when it is set."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from reporting_api.db import bind_tables, engine_from_url
from reporting_api.sealing import generate_key
from reporting_api.store import reminder_settings
from reporting_api.tables import Office
from tests.conftest import run_cli


def set_hour(database_url: str, code: str, hour: int) -> int:
    bind_tables(engine_from_url(database_url))

    async def run() -> int:
        office = await Office.select(Office.id).where(Office.code == code).first()
        await reminder_settings.save_office_settings(
            office["id"],
            {
                "offsets_days": [3, 1, 0],
                "send_hour": hour,
                "follow_up_missed": True,
                "updated_at": datetime.now(UTC),
            },
        )
        return int(office["id"])

    return asyncio.run(run())


def start(database_url: str, command: str, **env: str):
    args = ["serve", "--port", "1"] if command == "serve" else ["scheduler", "--once"]
    return run_cli(*args, database_url=database_url, DEMO="1", DATA_KEYS=generate_key(), **env)


@pytest.mark.parametrize("command", ["serve", "scheduler"])
def test_an_office_hour_inside_the_quiet_hours_stops_start_up_naming_it(database_url, command):
    office_id = set_hour(database_url, "TH-50", 8)
    result = start(database_url, command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "office TH-50" in result.stderr and f"id {office_id}" in result.stderr
    assert "8:00" in result.stderr and "SMS_QUIET_HOURS 21-9" in result.stderr


def test_a_quiet_hours_change_that_swallows_an_office_hour_stops_start_up(database_url):
    set_hour(database_url, "TH-10", 10)
    result = start(database_url, "scheduler", SMS_QUIET_HOURS="20-11")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "office TH-10" in result.stderr
    # ... and the default hour (9:00) too.
    assert "default reminder hour 9" in result.stderr


def test_an_office_hour_is_checked_against_the_configured_quiet_hours(api):
    office = api.office_id("TH-10")
    url = f"/api/v1/offices/{office}/reminder-settings"
    body = {"offsets_days": [3, 1, 0], "send_hour": 22, "follow_up_missed": True}
    refused = api.request("admin", "PUT", url, json=body)
    assert refused.status_code == 400 and refused.json()["extra"][0]["key"] == "send_hour"
    assert api.request("admin", "PUT", url, json=body | {"send_hour": 10}).status_code == 200
