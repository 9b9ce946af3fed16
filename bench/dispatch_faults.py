"""Crash safety of dispatch: the dispatcher is SIGKILLed at random moments while Twilio fails.

    .venv/bin/python bench/dispatch_faults.py [--runs 3] [--reminders 2000] [--kills 10]

Each run recreates the database `bench_dispatch_faults`, makes ``--reminders`` reminders due,
and starts `bail-checkin scheduler` (the long-running process, dispatching every second)
against the fake Twilio, which fails 5% of create calls with a transient fault, spread evenly
over 429, 500, a slow answer the client gives up on (the message was created), a connection
dropped before the message is created and one dropped after. The dispatcher is killed with
SIGKILL at a random moment ``--kills`` times and restarted each time; then it runs until every
reminder has an outcome. Prints per run: sent, lost (no message at Twilio) and duplicated
(more than one message at Twilio for one reminder), with the faults injected and how many
rows were settled by asking Twilio instead of sending again. Target: 0 lost, 0 duplicated.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dispatch_common import (
    ROOT,
    bench_now,
    dispatcher_env,
    outcome,
    recreate,
    run,
    seed,
)

from scheduler.fake_twilio import FakeTwilio, FaultPlan

FINAL = ("sent", "delivered", "failed", "skipped", "cancelled", "undelivered")
FOUND = re.compile(r"found=(\d+)")


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # Output goes to a file: a killed process must never block on a full pipe.
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "reporting_api.cli", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def unsettled(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM reminder WHERE NOT (status = ANY($1::text[]))", list(FINAL)
        )
    finally:
        await conn.close()


def one_run(number: int, args: argparse.Namespace, rng: random.Random) -> None:
    url = run(recreate("bench_dispatch_faults"))
    run(seed(url, args.reminders, bench_now(), seed=number))
    faults = FaultPlan.transient(args.fault_rate, seed=number, slow_seconds=3.0)
    log = Path(tempfile.mkdtemp(prefix="dispatch-faults-")) / "scheduler.log"
    with FakeTwilio(callbacks=False, faults=faults, latency=args.latency) as fake:
        env = dispatcher_env(
            url,
            fake,
            DISPATCH_EVERY_SECONDS="1",
            DISPATCH_BATCH_SIZE="50",
            DISPATCH_CONCURRENCY="8",
            DISPATCH_LEASE_SECONDS="15",
            SMTP_TIMEOUT_SECONDS="2",
            DISPATCH_RETRY_BASE_SECONDS="0.5",
            DISPATCH_RETRY_MAX_SECONDS="2",
            DISPATCH_MAX_ATTEMPTS="20",
            TWILIO_TIMEOUT_SECONDS="2",
            DB_POOL_SIZE="3",
        )
        started = time.perf_counter()
        kills = []
        for _ in range(args.kills):
            process = start(env, log)
            time.sleep(rng.uniform(1.0, 4.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills.append(fake.stats["created"])
        process = start(env, log)
        deadline = time.monotonic() + args.settle_seconds
        while run(unsettled(url)) and time.monotonic() < deadline:
            time.sleep(0.5)
        process.terminate()
        process.wait(timeout=90)
        elapsed = time.perf_counter() - started
        result = run(outcome(url, fake, args.reminders))
        injected = {
            k.removeprefix("fault "): v for k, v in fake.stats.items() if k.startswith("fault")
        }
        creates = fake.stats["POST requests"]
    found = sum(int(n) for n in FOUND.findall(log.read_text(errors="replace")))
    print(
        f"run {number}: sent {result.sent:>5,}  lost {result.lost}  duplicated {result.duplicated}"
        f"  | {args.kills} kills (messages at Twilio when killed: {kills})"
        f"  | {creates:,} create calls, faults {injected}"
        f"  | settled by asking Twilio: {found}  | {elapsed:.0f} s  | {result.statuses}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reminders", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--latency", type=float, default=0.01, help="seconds per create call")
    parser.add_argument("--settle-seconds", type=float, default=180)
    parser.add_argument("--seed", type=int, default=2569)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for number in range(1, args.runs + 1):
        one_run(number, args, rng)


if __name__ == "__main__":
    main()
