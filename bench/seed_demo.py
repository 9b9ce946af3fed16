"""Time `bail-checkin seed-demo --defendants 100000` on a fresh PostgreSQL database.

    .venv/bin/python bench/seed_demo.py [--defendants 100000] [--server postgresql://...]

Drops and recreates the database `bench` (or --database) on the server (default: $TEST_POSTGRES_URL or
postgresql://postgres@127.0.0.1:5432/test), migrates it, seeds it in a subprocess as a person
would, and prints the counts, the seconds, rows per second and the ratio to the 300 s target.
The seeded database is left in place for bench/api_read.py; the demo logins get $DEMO_PASSWORD
or "bench demo password".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 300.0
BENCH_DB = "bench"
TABLES = (
    "defendant", "bail_case", "reporting_plan", "check_in", "flag", "verification_attempt",
    "staff_user",
)  # fmt: skip
# bench/api_read.py logs in with the same default.
DEFAULT_PASSWORD = "bench demo password"


def bench_url(server_url: str, database: str = BENCH_DB) -> str:
    """The server URL with its database name replaced by ``database``."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path="/" + database))


async def recreate_database(server_url: str, database: str = BENCH_DB) -> None:
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {database}")
    finally:
        await conn.close()


async def count_rows(url: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
    finally:
        await conn.close()


def cli(*args: str, url: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD,
    }
    subprocess.run(
        [sys.executable, "-m", "reporting_api.cli", *args], cwd=ROOT, env=env, check=True
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--defendants", type=int, default=100_000)
    parser.add_argument(
        "--server",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="any database on the server; `bench` is created beside it",
    )
    parser.add_argument(
        "--database", default=BENCH_DB, help="the name of the database dropped and recreated"
    )
    args = parser.parse_args()
    url = bench_url(args.server, args.database)

    asyncio.run(recreate_database(args.server, args.database))
    cli("migrate", url=url)
    started = time.perf_counter()
    cli("seed-demo", "--defendants", str(args.defendants), url=url)
    seconds = time.perf_counter() - started
    counts = asyncio.run(count_rows(url))

    rows = sum(counts.values())
    print()
    print(f"database          {url}")
    print(f"defendants        {counts['defendant']:>12,}")
    print(f"cases             {counts['bail_case']:>12,}")
    print(f"check-ins         {counts['check_in']:>12,}")
    print(f"flags             {counts['flag']:>12,}")
    print(f"remote attempts   {counts['verification_attempt']:>12,}")
    print(f"seconds           {seconds:>12.1f}   (whole command: start-up, staff, data)")
    print(f"rows/s            {rows / seconds:>12,.0f}   ({rows:,} rows in all tables)")
    ratio = seconds / TARGET_SECONDS
    print(f"ratio to target   {ratio:>12.2f}   (target {TARGET_SECONDS:.0f} s; below 1 is good)")
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
