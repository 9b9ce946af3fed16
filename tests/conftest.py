"""Fixtures shared by the suite.

Every database test runs twice: on a fresh SQLite file (copied from one migrated template) and
on the real PostgreSQL at 127.0.0.1:5432/test (migrated from scratch once, tables emptied
between tests). With `CI` set, a missing PostgreSQL fails the run instead of skipping.

The apps behind the `api` fixture (and the admin pages' `site`) keep running from one test to
the next on the same database (`RunningApps`); a module's SQLite tests run together, then its
PostgreSQL ones, so that they can.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
BASE_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Under pytest-xdist each worker has a database of its own (test_gw0, test_gw1, ...), created
# on the same server, because tests truncate every table between them.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
POSTGRES_URL = f"{BASE_POSTGRES_URL}_{_WORKER}" if _WORKER else BASE_POSTGRES_URL
# The test server is local and plain: asyncpg's default ("prefer") would ask it for TLS on
# every connection and be refused (0.4 ms of CPU each; the apps under test connect per query).
# Set PGSSLMODE to test against a server that needs TLS.
os.environ.setdefault("PGSSLMODE", "disable")
TEST_PASSWORD = "correct horse battery"
"""At least 12 characters and not a common password (passwords.password_problem)."""


def run_cli(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reporting_api.cli", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _postgres_reachable() -> str | None:
    import asyncpg

    async def probe() -> None:
        conn = await asyncpg.connect(BASE_POSTGRES_URL, timeout=5)
        try:
            if POSTGRES_URL != BASE_POSTGRES_URL:
                name = POSTGRES_URL.rsplit("/", 1)[1]
                exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
                if not exists:
                    await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    try:
        asyncio.run(probe())
    except Exception as error:  # any failure means "not reachable"; the message says which
        return f"{type(error).__name__}: {error}"
    return None


async def _pg_execute(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    result = run_cli("migrate", database_url=f"sqlite:///{path}")
    assert result.returncode == 0, result.stderr + result.stdout
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    problem = _postgres_reachable()
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_URL} is not reachable: {problem}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Migrations are applied forwards from an empty schema, as on a new deployment.
    asyncio.run(_pg_execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public"))
    result = run_cli("migrate", database_url=POSTGRES_URL)
    assert result.returncode == 0, result.stderr + result.stdout
    return POSTGRES_URL


_RESET: list[str] = []


async def _pg_empty() -> None:
    """Every table of the service emptied and its ids restarted, in one round trip.

    DELETE (children first) and restarting the sequences leave the same state as
    `TRUNCATE ... RESTART IDENTITY CASCADE` and, on tables this small, take about 9 ms where
    TRUNCATE took 100, which every PostgreSQL test pays. Should a foreign key ever point from a
    table to one listed after it, the DELETE fails and TRUNCATE does the work instead.
    """
    import asyncpg

    tables = _app_tables()
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        if not _RESET:
            sequences = await conn.fetch(
                "SELECT pg_get_serial_sequence(t, 'id') FROM unnest($1::text[]) AS t",
                list(tables),
            )
            _RESET.append(
                "BEGIN; "
                + " ".join(f"DELETE FROM {table};" for table in reversed(tables))
                + " ".join(f" ALTER SEQUENCE {s[0]} RESTART;" for s in sequences if s[0])
                + " COMMIT;"
            )
        try:
            await conn.execute(_RESET[0])
        except asyncpg.ForeignKeyViolationError:
            await conn.execute("ROLLBACK")
            await conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


def _app_tables() -> tuple[str, ...]:
    """Every table of the service, from `tables.ALL_TABLES` (the one list of them)."""
    from reporting_api.tables import ALL_TABLES

    return tuple(table._meta.tablename for table in ALL_TABLES)


BACKENDS = ("sqlite", "postgres")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database (offices loaded) for this test alone.

    SQLite: a fresh copy of the template, put in place of the last test's file in one rename
    (a connection still open on the old file keeps reading the old one); the path is the same
    for every test of the worker, so that `RunningApps` can serve it. PostgreSQL: every table
    emptied (`_pg_empty`) and the offices loaded again."""
    from reporting_api.db import bind_tables, engine_from_url
    from reporting_api.store.offices import ensure_offices

    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = template.with_name("test.sqlite3")
        shutil.copy(template, path.with_name("next.sqlite3"))
        os.replace(path.with_name("next.sqlite3"), path)
        url = f"sqlite:///{path}"
        bind_tables(engine_from_url(url))
    else:
        url = request.getfixturevalue("postgres_migrated")
        asyncio.run(_pg_empty())
        bind_tables(engine_from_url(url))
        asyncio.run(ensure_offices())
    return url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within each module, the tests without a database first, then those on SQLite, then
    those on PostgreSQL, each group in the order written: consecutive tests on one database
    share their apps (`RunningApps`). The order is the same in every xdist worker."""
    modules: dict[Any, int] = {}

    def key(item: pytest.Item) -> tuple[int, int]:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec is not None else None
        module = modules.setdefault(item.module, len(modules))  # type: ignore[attr-defined]
        return module, BACKENDS.index(backend) + 1 if backend in BACKENDS else 0

    items.sort(key=key)


# One verifier pool (processes with the face models loaded) for the whole run, shared by every
# app the tests build, and one data key; both are real, only shared to keep the suite fast.
_VERIFIER: list[Any] = []
TEST_DATA_KEY = "test1:" + "dGVzdC1kYXRhLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="  # 32 bytes


def shared_verifier() -> Any:
    from reporting_api.runtime import Verifier

    if not _VERIFIER:
        _VERIFIER.append(Verifier(2))
    return _VERIFIER[0]


@pytest.fixture(scope="session", autouse=True)
def _close_shared_verifier() -> Iterator[None]:
    yield
    RUNNING.close()
    if _VERIFIER:
        _VERIFIER.pop().close()


class RunningApps:
    """The apps of the `api` and `site` fixtures, kept running from one test to the next.

    Building an app and starting its test client costs 0.1-0.2 s of CPU, and well over a
    thousand tests ask for one. These apps are all built the same way (`settings_for_test`,
    the shared verifier, the wall clock) and keep nothing of a test outside its database
    (sessions, throttles, codes used, leases and audit are rows), which every test gets
    afresh; so an app serves every following test on the same database, with its cookies
    cleared. They are closed when a test asks for another database, at the end of the run,
    and after a test whose background work (a verification, an import) has not ended within
    `SETTLE_SECONDS`, so that nothing of one test runs into the next.
    """

    SETTLE_SECONDS = 60.0

    def __init__(self) -> None:
        self.database_url: str | None = None
        self._clients: dict[str, Any] = {}
        self._stack = ExitStack()

    def client(self, name: str, database_url: str, build: Callable[[], Any]) -> Any:
        """The running test client called ``name`` on ``database_url``, started if need be."""
        from litestar.testing import TestClient

        if database_url != self.database_url:
            self.close()
            self.database_url = database_url
        if name not in self._clients:
            self._clients[name] = self._stack.enter_context(TestClient(app=build()))
        client = self._clients[name]
        client.cookies.clear()
        return client

    def settle(self) -> None:
        """Wait for the apps' background work to end; close them if it does not."""
        deadline = time.monotonic() + self.SETTLE_SECONDS
        for client in self._clients.values():
            while client.app.state.runtime.working():
                if time.monotonic() > deadline:
                    self.close()
                    return
                time.sleep(0.01)

    def close(self) -> None:
        stack, self._stack = self._stack, ExitStack()
        self._clients.clear()
        self.database_url = None
        stack.close()


RUNNING = RunningApps()


def settings_for_test(database_url: str, **overrides: Any) -> Any:
    """Settings for an app under test: the database, a data key, 2 verifier processes."""
    from reporting_api.settings import CheckInSettings, Settings

    return Settings(
        database_url=database_url,
        db_pool_size=0,
        checkin=CheckInSettings(data_keys=TEST_DATA_KEY, verify_workers=2),
        **overrides,
    )


_ID_PHOTO: list[bytes] = []


def id_photo_bytes() -> bytes:
    """A Thai-ID-sized JPEG (120x150, q60) of obama.jpg's face: a photo enrolment accepts."""
    if not _ID_PHOTO:
        from liveness.evaluate import id_photo_jpeg
        from liveness.samples import sample_photos

        _ID_PHOTO.append(id_photo_jpeg(sample_photos()["obama"]))
    return _ID_PHOTO[0]


_GLASSES_CARD: list[bytes] = []


def glasses_card_photo_bytes() -> bytes:
    """A card-sized JPEG (120x150, q60) of obama3.jpg's face rendered in thick glasses: a
    photo enrolment accepts and judges to show glasses."""
    if not _GLASSES_CARD:
        import random

        import cv2

        from liveness.samples import sample_photos
        from liveness.synth import read_photo
        from liveness.synth.camera import Camera
        from liveness.synth.head import build_head, dressed
        from liveness.synth.looks import Look
        from tests.liveness.conftest import id_card_crop

        size, look = (640, 480), Look(glasses="thick")
        photo = read_photo(sample_photos()["obama3"])
        head = dressed(build_head(photo, random.Random(2), size), look, random.Random(2))
        card = id_card_crop(Camera(random.Random(2), size, still=True).capture(head.still()))
        ok, data = cv2.imencode(".jpg", cv2.cvtColor(card, cv2.COLOR_RGB2BGR))
        assert ok
        _GLASSES_CARD.append(data.tobytes())
    return _GLASSES_CARD[0]


def jpeg_bytes(
    width: int = 240, height: int = 300, color: tuple[int, int, int] = (200, 160, 140)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="JPEG")
    return buffer.getvalue()


@dataclass
class Staff:
    id: int
    username: str
    role: str
    office_id: int


def _make_staff(url: str) -> dict[str, Staff]:
    from reporting_api.clock import utcnow
    from reporting_api.db import bind_tables, engine_from_url
    from reporting_api.store import offices
    from reporting_api.tables import StaffUser

    async def run() -> dict[str, Staff]:
        bind_tables(engine_from_url(url))
        office_of = {o["code"]: o["id"] for o in await offices.list_offices()}
        wanted = (
            ("admin", "admin", "central"),
            ("manager", "manager", "central"),
            ("officer_bkk", "officer", "TH-10"),
            ("officer_bkk2", "officer", "TH-10"),
            ("officer_cnx", "officer", "TH-50"),
        )
        # One statement for the five (the store creates accounts one at a time).
        rows = await StaffUser.insert(
            *(
                StaffUser(
                    username=name,
                    display_name=name,
                    role=role,
                    office=office_of[code],
                    password_hash=_password_hash(),
                    active=True,
                    created_at=utcnow(),
                )
                for name, role, code in wanted
            )
        ).returning(StaffUser.id, StaffUser.username, StaffUser.role, StaffUser.office)
        return {
            row["username"]: Staff(row["id"], row["username"], row["role"], row["office"])
            for row in rows
        }

    return asyncio.run(run())


_HASH: list[str] = []


def _password_hash() -> str:
    """The stored hash of every test user's password: Argon2id, made with the cheapest
    parameters the format allows (1 pass over 8 KiB).

    An Argon2 hash carries its own parameters and the service's check reads them from it, so
    signing in runs the same code as with the service's own hashes (64 MiB, 0.14 s of CPU
    here), only without that cost on each of the suite's thousands of sign-ins. What the
    service's parameters cost is tested on hashes it makes itself
    (tests/security/test_password_hashing.py, unknown usernames, new passwords)."""
    if not _HASH:
        from argon2 import PasswordHasher

        _HASH.append(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(TEST_PASSWORD))
    return _HASH[0]


class TotpKeys:
    """The authenticator app of the test users: each account's two-factor secret once it is
    set up, and real codes from it (RFC 6238, the server's 30-second steps).

    The server takes a code of the step before or after now and each step once, so one
    account can sign in at most three times in one step; the app hands out the earliest
    step not yet used (setting up uses the step before now)."""

    def __init__(self, clock: Any = None) -> None:
        self.secrets: dict[str, str] = {}
        self._last_step: dict[str, int] = {}
        self._clock = clock  # the app's, when a test fixes it

    def _next_step(self, username: str) -> int:
        import time

        now = int(self._clock().timestamp() if self._clock else time.time()) // 30
        step = max(now - 1, self._last_step.get(username, now - 2) + 1)
        assert step <= now + 1, f"{username} signed in more than three times in 30 seconds"
        self._last_step[username] = step
        return step

    def enrol(self, username: str, secret: str) -> str:
        """Keep a new secret (as the app does when scanned); its first code."""
        self.secrets[username] = secret
        self._last_step.pop(username, None)
        return self.code(username)

    def code(self, username: str) -> str:
        import pyotp

        return str(pyotp.TOTP(self.secrets[username]).generate_otp(self._next_step(username)))


class Api:
    """A logged-in view of the test client: `api.as_("officer_bkk").get(...)`. Managers and
    administrators set up two-factor at their first sign-in (`TotpKeys` is their phone) and
    then sign in with a real one-time code."""

    def __init__(self, client: Any, staff: dict[str, Staff], keys: TotpKeys | None = None) -> None:
        self.client = client
        self.staff = staff
        self.keys = keys or TotpKeys()
        self._tokens: dict[str, str] = {}

    def login(self, username: str, password: str = TEST_PASSWORD) -> Any:
        """Sign in through the API as a person with the app would: the code when the account
        has two-factor, setting it up first when the login asks for that (202)."""
        body = {"username": username, "password": password}
        if username in self.keys.secrets:
            body["code"] = self.keys.code(username)
        response = self.client.post("/api/v1/auth/login", json=body)
        if response.status_code == 202:
            setup = response.json()
            response = self.client.post(
                "/api/v1/auth/two-factor/confirm",
                json={
                    "enrolment_token": setup["enrolment_token"],
                    "code": self.keys.enrol(username, setup["secret"]),
                },
            )
        return response

    def token(self, username: str) -> str:
        if username not in self._tokens:
            response = self.login(username)
            assert response.status_code == 200, response.text
            self._tokens[username] = response.json()["token"]
            self.client.cookies.clear()  # each call below authenticates with its own bearer
        return self._tokens[username]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def request(self, username: str, method: str, url: str, **kwargs: Any) -> Any:
        headers = {**kwargs.pop("headers", {}), **self.headers(username)}
        self.client.cookies.clear()
        return self.client.request(method, url, headers=headers, **kwargs)

    def office_id(self, code: str) -> int:
        offices = self.request("admin", "GET", "/api/v1/offices").json()
        return next(o["id"] for o in offices if o["code"] == code)


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    from reporting_api.app import create_app

    staff = _make_staff(database_url)
    client = RUNNING.client(
        "api",
        database_url,
        lambda: create_app(settings_for_test(database_url), verifier=shared_verifier()),
    )
    yield Api(client, staff)
    RUNNING.settle()
