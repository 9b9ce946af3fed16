"""Issue 14, item 5: a PUBLIC_BASE_URL some SMS could not carry in two segments stops the start.

`bail-checkin serve` and `scheduler` run as the operator runs them (a subprocess, as
tests/security/test_secrets.py does): a base URL longer than 40 characters, or with a character
outside ASCII and GSM-7, is refused with exit code 2, naming PUBLIC_BASE_URL, its length and
the limit, with no traceback, in the demo too, on SQLite and PostgreSQL alike; a 40-character
one starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reporting_api.sealing import generate_key
from reporting_api.settings import Settings
from reporting_api.sms_templates import MAX_PUBLIC_BASE_URL_LENGTH, widest_base_url
from reporting_api.startup_checks import sms_link_problems, startup_problems
from tests.conftest import ROOT

COMMANDS = {
    "serve": ["serve", "--port", "1"],  # never reached: the checks come first
    "scheduler": ["scheduler", "--once"],
}
_OURS = ("DATA_KEYS", "DEMO", "FORWARDED_ALLOW_IPS", "PUBLIC_BASE_URL", "DATABASE_URL", "PORT")
# The plausible government address with a path: 46 characters.
TOO_LONG = "https://checkin.probation.go.th/bail-reporting"


def _run(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in _OURS}
    return subprocess.run(
        [sys.executable, "-m", "reporting_api.cli", *COMMANDS[command]],
        cwd=ROOT,
        env=base | {"DATA_KEY_FILE": str(tmp_path / "data.key"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    return result.stderr


def _settings(url: str) -> Settings:
    return Settings.from_env({"PUBLIC_BASE_URL": url})


@pytest.fixture(params=["sqlite", "postgres"])
def unused_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A DATABASE_URL the other checks accept (nothing connects before they pass)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    return "postgresql://postgres@127.0.0.1:5432/unused"


@pytest.mark.parametrize("command", COMMANDS)
def test_no_start_with_a_base_url_too_long_for_two_segments(command, unused_database, tmp_path):
    result = _run(
        command,
        tmp_path,
        DATABASE_URL=unused_database,
        DATA_KEYS=generate_key(),
        PUBLIC_BASE_URL=TOO_LONG,
    )
    error = _refused(result, "PUBLIC_BASE_URL", TOO_LONG, "46 characters", "up to 40 characters")
    assert "segments" in error and "a shorter host name" in error


@pytest.mark.parametrize("command", COMMANDS)
def test_the_demo_is_refused_a_long_base_url_too(command, tmp_path):
    result = _run(
        command,
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        DEMO="1",
        PUBLIC_BASE_URL="http://127.0.0.1:8000/" + "x" * 20,
    )
    _refused(result, "PUBLIC_BASE_URL", "42 characters")


def test_a_thai_domain_is_refused_naming_its_xn_form(tmp_path):
    result = _run(
        "scheduler",
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        DATA_KEYS=generate_key(),
        PUBLIC_BASE_URL="https://รายงานตัว.ไทย",
    )
    assert "xn--" in _refused(result, "PUBLIC_BASE_URL", "21 of at most 40 characters")


def test_a_40_character_base_url_starts(database_url, tmp_path):
    base = widest_base_url()
    assert len(base) == MAX_PUBLIC_BASE_URL_LENGTH
    result = _run(
        "scheduler",
        tmp_path,
        DATABASE_URL=database_url,
        DATA_KEYS=generate_key(),
        PUBLIC_BASE_URL=base,
        SMS_OUTBOX_PATH=str(tmp_path / "outbox.log"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "cannot start" not in result.stderr and "segments" not in result.stderr


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://justicefund.moj.go.th", None),  # 29
        ("https://checkin.probation.go.th", None),  # 31: the example
        (widest_base_url(), None),  # 40
        (widest_base_url() + "/", None),  # a trailing slash is not part of a link
        ("https://" + "x" * 30 + "/~a", "41 characters"),
        ("http://127.0.0.1:8000", None),  # the demo's
        ("https://x.go.th/`", "'`'"),  # ASCII, but not GSM-7: English SMS would be UCS-2
        ("https://x.go.th/~[]|^{}", None),  # GSM-7's extension: two septets, still fits
        ("https://ยุติธรรม.ไทย", "xn--"),
    ],
)
def test_the_check_itself(url, problem):
    problems = sms_link_problems(_settings(url))
    if problem is None:
        assert problems == []
    else:
        [message] = problems
        assert message.startswith("PUBLIC_BASE_URL") and problem in message
        assert str(MAX_PUBLIC_BASE_URL_LENGTH) in message
        assert problems[0] in startup_problems(_settings(url))
