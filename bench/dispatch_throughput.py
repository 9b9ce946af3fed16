"""Dispatch throughput: 100,000 due reminders on PostgreSQL, sent to the fake Twilio.

    .venv/bin/python bench/dispatch_throughput.py [--reminders 100000] [--processes 2]
        [--lanes 2] [--batch 500] [--concurrency 48]

Recreates the database `bench_dispatch` (on $TEST_POSTGRES_URL's server), loads the reminders
with COPY, runs the fake Twilio in this process and `bail-checkin scheduler --drain` in
``--processes`` processes, each with ``--lanes`` batches in flight. Every message goes through
the real `twilio` client over HTTP (a pooled aiohttp session). Prints messages per second
(wall clock including process start-up, and between the first and the last message), the
database time per message as the dispatchers measured it, lost and duplicated messages, and
the ratio to the 300 messages/s target. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import time

from dispatch_common import (
    bench_now,
    dispatcher_env,
    outcome,
    parse_report,
    recreate,
    run,
    seed,
    start_scheduler,
)

from scheduler.fake_twilio import FakeTwilio

TARGET_PER_SECOND = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--lanes", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=48)
    parser.add_argument("--database", default="bench_dispatch")
    args = parser.parse_args()

    print(
        f"recreating {args.database} and loading {args.reminders:,} due reminders ...", flush=True
    )
    url = run(recreate(args.database))
    started = time.perf_counter()
    run(seed(url, args.reminders, bench_now()))
    print(f"loaded in {time.perf_counter() - started:.1f} s", flush=True)

    with FakeTwilio(callbacks=False) as fake:
        env = dispatcher_env(
            url,
            fake,
            DISPATCH_BATCH_SIZE=str(args.batch),
            DISPATCH_CONCURRENCY=str(args.concurrency),
            TWILIO_MAX_CONNECTIONS=str(args.concurrency),
            DB_POOL_SIZE=str(args.lanes + 2),
        )
        started = time.perf_counter()
        workers = [
            start_scheduler(env, "--drain", "--lanes", str(args.lanes))
            for _ in range(args.processes)
        ]
        outputs = [w.communicate() for w in workers]
        wall = time.perf_counter() - started
        for worker, (_, err) in zip(workers, outputs, strict=True):
            if worker.returncode:
                raise SystemExit(f"a dispatcher failed:\n{err[-3000:]}")
        reports = [
            parse_report(line)
            for out, _ in outputs
            for line in out.splitlines()
            if line.startswith("dispatched:")
        ]
        created = sorted(m.date_created for m in fake.messages.values())
        window = (created[-1] - created[0]).total_seconds() if len(created) > 1 else 0.0
        result = run(outcome(url, fake, args.reminders))

    sent = sum(r["sent"] for r in reports)
    db_seconds = sum(r["db_seconds"] for r in reports)
    per_wall = args.reminders / wall
    per_window = len(created) / window if window else float("nan")
    print()
    print(f"reminders               {args.reminders:>10,}")
    print(f"dispatchers             {args.processes} processes x {args.lanes} lanes, "
          f"batch {args.batch}, {args.concurrency} requests in flight each")  # fmt: skip
    print(f"sent (recorded)         {sent:>10,.0f}   at Twilio: {len(created):,}")
    print(f"lost / duplicated       {result.lost:>10,} / {result.duplicated:,}")
    print(f"wall clock              {wall:>10.1f} s   (process start-up included)")
    print(f"first to last message   {window:>10.1f} s")
    print(f"messages per second     {per_wall:>10.0f}   (wall)   {per_window:.0f} (first to last)")
    print(f"DB time per message     {1000 * db_seconds / max(sent, 1):>10.3f} ms "
          f"(waiting on PostgreSQL, summed over lanes)")  # fmt: skip
    print(f"target 300 msg/s        {per_wall / TARGET_PER_SECOND:>10.2f} x  (wall)")
    print(f"statuses                {result.statuses}")


if __name__ == "__main__":
    main()
