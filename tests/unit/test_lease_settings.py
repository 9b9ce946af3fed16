"""The lease settings of issue 15: the verifier's heartbeat at most a third of its lease, and a
dispatcher's lease long enough for a send to start after a renewal (else nothing would ever be
sent): each refused naming the variable."""

from __future__ import annotations

import pytest

from reporting_api.settings import CheckInSettings, Settings, SettingsError
from reporting_api.startup_checks import dispatch_lease_problems


def test_the_defaults_hold_together():
    checkin = CheckInSettings.from_env({})
    assert (checkin.verify_lease_seconds, checkin.verify_heartbeat_seconds) == (20, 5)
    assert checkin.recover_every_seconds == 5 and checkin.shutdown_grace_seconds == 15
    assert dispatch_lease_problems(Settings.from_env({})) == []


def test_a_heartbeat_longer_than_a_third_of_the_lease_is_refused():
    with pytest.raises(SettingsError) as refused:
        CheckInSettings.from_env({"VERIFY_LEASE_SECONDS": "12", "VERIFY_HEARTBEAT_SECONDS": "5"})
    assert "VERIFY_HEARTBEAT_SECONDS" in str(refused.value) and "4 or less" in str(refused.value)
    # A short lease alone brings the default heartbeat down with it.
    short = CheckInSettings.from_env({"VERIFY_LEASE_SECONDS": "6"})
    assert short.verify_heartbeat_seconds == 2


def test_a_dispatch_lease_too_short_to_start_a_send_stops_the_start():
    settings = Settings.from_env({"DISPATCH_LEASE_SECONDS": "40"})
    [problem] = dispatch_lease_problems(settings)
    assert "DISPATCH_LEASE_SECONDS is 40" in problem and "at least 59" in problem
    quick = Settings.from_env(
        {"DISPATCH_LEASE_SECONDS": "20", "TWILIO_TIMEOUT_SECONDS": "2", "SMTP_TIMEOUT_SECONDS": "2"}
    )
    assert dispatch_lease_problems(quick) == []


def test_lines_timeout_counts_only_while_line_is_on():
    env = {
        "DISPATCH_LEASE_SECONDS": "20",
        "TWILIO_TIMEOUT_SECONDS": "2",
        "SMTP_TIMEOUT_SECONDS": "2",
    }
    line = {"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t"}
    assert dispatch_lease_problems(Settings.from_env(env | {"LINE_TIMEOUT_SECONDS": "10"})) == []
    [problem] = dispatch_lease_problems(
        Settings.from_env(env | line | {"LINE_TIMEOUT_SECONDS": "10"})
    )
    assert "LINE_TIMEOUT_SECONDS 10" in problem and "at least 32" in problem
    assert (
        dispatch_lease_problems(Settings.from_env(env | line | {"LINE_TIMEOUT_SECONDS": "2"})) == []
    )
