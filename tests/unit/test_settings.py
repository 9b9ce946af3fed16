"""Settings: every variable read once, every bad value refused with its name and the form
expected, before anything starts."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api.settings import Settings, SettingsError
from tests.conftest import ROOT

BAD_VALUES = [
    ("DB_POOL_SIZE", "ten", "a whole number from 0 to 1,000"),
    ("DB_POOL_SIZE", "-1", "a whole number from 0 to 1,000"),
    ("SESSION_HOURS", "0", "a whole number from 1 to 720"),
    ("PORT", "80000", "a whole number from 1 to 65,535"),
    ("VERIFY_WORKERS", "2.5", "a whole number from 1 to 256"),
    ("EVIDENCE_RETENTION_DAYS", "", None),
    ("TWILIO_TIMEOUT_SECONDS", "nan", "a number from 0.5 to 120"),
    ("DISPATCH_RETRY_BASE_SECONDS", "soon", "a number from 1 to 86400"),
    ("SMS_QUIET_HOURS", "21", "start-end hours in Bangkok time"),
    ("SMS_QUIET_HOURS", "25-9", "start-end hours in Bangkok time"),
    ("RUN_SCHEDULER", "maybe", "one of 1, true, yes, on, 0, false, no, off"),
    ("ALERT_STAFF_BY_SMS", "si", "one of 1, true, yes, on"),
    ("PUBLIC_BASE_URL", "bail.example.go.th", "an http:// or https:// address"),
    ("TWILIO_BASE_URL", "ftp://fake", "an http:// or https:// address"),
    ("DATABASE_URL", "mysql://db/test", "sqlite:///path/to/file or postgresql://"),
    ("DATABASE_URL", "sqlite:///", "sqlite:///path/to/file or postgresql://"),
]


@pytest.mark.parametrize(("name", "value", "expected"), BAD_VALUES)
def test_a_bad_value_names_the_variable_and_the_form_expected(name, value, expected):
    if expected is None:  # empty means unset: the default
        assert Settings.from_env({name: value}) == Settings.from_env({})
        return
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({name: value})
    assert raised.value.name == name
    assert str(raised.value).startswith(f"{name}={value!r}: expected ")
    assert expected in str(raised.value)


def test_good_values_are_read():
    settings = Settings.from_env(
        {
            "DB_POOL_SIZE": "0",
            "PORT": "9000",
            "SMS_QUIET_HOURS": "22:00-08:00",
            "RUN_SCHEDULER": "yes",
            "ALERT_STAFF_BY_SMS": "off",
            "PUBLIC_BASE_URL": "https://bail.example.go.th/",
            "TWILIO_TIMEOUT_SECONDS": "2.5",
        }
    )
    assert settings.db_pool_size == 0 and settings.port == 9000
    assert settings.scheduler.quiet_hours == (22, 8)
    assert settings.scheduler.run_in_api and not settings.scheduler.alert_staff_by_sms
    assert settings.public_base_url == "https://bail.example.go.th"
    assert settings.twilio.timeout_seconds == 2.5


def test_the_command_line_refuses_to_start_on_a_bad_value():
    result = subprocess.run(
        [sys.executable, "-m", "reporting_api.cli", "migrate"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SESSION_HOURS": "twelve"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "SESSION_HOURS='twelve': expected a whole number from 1 to 720" in result.stderr
    assert "Traceback" not in result.stderr


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_a_whole_number_is_taken_inside_its_range_and_refused_outside(value):
    env = {"SESSION_HOURS": str(value)}
    if 1 <= value <= 720:
        assert Settings.from_env(env).session_hours == value
    else:
        with pytest.raises(SettingsError, match=r"^SESSION_HOURS="):
            Settings.from_env(env)


def _reads_as_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


@given(st.text(min_size=1, max_size=12).filter(lambda t: t.strip() and not _reads_as_int(t)))
def test_any_text_that_is_not_a_number_is_refused_with_the_variable_named(text):
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"DB_POOL_SIZE": text})
    assert raised.value.name == "DB_POOL_SIZE" and raised.value.value == text.strip()
