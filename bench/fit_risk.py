"""The fitted risk model at the demo's full size (issue 18, item 3), on PostgreSQL.

    .venv/bin/python bench/fit_risk.py [--defendants 100000] [--server postgresql://...] [--reuse]

Drops and recreates the database `bench_fit` (``--reuse``: keeps it when it already holds the
demo), migrates it and seeds the demo (`bail-checkin seed-demo`, about 11,000 closed cases at
100,000 people). Then times, in this process:

- the fit and its evaluation as the page and `bail-checkin fit-risk` run it (read every closed
  case with its facts as of closing, fit, score the test period, groups): target under 30 s;
- the risk report (the service the page calls, first page, default range) with the hand-set
  points active, then with the fitted points adopted as version 2: the snapshot's rebuild
  (median of 3) and the report (median of ``--repeat`` reads) each, and their ratios
  (fitted / hand-set).

The adopted version is rolled back at the end, so the database is left on the hand-set
points. Prints the fit's report (bail-checkin fit-risk's text) and the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed_demo import DEFAULT_PASSWORD  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "bench_fit"
FIT_TARGET_SECONDS = 30.0


def bench_url(server_url: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path="/" + BENCH_DB))


async def _defendants(url: str) -> int:
    import asyncpg

    try:
        conn = await asyncpg.connect(url)
    except Exception:  # no such database yet
        return 0
    try:
        return int(await conn.fetchval("SELECT count(*) FROM defendant"))
    except Exception:  # not migrated
        return 0
    finally:
        await conn.close()


async def _recreate(server_url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {BENCH_DB}")
    finally:
        await conn.close()


def _cli(*args: str, url: str) -> None:
    import subprocess

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD,
    }
    subprocess.run(
        [sys.executable, "-m", "reporting_api.cli", *args, "--quiet"]
        if args[0] == "seed-demo"
        else [sys.executable, "-m", "reporting_api.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
    )


async def _measure(url: str, repeat: int) -> int:
    from reporting_api import risk_model, risk_model_text
    from reporting_api.access import Principal
    from reporting_api.clock import utcnow
    from reporting_api.db import bind_tables, close_pool, engine_from_url, open_pool
    from reporting_api.services import reports, risk_weights
    from reporting_api.services import risk_model as fitting
    from reporting_api.services.context import Ctx
    from reporting_api.services.risk_snapshot import refresh_risk_snapshot
    from reporting_api.settings import Settings
    from reporting_api.tables import BailCase, StaffUser

    engine = engine_from_url(url)
    bind_tables(engine)
    await open_pool(engine, 4)
    try:
        closed = await BailCase.count().where(BailCase.status.is_in(["absconded", "concluded"]))
        manager = await StaffUser.select().where(StaffUser.role == "manager").first()
        if manager is None:
            print("fit_risk: the demo has no manager login", file=sys.stderr)
            return 2
        principal = Principal(
            manager["id"],
            manager["username"],
            manager["display_name"],
            "manager",
            manager["office"],
        )
        settings = Settings(database_url=url)

        def ctx() -> Ctx:
            return Ctx(principal, "127.0.0.1", utcnow(), settings)

        started = time.perf_counter()
        report = await fitting.fit(ctx())
        fit_seconds = time.perf_counter() - started
        if isinstance(report, risk_model.Refusal):
            print(f"fit_risk: cannot fit: {report.reason}", file=sys.stderr)
            return 1
        print("\n".join(risk_model_text.lines(report)))

        async def report_times(label: str) -> tuple[float, float]:
            rebuilds = []
            for _ in range(3):
                started = time.perf_counter()
                await refresh_risk_snapshot(utcnow())
                rebuilds.append(time.perf_counter() - started)
            rebuild = statistics.median(rebuilds)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                await reports.risk_report(ctx(), None, None, None)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            print(
                f"{label:<28} snapshot rebuild median {rebuild:6.2f} s, "
                f"report median {median:6.3f} s"
            )
            return rebuild, median

        print()
        hand_rebuild, hand_report = await report_times("hand-set points (v1)")
        adopted = await risk_weights.adopt(
            ctx(), "bench/fit_risk.py", risk_model.fingerprint(report.weights)
        )
        fit_rebuild, fit_report = await report_times(f"fitted points (v{adopted.version})")
        await risk_weights.roll_back(ctx(), "bench/fit_risk.py: back to the hand-set points")
    finally:
        await close_pool(engine, 4)

    print()
    print(f"closed cases (absconded or concluded) {closed:>10,}")
    print(
        f"fit and evaluation                    {fit_seconds:>10.2f} s   "
        f"(ratio to the {FIT_TARGET_SECONDS:.0f} s target {fit_seconds / FIT_TARGET_SECONDS:.2f})"
    )
    print(
        f"report, fitted / hand-set             {fit_report / hand_report:>10.2f}   "
        f"({fit_report:.3f} s / {hand_report:.3f} s)"
    )
    print(
        f"snapshot rebuild, fitted / hand-set   {fit_rebuild / hand_rebuild:>10.2f}   "
        f"({fit_rebuild:.2f} s / {hand_rebuild:.2f} s)"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--defendants", type=int, default=100_000)
    parser.add_argument(
        "--server",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="any database on the server; `bench_fit` is created beside it",
    )
    parser.add_argument("--reuse", action="store_true", help="keep a seeded bench_fit")
    parser.add_argument("--repeat", type=int, default=5, help="report reads per version")
    args = parser.parse_args()
    url = bench_url(args.server)
    if not (args.reuse and asyncio.run(_defendants(url)) >= args.defendants):
        asyncio.run(_recreate(args.server))
        _cli("migrate", url=url)
        started = time.perf_counter()
        _cli("seed-demo", "--defendants", str(args.defendants), url=url)
        print(f"seeded {args.defendants:,} demo people in {time.perf_counter() - started:.0f} s")
    return asyncio.run(_measure(url, args.repeat))


if __name__ == "__main__":
    sys.exit(main())
