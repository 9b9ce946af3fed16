"""Shared by the dispatch benches: a fresh PostgreSQL database, many due reminders loaded with
COPY, dispatcher processes started as `bail-checkin scheduler`, and counting the outcome."""

from __future__ import annotations

import asyncio
import os
import random
import re
import secrets
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporting_api.national_id import synthetic_national_id  # noqa: E402
from reporting_api.sealing import generate_key  # noqa: E402
from scheduler.fake_twilio import FakeTwilio  # noqa: E402

SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def database_url(name: str, server_url: str = SERVER) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path="/" + name))


async def recreate(name: str, server_url: str = SERVER) -> str:
    """Drop and create database ``name``, migrate it; returns its URL."""
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = database_url(name, server_url)
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


async def seed(url: str, count: int, now: datetime, *, per_person: int = 10, seed: int = 1) -> None:
    """``count`` open check-ins, each with one reminder due at ``now`` (COPY, one transaction)."""
    import asyncpg

    rng = random.Random(seed)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            office = await conn.fetchval("SELECT id FROM office WHERE code = 'TH-10'")
            officer = await conn.fetchval(
                "INSERT INTO staff_user (username, display_name, role, office, password_hash,"
                " active, created_at) VALUES ('bench.officer', 'bench', 'officer', $1, 'x',"
                " true, $2) RETURNING id",
                office,
                now,
            )
            people = -(-count // per_person)
            phones = rng.sample(range(10**8), people)
            await conn.copy_records_to_table(
                "defendant",
                columns=(
                    "id", "national_id", "title_th", "first_name_th", "last_name_th",
                    "date_of_birth", "phone", "preferred_language", "sms_opt_out", "office",
                    "consent_at", "consent_version", "created_at", "updated_at",
                ),
                records=[
                    (i + 1, synthetic_national_id(rng), "", "ทดสอบ", f"ภาระ{i}", date(1990, 1, 1),
                     f"+668{phones[i]:08d}", "th", False, office, now, "bench", now, now)
                    for i in range(people)
                ],
            )  # fmt: skip
            await conn.copy_records_to_table(
                "bail_case",
                columns=(
                    "id", "defendant", "office", "officer", "court", "black_case_number", "charge",
                    "bail_amount", "release_date", "conditions", "status", "created_at",
                    "updated_at",
                ),
                records=[
                    (i + 1, i + 1, office, officer, "ศาลอาญา", f"อ.{i}/2569", "ลักทรัพย์",
                     10000, now.date() - timedelta(days=30), "", "active", now, now)
                    for i in range(people)
                ],
            )  # fmt: skip
            await conn.copy_records_to_table(
                "check_in",
                columns=(
                    "id", "case", "office", "due_date", "opens_at", "due_at", "closes_at",
                    "status", "code", "created_at", "updated_at",
                ),
                records=[
                    (n + 1, n // per_person + 1, office, now.date() + timedelta(days=n % per_person),
                     now - timedelta(days=1), now + timedelta(days=1 + n % per_person),
                     now + timedelta(days=2 + n % per_person), "open", secrets.token_urlsafe(9),
                     now, now)
                    for n in range(count)
                ],
            )  # fmt: skip
            await conn.copy_records_to_table(
                "reminder",
                columns=(
                    "id", "check_in", "case", "office", "defendant", "kind", "due_at",
                    "expires_at", "status", "attempts", "next_attempt_at", "reference",
                    "created_at", "updated_at",
                ),
                records=[
                    (n + 1, n + 1, n // per_person + 1, office, n // per_person + 1, "due_day",
                     now - timedelta(minutes=1), now + timedelta(days=1), "queued", 0,
                     now - timedelta(minutes=1), f"rem-{secrets.token_hex(10)}", now, now)
                    for n in range(count)
                ],
            )  # fmt: skip
            for table in ("defendant", "bail_case", "check_in", "reminder"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def dispatcher_env(url: str, fake: FakeTwilio, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DATA_KEYS": os.environ.get("DATA_KEYS") or generate_key("bench1"),
        "PUBLIC_BASE_URL": "https://justicefund.moj.go.th",
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM": "+15005550006",
        "TWILIO_BASE_URL": fake.base_url,
        "SMS_QUIET_HOURS": "off",
        **extra,
    }


def start_scheduler(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reporting_api.cli", "scheduler", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


REPORT = re.compile(r"(\w+)=([0-9.]+)")


def parse_report(line: str) -> dict[str, float]:
    """The numbers of a printed DispatchReport."""
    return {key: float(value) for key, value in REPORT.findall(line)}


@dataclass
class Outcome:
    sent: int
    lost: int
    duplicated: int
    statuses: dict[str, int]


async def outcome(url: str, fake: FakeTwilio, count: int) -> Outcome:
    """Sent: reminders recorded sent with a SID Twilio has. Lost: reminders with no message
    at Twilio. Duplicated: extra messages Twilio holds for a reminder (same number and text)."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT status, message_sid, to_phone, body FROM reminder")
    finally:
        await conn.close()
    created = Counter((m.to, m.body) for m in fake.messages.values())
    at_twilio = set(fake.messages)
    sent = sum(
        1 for r in rows if r["status"] in ("sent", "delivered") and r["message_sid"] in at_twilio
    )
    lost = sum(1 for r in rows if created.get((r["to_phone"], r["body"]), 0) == 0)
    duplicated = sum(n - 1 for n in created.values() if n > 1)
    assert len(rows) == count
    return Outcome(sent, lost, duplicated, dict(Counter(r["status"] for r in rows)))


def bench_now() -> datetime:
    return datetime.now(UTC)


def run(coro):  # noqa: ANN001, ANN201
    return asyncio.run(coro)
