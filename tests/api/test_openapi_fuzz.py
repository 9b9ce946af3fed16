"""Schemathesis against the app's own OpenAPI (issue 11, finding 8): no input may produce a 5xx,
and answers must be what the description says.

Two runs, both bounded (a fixed number of examples per operation, a fixed seed):

- in-process (`test_no_generated_request_is_a_server_error`): every operation of the
  description, the check-in link's `/c/<code>/...` included, through the app itself (Litestar's
  TestClient), valid and invalid data, half the time on records and a link that exist;
- over real HTTP (`test_every_operation_survives_generated_requests`): the schemathesis CLI
  against uvicorn as an officer, every phase but the stateful one, all response checks.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from tests.api.helpers import case_payload, defendant_form, interval_plan
from tests.checkin.helpers import identify, open_check_in
from tests.conftest import (
    ROOT,
    TEST_DATA_KEY,
    TEST_PASSWORD,
    Api,
    _make_staff,
    id_photo_bytes,
)

EXAMPLES_PER_OPERATION = 6
IN_PROCESS_EXAMPLES = 3
"""Per operation and generation mode (valid, invalid data) in the in-process run."""
CHECKS = ",".join(
    (
        "not_a_server_error",
        "response_schema_conformance",
        "content_type_conformance",
        "status_code_conformance",
        "unsupported_method",  # a 405 names the allowed methods (Allow)
    )
)


# Operations that end the session the rest of the run relies on.
SESSION_ENDING = {
    ("POST", "/api/v1/auth/logout"),
    ("DELETE", "/api/v1/auth/sessions"),
    ("DELETE", "/api/v1/auth/sessions/{session_id}"),  # small ids: the run's own session
}
IN_PROCESS_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


def _as_sent(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis serialises a case for `requests`; `requests` itself prepares the exact
    bytes (multipart included), which Litestar's TestClient (httpx) then sends as they are."""
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
    ).prepare()
    body = prepared.body
    return {
        "method": prepared.method,
        "url": prepared.url,
        "headers": dict(prepared.headers),
        "content": body.encode() if isinstance(body, str) else body,
        "cookies": kwargs.get("cookies"),
    }


def _fuzz_operation(operation: Any, send: Any, failures: list[str], mode: GenerationMode) -> None:
    checks = [getattr(schemathesis.checks, name) for name in IN_PROCESS_CHECKS]

    @settings(
        max_examples=IN_PROCESS_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = send(case)
        try:
            case.validate_response(response, checks=checks)
        except (Exception, BaseExceptionGroup) as failure:  # listed, not shrunk (the budget)
            found = getattr(failure, "exceptions", None) or [failure]
            for one in found:
                what = str(one).split("\n\n")[0][:300]
                failures.append(f"{operation.label} -> {response.status_code}: {what}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        assert mode == GenerationMode.NEGATIVE, operation.label


def test_no_generated_request_is_a_server_error(api: Api, caplog: pytest.LogCaptureFixture):
    """Every operation, valid and invalid data, as an officer; the link's routes with a real
    link and its session cookie half the time. No answer may be a 5xx or log a traceback."""
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    link_cookie = api.client.cookies.get("bc_link")
    api.client.cookies.clear()
    real = {
        "code": world["code"],
        "case_id": world["case"]["id"],
        "defendant_id": world["defendant"]["id"],
        "check_in_id": world["check_in"]["id"],
        "office_id": api.office_id("TH-10"),
        "staff_id": api.staff["officer_bkk2"].id,
    }
    token = api.token("officer_bkk")
    schema = schemathesis.openapi.from_dict(api.client.get("/schema/openapi.json").json())
    failures: list[str] = []
    sent = [0]
    statuses: dict[str, dict[int, int]] = defaultdict(dict)

    def send(case: Any) -> Any:
        sent[0] += 1
        if sent[0] % 2:  # every other request on records and a link that exist
            for name in case.path_parameters or {}:
                if name in real:
                    case.path_parameters[name] = real[name]
        kwargs = _as_sent(case.as_transport_kwargs(base_url="http://testserver.local"))
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {token}"}
        api.client.cookies.clear()
        for name, value in (kwargs.pop("cookies", None) or {}).items():
            api.client.cookies.set(name, str(value))
        if case.path.startswith("/c/") and link_cookie:
            api.client.cookies.set("bc_link", link_cookie)
        response = api.client.request(headers=headers, **kwargs)
        statuses[case.operation.label][response.status_code] = 1 + statuses[
            case.operation.label
        ].get(response.status_code, 0)
        return response

    started = time.monotonic()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SESSION_ENDING:
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(operation, send, failures, mode)
    elapsed = time.monotonic() - started
    print(f"in-process fuzz: {operations} operations, {sent[0]} requests, {elapsed:.1f} s")
    for label, counts in sorted(statuses.items()):
        print(f"  {label}: {dict(sorted(counts.items()))}")
    assert operations >= 55, operations  # the link's seven among them
    assert not failures, "\n".join(sorted(set(failures)))
    tracebacks = [r for r in caplog.records if r.exc_info and r.levelno >= 40]
    assert not tracebacks, tracebacks[0].getMessage()


def _start_server(port: int, database_url: str, log: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reporting_api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DATA_KEYS": TEST_DATA_KEY,  # serve refuses to start without a data key
            "DB_POOL_SIZE": "2",
            # Generated wrong logins must not slow every later one: the throttle (tested in
            # tests/security/test_login_throttle.py) is set out of the fuzzer's way.
            "LOGIN_FREE_FAILURES": "100",
            "LOGIN_LOCK_FAILURES": "1000",
            "LOGIN_CLIENT_FREE_FAILURES": "100000",
        },
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )


STARTUP_SECONDS = 60


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The real server (uvicorn) in its own process, on a free port; its log in a file (a
    pipe nobody reads until the end fills up and stops the server mid-run)."""
    log_path = tmp_path / "server.log"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log_path.open("w") as log:  # the child keeps its own handle
        process = _start_server(port, database_url, log)
    base = f"http://127.0.0.1:{port}"
    try:
        # A minute, not ten seconds: on a loaded machine importing the app (dlib, OpenCV,
        # scikit-learn) alone took longer, and the run failed with a server that was starting.
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        errors = log_path.read_text()
        # The server logs every unhandled exception; there must be none.
        assert "Traceback" not in errors, errors[-5000:]


@pytest.mark.timeout(300)
# PostgreSQL only, as deployed: the in-process run covers SQLite, and the budget is the module's.
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_every_operation_survives_generated_requests(
    database_url: str, live_server: str, tmp_path: Path
):
    # Everything through the live server: a second app in this process on the same SQLite
    # file (the `api` fixture) held it locked and hung the run.
    _make_staff(database_url)
    login = requests.post(
        live_server + "/api/v1/auth/login",
        json={"username": "officer_bkk", "password": TEST_PASSWORD},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    token = login.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    person = requests.post(
        live_server + "/api/v1/defendants",
        data=defendant_form(),
        files={"photo": ("id.jpg", id_photo_bytes(), "image/jpeg")},
        headers=auth,
        timeout=60,
    )
    assert person.status_code == 201, person.text
    case = requests.post(
        live_server + "/api/v1/cases",
        json=case_payload(person.json()["id"]),
        headers=auth,
        timeout=10,
    )
    assert case.status_code == 201, case.text
    plan = interval_plan(
        date.today() - timedelta(days=3), date.today() + timedelta(days=120), every=7
    )
    planned = requests.put(
        live_server + f"/api/v1/cases/{case.json()['id']}/plan", json=plan, headers=auth, timeout=30
    )
    assert planned.status_code == 200, planned.text
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
            # Logging out would end the session the rest of the run relies on; each login
            # hashes (argon2, on purpose slow): it is fuzzed in-process above instead.
            "--exclude-path",
            "/api/v1/auth/logout",
            "--exclude-path",
            "/api/v1/auth/sessions",
            "--exclude-path",
            "/api/v1/auth/sessions/{session_id}",
            "--exclude-path",
            "/api/v1/auth/login",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
            "--no-color",
        ],
        # Its crash cache goes into the working directory: keep it out of the repository.
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    summary = [line.strip() for line in output.splitlines() if " generated, " in line]
    print(f"live fuzz: {summary[-1] if summary else '?'}")
    assert result.returncode == 0, output[-8000:]
    # The run must have exercised the API, not stopped at the schema.
    junit = report.read_text()
    assert junit.count("<testcase") >= 25, output[-3000:]


def test_bodies_that_refuse_unknown_fields_say_so(api: Api):
    """A body Struct with forbid_unknown_fields is described with additionalProperties:
    false, and the server does refuse an extra field."""
    schema = api.client.get("/schema/openapi.json").json()
    components = schema["components"]["schemas"]
    for name in ("PlanIn", "CaseCreate", "LoginRequest", "IdentifyIn", "PreferencesIn"):
        assert components[name].get("additionalProperties") is False, name
    upload = schema["paths"]["/c/{code}/attempts"]["post"]["requestBody"]["content"]
    assert set(upload["multipart/form-data"]["schema"]["properties"]) == {
        "challenge_id",
        "clip",
        "frames",
        "client",
    }
    extra = {"date_of_birth": "1990-01-01", "national_id_last4": "1234", "extra": 1}
    assert api.client.post("/c/abcdefghijkl/identify", json=extra).status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/v1/cases", {"GET", "POST"}),
        ("PATCH", "/api/v1/auth/login", {"POST"}),
        ("PUT", "/healthz", {"GET"}),
        ("DELETE", "/c/abcdefghijkl/identify", {"POST"}),
        ("POST", "/schema/openapi.json", {"GET"}),
    ],
)
def test_a_405_names_the_allowed_methods(api: Api, method: str, path: str, allowed: set[str]):
    response = api.client.request(method, path)
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers["allow"].split(",")}


def test_an_options_answer_names_every_method_of_its_path(api: Api):
    """Litestar's OPTIONS handler kept the methods of the first controller that built its path
    (`OPTIONS /api/v1/cases` said GET only); reporting_api/http/options_allow.py fixes it."""
    from litestar.routes import HTTPRoute

    checked = 0
    for route in api.client.app.routes:
        if not isinstance(route, HTTPRoute) or "{" in route.path and ":path}" in route.path:
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        response = api.client.options(path)
        if response.status_code != 204:
            continue  # a path this app answers otherwise (a mounted static folder)
        named = {m.strip() for m in response.headers["allow"].split(",")}
        assert named == set(route.methods), (route.path, named, route.methods)
        checked += 1
    assert checked > 40


def test_a_flags_kind_is_described_as_its_closed_list(api: Api):
    """A generated client offers only the kinds the service takes (any other is a 400)."""
    from reporting_api.statuses import FlagKind

    schema = api.client.get("/schema/openapi.json").json()
    (kind,) = [
        p for p in schema["paths"]["/api/v1/flags"]["get"]["parameters"] if p["name"] == "kind"
    ]
    assert set(kind["schema"]["enum"]) == {k.value for k in FlagKind}
    refused = api.request("officer_bkk", "GET", "/api/v1/flags?kind=anything")
    assert refused.status_code == 400 and refused.json()["extra"][0]["key"] == "kind"
