"""What the staff sign-in tests share: a live server for bursts, a counter of password
checks, the settings of the sign-in limits, and a clock the test moves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reporting_api import passwords
from reporting_api.settings import Settings, StaffSignInSettings
from tests.conftest import settings_for_test, shared_verifier

START = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


class Clock:
    """The app's clock, moved by the test (no sleeping)."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def sign_in_settings(database_url: str, **sign_in: Any) -> Settings:
    base = settings_for_test(database_url)
    return replace(base, sign_in=replace(StaffSignInSettings(), **sign_in))


class CheckCounter:
    """Counts the password checks (Argon2 verifications) this process runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = passwords.verify_password

        def counted(password_hash: str, password: str) -> bool:
            self.count += 1
            return real(password_hash, password)

        monkeypatch.setattr(passwords, "verify_password", counted)


@contextmanager
def live_app(settings: Settings, clock: Any = None) -> Iterator[str]:
    """The app served by uvicorn in a thread (requests really run side by side)."""
    from reporting_api.app import create_app
    from tests.e2e.live import serve

    kwargs = {"clock": clock} if clock is not None else {}
    with serve(lambda url: create_app(settings, verifier=shared_verifier(), **kwargs)) as url:
        yield url


def burst(url: str, bodies: list[dict[str, Any]], path: str = "/api/v1/auth/login") -> list[Any]:
    """POST every body at once; the responses in order."""
    import httpx

    async def run() -> list[Any]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            return list(await asyncio.gather(*(client.post(path, json=b) for b in bodies)))

    return asyncio.run(run())


@contextmanager
def pages(database_url: str, clock: Clock, **sign_in: Any) -> Iterator[tuple[Any, Any]]:
    """(browser, api) as the `site` fixture gives them, on apps with the admin pages, the
    test's clock and these sign-in settings; the test users' phones follow the clock."""
    from litestar.testing import TestClient

    from admin_ui import admin_parts
    from reporting_api.app import create_app
    from tests.admin.conftest import Browser
    from tests.conftest import Api, TotpKeys, _make_staff

    staff = _make_staff(database_url)
    settings = sign_in_settings(database_url, **sign_in)

    def app() -> Any:
        parts = admin_parts()
        return create_app(
            settings,
            verifier=shared_verifier(),
            clock=clock,
            extra_routes=parts.routes,
            template_dirs=parts.template_dirs,
        )

    keys = TotpKeys(clock)
    with TestClient(app=app()) as client, TestClient(app=app()) as api_client:
        yield Browser(client, keys), Api(api_client, staff, keys)
