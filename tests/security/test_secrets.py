"""Issue 11, finding 14: outside the demo, no start without real secrets.

`bail-checkin serve` and `scheduler` run as the operator runs them (a subprocess): without a
data key, with a default or guessable database password, or with an http:// public address
for another machine, each refuses with exit code 2, names every variable at fault and prints
no traceback (and never the password); on SQLite and PostgreSQL alike. The demo (`DEMO=1`, as
`make run` sets) still starts on a fresh machine, and compose.yaml has no default secrets.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reporting_api.sealing import generate_key
from tests.conftest import ROOT

COMMANDS = {
    "serve": ["serve", "--port", "1"],  # never reached: the checks come first
    "scheduler": ["scheduler", "--once"],
}
_OURS = ("DATA_KEYS", "DEMO", "FORWARDED_ALLOW_IPS", "PUBLIC_BASE_URL", "DATABASE_URL", "PORT")
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/bail"
"""A local database without a password (peer or trust authentication): acceptable."""
STRONG = "Zq4v9Lw2Xe7Rt5Yp8Ns3"


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


def _refused(result: subprocess.CompletedProcess[str], *names: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for name in names:
        assert name in result.stderr, (name, result.stderr)
    return result.stderr


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A DATABASE_URL the checks accept (nothing connects before they pass)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    return LOCAL_POSTGRES


@pytest.mark.parametrize("command", COMMANDS)
def test_no_start_without_a_data_key(command, database, tmp_path):
    error = _refused(_run(command, tmp_path, DATABASE_URL=database), "DATA_KEYS")
    assert "new-data-key" in error and "DEMO=1" in error
    # On SQLite no key was made on the fly.
    assert not (tmp_path / "data.key").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_no_start_with_an_unreadable_data_key(command, database, tmp_path):
    _refused(_run(command, tmp_path, DATABASE_URL=database, DATA_KEYS="k1:too-short"), "DATA_KEYS")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("postgresql://bail:change-me@db:5432/bail", "well-known default"),  # compose's old one
        ("postgresql://bail:Postgres@10.0.0.5/bail", "well-known default"),
        ("postgresql://bail:Sh0rt%21pw@db/bail", "shorter than 16"),
        ("postgresql://bail@db:5432/bail", "no password"),
        ("postgresql://bail:@db.example.go.th/bail", "no password"),
    ],
)
def test_no_start_with_a_guessable_database_password(command, url, why, tmp_path):
    error = _refused(_run(command, tmp_path, DATABASE_URL=url, DATA_KEYS=generate_key()), why)
    assert "DATABASE_URL" in error and "POSTGRES_PASSWORD" in error
    password = url.partition("://")[2].partition("@")[0].partition(":")[2]
    if password:
        assert password not in error  # the log never holds the password


@pytest.mark.parametrize("command", COMMANDS)
def test_every_missing_secret_is_named_at_once(command, tmp_path):
    result = _run(
        command,
        tmp_path,
        DATABASE_URL="postgresql://bail:change-me@db:5432/bail",
        PUBLIC_BASE_URL="http://checkin.example.go.th",
    )
    error = _refused(result, "DATA_KEYS", "DATABASE_URL", "PUBLIC_BASE_URL")
    assert len(re.findall(r"^  - ", error, flags=re.MULTILINE)) == 3


@pytest.mark.parametrize("command", COMMANDS)
def test_no_start_with_a_clear_text_public_address(command, database, tmp_path):
    result = _run(
        command,
        tmp_path,
        DATABASE_URL=database,
        DATA_KEYS=generate_key(),
        PUBLIC_BASE_URL="http://checkin.example.go.th",
    )
    assert "https://" in _refused(result, "PUBLIC_BASE_URL")


def test_the_demo_may_start_without_a_key_on_sqlite_only(tmp_path):
    # PostgreSQL without a key could never open what it sealed, demo or not.
    _refused(_run("scheduler", tmp_path, DATABASE_URL=LOCAL_POSTGRES, DEMO="1"), "DATA_KEYS")


def test_the_demo_starts_on_a_fresh_machine(sqlite_template, tmp_path):
    """What `make run` does after migrating: DEMO=1, no DATA_KEYS; the key is made once."""
    database = tmp_path / "demo.sqlite3"
    database.write_bytes(sqlite_template.read_bytes())
    result = _run(
        "scheduler",
        tmp_path,
        DATABASE_URL=f"sqlite:///{database}",
        DEMO="1",
        SMS_OUTBOX_PATH=str(tmp_path / "outbox.log"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "cannot start" not in result.stderr


def test_real_secrets_start(sqlite_template, tmp_path):
    database = tmp_path / "real.sqlite3"
    database.write_bytes(sqlite_template.read_bytes())
    result = _run(
        "scheduler",
        tmp_path,
        DATABASE_URL=f"sqlite:///{database}",
        DATA_KEYS=generate_key(),
        PUBLIC_BASE_URL="https://checkin.example.go.th",
        SMS_OUTBOX_PATH=str(tmp_path / "outbox.log"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (tmp_path / "data.key").exists()


def test_make_run_is_the_demo():
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe is not None
    serve = [line for line in recipe.group(1).splitlines() if "bail-checkin serve" in line]
    assert serve and "DEMO=1" in serve[0]


def test_compose_has_no_default_secrets():
    text = (ROOT / "compose.yaml").read_text()
    assert "change-me" not in text
    for name in ("POSTGRES_PASSWORD", "DATA_KEYS", "PUBLIC_BASE_URL"):
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses, name
        # Each use stops compose with a message when unset (`:?`); none has a default (`:-`).
        assert all(use.startswith(":?") for use in uses), (name, uses)
    spec = yaml.safe_load(text)
    for service in ("migrate", "api", "scheduler"):
        environment = spec["services"][service]["environment"]
        assert "DEMO" not in environment and "DATA_KEYS" in environment, service
