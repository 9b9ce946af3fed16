"""Read latency of an officer's busiest screens over HTTP, on the seeded `bench` database.

    .venv/bin/python bench/seed_demo.py      # once: 100,000 defendants, ~1M check-ins
    .venv/bin/python bench/api_read.py [--requests 300] [--office TH-10]

Starts `bail-checkin serve --port 8765` against `bench`, logs in as that office's demo officer
and times, one request at a time with keep-alive: the office's day
(/offices/{id}/checkins/today) and defendant search by name prefix, 13-digit ID and mobile.
Prints p50 / p95 / max in ms and the ratio of p95 to the 50 ms target, then the PostgreSQL
plans (EXPLAIN ANALYZE, BUFFERS) of the exact SQL the store functions send, and the indexes
they use. The server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporting_api.sealing import generate_key  # noqa: E402

TARGET_P95_MS = 50.0
PORT = 8765
WARM_UP = 20


def start_server(url: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "reporting_api.cli", "serve", "--port", str(PORT)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DATA_KEYS": generate_key("bench1")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            assert server.stderr is not None
            raise SystemExit(f"the server exited: {server.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def samples(url: str, office_id: int, n: int) -> list[dict[str, Any]]:
    """Defendants of the office, a fixed pseudo-random choice, for varied search terms."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SELECT setseed(0.2569)")
        rows = await conn.fetch(
            "SELECT national_id, phone, first_name_th, last_name_th FROM defendant"
            " WHERE office = $1 ORDER BY random() LIMIT $2", office_id, n,
        )  # fmt: skip
        return [dict(r) for r in rows]
    finally:
        await conn.close()


def percentile(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(q * (len(sorted_ms) - 1)))]


def timed(client: httpx.Client, make_path: Callable[[int], str], requests: int) -> dict[str, Any]:
    for i in range(WARM_UP):
        client.get(make_path(i)).raise_for_status()
    ms, sizes = [], []
    for i in range(requests):
        path = make_path(WARM_UP + i)
        started = time.perf_counter()
        response = client.get(path)
        ms.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        body = response.json()
        sizes.append(
            body.get(
                "total",
                sum(len(body[k]) for k in ("due_today", "overdue", "missed") if k in body),
            )
        )
    ms.sort()
    return {
        "p50": percentile(ms, 0.5),
        "p95": percentile(ms, 0.95),
        "max": ms[-1],
        "mean_rows": statistics.mean(sizes),
    }


async def explain(url: str, office_id: int, terms: dict[str, str]) -> list[tuple[str, str, str]]:
    """EXPLAIN (ANALYZE, BUFFERS) the SQL the store functions actually send."""
    import asyncpg
    from piccolo.engine.postgres import PostgresEngine

    from reporting_api.clock import utcnow
    from reporting_api.db import bind_tables
    from reporting_api.store import checkins, defendants
    from reporting_api.thai_dates import bangkok_today

    captured: list[tuple[str, list[Any]]] = []

    class Recording(PostgresEngine):
        async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
            captured.append(querystring.compile_string(engine_type=self.engine_type))
            return await super().run_querystring(querystring, in_pool)

    bind_tables(Recording(config={"dsn": url}, log_queries=False))
    now = utcnow()
    calls: list[tuple[str, Any]] = [
        ("today: due_on", checkins.due_on(office_id, bangkok_today(now))),
        ("today: overdue", checkins.overdue(office_id, now)),
        ("today: missed_since", checkins.missed_since(office_id, now - timedelta(days=7), now)),
        ("search: name prefix", defendants.search_defendants(
            name_words=[terms["name"]], office_id=office_id, offset=0, limit=20)),
        ("search: national ID", defendants.search_defendants(
            national_id=terms["national_id"], office_id=office_id, offset=0, limit=20)),
        ("search: phone", defendants.search_defendants(
            phone=terms["phone"], office_id=office_id, offset=0, limit=20)),
    ]  # fmt: skip
    labelled: list[tuple[str, str, list[Any]]] = []
    for label, call in calls:
        before = len(captured)
        await call
        for n, (sql, args) in enumerate(captured[before:]):
            part = "" if len(captured) - before == 1 else (" (rows)" if n == 0 else " (count)")
            labelled.append((label + part, sql, args))
    conn = await asyncpg.connect(url)
    try:
        plans = []
        for label, sql, args in labelled:
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *args)
            plans.append((label, sql, "\n".join(r[0] for r in rows)))
        return plans
    finally:
        await conn.close()


def indexes_used(plan: str) -> list[str]:
    return sorted(
        set(
            re.findall(
                r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)",
                plan,
            )
        )
    )


def main() -> int:
    sys.path.insert(0, str(ROOT))  # run as a script: `bench` is then importable
    from bench.seed_demo import DEFAULT_PASSWORD, bench_url

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--office", default="TH-10", help="office code; its demo officer logs in")
    parser.add_argument(
        "--server",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="any database on the server that holds `bench`",
    )
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()
    url = bench_url(args.server)
    username = "officer." + args.office.lower().replace("-", "")
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD

    server = start_server(url)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}/api/v1", timeout=30) as client:
            login = client.post("/auth/login", json={"username": username, "password": password})
            login.raise_for_status()
            client.cookies.clear()
            client.headers["Authorization"] = f"Bearer {login.json()['token']}"
            office_id = login.json()["user"]["office_id"]
            people = asyncio.run(samples(url, office_id, WARM_UP + args.requests))
            if not people:
                raise SystemExit(f"office {args.office} has no defendants; run bench/seed_demo.py")

            def person(i: int) -> dict[str, Any]:
                return people[i % len(people)]

            endpoints: dict[str, Callable[[int], str]] = {
                # Each list is cut at `limit` rows (50 unless asked; its total says how many):
                # the default, and the largest a client may ask for.
                f"GET /offices/{office_id}/checkins/today":
                    lambda i: f"/offices/{office_id}/checkins/today",
                f"GET /offices/{office_id}/checkins/today?limit=200":
                    lambda i: f"/offices/{office_id}/checkins/today?limit=200",
                "GET /defendants?q=<name prefix>":
                    lambda i: f"/defendants/?q={person(i)['first_name_th'][:3]}",
                "GET /defendants?q=<13-digit ID>":
                    lambda i: f"/defendants/?q={person(i)['national_id']}",
                "GET /defendants?q=<mobile>":  # as people type it: 0812345678
                    lambda i: "/defendants/?q=0" + person(i)["phone"][3:],
            }  # fmt: skip
            results = {name: timed(client, make, args.requests) for name, make in endpoints.items()}
    finally:
        stop_server(server)

    print(
        f"\n{username} (office {args.office}, id {office_id}), {args.requests} requests each"
        f" after {WARM_UP} warm-up, one at a time\n"
    )
    print(f"{'endpoint':<42}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p95/50ms':>10}{'rows':>9}")
    for name, r in results.items():
        print(
            f"{name:<42}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['max']:>9.1f}"
            f"{r['p95'] / TARGET_P95_MS:>10.2f}{r['mean_rows']:>9.0f}"
        )
    print("(rows: mean `total` for searches, mean rows listed for the office's day)")

    if not args.no_explain:
        first = people[0]
        terms = {
            "name": first["first_name_th"][:3],
            "national_id": first["national_id"],
            "phone": first["phone"],
        }
        for label, sql, plan in asyncio.run(explain(url, office_id, terms)):
            print(f"\n=== {label}: indexes used: {', '.join(indexes_used(plan)) or 'none'}")
            print(sql)
            print(plan)
    worst = max(r["p95"] for r in results.values())
    return 0 if worst <= TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
