"""Schemathesis against the app's own OpenAPI, as a logged-in officer, over real HTTP.

Bounded: a fixed number of generated examples per operation and a fixed seed. Checks: no 5xx,
and every response matches its documented status codes, schema and content type.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from tests.api.helpers import enrol_with_case, interval_plan
from tests.conftest import ROOT, TEST_PASSWORD

EXAMPLES_PER_OPERATION = 15
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance"


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    """The real server (uvicorn) in its own process, on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "reporting_api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "DB_POOL_SIZE": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
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
        # The server logs every unhandled exception; there must be none.
        assert "Traceback" not in errors, errors[-5000:]


@pytest.mark.timeout(900)
def test_every_operation_survives_generated_requests(api, live_server, tmp_path: Path):
    _, case = enrol_with_case(api)
    plan = interval_plan(
        date.today() - timedelta(days=3), date.today() + timedelta(days=120), every=7
    )
    api.request("officer_bkk", "PUT", f"/api/v1/cases/{case['id']}/plan", json=plan)
    login = requests.post(
        live_server + "/api/v1/auth/login",
        json={"username": "officer_bkk", "password": TEST_PASSWORD},
        timeout=10,
    )
    token = login.json()["token"]
    report = tmp_path / "junit.xml"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            live_server + "/schema/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "2569",
            "--generation-deterministic",
            "--request-timeout",
            "30",
            "--header",
            f"Authorization: Bearer {token}",
            # Logging out would end the session the rest of the run relies on.
            "--exclude-path",
            "/api/v1/auth/logout",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
            "--no-color",
        ],
        # Its crash cache goes into the working directory: keep it out of the repository.
        capture_output=True,
        text=True,
        timeout=850,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    # The run must have exercised the API, not stopped at the schema.
    junit = report.read_text()
    assert junit.count("<testcase") >= 25, output[-3000:]
