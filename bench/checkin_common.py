"""Shared by the check-in load bench: a fresh database, the real server as a subprocess, people
enrolled through the API with a check-in due today, and genuine clips rendered for them."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporting_api.national_id import synthetic_national_id  # noqa: E402
from reporting_api.sealing import generate_key  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/bench_checkin"
BIRTH = "1990-05-17"
OFFICER = "bench.checkin"
OFFICER_OFFICE = "TH-10"
OFFICER_PASSWORD = "bench-checkin-password"


def cli_command() -> list[str]:
    """`bail-checkin` as the working tree has it: `python -m reporting_api.cli` from the project
    folder (as the dispatch benches run it), so packages not yet in the installed entry point's
    path still import."""
    return [sys.executable, "-m", "reporting_api.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def work_dir() -> Path:
    """A fresh folder under var/ for this run's server log and SQLite file."""
    base = ROOT / "var"
    base.mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="bench-checkin-", dir=base))


async def fresh_database(kind: str, pg_url: str, folder: Path) -> str:
    """An empty database for this run (PostgreSQL: dropped and created again); its URL."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    import asyncpg

    parts = urlsplit(pg_url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"--pg-url must name a plain database (letters, digits, _): {pg_url}")
    conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return pg_url


def server_env(url: str, port: int, verify_workers: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATA_KEYS": generate_key("bench1"),
        "VERIFY_WORKERS": str(verify_workers),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        # Every clip is rendered before the timed phase; the default 300 s could lapse first.
        "CHALLENGE_SECONDS": "900",
        "CHECKIN_SESSION_MINUTES": "60",
    }
    env.pop("RUN_SCHEDULER", None)
    return env


def run_cli(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [*cli_command(), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(
            f"bail-checkin {args[0]} failed:\n{(result.stderr or result.stdout)[-2000:]}"
        )


def prepare(env: dict[str, str]) -> None:
    """Migrate and create the officer who enrols everyone."""
    run_cli(env, "migrate")
    run_cli(
        env, "create-user", "--username", OFFICER, "--role", "officer",
        "--office", OFFICER_OFFICE, "--password", OFFICER_PASSWORD,
    )  # fmt: skip


class Server:
    """`bail-checkin serve` in a subprocess; its output goes to ``log_path``."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [*cli_command(), "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"the server exited ({self.process.returncode}); see {self.log_path}"
                )
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise SystemExit(
            f"the server did not answer /healthz within {seconds:.0f} s; see {self.log_path}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log_lines(self, *words: str) -> list[str]:
        """Lines of the server log holding any of ``words``."""
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if any(w in line for w in words)]


@dataclass
class Person:
    index: int
    national_id: str
    phone: str
    defendant_id: int = 0
    case_id: int = 0
    check_in_id: int = 0
    code: str = ""
    challenge: dict[str, Any] = field(default_factory=dict)
    clip: bytes = b""
    upload_status: int = 0
    upload_error: str = ""
    attempt_id: int | None = None
    outcome: str | None = None
    reasons: list[str] = field(default_factory=list)
    started: float = 0.0
    upload_seconds: float = 0.0  # until the upload was answered (202)
    seconds: float | None = None  # upload start to the result; None: no result (lost)


def people(count: int, rng: random.Random) -> list[Person]:
    phones = rng.sample(range(10**7), count)
    return [Person(i, synthetic_national_id(rng), f"081{phones[i]:07d}") for i in range(count)]


async def login(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"username": OFFICER, "password": OFFICER_PASSWORD}
    )
    response.raise_for_status()
    client.cookies.clear()
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"


def _checked(response: httpx.Response, what: str) -> dict[str, Any] | list[Any]:
    if response.status_code >= 400:
        raise SystemExit(f"{what}: HTTP {response.status_code} {response.text[:500]}")
    return response.json()


async def enrol(client: httpx.AsyncClient, person: Person, photo: bytes, today: date) -> None:
    """Defendant with the ID photo, a case, and a plan with a check-in due today (open)."""
    form = {
        "national_id": person.national_id,
        "title_th": "นาย",
        "first_name_th": "ทดสอบ",
        "last_name_th": f"ภาระ{person.index}",
        "first_name_en": "Bench",
        "last_name_en": f"Load{person.index}",
        "date_of_birth": BIRTH,
        "phone": person.phone,
        "consent": "true",
        "preferred_language": "th",
    }
    body = _checked(
        await client.post(
            "/api/v1/defendants", data=form, files={"photo": ("id.jpg", photo, "image/jpeg")}
        ),
        "enrol",
    )
    person.defendant_id = body["id"]
    case = {
        "defendant_id": person.defendant_id,
        "court": "ศาลอาญา",
        "black_case_number": f"อ.{person.index + 1}/2569",
        "charge": "ลักทรัพย์",
        "bail_amount": "50000.00",
        "release_date": (today - timedelta(days=30)).isoformat(),
        "fund_request_ref": f"JF-2569-{person.index + 1:04d}",
        "conditions": "ห้ามออกนอกเขตจังหวัด",
    }
    person.case_id = _checked(await client.post("/api/v1/cases", json=case), "case")["id"]
    plan = {
        "kind": "dates",
        "dates": [today.isoformat(), (today + timedelta(days=30)).isoformat()],
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=31)).isoformat(),
        "window_opens_days_before": 2,
        "grace_days": 2,
    }
    _checked(await client.put(f"/api/v1/cases/{person.case_id}/plan", json=plan), "plan")
    check_ins = _checked(await client.get(f"/api/v1/cases/{person.case_id}/checkins"), "checkins")
    person.check_in_id = min(check_ins, key=lambda c: c["due_date"])["id"]


async def query(url: str, sql_pg: str, sql_sqlite: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of one read-only query on the bench database (PostgreSQL or SQLite)."""
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql_sqlite, args).fetchall()]
        finally:
            conn.close()
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return [dict(r) for r in await conn.fetch(sql_pg, *args)]
    finally:
        await conn.close()


async def link_codes(url: str, check_in_ids: list[int]) -> dict[int, str]:
    rows = await query(url, "SELECT id, code FROM check_in", "SELECT id, code FROM check_in")
    wanted = set(check_in_ids)
    return {r["id"]: r["code"] for r in rows if r["id"] in wanted}


async def attempts_by_check_in(url: str) -> list[dict[str, Any]]:
    sql = (
        "SELECT check_in, state, outcome, created_at, completed_at, timings"
        " FROM verification_attempt ORDER BY id"
    )
    rows = await query(url, sql, sql)
    for row in rows:
        for key in ("created_at", "completed_at"):
            if isinstance(row[key], str):
                row[key] = datetime.fromisoformat(row[key])
        if isinstance(row["timings"], str):
            row["timings"] = json.loads(row["timings"])
    return rows


def render_clip(job: tuple[str, str, int]) -> tuple[bytes, float]:
    """(mp4 bytes, seconds) of a genuine clip answering a challenge (runs in a worker process)."""
    from liveness.samples import sample_photos
    from liveness.synth import read_photo, render, write_clip
    from liveness.types import Challenge

    challenge_json, folder, seed = job
    started = time.perf_counter()
    frames = render(
        read_photo(sample_photos()["obama"]),
        Challenge.from_json(challenge_json),
        "genuine",
        random.Random(seed),
    )
    path = Path(folder) / f"clip-{seed}.mp4"
    write_clip(frames, path)
    data = path.read_bytes()
    path.unlink()
    return data, time.perf_counter() - started


def _cpu_of(stat: str) -> tuple[int, float]:
    """(parent pid, user + system CPU seconds) from a /proc/<pid>/stat line."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds used so far by process ``pid``, by its children together (the verify
    workers), by this process, and by the whole machine (busy, all cores); Linux /proc."""
    own = children = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent, seconds = _cpu_of(stat.read_text())
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
        if stat.parent.name == str(pid):
            own = seconds
        elif parent == pid:
            children += seconds
    mine = _cpu_of(Path("/proc/self/stat").read_text())[1]
    cpu = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    busy = (sum(cpu) - cpu[3] - cpu[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait
    return {"server": own, "workers": children, "bench": mine, "machine": busy}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(coro):  # noqa: ANN001, ANN201
    return asyncio.run(coro)
