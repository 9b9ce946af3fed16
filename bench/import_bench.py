"""Bulk import of a caseload into PostgreSQL through the real import path.

    .venv/bin/python bench/import_bench.py [--rows 10000] [--large 50000] [--server URL]

Drops and recreates the database `bench_import` on the server (default: $TEST_POSTGRES_URL
or postgresql://postgres@127.0.0.1:5432/test), migrates it, creates an officer, writes a
synthetic caseload of --rows people as CSV and as XLSX (and --large rows as CSV for the
memory check), and imports each in a fresh process through the service the page and the
CLI use (`services.caseload_import`: the dry run, then the write). Prints, per file: the
dry run's seconds, the write's rows per second, and the process's peak memory; then the
ratios to the targets (CSV write >= 500 rows/s; peak < 300 MB at --rows; no growth from
--rows to --large). Exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "bench_import"
TARGET_ROWS_PER_SECOND = 500.0
TARGET_PEAK_MB = 300.0
GROWTH_ALLOWED = 1.10
"""Peak memory at --large may exceed the one at --rows by this factor (allocator noise)."""
PASSWORD = "bench import password"
POOL = int(os.environ.get("BENCH_POOL", "4"))
"""Connections the import's process may open: the writers' transactions and the queries
between them (the server's pool is DB_POOL_SIZE, 10 by default)."""


def bench_url(server_url: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path="/" + BENCH_DB))


async def recreate_database(server_url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {BENCH_DB}")
    finally:
        await conn.close()


_KEY: list[str] = []


def env_for(url: str) -> dict[str, str]:
    from reporting_api.sealing import generate_key

    if not _KEY:
        _KEY.append(os.environ.get("DATA_KEYS") or generate_key("bench1"))
    return {
        **os.environ,
        "DATABASE_URL": url,
        "NEW_USER_PASSWORD": PASSWORD,
        "DEMO": "1",
        "DATA_KEYS": _KEY[0],
    }


def cli(*args: str, url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "reporting_api.cli", *args],
        cwd=ROOT,
        env=env_for(url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def synthetic_rows(count: int, seed: int) -> list[list[str]]:
    from reporting_api.caseload_sheet import COLUMNS
    from reporting_api.national_id import synthetic_national_id

    rng = random.Random(seed)
    first = ["สมชาย", "สมหญิง", "ประเสริฐ", "วิภา", "อนันต์", "มาลี"]
    last = ["ใจดี", "ศรีสุข", "แสงทอง", "บุญมา", "พึ่งบุญ"]
    rows = []
    seen: set[str] = set()
    while len(rows) < count:
        nid = synthetic_national_id(rng)
        if nid in seen:
            continue
        seen.add(nid)
        values = {
            "national_id": nid,
            "first_name_th": rng.choice(first),
            "last_name_th": rng.choice(last),
            "date_of_birth": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/25{rng.randint(10, 45)}",
            "phone": "08" + str(rng.randint(10_000_000, 99_999_999)),
            "consent": "ใช่",
            "court": "ศาลจังหวัดเชียงใหม่",
            "black_case_number": f"อ.{len(rows) + 1}/2569",
            "charge": "ลักทรัพย์",
            "bail_amount": str(rng.choice([20000, 50000, 100000])),
            "release_date": "01/11/2569",
            "every_days": "30",
            "start_date": "15/12/2569",
            "end_date": "15/12/2570",
        }
        rows.append([values.get(c.key, "") for c in COLUMNS])
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    from reporting_api.caseload_sheet import COLUMNS

    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([c.header for c in COLUMNS])
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    import openpyxl

    from reporting_api.caseload_sheet import COLUMNS

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("caseload")
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    book.save(path)


def child(path: str, url: str) -> None:
    """One import in this process: print its figures as JSON."""
    os.environ["DATABASE_URL"] = url
    from reporting_api.clock import utcnow
    from reporting_api.db import bind_tables, close_pool, engine_from_url, open_pool
    from reporting_api.runtime import Runtime
    from reporting_api.services import caseload_import as imports
    from reporting_api.settings import Settings

    settings = Settings.from_env()

    async def run() -> dict[str, float]:
        engine = engine_from_url(url)
        bind_tables(engine)
        await open_pool(engine, POOL)
        try:
            return await work()
        finally:
            await close_pool(engine, POOL)

    async def work() -> dict[str, float]:
        principal = await imports.officer_principal("bench_officer")
        assert principal is not None
        runtime = Runtime.from_settings(settings)
        try:
            ctx = imports.shell_ctx(principal, settings, runtime, utcnow())
            started = time.perf_counter()
            with open(path, "rb") as sheet:
                view = await imports.check(ctx, imports.ImportUpload(Path(path).name, sheet))
            checked = time.perf_counter()
            await imports.start(ctx, view.job["id"])
            done = await imports.run(ctx, view.job["id"])
            written = time.perf_counter()
        finally:
            await runtime.close()
        return {
            "rows": view.job["rows_total"],
            "valid": view.job["rows_valid"],
            "created": done["created_count"],
            "dry_run_s": checked - started,
            "write_s": written - checked,
        }

    figures = asyncio.run(run())
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def measure(path: Path, url: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--url", url],
        cwd=ROOT,
        env=env_for(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-3000:])
        raise SystemExit(f"the import of {path.name} failed")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=50_000, help="0: skip the growth check")
    parser.add_argument(
        "--server",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url)
        return 0

    url = bench_url(args.server)
    asyncio.run(recreate_database(args.server))
    cli("migrate", url=url)
    cli("create-user", "--username", "bench_officer", "--role", "officer", "--office", "TH-50",
        url=url)  # fmt: skip
    results: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as folder:
        runs = [("csv", args.rows, 1), ("xlsx", args.rows, 2)]
        if args.large:
            runs.append(("csv", args.large, 3))
        for kind, count, seed in runs:
            path = Path(folder) / f"caseload-{count}.{kind}"
            rows = synthetic_rows(count, seed)
            (write_csv if kind == "csv" else write_xlsx)(path, rows)
            del rows
            figures = measure(path, url)
            results.append((f"{kind} {count:,}", figures))
            print(
                f"{kind:<5} {count:>7,} rows: dry run {figures['dry_run_s']:7.1f} s "
                f"({figures['rows'] / figures['dry_run_s']:7,.0f} rows/s), write "
                f"{figures['write_s']:7.1f} s ({figures['created'] / figures['write_s']:6,.0f} "
                f"rows/s), peak {figures['peak_mb']:6.0f} MB, created {figures['created']:,.0f}",
                flush=True,
            )
    csv_small = results[0][1]
    rate = csv_small["created"] / csv_small["write_s"]
    print()
    print(f"database              {url}")
    print(
        f"CSV write rows/s      {rate:8,.0f}   ratio to target {rate / TARGET_ROWS_PER_SECOND:.2f}"
        f" (target >= {TARGET_ROWS_PER_SECOND:.0f}; above 1 is good)"
    )
    peak = max(f["peak_mb"] for f in (r[1] for r in results[:2]))
    print(
        f"peak MB at {args.rows:,}      {peak:8.0f}   ratio to target {peak / TARGET_PEAK_MB:.2f}"
        f" (target < {TARGET_PEAK_MB:.0f} MB; below 1 is good)"
    )
    ok = rate >= TARGET_ROWS_PER_SECOND and peak < TARGET_PEAK_MB
    if args.large:
        growth = results[-1][1]["peak_mb"] / csv_small["peak_mb"]
        print(
            f"growth {args.rows:,} -> {args.large:,}  {growth:8.2f}x  (allowed "
            f"{GROWTH_ALLOWED:.2f}x)"
        )
        ok = ok and growth <= GROWTH_ALLOWED
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
