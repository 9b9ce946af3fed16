"""The check-in app served by uvicorn in a thread of the test process, for a real browser."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import uvicorn
from litestar import Litestar

from reporting_api.app import create_app
from tests.conftest import settings_for_test, shared_verifier
from tests.scheduler.live import free_port

SEED = 20260517  # the live app's challenge generator: the test knows the first challenge


@contextmanager
def serve(make_app: Callable[[str], Litestar]) -> Iterator[str]:
    """The app ``make_app`` builds for its base URL, served by uvicorn on a free port in a
    thread of this process; yields the base URL once the server has started."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(make_app(base), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the app at {base} did not start")
        time.sleep(0.01)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def checkin_server(database_url: str, seed: int = SEED) -> AbstractContextManager[str]:
    """The check-in app (its challenges drawn from random.Random(seed), its uploads verified
    by the shared verifier pool) on a free port."""
    return serve(
        lambda base: create_app(
            settings_for_test(database_url, public_base_url=base),
            challenge_rng=random.Random(seed),
            verifier=shared_verifier(),
        )
    )
