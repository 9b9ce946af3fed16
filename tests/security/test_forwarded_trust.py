"""Issue 11, finding 10: X-Forwarded-For is believed only from the configured proxies.

A real server (`bail-checkin serve`, uvicorn with the CLI's proxy settings) on 127.0.0.1: a
client that is not a configured proxy cannot choose the address the per-address limits count,
and `FORWARDED_ALLOW_IPS=*` stops the service before it starts. compose.yaml trusts its
proxy's fixed address only.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import yaml

from reporting_api.sealing import generate_key
from tests.conftest import ROOT

CLIENT_LIMIT = 3
"""NOT_ME_CLIENT_LIMIT for these servers: "this is not me" presses one address makes an hour."""

# Variables of the test run's own environment that would change what is tested here.
_OURS = ("DATA_KEYS", "DEMO", "FORWARDED_ALLOW_IPS", "PUBLIC_BASE_URL", "DATABASE_URL", "PORT")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(database: Path, port: int, proxies: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _OURS}
    return env | {
        "DATABASE_URL": f"sqlite:///{database}",
        "DATA_KEYS": generate_key("fwd1"),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "FORWARDED_ALLOW_IPS": proxies,
        "NOT_ME_CLIENT_LIMIT": str(CLIENT_LIMIT),
        "NOT_ME_CODE_LIMIT": "1000",
        "DB_POOL_SIZE": "0",
        "LOG_LEVEL": "warning",
    }


@contextmanager
def _server(database: Path, proxies: str) -> Iterator[str]:
    """`bail-checkin serve` on a free port of 127.0.0.1, trusting ``proxies``."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "reporting_api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=_env(database, port, proxies),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {process.stderr.read()[-3000:]}")  # type: ignore[union-attr]
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=20)
        assert "Traceback" not in errors, errors[-3000:]


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "forwarded.sqlite3"
    shutil.copy(sqlite_template, path)
    return path


def _not_me(base: str, code: str, forwarded_for: str) -> int:
    """Press "this is not me" on ``code``, the request claiming to be from ``forwarded_for``."""
    answer = requests.post(
        f"{base}/c/{code}/not-me",
        headers={"X-Forwarded-For": forwarded_for},
        timeout=10,
    )
    return answer.status_code


def test_an_untrusted_peer_cannot_choose_its_address(database):
    # Our peer (127.0.0.1) is not the configured proxy: its X-Forwarded-For is ignored, so
    # presses claiming four different addresses all count against 127.0.0.1.
    with _server(database, "192.0.2.10") as base:
        statuses = [
            _not_me(base, f"code{n:04d}untrusted", f"203.0.113.{n}")
            for n in range(1, CLIENT_LIMIT + 2)
        ]
        hsts = requests.get(
            base + "/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=5
        ).headers.get("Strict-Transport-Security")
    assert statuses == [200] * CLIENT_LIMIT + [429]
    # Nor can it claim https.
    assert hsts is None


def test_a_configured_proxy_names_the_client(database):
    # Our peer is inside the configured network: each forwarded address has its own count.
    with _server(database, "10.1.2.3,127.0.0.0/8") as base:
        spread = [
            _not_me(base, f"code{n:04d}trusted", f"203.0.113.{n}")
            for n in range(1, CLIENT_LIMIT + 2)
        ]
        # 203.0.113.1 pressed once above; its own limit is reached after two more.
        same = [_not_me(base, f"again{n:04d}", "203.0.113.1") for n in range(CLIENT_LIMIT)]
        hsts = requests.get(
            base + "/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=5
        ).headers.get("Strict-Transport-Security")
    assert spread == [200] * (CLIENT_LIMIT + 1)
    assert same == [200] * (CLIENT_LIMIT - 1) + [429]
    # The proxy's X-Forwarded-Proto is believed too: the answer carries HSTS.
    assert hsts is not None and "max-age=" in hsts


@pytest.mark.parametrize("value", ["*", "127.0.0.1,*", "everyone"])
def test_trusting_every_address_is_refused_naming_the_variable(tmp_path, value):
    env = _env(tmp_path / "unused.sqlite3", 8000, value)
    for command in (["serve", "--port", str(_free_port())], ["scheduler", "--once"]):
        result = subprocess.run(
            [sys.executable, "-m", "reporting_api.cli", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert "FORWARDED_ALLOW_IPS" in result.stderr and "not *" in result.stderr
        assert "Traceback" not in result.stderr


def test_compose_trusts_only_its_proxys_fixed_address():
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = spec["services"]
    trusted = services["api"]["environment"]["FORWARDED_ALLOW_IPS"]
    proxy_address = services["proxy"]["networks"]["edge"]["ipv4_address"]
    assert trusted == proxy_address and "*" not in trusted
    # The address is fixed on a network of its own, outside the range Docker hands out, so no
    # other container can take it; the API is on that network and the database is not.
    edge = spec["networks"]["edge"]["ipam"]["config"][0]
    address = ipaddress.ip_address(proxy_address)
    assert address in ipaddress.ip_network(edge["subnet"])
    assert address not in ipaddress.ip_network(edge["ip_range"])
    assert "edge" in services["api"]["networks"]
    assert "networks" not in services["db"] and "default" not in services["proxy"]["networks"]
