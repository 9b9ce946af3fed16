"""Crash safety of dispatch: the dispatcher is SIGKILLed at random moments while Twilio fails.

    .venv/bin/python bench/dispatch_faults.py [--runs 3] [--reminders 2000] [--kills 10]
    .venv/bin/python bench/dispatch_faults.py --line-share 0.5     # half the people on LINE

Each run recreates the database `bench_dispatch_faults` (``--database``), makes
``--reminders`` reminders due, and starts `bail-checkin scheduler` (the long-running process,
dispatching every second) against the fake Twilio, which fails 5% of create calls with a
transient fault, spread evenly over 429, 500, a slow answer the client gives up on (the message was created), a connection
dropped before the message is created and one dropped after. The dispatcher is killed with
SIGKILL at a random moment ``--kills`` times and restarted each time; then it runs until every
reminder has an outcome. Prints per run: sent, lost (no message at Twilio) and duplicated
(more than one message at Twilio for one reminder), with the faults injected and how many
rows were settled by asking Twilio instead of sending again. Target: 0 lost, 0 duplicated.

With ``--line-share`` (issue 17) that share of the people are linked to LINE and follow the
fake LINE (`scheduler.fake_line`, in this process), which fails ``--fault-rate`` of the pushes
it has not already accepted, spread evenly over a refusal (400), the quota (429), a 500 or a
dropped connection before the push is taken, and a 500 or a dropped connection after it was
taken (the message went, the answer is lost). Then the bench checks, from the database and
both fakes, that each reminder reached its person once: none lost (no message on either
channel, yet not ended with a reason), none twice on one channel (pushes per retry key, SMS
per reference), none on both, and every row records the channel and the provider's id its
message went with; it prints the figures and exits 1 when a check fails.
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
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from dispatch_common import (
    ROOT,
    bench_now,
    dispatcher_env,
    outcome,
    recreate,
    run,
    seed,
)

from scheduler.fake_line import PUSH, FakeLine
from scheduler.fake_twilio import FakeTwilio, FaultPlan
from scheduler.line_sender import retry_key

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


STARTED = b"scheduler started"


def wait_until_started(log: Path, starts: int, limit: float = 60.0) -> None:
    """Until the log holds ``starts`` start lines: the kill's random moment is counted from
    there, not from the process's start (its imports take seconds, line-bot-sdk's alone 4 s
    on a busy machine, and a kill before the first batch tests nothing)."""
    deadline = time.monotonic() + limit
    while log.read_bytes().count(STARTED) < starts and time.monotonic() < deadline:
        time.sleep(0.05)


async def unsettled(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM reminder WHERE NOT (status = ANY($1::text[]))", list(FINAL)
        )
    finally:
        await conn.close()


async def link_people(url: str, share: float, now: datetime, rng: random.Random) -> list[str]:
    """Link ``share`` of the people, drawn at random, to LINE accounts (one `line_account`
    row each, as `line_events.link_account` makes); their LINE user ids."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        people = [r["id"] for r in await conn.fetch("SELECT id FROM defendant ORDER BY id")]
        chosen = sorted(rng.sample(people, round(share * len(people))))
        users = ["U" + uuid.UUID(int=rng.getrandbits(128)).hex for _ in chosen]
        await conn.copy_records_to_table(
            "line_account",
            columns=("defendant", "user_id", "linked_at"),
            records=[(person, user, now) for person, user in zip(chosen, users, strict=True)],
        )
        return users
    finally:
        await conn.close()


@dataclass
class Channels:
    """Where each reminder's message went, from the database and both fakes."""

    rows: int = 0
    linked: int = 0
    """Rows of people linked to LINE."""
    on_line: int = 0
    on_sms: int = 0
    fell_back: int = 0
    """Rows of linked people whose message went by SMS (LINE refused, or the quota)."""
    lost: int = 0
    twice: int = 0
    """Messages beyond the first for one reminder on one channel."""
    both: int = 0
    misrecorded: int = 0
    """Rows whose status, channel or provider id does not match where the message went."""
    ended: Counter[str] = field(default_factory=Counter)
    """Rows ended without a message (skipped, cancelled, failed), by status."""
    statuses: Counter[str] = field(default_factory=Counter)
    line_answers: Counter[str] = field(default_factory=Counter)
    """The last answer from LINE each row recorded (`line_outcome`)."""
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == self.twice == self.both == self.misrecorded == 0

    def flag(self, what: str, row: dict[str, object]) -> None:
        if len(self.examples) < 5:
            self.examples.append(f"{what}: {row}")


async def channels(url: str, twilio: FakeTwilio, line: FakeLine) -> Channels:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT r.reference, r.status, r.channel, r.line_outcome, r.message_sid,"
            " r.error_message, r.line_user, r.body, a.user_id IS NOT NULL AS linked"
            " FROM reminder r LEFT JOIN line_account a ON a.defendant = r.defendant"
        )
    finally:
        await conn.close()
    # A push is the row's by its retry key, or failing that by its person and words (so a
    # push with another key is still counted against its row).
    keys = {retry_key(r["reference"]): r["reference"] for r in rows}
    words = {(r["line_user"], r["body"]): r["reference"] for r in rows if r["line_user"]}
    pushes: dict[str | None, list[str]] = {}
    for pushed in line.pushed:
        text = pushed.messages[0].get("altText") or pushed.messages[0].get("text")
        row_of = keys.get(pushed.retry_key or "") or words.get((pushed.to, text))
        pushes.setdefault(row_of, []).append(pushed.request_id)
    texts: dict[str, list[str]] = {}  # SMS by the reference in its status callback URL
    for sid, message in twilio.messages.items():
        query = parse_qs(urlsplit(message.status_callback or "").query)
        texts.setdefault((query.get("ref") or [""])[0], []).append(sid)
    c = Channels(rows=len(rows))
    c.twice += len(pushes.pop(None, []))  # a push that is no row's
    for r in rows:
        row = {k: v for k, v in r.items() if k != "body"}
        c.statuses[r["status"]] += 1
        c.line_answers[r["line_outcome"] or "-"] += 1
        c.linked += r["linked"]
        on_line = pushes.get(r["reference"], [])
        on_sms = texts.get(r["reference"], [])
        c.on_line += bool(on_line)
        c.on_sms += bool(on_sms)
        c.fell_back += r["linked"] and bool(on_sms)
        c.twice += max(0, len(on_line) - 1) + max(0, len(on_sms) - 1)
        if len(on_line) > 1 or len(on_sms) > 1:
            c.flag("twice", row)
        if on_line and on_sms:
            c.both += 1
            c.flag("both channels", row)
        went = "line" if on_line else "sms" if on_sms else None
        if went is None:
            if r["status"] in ("skipped", "cancelled"):
                c.ended[r["status"]] += 1
            else:
                c.lost += 1
                c.flag("lost", row)
            continue
        sids = on_line if on_line else on_sms
        if r["status"] not in ("sent", "delivered") or r["channel"] != went:
            c.misrecorded += 1
            c.flag("misrecorded", row)
        elif r["message_sid"] not in sids:
            c.misrecorded += 1
            c.flag("another provider id", row)
    return c


def one_run(number: int, args: argparse.Namespace, rng: random.Random) -> bool:
    """One run; False when a check failed (only checked with ``--line-share``)."""
    url = run(recreate(args.database))
    run(seed(url, args.reminders, bench_now(), seed=number))
    faults = FaultPlan.transient(args.fault_rate, seed=number, slow_seconds=3.0)
    log = Path(tempfile.mkdtemp(prefix="dispatch-faults-")) / "scheduler.log"
    line: FakeLine | None = None
    line_env: dict[str, str] = {}
    if args.line_share > 0:
        line = FakeLine(fault_rate=args.fault_rate, rng=random.Random(number))
        for user in run(link_people(url, args.line_share, bench_now(), random.Random(number))):
            line.follow(user)
        line_env = {
            "LINE_CHANNEL_SECRET": "bench-channel-secret",
            "LINE_CHANNEL_ACCESS_TOKEN": line.access_token,
            "LINE_BASE_URL": line.start(),
        }
    try:
        with FakeTwilio(callbacks=False, faults=faults, latency=args.latency) as fake:
            env = dispatcher_env(
                url,
                fake,
                DISPATCH_EVERY_SECONDS="1",
                DISPATCH_BATCH_SIZE="50",
                DISPATCH_CONCURRENCY="8",
                DISPATCH_LEASE_SECONDS="15",
                SMTP_TIMEOUT_SECONDS="2",
                DISPATCH_RETRY_BASE_SECONDS="1",  # the least the settings take
                DISPATCH_RETRY_MAX_SECONDS="2",
                DISPATCH_MAX_ATTEMPTS="20",
                TWILIO_TIMEOUT_SECONDS="2",
                LINE_TIMEOUT_SECONDS="2",
                DB_POOL_SIZE="3",
                **line_env,
            )
            started = time.perf_counter()
            kills: list[int | str] = []
            for n in range(args.kills):
                process = start(env, log)
                wait_until_started(log, n + 1)
                time.sleep(rng.uniform(1.0, 4.0))
                process.send_signal(signal.SIGKILL)
                process.wait()
                at_line = f"+{len(line.pushed)}" if line else ""
                kills.append(f"{fake.stats['created']}{at_line}" if line else fake.stats["created"])
            process = start(env, log)
            deadline = time.monotonic() + args.settle_seconds
            while run(unsettled(url)) and time.monotonic() < deadline:
                time.sleep(0.5)
            process.terminate()
            process.wait(timeout=90)
            elapsed = time.perf_counter() - started
            injected = {
                k.removeprefix("fault "): v for k, v in fake.stats.items() if k.startswith("fault")
            }
            creates = fake.stats["POST requests"]
            found = sum(int(n) for n in FOUND.findall(log.read_text(errors="replace")))
            if line is None:
                result = run(outcome(url, fake, args.reminders))
                print(
                    f"run {number}: sent {result.sent:>5,}  lost {result.lost}"
                    f"  duplicated {result.duplicated}"
                    f"  | {args.kills} kills (messages at Twilio when killed: {kills})"
                    f"  | {creates:,} create calls, faults {injected}"
                    f"  | settled by asking Twilio: {found}  | {elapsed:.0f} s"
                    f"  | {result.statuses}",
                    flush=True,
                )
                return True
            c = run(channels(url, fake, line))
            push_calls = sum(1 for r in line.requests if r.path == PUSH)
            print(
                f"run {number}: {c.rows:,} rows ({c.linked:,} of linked people):"
                f" on LINE {c.on_line:,}, on SMS {c.on_sms:,}, fell back to SMS {c.fell_back}"
                f"  | lost {c.lost}  twice on one channel {c.twice}  on both channels {c.both}"
                f"  records wrong {c.misrecorded}  ended {dict(c.ended)}"
                f"\n  {args.kills} kills (SMS+pushes when killed: {kills})"
                f"\n  Twilio: {creates:,} create calls, faults {injected}; rows settled by"
                f" asking Twilio (as logged): {found}"
                f"\n  LINE: {push_calls:,} push calls, faults {dict(line.injected)};"
                f" answers recorded {dict(c.line_answers)}"
                f"\n  statuses {dict(c.statuses)}  | {elapsed:.0f} s"
                f"  | {'PASS' if c.ok else 'FAIL'}",
                flush=True,
            )
            for example in c.examples:
                print(f"  {example}", flush=True)
            return c.ok
    finally:
        if line is not None:
            line.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reminders", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--latency", type=float, default=0.01, help="seconds per create call")
    parser.add_argument("--settle-seconds", type=float, default=180)
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument(
        "--database", default="bench_dispatch_faults", help="dropped and created each run"
    )
    parser.add_argument(
        "--line-share",
        type=float,
        default=0.0,
        help="share of people linked to LINE (0 to 1); faults at the fake LINE too, checked",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    passed = [one_run(number, args, rng) for number in range(1, args.runs + 1)]
    if not all(passed):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
