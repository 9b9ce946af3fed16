"""Scheduler and Twilio settings from the environment; the senders' small contracts."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from reporting_api.settings import Settings
from scheduler.sender import OutboxLogSender, TwilioSender, make_sender


def test_settings_from_the_environment():
    settings = Settings.from_env(
        {
            "RUN_SCHEDULER": "1",
            "SMS_QUIET_HOURS": "22:00-08:00",
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_AUTH_TOKEN": "secret-token",
            "TWILIO_FROM": "+15005550006",
            "TWILIO_BASE_URL": "http://127.0.0.1:8099/",
            "DISPATCH_BATCH_SIZE": "50",
            "ESCALATE_AFTER_HOURS": "12",
        }
    )
    assert settings.scheduler.run_in_api and settings.scheduler.quiet_hours == (22, 8)
    assert settings.scheduler.batch_size == 50 and settings.scheduler.escalate_after_hours == 12
    assert settings.twilio.configured and settings.twilio.base_url == "http://127.0.0.1:8099"
    assert "secret-token" not in repr(settings)
    defaults = Settings.from_env({})
    assert not defaults.scheduler.run_in_api and defaults.scheduler.quiet_hours == (21, 9)
    assert not defaults.twilio.configured
    assert Settings.from_env({"SMS_QUIET_HOURS": "off"}).scheduler.quiet_hours == (0, 0)


def test_without_credentials_messages_go_to_the_outbox_log(tmp_path):
    settings = Settings.from_env({"SMS_OUTBOX_PATH": str(tmp_path / "out.log")})
    assert isinstance(make_sender(settings), OutboxLogSender)


def test_twilio_needs_a_sender(tmp_path):
    settings = Settings.from_env({"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t"})
    with pytest.raises(ValueError, match="TWILIO_FROM"):
        TwilioSender(settings)


def test_the_outbox_log_keeps_one_json_line_a_message_and_finds_it_again(tmp_path):
    now = datetime(2026, 12, 7, 3, tzinfo=UTC)
    sender = OutboxLogSender(tmp_path / "var" / "out.log", clock=lambda: now)

    async def check() -> None:
        first = await sender.send_sms("+66812345678", "สวัสดี", "rem-1")
        await sender.send_sms("+66812345678", "another", "rem-2")
        assert first.sid.startswith("LO") and first.status == "sent"
        found = await sender.find_sent("+66812345678", "สวัสดี", now - timedelta(minutes=1))
        assert found is not None and found.sid == first.sid
        assert await sender.find_sent("+66899999999", "สวัสดี", now) is None
        assert await sender.find_sent("+66812345678", "สวัสดี", now + timedelta(hours=1)) is None

    asyncio.run(check())
    lines = [json.loads(x) for x in (tmp_path / "var" / "out.log").read_text("utf-8").splitlines()]
    assert [line["reference"] for line in lines] == ["rem-1", "rem-2"]
    assert lines[0]["body"] == "สวัสดี"
