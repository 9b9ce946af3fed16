"""Finding 7: logs carry no link code, phone number or other personal data, one JSON object a
line through one redaction step; files the service creates are readable by its user only."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import stat
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.conftest import run_cli, settings_for_test, shared_verifier
from tests.scheduler.live import free_port

CODE = "Zk3vQ9xW_pLm2R8a"  # the shape of a link code (token_urlsafe(12))
PHONE = "0812345678"


@pytest.fixture
def restore_logging() -> Any:
    """The test configures the process's logging as the service would; put it back after."""
    root = logging.getLogger()
    saved = (root.level, root.handlers[:])
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_the_access_log_keeps_no_link_code_phone_or_client_address(
    database_url, restore_logging
):
    from reporting_api.app import create_app
    from reporting_api.logs import logging_config

    settings = settings_for_test(database_url)
    # What `bail-checkin serve` hands uvicorn, writing to a buffer instead of stderr.
    config = logging_config(settings)
    buffer = io.StringIO()
    config["handlers"]["stderr"]["stream"] = buffer
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, verifier=shared_verifier()),
            host="127.0.0.1",
            port=port,
            log_config=config,
            log_level=settings.log_level,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        httpx.get(f"{base}/c/{CODE}")
        httpx.post(f"{base}/c/{CODE}/identify", json={"date_of_birth": "1990-05-17"})
        httpx.get(f"{base}/api/v1/defendants", params={"q": PHONE, "page": 1})
        logging.getLogger("reporting_api.services.delivery").warning(
            "number %s of 1-1020-30405-06-7 (somchai@example.com) refused", "+66812345678"
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    text = buffer.getvalue()
    assert CODE not in text and PHONE not in text and "812345678" not in text
    assert "1020" not in text and "somchai" not in text
    entries = _lines(buffer)  # every line is one JSON object
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    paths = [e["path"] for e in access]
    assert "/c/<code>" in paths and "/c/<code>/identify" in paths
    assert "/api/v1/defendants?q=…&page=…" in paths
    assert {e["client"] for e in access} == {"127.0.0.0/24"}
    assert all(e["level"] and e["time"] and "status" in e for e in access)
    (warning,) = [e for e in entries if e["logger"] == "reporting_api.services.delivery"]
    assert warning["message"] == "number <phone> of <national-id> (<e-mail>) refused"


def test_tracebacks_are_redacted_too(restore_logging):
    from reporting_api.logs import configure

    configure(settings_for_test("sqlite:///unused"))
    buffer = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        raise ValueError(f"The 'To' number +66{PHONE[1:]} is not a valid phone number")
    except ValueError:
        logging.getLogger("scheduler.dispatch").exception("sending reminder %s failed", 17)
    (entry,) = _lines(buffer)
    assert entry["message"] == "sending reminder 17 failed"
    assert "ValueError: The 'To' number <phone> is not" in entry["exception"]
    assert PHONE[1:] not in buffer.getvalue()


def test_a_staff_phone_that_cannot_receive_sms_is_not_logged(database_url, caplog):
    from reporting_api.clock import utcnow
    from reporting_api.services import delivery

    with caplog.at_level(logging.INFO):
        asyncio.run(
            delivery.mark_unreachable(
                {"id": None, "office": 1}, f"+66{PHONE[1:]}", 21614, "not a mobile", utcnow()
            )
        )
    # Before any redaction: the message itself names no number.
    assert caplog.records and all(PHONE[1:] not in r.getMessage() for r in caplog.records)


def test_the_sms_outbox_log_is_readable_by_the_service_only(tmp_path):
    from scheduler.sender import OutboxLogSender

    fresh = tmp_path / "var" / "outbox.log"
    asyncio.run(OutboxLogSender(fresh).send_sms(f"+66{PHONE[1:]}", "body", "rem-1"))
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    # A file an older version left readable by everyone is closed on the next message.
    old = tmp_path / "old.log"
    old.write_text("")
    old.chmod(0o644)
    asyncio.run(OutboxLogSender(old).send_sms(f"+66{PHONE[1:]}", "body", "rem-2"))
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_the_sqlite_database_the_service_creates_is_private(tmp_path):
    path = tmp_path / "fresh" / "bail.sqlite3"
    path.parent.mkdir()
    result = run_cli("migrate", database_url=f"sqlite:///{path}")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
