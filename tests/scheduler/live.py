"""The API served by uvicorn in a thread (so the fake Twilio can post status callbacks to it),
and a fake Twilio wired to it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import uvicorn

from reporting_api.app import create_app
from reporting_api.settings import Settings, TwilioSettings
from scheduler.fake_twilio import FakeTwilio


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    """``settings.public_base_url`` must name the port; yields it once the app answers."""
    port = int(settings.public_base_url.rsplit(":", 1)[1])
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.01)
    try:
        yield settings.public_base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def twilio_world(settings: Settings, **fake_options) -> Iterator[tuple[FakeTwilio, Settings]]:
    """A fake Twilio and the API, each knowing the other; yields (fake, settings to use)."""
    base = f"http://127.0.0.1:{free_port()}"
    with FakeTwilio(**fake_options) as fake:
        wired = replace(
            settings,
            public_base_url=base,
            twilio=replace(
                TwilioSettings(),
                account_sid=fake.account_sid,
                auth_token=fake.auth_token,
                from_number="+15005550006",
                base_url=fake.base_url,
                timeout_seconds=settings.twilio.timeout_seconds,
            ),
        )
        with served(wired):
            yield fake, wired
