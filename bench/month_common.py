"""Shared by `bench/simulate_month.py`: a clock the script moves, the real app served by
uvicorn on this process's event loop, the scheduler's jobs called on that clock, staff and HTTP
helpers, and the final counts read from the database and the fake Twilio."""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporting_api.sealing import generate_key  # noqa: E402
from scheduler.fake_twilio import FakeTwilio  # noqa: E402

BANGKOK = ZoneInfo("Asia/Bangkok")
STAFF_PASSWORD = "bench-month-password"
PROTECTED = frozenset({"test", "test_gw0", "test_gw1", "postgres", "template0", "template1"})
"""Databases this bench never drops (the test suite's and the server's own)."""


SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
"""The PostgreSQL server (its database part is ignored: the bench works in its own)."""


async def recreate(name: str, server_url: str = SERVER) -> str:
    """Drop and create database ``name`` (from the server's `postgres` database), migrate it
    with `bail-checkin migrate`; its URL."""
    import asyncpg

    if name in PROTECTED or not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"database {name!r}: not a name this bench may drop")
    parts = urlsplit(server_url)
    conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = urlunsplit(parts._replace(path="/" + name))
    result = subprocess.run(
        [sys.executable, "-m", "reporting_api.cli", "migrate"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"migrate failed: {result.stderr[-2000:]}")
    return url


# --- the clock -------------------------------------------------------------------------------


class SimClock:
    """The app's, the scheduler's and the fake Twilio's `now`: set by the script, never read
    from the wall, and never moved back."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock tells timezone-aware time")
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, instant: datetime) -> None:
        self.now = max(self.now, instant.astimezone(UTC))


def local(instant: datetime) -> datetime:
    return instant.astimezone(BANGKOK)


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` in Bangkok, as UTC."""
    return datetime.combine(day, time(hour, minute), BANGKOK).astimezone(UTC)


# --- the app and the scheduler in this process -------------------------------------------------


def month_env(
    url: str, public_base_url: str, fake: FakeTwilio, verify_workers: int
) -> dict[str, str]:
    """The service's environment for the run: the fake Twilio, a fresh data key, quiet hours as
    in production, and staff sessions that last an office day (officers keep the page open;
    the default 30 idle minutes would only add a sign-in per simulated hour)."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DATA_KEYS": generate_key("month1"),
        "PUBLIC_BASE_URL": public_base_url,
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM": "+15005550006",
        "TWILIO_BASE_URL": fake.base_url,
        "VERIFY_WORKERS": str(verify_workers),
        "DB_POOL_SIZE": "10",
        "SESSION_IDLE_MINUTES": "600",
        "RUN_SCHEDULER": "0",
    }


@contextlib.asynccontextmanager
async def served(app: Any, port: int) -> AsyncIterator[None]:
    """``app`` served by uvicorn on this event loop (its lifespan opens the database pool),
    believing X-Forwarded-For from 127.0.0.1 as behind the production proxy."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise SystemExit("the app did not start")
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task


def no_cookies_client(base_url: str) -> httpx.AsyncClient:
    """A client that keeps no cookies: staff use bearer tokens, each person sends their own
    link cookie, so nobody's session leaks into another's request."""
    jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(
        base_url=base_url,
        cookies=jar,
        timeout=120,
        limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
    )


class HttpError(Exception):
    def __init__(self, what: str, response: httpx.Response) -> None:
        super().__init__(f"{what}: HTTP {response.status_code} {response.text[:400]}")
        self.status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = {}
        extra = body.get("extra") if isinstance(body, dict) else None
        first = extra[0] if isinstance(extra, list) and extra else {}
        self.field = str(first.get("key") or "") if isinstance(first, dict) else ""


def checked(response: httpx.Response, what: str) -> Any:
    if response.status_code >= 400:
        raise HttpError(what, response)
    return response.json() if response.content else None


@dataclass
class StaffMember:
    """An officer or a manager who signs in through the API with a password."""

    id: int
    username: str
    role: str
    office_id: int
    office_code: str
    phone: str
    cases: set[int] = field(default_factory=set)
    token: str | None = None
    token_day: date | None = None

    async def call(
        self, client: httpx.AsyncClient, clock: SimClock, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        """One API call with this member's token; signs in (again) at the start of each
        simulated day or when the session ended."""
        today = local(clock()).date()
        for _ in range(2):
            if self.token is None or self.token_day != today:
                await self.sign_in(client, today)
            response = await client.request(
                method, path, headers={"Authorization": f"Bearer {self.token}"}, **kwargs
            )
            if response.status_code != 401:
                return response
            self.token = None
        return response

    async def sign_in(self, client: httpx.AsyncClient, today: date) -> None:
        body = checked(
            await client.post(
                "/api/v1/auth/login", json={"username": self.username, "password": STAFF_PASSWORD}
            ),
            f"sign-in {self.username}",
        )
        self.token, self.token_day = body["token"], today


async def create_staff(
    username: str, role: str, office_code: str, phone: str, now: datetime
) -> StaffMember:
    """A staff account made as `bail-checkin create-user` makes it (the service function the
    command calls, audited as done at the shell)."""
    import msgspec

    from reporting_api.commands import StaffCreate
    from reporting_api.services import offices, staff

    office = await offices.office_by_code(office_code)
    if office is None:
        raise SystemExit(f"unknown office {office_code}")
    data = msgspec.convert(
        {
            "username": username,
            "display_name": username,
            "role": role,
            "office_id": office["id"],
            "password": STAFF_PASSWORD,
            "phone": phone,
        },
        StaffCreate,
    )
    row = await staff.create_staff_from_shell(data, now)
    return StaffMember(row["id"], username, role, office["id"], office_code, row["phone"] or "")


# --- what the fake Twilio received -------------------------------------------------------------


def reference_of(status_callback: str | None) -> str | None:
    """The outbox reference the sender put in the status callback URL (`?ref=`)."""
    if not status_callback:
        return None
    values = parse_qs(urlsplit(status_callback).query).get("ref")
    return values[0] if values else None


# --- the final counts ---------------------------------------------------------------------------

UNSENT = ("queued", "retry", "sending")
SENT = ("sent", "delivered", "undelivered")


@dataclass
class Figures:
    """What the run printed at its end (and the three counts that must be zero)."""

    sms_by_kind: Counter[str]
    staff_sms_by_kind: Counter[str]
    reminder_statuses: Counter[str]
    skip_reasons: Counter[str]
    requests_by_status: Counter[tuple[str, str]]
    decision_hours: list[float]
    undecided: int
    missed_flags: int
    escalated_flags: int
    check_ins: Counter[tuple[str, str]]
    flagged_while_open: int
    flagged_while_open_person: int
    duplicates: int
    duplicate_texts: int
    lost: dict[str, int]

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())


async def figures(
    url: str, fake: FakeTwilio, now: datetime, month_end: date, step: timedelta
) -> Figures:
    """Read the outcome: the outbox rows against the messages the fake Twilio holds, the
    requests with their transitions and notices, the flags and check-ins."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        reminders = await conn.fetch(
            "SELECT id, kind, status, reference, message_sid, defendant, staff, due_at,"
            " next_attempt_at, expires_at, error_message, created_at FROM reminder"
        )
        requests = await conn.fetch(
            "SELECT id, kind, status, created_at, decided_at FROM person_request"
        )
        staff_changes = await conn.fetch(
            "SELECT t.at, r.case FROM request_transition t JOIN person_request r"
            " ON r.id = t.request WHERE t.actor_kind = 'staff'"
        )
        notices = await conn.fetch(
            "SELECT created_at, \"case\" FROM reminder WHERE kind = 'notice_request_status'"
        )
        flags = await conn.fetchrow(
            "SELECT count(*) AS missed, count(escalated_at) AS escalated FROM flag"
            " WHERE kind = 'missed_checkin'"
        )
        # A check-in flagged missed while a request made on its link (or that followed it
        # when it moved) before its window closed was still waiting for a decision.
        while_open = await conn.fetchval(
            "SELECT count(DISTINCT f.id) FROM flag f JOIN check_in c ON c.id = f.check_in"
            " JOIN person_request r ON r.check_in = f.check_in"
            " WHERE f.kind = 'missed_checkin' AND r.created_at < c.closes_at"
            " AND r.created_at <= f.raised_at"
            " AND (r.decided_at IS NULL OR r.decided_at > f.raised_at)"
        )
        # The same, for any request of the person open at the time (information).
        while_open_person = await conn.fetchval(
            "SELECT count(DISTINCT f.id) FROM flag f JOIN bail_case b ON b.id = f.case"
            " JOIN person_request r ON r.defendant = b.defendant"
            " WHERE f.kind = 'missed_checkin' AND r.created_at <= f.raised_at"
            " AND (r.decided_at IS NULL OR r.decided_at > f.raised_at)"
        )
        check_ins = await conn.fetch(
            "SELECT status, coalesce(method, '') AS method, count(*) AS n FROM check_in"
            " WHERE due_date < $1 GROUP BY 1, 2",
            month_end,
        )
        sids = await conn.fetch(
            "SELECT message_sid, count(*) AS n FROM reminder WHERE message_sid IS NOT NULL"
            " GROUP BY 1 HAVING count(*) > 1"
        )
    finally:
        await conn.close()

    messages = list(fake.messages.values())
    by_ref: Counter[str | None] = Counter(reference_of(m.status_callback) for m in messages)
    rows_by_ref = {r["reference"]: r for r in reminders}
    sms_by_kind: Counter[str] = Counter()
    staff_sms: Counter[str] = Counter()
    for ref, n in by_ref.items():
        row = rows_by_ref.get(ref) if ref else None
        kind = row["kind"] if row else "(no outbox row)"
        (staff_sms if row is not None and row["staff"] is not None else sms_by_kind)[kind] += n
    duplicates = sum(n - 1 for n in by_ref.values() if n > 1) + sum(r["n"] - 1 for r in sids)
    texts = Counter((m.to, m.body) for m in messages)
    duplicate_texts = sum(n - 1 for n in texts.values() if n > 1)

    at_twilio = {m.sid for m in messages}
    lost: dict[str, int] = Counter()
    skip_reasons: Counter[str] = Counter()
    for r in reminders:
        status = r["status"]
        if status == "skipped":
            skip_reasons[(r["error_message"] or "").split(":")[0]] += 1
        if status in UNSENT and r["next_attempt_at"] <= now and r["expires_at"] > now:
            lost["due and never sent"] += 1
        elif status in SENT and (
            r["message_sid"] not in at_twilio or not by_ref.get(r["reference"])
        ):
            lost["recorded sent, not at Twilio"] += 1
        elif status == "failed":
            lost["failed (no fault was injected)"] += 1
        elif (
            status == "skipped"
            and (r["error_message"] or "").startswith("too late")
            and r["expires_at"] - max(r["due_at"], r["created_at"]) > step
        ):
            # The dispatcher ran every step: a row it could have sent before its words went
            # stale and did not is lost.
            lost["expired unsent"] += 1
    told = Counter((n["case"], n["created_at"]) for n in notices)
    for change in staff_changes:
        key = (change["case"], change["at"])
        if told[key] > 0:
            told[key] -= 1
        else:
            lost["request change without its notice"] += 1

    decided = [r for r in requests if r["decided_at"] is not None]
    return Figures(
        sms_by_kind=sms_by_kind,
        staff_sms_by_kind=staff_sms,
        reminder_statuses=Counter(r["status"] for r in reminders),
        skip_reasons=skip_reasons,
        requests_by_status=Counter((r["kind"], r["status"]) for r in requests),
        decision_hours=[
            (r["decided_at"] - r["created_at"]).total_seconds() / 3600 for r in decided
        ],
        undecided=len(requests) - len(decided),
        missed_flags=int(flags["missed"]),
        escalated_flags=int(flags["escalated"]),
        check_ins=Counter({(r["status"], r["method"]): int(r["n"]) for r in check_ins}),
        flagged_while_open=int(while_open),
        flagged_while_open_person=int(while_open_person),
        duplicates=duplicates,
        duplicate_texts=duplicate_texts,
        lost=dict(lost),
    )


def median_or_nan(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
