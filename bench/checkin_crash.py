"""Check-in verdicts when the server holding them dies or is redeployed (issue 15).

Two `bail-checkin serve` processes on one PostgreSQL database: A with one verify worker, B a
second replica. People enrolled through the API upload genuine clips (rendered beforehand) to
A, all at once, so most wait in A's queue; as soon as A has answered every upload, A is
stopped:

- `kill`: A's whole process group (the server and its verify workers) gets SIGKILL, as in a
  crash or an out-of-memory kill;
- `term`: A gets SIGTERM, as in a rolling redeploy (A drains, then exits).

Each person then polls their attempt on B until it has a verdict. Prints, for each way of
stopping: uploads answered, verdicts, lost (no verdict within --timeout), duplicated (more
than one attempt row for one upload, or more than one verdict recorded for one attempt), and
the seconds from the stop to each verdict (the last one is the figure of the issue; targets:
60 s after SIGKILL and 20 s after SIGTERM, plus the queue's own verification time, which is
printed too: B verifies the queue one clip after another).

    .venv/bin/python bench/checkin_crash.py                  # both, 8 people each
    .venv/bin/python bench/checkin_crash.py --stop kill --people 4

Uses the PostgreSQL database `bench_crash` (dropped and created again for each way of
stopping; `--pg-url` names another). Exit status 1 when anything is lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `bench` importable as a script

from bench.checkin_common import (  # noqa: E402
    BIRTH,
    ROOT,
    Person,
    cli_command,
    enrol,
    free_port,
    fresh_database,
    link_codes,
    login,
    people,
    prepare,
    query,
    render_clip,
    server_env,
    work_dir,
)

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/bench_crash"
POLL_EVERY_S = 0.5
HTTP_TIMEOUT_S = 60.0


class Server:
    """`bail-checkin serve` in its own process group (so a kill reaches its workers too)."""

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
            start_new_session=True,
        )

    def wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited; see {self.log_path}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server did not start; see {self.log_path}")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=40)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()

    def log_lines(self, *words: str) -> list[str]:
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if any(w in line for w in words)]


async def setup(base_url: str, url: str, crowd: list[Person], photo: bytes) -> None:
    from reporting_api.clock import utcnow
    from reporting_api.thai_dates import bangkok_today

    today = bangkok_today(utcnow())
    async with httpx.AsyncClient(base_url=base_url, timeout=HTTP_TIMEOUT_S) as staff:
        await login(staff)
        for person in crowd:
            await enrol(staff, person, photo, today)
    codes = await link_codes(url, [p.check_in_id for p in crowd])
    for person in crowd:
        person.code = codes[person.check_in_id]


async def identify(person: Person, client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"/c/{person.code}/identify",
        json={"date_of_birth": BIRTH, "national_id_last4": person.national_id[-4:]},
    )
    response.raise_for_status()
    response = await client.post(f"/c/{person.code}/challenge")
    response.raise_for_status()
    person.challenge = response.json()


async def upload(person: Person, client: httpx.AsyncClient) -> None:
    person.started = time.perf_counter()
    response = await client.post(
        f"/c/{person.code}/attempts",
        data={"challenge_id": person.challenge["id"]},
        files={"clip": ("clip.mp4", person.clip, "video/mp4")},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    person.upload_status = response.status_code
    if response.status_code not in (200, 202):
        person.upload_error = f"HTTP {response.status_code} {response.text[:200]}"
        return
    person.attempt_id = response.json()["attempt_id"]


async def wait_verdict(
    person: Person, client: httpx.AsyncClient, stopped: float, timeout: float
) -> None:
    """Poll the attempt on the replica left until its verdict; seconds from the stop."""
    while time.perf_counter() - stopped < timeout:
        try:
            response = await client.get(f"/c/{person.code}/attempts/{person.attempt_id}")
        except httpx.HTTPError:
            await asyncio.sleep(POLL_EVERY_S)
            continue
        if response.status_code == 200 and response.json()["state"] == "done":
            person.seconds = time.perf_counter() - stopped
            person.outcome = response.json()["outcome"]
            return
        await asyncio.sleep(POLL_EVERY_S)


async def duplicates(url: str) -> tuple[int, int]:
    """(uploads with more than one attempt row, attempts with more than one verdict)."""
    rows = await query(
        url,
        "SELECT check_in, count(*) AS n FROM verification_attempt GROUP BY check_in",
        "SELECT check_in, count(*) AS n FROM verification_attempt GROUP BY check_in",
    )
    verdicts = await query(
        url,
        "SELECT detail->>'attempt' AS attempt, count(*) AS n FROM audit_log"
        " WHERE action = 'checkin.verdict' GROUP BY 1",
        "SELECT json_extract(detail, '$.attempt') AS attempt, count(*) AS n FROM audit_log"
        " WHERE action = 'checkin.verdict' GROUP BY 1",
    )
    return sum(1 for r in rows if r["n"] > 1), sum(1 for r in verdicts if r["n"] > 1)


async def verify_seconds(url: str) -> list[float]:
    """Each verdict's own verification time (the worker's, from the stored timings)."""
    rows = await query(
        url,
        "SELECT timings FROM verification_attempt WHERE state = 'done'",
        "SELECT timings FROM verification_attempt WHERE state = 'done'",
    )
    out = []
    for row in rows:
        timings = row["timings"]
        if isinstance(timings, str):
            timings = json.loads(timings)
        if timings and "total" in timings:
            out.append(timings["total"] / 1000)
    return out


def scenario(how: str, args: argparse.Namespace, photo: bytes) -> bool:
    folder = work_dir()
    url = asyncio.run(fresh_database("postgres", args.pg_url, folder))
    port_a, port_b = free_port(), free_port()
    env = server_env(url, port_a, 1)
    prepare(env)
    a = Server(env, port_a, folder / "server-a.log")
    b = Server({**env, "VERIFY_WORKERS": str(args.workers_b)}, port_b, folder / "server-b.log")
    crowd = people(args.people, random.Random(args.seed))
    try:
        a.wait_ready()
        b.wait_ready()
        asyncio.run(setup(a.base_url, url, crowd, photo))

        sessions: dict[int, str] = {}

        async def identify_all() -> None:
            async with httpx.AsyncClient(base_url=a.base_url, timeout=HTTP_TIMEOUT_S) as c:
                for person in crowd:
                    c.cookies.clear()
                    await identify(person, c)
                    sessions[person.index] = c.cookies.get("bc_link") or ""

        asyncio.run(identify_all())
        jobs = [
            (
                json.dumps({"id": p.challenge["id"], "steps": p.challenge["steps"]}),
                str(folder),
                args.seed + p.index,
            )
            for p in crowd
        ]
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for person, (clip, _) in zip(crowd, pool.map(render_clip, jobs), strict=True):
                person.clip = clip

        async def run() -> float:
            clients = {}
            for person in crowd:
                cookies = {"bc_link": sessions[person.index]}
                clients[person.index] = (
                    httpx.AsyncClient(base_url=a.base_url, timeout=HTTP_TIMEOUT_S, cookies=cookies),
                    httpx.AsyncClient(base_url=b.base_url, timeout=HTTP_TIMEOUT_S, cookies=cookies),
                )
            try:
                await asyncio.gather(*(upload(p, clients[p.index][0]) for p in crowd))
                answered = [p for p in crowd if p.attempt_id is not None]
                if how == "kill":
                    a.kill()
                else:
                    a.terminate()
                stopped = time.perf_counter()
                print(
                    f"  {len(answered)} of {len(crowd)} uploads answered by A in"
                    f" {stopped - min(p.started for p in crowd):.1f} s; A stopped ({how})",
                    flush=True,
                )
                await asyncio.gather(
                    *(wait_verdict(p, clients[p.index][1], stopped, args.timeout) for p in answered)
                )
                if how == "term":
                    a.process.wait(timeout=60)
                return stopped
            finally:
                for pair in clients.values():
                    for client in pair:
                        await client.aclose()

        asyncio.run(run())
        answered = [p for p in crowd if p.attempt_id is not None]
        done = [p for p in answered if p.seconds is not None]
        lost = len(answered) - len(done) + (len(crowd) - len(answered))
        rows, verdicts = asyncio.run(duplicates(url))
        times = sorted(p.seconds for p in done if p.seconds is not None)
        own = asyncio.run(verify_seconds(url))
        last = max(times) if times else float("nan")
        print(f"  verdicts {len(done)} ({dict(Counter(p.outcome for p in done))}), lost {lost},"
              f" duplicated: upload rows {rows}, verdicts {verdicts}")  # fmt: skip
        print(f"  seconds from the stop to each verdict: {', '.join(f'{t:.1f}' for t in times)}")
        if own:
            print(f"  verification time of one clip (the worker's): median"
                  f" {statistics.median(own):.1f} s, in all {sum(own):.1f} s")  # fmt: skip
        print(f"  last verdict {last:.1f} s after the stop")
        for server, name in ((a, "A"), (b, "B")):
            trouble = server.log_lines("ERROR", "Traceback")
            print(f"  server {name} log: {server.log_path} ({len(trouble)} error lines)")
        return lost == 0 and rows == 0 and verdicts == 0
    finally:
        for server in (a, b):
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--stop", choices=["kill", "term", "both"], default="both")
    parser.add_argument("--workers-b", type=int, default=1, help="VERIFY_WORKERS of B (1)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_CRASH_URL", DEFAULT_PG_URL))
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=2569)
    args = parser.parse_args()
    from liveness.evaluate import id_photo_jpeg
    from liveness.samples import sample_photos

    photo = id_photo_jpeg(sample_photos()["obama"])
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load}; {args.people} people,"
          f" A with 1 verify worker, B with {args.workers_b}")  # fmt: skip
    healthy = True
    for how in ("kill", "term") if args.stop == "both" else (args.stop,):
        print(f"\nA stopped with {'SIGKILL (its process group)' if how == 'kill' else 'SIGTERM'}:")
        healthy = scenario(how, args, photo) and healthy
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
