"""Issue 6: p95 of the officer's Today page and the managers' report page over HTTP, with
100,000 defendants and about a million check-ins on PostgreSQL.

    .venv/bin/python bench/admin_pages.py [--requests 100] [--exports 10] [--only today|report]

Uses the database `bench` (bench/seed_demo.py's); seeds it first, as that script does, unless
it already holds 100,000 defendants, migrates it and runs VACUUM (ANALYZE) either way. Starts
`bail-checkin serve` (`python -m reporting_api.cli serve`, one uvicorn worker,
DB_POOL_SIZE=10, a fresh DATA_KEYS, no scheduler) on a free port, logs in through the admin
login form (the hidden `_csrf` field and the `bc_login_csrf` cookie, then the `bc_session`
cookie) as the demo officer of the office with the most check-ins due today, the demo officer
of a typical office (the median one), and `manager`, and times, one request at a time with
keep-alive after a warm-up:

- GET /admin/ (Today) for the busiest and for the typical office, target p95 200 ms;
- GET /admin/reports (all offices, first page) and ?office_id=<busiest>, target p95 2 s;
- GET /admin/reports/export.xlsx and export.pdf (no target; printed for reference).

Prints p50 / p95 / max, the ratio of p95 to the target, response sizes and the load average.
Then, in this process, calls each page's route handler with the service function it calls
(reporting_api.services.today.today_page, reporting_api.services.reports.risk_report) timed on
its own, every SQL statement they send, named by the store function that sent it, and the
template rendering. For a page whose p95 misses its target (or with --explain, every page) it
replays the page's reads on one connection, each in the transaction it ran in, with the plan
for their values and with the generic plan that the server's pooled connections use once a
prepared statement has run five times, and prints EXPLAIN (ANALYZE, BUFFERS) of the slow ones.
The report may still be in the making: when /admin/reports does not answer 200 the bench waits
for it (restarting the server to pick up new code) for up to --report-wait minutes. Exit
status 0 unless something failed; timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: `bench` and the packages import

from bench.checkin_common import free_port  # noqa: E402
from bench.seed_demo import DEFAULT_PASSWORD, bench_url, cli, recreate_database  # noqa: E402

TODAY_TARGET_MS = 200.0
REPORT_TARGET_MS = 2000.0
DEFENDANTS = 100_000
SLOW_SHARE = 0.10
"""A statement taking at least this share of its page's service time gets its plan printed."""


# --- the database ---------------------------------------------------------------------------


async def defendant_count(server_url: str, url: str) -> int:
    """Defendants in `bench`, or -1 when the database (or its schema) is not there."""
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = 'bench'"):
            return -1
    finally:
        await conn.close()
    conn = await asyncpg.connect(url)
    try:
        if not await conn.fetchval("SELECT to_regclass('defendant') IS NOT NULL"):
            return -1
        return int(await conn.fetchval("SELECT count(*) FROM defendant"))
    finally:
        await conn.close()


async def vacuum(url: str) -> str:
    """VACUUM (ANALYZE) the database, as autovacuum would have done by now in production: the
    visibility map it sets is what lets index-only scans skip the table."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        autovacuum = await conn.fetchval("SHOW autovacuum")
        started = time.perf_counter()
        await conn.execute("VACUUM (ANALYZE)")
        return f"VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s (autovacuum is {autovacuum})"
    finally:
        await conn.close()


def ensure_seeded(server_url: str, url: str) -> None:
    count = asyncio.run(defendant_count(server_url, url))
    if count >= DEFENDANTS:
        print(f"bench database {url}: {count:,} defendants, not seeded again")
        cli("migrate", url=url)  # indexes added since the seed
    else:
        print(f"bench database {url}: {max(count, 0):,} defendants; seeding {DEFENDANTS:,}")
        asyncio.run(recreate_database(server_url))
        cli("migrate", url=url)
        started = time.perf_counter()
        cli("seed-demo", "--defendants", str(DEFENDANTS), "--quiet", url=url)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    print(asyncio.run(vacuum(url)))


@dataclass(frozen=True)
class Office:
    id: int
    code: str
    name_en: str
    due_today: int


async def offices_by_due_today(url: str) -> tuple[Any, list[Office], dict[str, int]]:
    """Bangkok's today and the provincial offices, most check-ins due today first; and the
    sizes of the main tables."""
    import asyncpg

    from reporting_api.clock import utcnow
    from reporting_api.thai_dates import bangkok_today

    today = bangkok_today(utcnow())
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT o.id, o.code, o.name_en, count(c.id) AS due FROM office o"
            " LEFT JOIN check_in c ON c.office = o.id AND c.due_date = $1"
            " WHERE EXISTS (SELECT 1 FROM staff_user u WHERE u.office = o.id"
            " AND u.role = 'officer' AND u.username LIKE 'officer.%')"
            " GROUP BY o.id, o.code, o.name_en ORDER BY due DESC, o.code",
            today,
        )  # fmt: skip
        sizes = {
            t: int(await conn.fetchval(f"SELECT count(*) FROM {t}"))
            for t in ("defendant", "bail_case", "check_in", "flag", "audit_log")
            if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", t)
        }
    finally:
        await conn.close()
    return today, [Office(r["id"], r["code"], r["name_en"], r["due"]) for r in rows], sizes


# --- the server -----------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    port: int = field(default_factory=free_port)
    log: Path = field(default_factory=lambda: Path(tempfile.mkstemp(prefix="bench-admin-")[1]))
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from reporting_api.sealing import generate_key

        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DATA_KEYS": generate_key(),
            "DB_POOL_SIZE": "10",
            "RUN_SCHEDULER": "0",  # nothing else may touch the data while it is timed
            "PUBLIC_BASE_URL": self.base,
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "reporting_api.cli", "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited:\n{self.tail()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"the server did not answer /healthz within 90 s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


def log_in(base: str, username: str, password: str) -> httpx.Client:
    """A client holding the `bc_session` cookie of ``username``, logged in through the form."""
    client = httpx.Client(base_url=base, timeout=120, follow_redirects=False)
    form = client.get("/admin/login")
    form.raise_for_status()
    found = re.search(r'name="_csrf" value="([^"]+)"', form.text)
    if not found or "bc_login_csrf" not in client.cookies:
        raise SystemExit("the login form has no _csrf field or bc_login_csrf cookie")
    done = client.post(
        "/admin/login",
        data={"username": username, "password": password, "_csrf": found.group(1)},
    )
    if done.status_code != 303 or "bc_session" not in client.cookies:
        raise SystemExit(f"login as {username} failed: HTTP {done.status_code}")
    return client


# --- timing over HTTP -----------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))]


@dataclass
class Timing:
    name: str
    path: str
    target_ms: float | None
    ms: list[float]
    sizes: list[int]
    rows: int
    load: tuple[float, float]  # 1-minute load average before and after

    @property
    def p50(self) -> float:
        return percentile(sorted(self.ms), 0.5)

    @property
    def p95(self) -> float:
        return percentile(sorted(self.ms), 0.95)

    @property
    def missed(self) -> bool:
        return self.target_ms is not None and self.p95 > self.target_ms


def timed(
    name: str,
    client: httpx.Client,
    path: str,
    requests: int,
    warm_up: int,
    target_ms: float | None,
) -> Timing:
    for _ in range(warm_up):
        check(client.get(path), path)
    load_before = os.getloadavg()[0]
    ms, sizes = [], []
    response = None
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        ms.append((time.perf_counter() - started) * 1000)
        check(response, path)
        sizes.append(len(response.content))
    assert response is not None
    rows = (
        response.text.count("<tr")
        if response.headers["content-type"].startswith("text/html")
        else 0
    )
    result = Timing(name, path, target_ms, ms, sizes, rows, (load_before, os.getloadavg()[0]))
    print(f"  {name}: p95 {result.p95:.0f} ms", flush=True)
    return result


def check(response: httpx.Response, path: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: HTTP {response.status_code}\n{response.text[:1500]}")


def report_ready(base: str, manager: httpx.Client) -> bool:
    try:
        response = manager.get("/admin/reports")
    except httpx.TransportError:
        return False
    return response.status_code == 200 and "export.xlsx" in response.text


# --- the service functions, in this process -------------------------------------------------


@dataclass
class Statement:
    call: int
    source: str
    sql: str
    args: list[Any]
    transaction: int | None
    ms: float
    rows: int


def _source() -> str:
    """The store function (outermost first) that sent the statement being run."""
    names = []
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("reporting_api.store"):
            names.append(f"{module.rsplit('.', 1)[-1]}.{frame.f_code.co_name}")
        frame = frame.f_back
    return " > ".join(reversed(names)) or "?"


def recording_engine(url: str, statements: list[Statement], call: list[int]) -> Any:
    from piccolo.engine.postgres import PostgresEngine

    class Recording(PostgresEngine):
        async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
            sql, args = querystring.compile_string(engine_type=self.engine_type)
            source = _source()
            current = self.current_transaction.get()
            started = time.perf_counter()
            response = await super().run_querystring(querystring, in_pool)
            ms = (time.perf_counter() - started) * 1000
            statements.append(
                Statement(call[0], source, sql, list(args), id(current) if current else None,
                          ms, len(response or []))
            )  # fmt: skip
            return response

    return Recording(config={"dsn": url}, log_queries=False)


@dataclass
class Breakdown:
    name: str
    calls: int
    service_ms: list[float] = field(default_factory=list)
    handler_ms: list[float] = field(default_factory=list)
    render_ms: list[float] = field(default_factory=list)
    body_bytes: int = 0
    statements: list[Statement] = field(default_factory=list)  # of every timed call

    def per_call(self) -> int:
        return len(self.statements) // max(1, self.calls)


async def principal_of(username: str) -> Any:
    from reporting_api.access import Principal
    from reporting_api.tables import StaffUser

    row = await StaffUser.select().where(StaffUser.username == username).first()
    if row is None:
        raise SystemExit(f"no staff user {username}")
    return Principal(row["id"], row["username"], row["display_name"], row["role"], row["office"])


def request_for(path: str, query: str, principal: Any) -> Any:
    """A GET request as the auth middleware hands it to a page: the user in its scope."""
    from litestar import Request

    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": [(b"host", b"127.0.0.1")],
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "user": principal,
            "state": {},
            "path_params": {},
        }  # type: ignore[arg-type]
    )


def _load(name: str) -> Any:
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def template_environment() -> Any:
    """The Jinja environment Litestar's JinjaTemplateEngine builds for the app's folders."""
    from jinja2 import Environment, FileSystemLoader

    from admin_ui import admin_parts
    from reporting_api.app import TEMPLATE_DIR

    folders = [str(TEMPLATE_DIR), *(str(d) for d in admin_parts().template_dirs)]
    return Environment(loader=FileSystemLoader(folders), autoescape=True)


async def page_breakdowns(url: str, pages: list[Spec], repeats: int) -> dict[str, Breakdown]:
    """Each page's route handler called ``repeats`` times (after one untimed call) with the
    service function it calls timed on its own, every SQL statement sent, and the template
    rendered as Litestar renders it."""
    from reporting_api.clock import utcnow
    from reporting_api.db import bind_tables
    from reporting_api.services.context import Ctx
    from reporting_api.settings import Settings

    statements: list[Statement] = []
    call = [0]
    engine = recording_engine(url, statements, call)
    bind_tables(engine)
    await engine.start_connection_pool(min_size=1, max_size=10)
    settings = Settings.from_env({"DATABASE_URL": url, "DB_POOL_SIZE": "10"})
    templates = template_environment()
    out = {}
    try:
        for page in pages:
            principal = await principal_of(page.username)
            b = out[page.name] = Breakdown(page.name, repeats)
            # Imported now, not at start-up: the pages may have changed while HTTP was timed.
            controller = _load(page.controller)
            module, function_name = importlib.import_module(page.service[0]), page.service[1]
            original = getattr(module, function_name)
            service_ms: list[float] = []

            async def service(
                *args: Any, _f: Any = original, _ms: list[float] = service_ms, **kwargs: Any
            ) -> Any:
                started = time.perf_counter()
                try:
                    return await _f(*args, **kwargs)
                finally:
                    _ms.append((time.perf_counter() - started) * 1000)

            handler = getattr(controller, page.handler).fn
            setattr(module, function_name, service)  # in this process only
            try:
                for n in range(repeats + 1):
                    ctx = Ctx(principal, "127.0.0.1", utcnow(), settings)
                    request = request_for(page.path, page.query, principal)
                    statements.clear()
                    service_ms.clear()
                    call[0] = n
                    started = time.perf_counter()
                    result = await handler(controller.__new__(controller), request, ctx)
                    handled = time.perf_counter()
                    if hasattr(result, "template_name"):
                        body = templates.get_template(result.template_name).render(**result.context)
                        size = len(body.encode())
                    else:
                        size = len(result.content)
                    rendered = time.perf_counter()
                    if n:  # the first call warms the pool and the caches
                        b.handler_ms.append((handled - started) * 1000)
                        b.render_ms.append((rendered - handled) * 1000)
                        b.service_ms.append(sum(service_ms))
                        b.body_bytes = size
                        b.statements.extend(statements)
            finally:
                setattr(module, function_name, original)
    finally:
        await engine.close_connection_pool()
    return out


def print_breakdown(b: Breakdown) -> None:
    def med(values: list[float]) -> float:
        return statistics.median(values) if values else 0.0

    handler, service, render = med(b.handler_ms), med(b.service_ms), med(b.render_ms)
    print(
        f"\n--- {b.name}: median of {b.calls} calls: {handler + render:.0f} ms ="
        f" service function {service:.0f} + rest of the route handler {handler - service:.0f}"
        f" + template {render:.0f}; {b.body_bytes / 1024:.0f} KB;"
        f" {b.per_call()} SQL statements a call"
    )
    by_key: dict[tuple[str, str], list[Statement]] = {}
    for s in b.statements:
        by_key.setdefault((s.source, _shape(s.sql)), []).append(s)
    rows = sorted(by_key.items(), key=lambda kv: -statistics.median(x.ms for x in kv[1]))
    print(
        f"    {'median ms':>9} {'max ms':>8} {'rows':>6} {'a call':>6}  statement (store function)"
    )
    for (source, shape), items in rows:
        ms = [x.ms for x in items]
        print(
            f"    {statistics.median(ms):>9.1f} {max(ms):>8.1f} {items[-1].rows:>6}"
            f" {len(items) // b.calls:>6}  {source}: {shape}"
        )


def _shape(sql: str) -> str:
    text = " ".join(sql.split())
    if text.startswith("WITH") or text.startswith("CREATE TEMP"):
        return text[:60] + " ..."
    return text[:110] + (" ..." if len(text) > 110 else "")


def _literal(value: Any) -> str:
    """A parameter as an SQL literal, for EXECUTE of a prepared statement."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class Replay:
    statement: Statement
    custom_ms: float | None = None  # None: not a parameterised read
    generic_ms: float | None = None
    custom_plan: str = ""
    generic_plan: str = ""
    forced_custom: bool = False  # its transaction set plan_cache_mode = force_custom_plan


async def replay(url: str, b: Breakdown, threshold_ms: float) -> list[Replay]:
    """One call's statements replayed on one connection, each in the transaction it ran in
    (SET LOCAL and temporary tables included) and rolled back. Every parameterised read is run
    as a prepared statement twice: with the plan made for its values (what the first five
    executions of a prepared statement get) and with the generic plan PostgreSQL may switch to
    from the sixth on, as it does for asyncpg's cached statements on the server's pooled
    connections. EXPLAIN (ANALYZE, BUFFERS) for a statement slower than ``threshold_ms`` with
    its own plan, or with the generic plan when that is slower still."""
    import asyncpg

    last = max(s.call for s in b.statements)
    calls = [s for s in b.statements if s.call == last]
    groups: dict[Any, list[Statement]] = {}
    for n, s in enumerate(calls):
        groups.setdefault(s.transaction if s.transaction is not None else f"alone{n}", []).append(s)
    out = []
    conn = await asyncpg.connect(url)
    try:
        for group in groups.values():
            tx = conn.transaction()
            await tx.start()
            forced = False
            try:
                for s in group:
                    sql = s.sql.strip()
                    verb = sql.split(None, 1)[0].upper()
                    if verb == "SET":
                        await conn.execute(sql)
                        forced |= bool(re.search(r"plan_cache_mode\s*=\s*force_custom", sql))
                    elif verb == "CREATE":
                        await conn.execute(sql, *s.args)
                    elif verb in ("SELECT", "WITH"):
                        r = await _replay_read(conn, s, len(out), threshold_ms, forced)
                        out.append(r)
            finally:
                await tx.rollback()
        await conn.execute("DEALLOCATE ALL")
    finally:
        await conn.close()
    return out


async def _replay_read(
    conn: Any, s: Statement, n: int, threshold_ms: float, forced_custom: bool
) -> Replay:
    r = Replay(s, forced_custom=forced_custom)
    if not s.args:
        if s.ms >= threshold_ms:
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + s.sql)
            r.custom_plan = "\n".join(row[0] for row in rows)
        return r
    await conn.execute(f"PREPARE bench_{n} AS {s.sql}")
    execute = f"EXECUTE bench_{n}({', '.join(_literal(a) for a in s.args)})"
    for mode in ("custom", "generic"):
        await conn.execute(f"SET LOCAL plan_cache_mode = force_{mode}_plan")
        started = time.perf_counter()
        await conn.fetch(execute)
        ms = (time.perf_counter() - started) * 1000
        own = mode == "custom"
        if own:
            r.custom_ms = ms
        else:
            r.generic_ms = ms
        if (own and s.ms >= threshold_ms) or (
            not own and not forced_custom and ms >= threshold_ms and ms > 1.5 * (r.custom_ms or 0)
        ):
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + execute)
            plan = "\n".join(row[0] for row in rows)
            r.custom_plan, r.generic_plan = (plan, r.generic_plan) if own else (r.custom_plan, plan)
    mode = "force_custom_plan" if forced_custom else "DEFAULT"
    await conn.execute(f"SET LOCAL plan_cache_mode = {mode}")  # as the transaction had it
    return r


def print_replays(name: str, replays: list[Replay], threshold_ms: float) -> None:
    print(f"\n=== {name}: its reads replayed on one connection, with the plan for their values")
    print('    and with the generic plan (ms; "-": no parameters, time when the page was timed)')
    print(f"    {'own plan':>9} {'generic':>9}  statement (store function)")
    for r in replays:
        s = r.statement
        own = s.ms if r.custom_ms is None else r.custom_ms
        generic = "-" if r.generic_ms is None else f"{r.generic_ms:.1f}"
        slower = "   <- the generic plan is slower" if r.generic_plan else ""
        if r.forced_custom and r.generic_ms is not None:
            slower = "   (the page forces its own plan)"
        print(f"    {own:>9.1f} {generic:>9}  {s.source}: {_shape(s.sql)[:80]}{slower}")
    for r in replays:
        for label, plan in (("its own plan", r.custom_plan), ("the generic plan", r.generic_plan)):
            if not plan:
                continue
            s = r.statement
            print(f"\n--- EXPLAIN (ANALYZE, BUFFERS), {label}: {s.source}"
                  f" ({s.ms:.0f} ms when timed; over {threshold_ms:.0f} ms)")  # fmt: skip
            print(" ".join(s.sql.split()))
            print(f"args: {s.args}")
            print(plan)


# --- main -----------------------------------------------------------------------------------


def print_timings(results: list[Timing]) -> None:
    print(
        f"\n{'page':<46}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'target':>8}"
        f"{'p95/target':>11}{'KB':>8}{'<tr>':>6}{'load':>11}"
    )
    for r in results:
        target = f"{r.target_ms:.0f}" if r.target_ms else "-"
        ratio = f"{r.p95 / r.target_ms:.2f}" if r.target_ms else "-"
        print(
            f"{r.name:<46}{len(r.ms):>5}{r.p50:>9.0f}{r.p95:>9.0f}{max(r.ms):>9.0f}{target:>8}"
            f"{ratio:>11}{statistics.mean(r.sizes) / 1024:>8.1f}{r.rows:>6}"
            f"{r.load[0]:>5.1f}-{r.load[1]:<5.1f}"
        )
    print("(KB: mean response body; <tr>: table rows in the last response; load: 1-minute load")
    print(f" average before and after, on {os.cpu_count()} cores)")


@dataclass(frozen=True)
class Spec:
    """A page to time: over HTTP as ``username``, and in this process."""

    name: str
    username: str
    path: str
    query: str
    target_ms: float | None
    requests: int
    warm_up: int
    controller: str  # "module:Class"
    handler: str
    service: tuple[str, str]  # the service module and function the handler calls

    @property
    def url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


def specs(args: argparse.Namespace, busiest: Office, typical: Office) -> list[Spec]:
    from reporting_api.demo import MANAGER, officer_username

    today_page, reports_page = (
        "admin_ui.pages.today:TodayPage",
        "admin_ui.pages.reports:ReportsPage",
    )

    n, warm = args.requests, args.warm_up
    today = ("reporting_api.services.today", "today_page")
    report = ("reporting_api.services.reports", "risk_report")
    today_pages = [
        Spec(f"Today, busiest office ({busiest.code})", officer_username(busiest.code), "/admin/",
             "", TODAY_TARGET_MS, n, warm, today_page, "today", today),
        Spec(f"Today, typical office ({typical.code})", officer_username(typical.code), "/admin/",
             "", TODAY_TARGET_MS, n, warm, today_page, "today", today),
    ]  # fmt: skip
    report_pages = [
        Spec("Report, all offices, page 1", MANAGER, "/admin/reports", "", REPORT_TARGET_MS,
             n, warm, reports_page, "report", report),
        Spec(f"Report, office {busiest.code}", MANAGER, "/admin/reports",
             f"office_id={busiest.id}", REPORT_TARGET_MS, n, warm, reports_page, "report", report),
        Spec("Export xlsx, all offices", MANAGER, "/admin/reports/export.xlsx", "", None,
             args.exports, 1, reports_page, "export_xlsx", report),
        Spec("Export pdf, all offices", MANAGER, "/admin/reports/export.pdf", "", None,
             args.exports, 1, reports_page, "export_pdf", report),
    ]  # fmt: skip
    pages = {"today": today_pages, "report": report_pages}.get(args.only)
    return pages if pages is not None else today_pages + report_pages


def measure_http(
    server: Server, pages: list[Spec], password: str, report_wait_minutes: float
) -> list[Timing]:
    results: list[Timing] = []
    clients: dict[str, httpx.Client] = {}
    try:
        for spec in pages:
            if spec.username not in clients:
                clients[spec.username] = log_in(server.base, spec.username, password)
            client = clients[spec.username]
            if spec.path.startswith("/admin/reports"):
                deadline = time.monotonic() + report_wait_minutes * 60
                while not report_ready(server.base, client):
                    if time.monotonic() > deadline:
                        raise SystemExit(f"/admin/reports did not answer 200:\n{server.tail()}")
                    print("  /admin/reports not ready; restarting the server in 60 s", flush=True)
                    for c in clients.values():
                        c.close()
                    clients.clear()
                    server.stop()
                    time.sleep(60)
                    server.start()
                    client = clients[spec.username] = log_in(server.base, spec.username, password)
            results.append(
                timed(spec.name, client, spec.url, spec.requests, spec.warm_up, spec.target_ms)
            )
    finally:
        for c in clients.values():
            c.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warm-up", type=int, default=10)
    parser.add_argument("--exports", type=int, default=10, help="requests of each export")
    parser.add_argument("--repeats", type=int, default=5, help="in-process calls of each page")
    parser.add_argument(
        "--server",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="any database on the server that holds (or will hold) `bench`",
    )
    parser.add_argument("--report-wait", type=float, default=25, help="minutes to wait for it")
    parser.add_argument("--explain", action="store_true", help="plans of every page")
    parser.add_argument("--only", choices=("today", "report"), help="time one page's requests")
    parser.add_argument("--skip-http", action="store_true", help="in-process breakdown only")
    args = parser.parse_args()
    url = bench_url(args.server)
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
    # Stopped with SIGTERM, still stop the server (SystemExit runs the `finally`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from reporting_api.demo import officer_username

    ensure_seeded(args.server, url)
    today, offices, sizes = asyncio.run(offices_by_due_today(url))
    busiest, typical = offices[0], offices[len(offices) // 2]
    print(f"\ndatabase {url}: " + ", ".join(f"{t} {n:,}" for t, n in sizes.items()))
    print(f"today (Bangkok) {today}; check-ins due today in {len(offices)} provincial offices:")
    for label, o in (("busiest", busiest), ("typical (median)", typical)):
        print(f"  {label:<17} {o.code} {o.name_en} (id {o.id}): {o.due_today} due today,"
              f" officer {officer_username(o.code)}")  # fmt: skip
    pages = specs(args, busiest, typical)

    results: list[Timing] = []
    if not args.skip_http:
        server = Server(url)
        server.start()
        try:
            print(f"\nserver {server.base} (1 uvicorn worker, DB_POOL_SIZE=10); log {server.log}")
            print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            results = measure_http(server, pages, password, args.report_wait)
        finally:
            server.stop()
        print(f"\n=== over HTTP: one request at a time, keep-alive, after {args.warm_up} warm-up"
              " requests (exports: 1)")  # fmt: skip
        print_timings(results)

    print(
        f"\n=== in this process: each page's route handler called {args.repeats} times after one"
        " untimed call, its template rendered with the app's Jinja settings; over HTTP add"
        " routing, session lookup, middleware and sending the body"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    breakdowns = asyncio.run(page_breakdowns(url, pages, args.repeats))
    for b in breakdowns.values():
        print_breakdown(b)

    missed = {r.name for r in results if r.missed}
    for spec in pages:
        b = breakdowns[spec.name]
        if spec.target_ms is None or not (args.explain or spec.name in missed):
            continue
        threshold = SLOW_SHARE * statistics.median(b.service_ms)
        print_replays(spec.name, asyncio.run(replay(url, b, threshold)), threshold)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if results:
        print("missed the target: " + (", ".join(sorted(missed)) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
