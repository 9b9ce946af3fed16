"""Many people checking in at once against one server: uploads, verification and /healthz.

    .venv/bin/python bench/checkin_load.py [--people 20] [--workers 2] [--database postgres]

Starts `bail-checkin serve` on a free port against a fresh database (PostgreSQL `bench_checkin`,
dropped and created again, or a SQLite file under var/), enrols --people people through the API
with a check-in due today and, untimed, identifies each one on the link page, fetches a challenge
and renders a genuine clip answering it; --warm-up more people check in first, so the server's
verify processes are running. Then all of them upload at once and poll for the result every
200 ms while another thread calls /healthz every 50 ms. Prints completed / lost,
upload-to-result p50 / p95 / max, throughput, /healthz latency against the 100 ms target, CPU
seconds of the server, its verify workers and the machine during the load, a database check
that each person has exactly one verification attempt, and the bytes of the check-in page and
its assets against the 150 KB target. The server is stopped at the end (unless --keep); its
log is kept under var/bench-checkin-*/.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `bench` importable as a script

from bench.checkin_common import (  # noqa: E402
    BIRTH,
    DEFAULT_PG_URL,
    Person,
    Server,
    attempts_by_check_in,
    cpu_seconds,
    enrol,
    free_port,
    fresh_database,
    link_codes,
    login,
    people,
    percentile,
    prepare,
    render_clip,
    server_env,
    work_dir,
)

HEALTHZ_TARGET_MS = 100.0
PAGE_TARGET_BYTES = 150 * 1024
HEALTHZ_EVERY_S = 0.05
POLL_EVERY_S = 0.2
HTTP_TIMEOUT_S = 120.0


# --- Phase 1: identify, challenge, render (not timed) --------------------------------------


async def identify_and_challenge(person: Person, client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"/c/{person.code}/identify",
        json={"date_of_birth": BIRTH, "national_id_last4": person.national_id[-4:]},
    )
    if response.status_code != 200:
        raise SystemExit(
            f"identify person {person.index}: HTTP {response.status_code} {response.text}"
        )
    response = await client.post(f"/c/{person.code}/challenge")
    if response.status_code != 201:
        raise SystemExit(
            f"challenge person {person.index}: HTTP {response.status_code} {response.text}"
        )
    person.challenge = response.json()


def render_all(crowd: list[Person], folder: Path, workers: int, seed: int) -> list[float]:
    """Render every person's clip in a process pool; the seconds each clip took."""
    jobs = [
        (
            json.dumps({"id": p.challenge["id"], "steps": p.challenge["steps"]}),
            str(folder),
            seed + p.index,
        )
        for p in crowd
    ]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(render_clip, jobs))
    for person, (clip, _) in zip(crowd, results, strict=True):
        person.clip = clip
    return [spent for _, spent in results]


# --- Phase 2: everyone uploads at once (timed) ---------------------------------------------


async def check_in(person: Person, client: httpx.AsyncClient, timeout: float) -> None:
    """Upload, then poll every 200 ms until the result; times upload start to the result."""
    person.started = time.perf_counter()
    try:
        response = await client.post(
            f"/c/{person.code}/attempts",
            data={
                "challenge_id": person.challenge["id"],
                "client": json.dumps({"user_agent": "bench/checkin_load", "screen": [360, 800]}),
            },
            files={"clip": ("clip.mp4", person.clip, "video/mp4")},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    except httpx.HTTPError as error:
        person.upload_error = f"{type(error).__name__}: {error}"
        return
    person.upload_status = response.status_code
    person.upload_seconds = time.perf_counter() - person.started
    if response.status_code not in (200, 202):
        person.upload_error = f"HTTP {response.status_code} {response.text[:200]}"
        return
    person.attempt_id = response.json()["attempt_id"]
    deadline = person.started + timeout
    while time.perf_counter() < deadline:
        await asyncio.sleep(POLL_EVERY_S)
        try:
            response = await client.get(f"/c/{person.code}/attempts/{person.attempt_id}")
        except httpx.HTTPError:
            continue  # a slow answer is not a lost check-in; the deadline decides
        if response.status_code != 200:
            continue
        body = response.json()
        if body["state"] == "done":
            person.seconds = time.perf_counter() - person.started
            person.outcome = body["outcome"]
            person.reasons = [r["code"] for r in body.get("reasons", [])]
            return


class HealthPoller(threading.Thread):
    """GET /healthz every 50 ms on its own thread and connection, recording milliseconds."""

    def __init__(self, base_url: str) -> None:
        super().__init__(daemon=True)
        self.base_url = base_url
        self.ms: list[float] = []
        self.at: list[float] = []  # when each answered request started (perf_counter)
        self.errors = 0
        self._halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            while not self._halt.is_set():
                started = time.perf_counter()
                try:
                    ok = client.get("/healthz").status_code == 200
                except httpx.HTTPError:
                    ok = False
                spent = time.perf_counter() - started
                if ok:
                    self.ms.append(spent * 1000)
                    self.at.append(started)
                else:
                    self.errors += 1
                self._halt.wait(max(0.0, HEALTHZ_EVERY_S - spent))

    def stop(self) -> None:
        self._halt.set()
        self.join()


def poll_health(base_url: str, seconds: float) -> HealthPoller:
    poller = HealthPoller(base_url)
    poller.start()
    time.sleep(seconds)
    poller.stop()
    return poller


# --- Page weight ---------------------------------------------------------------------------


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and tag in ("link", "script", "img"):
                self.urls.append(value)


def _header_bytes(response: httpx.Response) -> int:
    status_line = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    return status_line + sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2


def page_weight(base_url: str, code: str) -> list[dict[str, Any]]:
    """The page as the SMS link opens it, then every /c/static/ asset it (or its CSS) names."""
    rows = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        queue = [f"/c/{code}"]
        seen: set[str] = set()
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            response.raise_for_status()
            body = response.content
            rows.append(
                {
                    "path": path,
                    "raw": len(body),
                    "gzip": len(gzip.compress(body, compresslevel=6)),
                    "wire": response.num_bytes_downloaded,
                    "headers": _header_bytes(response),
                    "encoding": response.headers.get("content-encoding", "none"),
                }
            )
            kind = response.headers.get("content-type", "")
            found: list[str] = []
            if "html" in kind:
                parser = _Assets()
                parser.feed(response.text)
                found = parser.urls
            elif "css" in kind:
                found = re.findall(r"url\(\s*['\"]?([^'\")]+)", response.text)
            for ref in found:
                target = urlsplit(urljoin(f"{base_url}{path}", ref))
                if target.netloc == urlsplit(base_url).netloc and target.path.startswith(
                    "/c/static/"
                ):
                    queue.append(target.path)
                elif not ref.startswith(("data:", "?", "#", "tel:")):
                    print(f"  (not counted: {ref})")
    return rows


# --- Report --------------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5):.1f} ms, p95 {percentile(values, 0.95):.1f} ms,"
        f" max {max(values, default=0):.1f} ms"
    )


def report_load(crowd: list[Person], wall: float, health: HealthPoller, idle: HealthPoller) -> None:
    done = [p for p in crowd if p.seconds is not None]
    upload_failed = [p for p in crowd if p.upload_error]
    lost = [p for p in crowd if p.attempt_id is not None and p.seconds is None]
    outcomes = Counter(p.outcome for p in done)
    print(f"\nPhase 2: {len(crowd)} check-ins uploaded at once")
    print(
        f"  completed {len(done)}/{len(crowd)}: verified {outcomes.get('verified', 0)},"
        f" other outcomes {len(done) - outcomes.get('verified', 0)}; upload refused or failed"
        f" {len(upload_failed)}; lost (no result in time) {len(lost)}"
    )
    print(f"  outcomes: {dict(sorted(outcomes.items()))}")
    reasons = Counter(code for p in done if p.outcome != "verified" for code in p.reasons)
    if reasons:
        print(f"  reasons given for outcomes other than verified: {dict(reasons)}")
    for p in upload_failed:
        print(f"  person {p.index}: upload failed: {p.upload_error}")
    seconds = [p.seconds for p in done if p.seconds is not None]
    if seconds:
        print(
            f"  upload -> result: p50 {percentile(seconds, 0.5):.2f} s,"
            f" p95 {percentile(seconds, 0.95):.2f} s, max {max(seconds):.2f} s,"
            f" min {min(seconds):.2f} s"
        )
    accepted = [p.upload_seconds for p in crowd if p.attempt_id is not None]
    if accepted:
        print(
            f"  upload answered (202): p50 {percentile(accepted, 0.5):.2f} s,"
            f" p95 {percentile(accepted, 0.95):.2f} s, max {max(accepted):.2f} s"
        )
    print(
        f"  wall time {wall:.1f} s (first upload to last result);"
        f" throughput {len(done) / wall * 60:.1f} check-ins/minute"
    )
    p95 = percentile(health.ms, 0.95)
    print(
        f"  /healthz during the load: {len(health.ms)} answers, {health.errors} errors; "
        f"{_ms(health.ms)}; p95 / {HEALTHZ_TARGET_MS:.0f} ms target = {p95 / HEALTHZ_TARGET_MS:.2f}"
    )
    # Which part of the load slows it: taking the uploads in, or verifying them afterwards.
    accepted_by = max((p.started + p.upload_seconds for p in crowd if p.attempt_id), default=0)
    during = [ms for ms, at in zip(health.ms, health.at, strict=True) if at <= accepted_by]
    after = [ms for ms, at in zip(health.ms, health.at, strict=True) if at > accepted_by]
    print(f"    while uploads were being taken in: {len(during)} answers; {_ms(during)}")
    print(f"    after the last upload was answered: {len(after)} answers; {_ms(after)}")
    print(f"  /healthz idle, before the load: {len(idle.ms)} answers; {_ms(idle.ms)}")


def report_database(crowd: list[Person], rows: list[dict[str, Any]]) -> bool:
    per_check_in = Counter(r["check_in"] for r in rows)
    ours = {p.check_in_id for p in crowd}
    exactly_one = sum(1 for c in ours if per_check_in.get(c) == 1)
    duplicated = sum(n - 1 for c, n in per_check_in.items() if c in ours and n > 1)
    missing = sum(1 for c in ours if c not in per_check_in)
    rows = [r for r in rows if r["check_in"] in ours]
    print(
        f"  database: {len(rows)} verification_attempt rows for these {len(crowd)} people;"
        f" exactly one for {exactly_one}/{len(crowd)}; duplicated {duplicated};"
        f" missing {missing}; states {dict(Counter(r['state'] for r in rows))}"
    )
    finished = [r for r in rows if r["completed_at"] is not None]
    if finished:
        server = [(r["completed_at"] - r["created_at"]).total_seconds() for r in finished]
        verify = [float(r["timings"].get("total", 0)) / 1000 for r in finished if r["timings"]]
        print(
            f"  server side: stored -> verdict p50 {percentile(server, 0.5):.2f} s,"
            f" p95 {percentile(server, 0.95):.2f} s (queue + verify); verify alone"
            f" p50 {percentile(verify, 0.5):.2f} s, p95 {percentile(verify, 0.95):.2f} s"
        )
    return duplicated == 0 and missing == 0


def report_page(rows: list[dict[str, Any]]) -> None:
    print("\nPage weight before the video upload (GET /c/<code> as the SMS opens it, and assets)")
    print(f"  {'resource':<28}{'body B':>9}{'gzip-6 B':>10}{'headers B':>11}{'received':>10}")
    for r in rows:
        print(
            f"  {r['path'][:28]:<28}{r['raw']:>9,}{r['gzip']:>10,}"
            f"{r['headers']:>11,}{r['wire']:>10,}"
        )
    raw = sum(r["raw"] + r["headers"] for r in rows)
    zipped = sum(r["gzip"] + r["headers"] for r in rows)
    encodings = sorted({r["encoding"] for r in rows})
    print(
        f"  total with headers: {raw:,} B as served ({raw / PAGE_TARGET_BYTES:.2f} of the 150 KB"
        f" = {PAGE_TARGET_BYTES:,} B target), {zipped:,} B gzipped"
        f" ({zipped / PAGE_TARGET_BYTES:.2f})"
    )
    print(
        f"  content-encoding sent: {', '.join(encodings)}: uvicorn does not compress, so the"
        " first figure is what a phone receives directly; the gzip figure is what a proxy"
        " with gzip on would send. Identify and challenge JSON calls are not counted."
    )


# --- Main ----------------------------------------------------------------------------------


async def setup_people(base_url: str, url: str, crowd: list[Person], photo: bytes) -> None:
    from reporting_api.clock import utcnow
    from reporting_api.thai_dates import bangkok_today

    today = bangkok_today(utcnow())
    async with httpx.AsyncClient(base_url=base_url, timeout=HTTP_TIMEOUT_S) as staff:
        await login(staff)
        for person in crowd:  # one at a time: enrolment is not what this bench measures
            await enrol(staff, person, photo, today)
    codes = await link_codes(url, [p.check_in_id for p in crowd])
    for person in crowd:
        person.code = codes[person.check_in_id]


async def load(
    base_url: str,
    server_pid: int,
    crowd: list[Person],
    warm: list[Person],
    folder: Path,
    args: argparse.Namespace,
) -> tuple[float, HealthPoller, HealthPoller, dict[str, float]]:
    """Phase 1 for everyone, then the warm-up group at once, then the timed crowd at once."""
    everyone = warm + crowd
    clients = {
        p.index: httpx.AsyncClient(base_url=base_url, timeout=HTTP_TIMEOUT_S) for p in everyone
    }
    try:
        started = time.perf_counter()
        await asyncio.gather(*(identify_and_challenge(p, clients[p.index]) for p in everyone))
        print(f"Phase 1 (not timed): identified and challenged {len(everyone)} people in"
              f" {time.perf_counter() - started:.1f} s")  # fmt: skip
        started = time.perf_counter()
        spent = render_all(everyone, folder, args.render_workers, args.seed)
        sizes = [len(p.clip) for p in everyone]
        print(
            f"  rendered {len(everyone)} genuine clips in {time.perf_counter() - started:.1f} s"
            f" ({args.render_workers} processes; per clip median {statistics.median(spent):.1f} s,"
            f" max {max(spent):.1f} s); clip size median {statistics.median(sizes) / 1024:.0f} KB"
        )
        if warm:
            # The server's verify pool starts its processes as jobs arrive; without this the
            # timed phase would also pay for starting workers and loading the face models.
            started = time.perf_counter()
            await asyncio.gather(*(check_in(p, clients[p.index], args.timeout) for p in warm))
            print(
                f"  warm-up (not counted): {len(warm)} check-ins at once, outcomes"
                f" {dict(Counter(p.outcome for p in warm))},"
                f" in {time.perf_counter() - started:.1f} s"
            )
        idle = await asyncio.to_thread(poll_health, base_url, 3.0)
        health = HealthPoller(base_url)
        health.start()
        cpu_before = cpu_seconds(server_pid)
        first = time.perf_counter()
        try:
            await asyncio.gather(*(check_in(p, clients[p.index], args.timeout) for p in crowd))
        finally:
            health.stop()
        ends = [p.started + p.seconds for p in crowd if p.seconds is not None]
        wall = (max(ends) if ends else time.perf_counter()) - first
        cpu = cpu_seconds(server_pid)
        return wall, health, idle, {k: cpu[k] - cpu_before[k] for k in cpu}
    finally:
        await asyncio.gather(*(c.aclose() for c in clients.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20, help="concurrent check-ins (20)")
    parser.add_argument("--workers", type=int, default=2, help="VERIFY_WORKERS of the server (2)")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_CHECKIN_URL", DEFAULT_PG_URL),
        help="the bench's own PostgreSQL database, dropped and created again ($BENCH_CHECKIN_URL)",
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds before a check-in counts as lost"
    )
    parser.add_argument("--render-workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--seed", type=int, default=2569, help="IDs, phones and clips (same seed, same data)"
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=None,
        help="extra people who check in at once before the timed phase, so every verify worker"
        " process is already running (default: --workers; 0 measures a cold pool)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the server running at the end")
    args = parser.parse_args()
    if args.people < 1 or args.workers < 1 or args.render_workers < 1:
        parser.error("--people, --workers and --render-workers must be 1 or more")
    if args.warm_up is None:
        args.warm_up = args.workers
    if args.warm_up < 0:
        parser.error("--warm-up must be 0 or more")

    from liveness.evaluate import id_photo_jpeg
    from liveness.samples import sample_photos

    load_average = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load_average};"
        f" {args.people} people (+{args.warm_up} warm-up), VERIFY_WORKERS={args.workers},"
        f" database {args.database}, seed {args.seed}"
    )
    folder = work_dir()
    url = asyncio.run(fresh_database(args.database, args.pg_url, folder))
    port = free_port()
    env = server_env(url, port, args.workers)
    prepare(env)
    photo = id_photo_jpeg(sample_photos()["obama"])
    everyone = people(args.warm_up + args.people, random.Random(args.seed))
    warm, crowd = everyone[: args.warm_up], everyone[args.warm_up :]
    server = Server(env, port, folder / "server.log")
    healthy = False
    try:
        server.wait_ready()
        started = time.perf_counter()
        asyncio.run(setup_people(server.base_url, url, everyone, photo))
        print(f"setup: enrolled {len(everyone)} people (defendant, case, plan due today) in"
              f" {time.perf_counter() - started:.1f} s on {server.base_url}")  # fmt: skip
        pages = page_weight(server.base_url, everyone[0].code)
        wall, health, idle, cpu = asyncio.run(
            load(server.base_url, server.process.pid, crowd, warm, folder, args)
        )
        report_load(crowd, wall, health, idle)
        print(
            f"  CPU seconds while loaded ({wall:.1f} s x {os.cpu_count()} cores ="
            f" {wall * (os.cpu_count() or 1):.0f} s): server process (event loop)"
            f" {cpu['server']:.1f}, verify workers {cpu['workers']:.1f}, this bench"
            f" {cpu['bench']:.1f}, whole machine busy {cpu['machine']:.1f}"
        )
        healthy = report_database(crowd, asyncio.run(attempts_by_check_in(url)))
        report_page(pages)
        healthy = healthy and all(p.seconds is not None for p in crowd)
    finally:
        if args.keep:
            pid = server.process.pid
            print(f"\nthe server keeps running: {server.base_url}; stop it with `kill {pid}`")
        else:
            server.stop()
        trouble = server.log_lines("ERROR", "WARNING", "Traceback", "Exception", "Warning")
        print(f"\nserver log: {server.log_path} ({len(trouble)} error or warning lines)")
        for line in trouble[:10]:
            print(f"  {line[:200]}")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
