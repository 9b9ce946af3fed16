"""`bail-checkin`: migrate, serve, scheduler, seed-demo, create-user, purge-evidence, new-data-key,
import-caseload, fit-risk.

The command line is where the packages meet: `scheduler` and `serve` with RUN_SCHEDULER=1
import the scheduler package, which builds on reporting_api (never the other way round).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from typing import Any

from reporting_api.settings import Settings, SettingsError

PICCOLO_CONF = "reporting_api.piccolo_conf"


class CliError(Exception):
    """A problem the person running the command can fix; printed without a traceback."""


def _open_database(settings: Settings) -> None:
    """Point every table at ``DATABASE_URL`` (one connection a query: the CLI is short-lived)."""
    from reporting_api.db import bind_tables, engine_from_url

    bind_tables(engine_from_url(settings.database_url))


async def _require_migrated() -> None:
    """Refuse to work on a database whose tables are not there yet, saying what to run."""
    from reporting_api.store import missing_tables

    missing = await missing_tables()
    if missing:
        raise CliError(
            f"the database has no {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''} "
            "table yet: run `bail-checkin migrate` first"
        )


def _require_secrets(settings: Settings) -> None:
    """Refuse to serve or schedule without real secrets, naming each (startup_checks.py)."""
    from reporting_api.startup_checks import startup_problems

    problems = startup_problems(settings)
    if problems:
        lines = "".join(f"\n  - {problem}" for problem in problems)
        if not settings.demo:
            lines += "\n(a demonstration on made-up data: DEMO=1, as `make run` sets)"
        raise CliError(f"cannot start:{lines}")


def _require_reminder_hours(settings: Settings) -> None:
    """Refuse to serve or schedule when an office's reminder hour lies in the quiet hours
    (a change of SMS_QUIET_HOURS would otherwise drop its reminders without a word)."""
    from reporting_api.services.reminders import send_hour_problems
    from reporting_api.store import missing_tables

    _open_database(settings)

    async def check() -> list[str]:
        if "office_reminder_settings" in await missing_tables():
            return []  # not migrated yet: serve says so itself
        return await send_hour_problems(settings)

    problems = asyncio.run(check())
    if problems:
        lines = "".join(f"\n  - {problem}" for problem in problems)
        raise CliError(f"cannot start: reminders would fall in the quiet hours:{lines}")


def _migrate(settings: Settings) -> None:
    # Piccolo finds its engine through PICCOLO_CONF, which reads DATABASE_URL.
    os.environ["PICCOLO_CONF"] = PICCOLO_CONF
    os.environ["DATABASE_URL"] = settings.database_url
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from reporting_api.db import bind_tables, engine_from_url
    from reporting_api.store.offices import ensure_offices

    async def run() -> int:
        result = await run_forwards(app_name="reporting_api")
        if not result.success:
            raise CliError(f"migrations failed: {result.message}")
        bind_tables(engine_from_url(settings.database_url))
        return await ensure_offices()

    added = asyncio.run(run())
    print(f"database is up to date; {added} offices added")


def build_app() -> Any:
    """What `bail-checkin serve` runs: the API, the admin pages, and with RUN_SCHEDULER=1 the
    scheduler in the same process. The packages meet here, not inside reporting_api."""
    from admin_ui import admin_parts
    from reporting_api.app import create_app

    settings = Settings.from_env()
    on_startup: list[Any] = []
    on_shutdown: list[Any] = []
    if settings.scheduler.run_in_api:
        from scheduler.runner import scheduler_hooks

        start, stop = scheduler_hooks(settings)
        on_startup.append(start)
        on_shutdown.append(stop)
    admin = admin_parts()
    line_api = None
    if settings.line.configured:
        from scheduler.line_sender import LineSender

        line_api = LineSender(settings.line)
    return create_app(
        settings,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        extra_routes=admin.routes,
        template_dirs=admin.template_dirs,
        line_api=line_api,
    )


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    from reporting_api.logs import logging_config

    if settings.scheduler.run_in_api:
        print("the scheduler runs in this process (RUN_SCHEDULER=1)")
    print(f"serving on http://{host}:{port} (officers: /admin, API docs: /schema/swagger)")
    uvicorn.run(
        "reporting_api.cli:build_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        # One structured, redacted log for the server, its access lines and the app.
        log_config=logging_config(settings),
        log_level=settings.log_level,
        # On SIGTERM: requests in flight get this long, then the app's own shutdown hands
        # back its verifications (services/attempts.py shut_down).
        timeout_graceful_shutdown=settings.checkin.shutdown_grace_seconds,
    )


def _scheduler(settings: Settings, args: argparse.Namespace) -> None:
    from reporting_api.logs import configure
    from scheduler.runner import run

    configure(settings)  # structured and redacted, as the API's (reporting_api/logs.py)
    asyncio.run(run(settings, once=args.once, drain=args.drain, lanes=args.lanes))


def _create_user(settings: Settings, args: argparse.Namespace) -> None:
    import msgspec

    from reporting_api.clock import utcnow
    from reporting_api.commands import StaffCreate
    from reporting_api.errors import ServiceError
    from reporting_api.passwords import MIN_PASSWORD_LENGTH
    from reporting_api.services import offices, staff

    password = args.password or os.environ.get("NEW_USER_PASSWORD")
    if not password:
        password = getpass.getpass(f"password for {args.username}: ")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CliError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")

    async def run() -> None:
        _open_database(settings)
        await _require_migrated()
        office = await offices.office_by_code(args.office)
        if office is None:
            raise CliError(f"unknown office code {args.office!r} (e.g. central, TH-10, TH-50)")
        try:
            data = msgspec.convert(
                {
                    "username": args.username,
                    "display_name": args.display_name or args.username,
                    "role": args.role,
                    "office_id": office["id"],
                    "password": password,
                    "phone": args.phone,
                },
                StaffCreate,
            )
        except msgspec.ValidationError as error:
            raise CliError(f"the account is not valid: {error}") from None
        try:
            await staff.create_staff_from_shell(data, utcnow())
        except ServiceError as error:
            field = "--phone" if error.field == "phone" else error.field
            raise CliError(f"{field}: {error.reason}") from None

    asyncio.run(run())
    print(f"created {args.role} {args.username} at office {args.office}")


def _seed_demo(settings: Settings, args: argparse.Namespace) -> None:
    from reporting_api.demo import run_seed_demo

    if asyncio.run(_has_defendants(settings)) and args.if_empty:
        print("the database already holds defendants; no demo data added")
        return
    run_seed_demo(settings, defendants=args.defendants, seed=args.seed, quiet=args.quiet)


def _purge_evidence(settings: Settings, days: int | None) -> None:
    from reporting_api.clock import utcnow
    from reporting_api.services.retention import PurgeReport, purge

    if days is not None and days < 0:
        raise CliError("--days must be 0 or more")

    async def run() -> PurgeReport:
        _open_database(settings)
        await _require_migrated()
        return await purge(utcnow(), settings, days)

    report = asyncio.run(run())
    kept = settings.checkin.evidence_retention_days if days is None else days
    retention = settings.retention
    print(
        f"purged, evidence older than {kept} days, messages older than "
        f"{retention.message_days}, search terms older than {retention.search_days}, "
        f"cases closed more than {retention.closed_case_days} days ago (docs/privacy.md):"
    )
    for line in report.lines():
        print(f"  {line}")


def _import_caseload(settings: Settings, args: argparse.Namespace) -> None:
    """The bulk import from a shell (the page's path, the same services): the dry run, its
    problems, then the write with a progress line, unless --dry-run."""
    from reporting_api.clock import utcnow
    from reporting_api.errors import ServiceError
    from reporting_api.runtime import Runtime
    from reporting_api.services import caseload_import as imports

    async def run() -> int:
        from reporting_api.db import bind_tables, close_pool, engine_from_url, open_pool

        # A pool: a long import makes thousands of queries, each a new connection without one.
        engine = engine_from_url(settings.database_url)
        bind_tables(engine)
        await open_pool(engine, 2)
        try:
            return await work()
        finally:
            await close_pool(engine, 2)

    async def work() -> int:
        await _require_migrated()
        principal = await imports.officer_principal(args.user)
        if principal is None:
            raise CliError(f"--user: {args.user!r} is not an active officer")
        runtime = Runtime.from_settings(settings)
        try:
            ctx = imports.shell_ctx(principal, settings, runtime, utcnow())
            photos = open(args.photos, "rb") if args.photos else None  # noqa: SIM115
            try:
                with open(args.file, "rb") as sheet:
                    upload = imports.ImportUpload(
                        os.path.basename(args.file),
                        sheet,
                        os.path.basename(args.photos) if args.photos else None,
                        photos,
                    )
                    view = await imports.check(ctx, upload)
            finally:
                if photos is not None:
                    photos.close()
            job = view.job
            print(
                f"import {job['id']}: {job['rows_total']} rows, {job['rows_valid']} valid, "
                f"{view.problem_total} with problems, {view.already_there} already in the "
                f"service; photos {job['photos_total']}, {job['photos_refused']} refused",
                file=sys.stderr,
            )
            for line in view.problem_lines[: args.show]:
                for problem in line.problems:
                    print(
                        f"  line {line.line}: {problem.column}: {problem.reason}", file=sys.stderr
                    )
            if args.dry_run:
                return job["id"]
            ctx = imports.shell_ctx(principal, settings, runtime, utcnow())
            await imports.start(ctx, job["id"])

            def progress(row: imports.ImportJobRow) -> None:
                if not args.quiet:
                    print(
                        f"\r  written {row['processed']:,}/{row['rows_valid']:,}",
                        end="",
                        file=sys.stderr,
                        flush=True,
                    )

            done = await imports.run(ctx, job["id"], progress)
            if not args.quiet:
                print(file=sys.stderr)
            print(
                f"import {done['id']}: created {done['created_count']}, already there "
                f"{done['existing_count']}, failed {done['failed_count']}, skipped "
                f"{done['rows_total'] - done['rows_valid']}",
                file=sys.stderr,
            )
            return done["id"]
        except ServiceError as error:
            raise CliError(f"{error.field}: {error.reason}") from None
        finally:
            await runtime.close()

    print(asyncio.run(run()))


def _fit_risk(settings: Settings, args: argparse.Namespace) -> None:
    """The fitted risk model's report (docs/reports.md); with --adopt, its points become the
    next version, with --rollback the active version is rolled back (both as --by, audited)."""
    from reporting_api import risk_model, risk_model_text
    from reporting_api.clock import utcnow
    from reporting_api.errors import ServiceError
    from reporting_api.services import risk_model as fitting
    from reporting_api.services import risk_weights
    from reporting_api.services.context import Ctx

    if (args.adopt or args.rollback) and not args.by:
        raise CliError("--by: name the manager who adopts or rolls back (a staff username)")
    if args.by and not (args.adopt or args.rollback):
        raise CliError("--by goes with --adopt or --rollback")

    async def ctx() -> Ctx:
        principal = await risk_weights.manager_principal(args.by)
        if principal is None:
            raise CliError(f"--by: {args.by!r} is not an active manager")
        return Ctx(principal, None, utcnow(), settings)

    async def run() -> None:
        _open_database(settings)
        await _require_migrated()
        try:
            if args.rollback:
                current = await risk_weights.roll_back(await ctx(), args.note)
                print(f"rolled back; version {current.version} is in use")
                return
            report = await fitting.fit_from_shell(utcnow())
            if isinstance(report, risk_model.Refusal):
                raise CliError(f"cannot fit: {report.reason} / {report.reason_th}")
            print("\n".join(risk_model_text.lines(report)))
            if args.adopt:
                version = await risk_weights.adopt(
                    await ctx(), args.note, risk_model.fingerprint(report.weights)
                )
                print(f"adopted as version {version.version}")
        except ServiceError as error:
            raise CliError(f"{error.field}: {error.reason} / {error.reason_th}") from None

    asyncio.run(run())


async def _has_defendants(settings: Settings) -> bool:
    from reporting_api.services.defendants import any_enrolled

    _open_database(settings)
    await _require_migrated()
    return await any_enrolled()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bail-checkin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations and load the offices")

    serve = commands.add_parser("serve", help="serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
    serve.add_argument("--workers", type=int, default=1)

    sched = commands.add_parser(
        "scheduler", help="send due reminders, sweep missed check-ins (runs until stopped)"
    )
    sched.add_argument("--once", action="store_true", help="run every job once, then exit")
    sched.add_argument("--drain", action="store_true", help="send what is due, then exit")
    sched.add_argument(
        "--lanes", type=int, default=1, help="batches in flight at once (PostgreSQL: 2-4)"
    )

    seed = commands.add_parser("seed-demo", help="load synthetic demo data (idempotent)")
    seed.add_argument("--defendants", type=int, default=200)
    seed.add_argument("--seed", type=int, default=2569, help="random seed (same seed, same data)")
    seed.add_argument("--quiet", action="store_true", help="no progress bar")
    seed.add_argument(
        "--if-empty", action="store_true", help="do nothing if the database has any defendant"
    )

    user = commands.add_parser("create-user", help="create a staff login")
    user.add_argument("--username", required=True)
    user.add_argument("--display-name")
    user.add_argument("--role", choices=["officer", "manager", "admin"], required=True)
    user.add_argument("--office", default="central", help="office code: central, TH-10, ...")
    user.add_argument("--password", help="default: $NEW_USER_PASSWORD or a prompt")
    user.add_argument("--phone", help="Thai mobile number for SMS alerts (optional)")

    purge = commands.add_parser(
        "purge-evidence", help="delete personal data past retention (also run nightly)"
    )
    purge.add_argument("--days", type=int, help="default: $EVIDENCE_RETENTION_DAYS (28)")

    load = commands.add_parser(
        "import-caseload", help="import an office's caseload from CSV or XLSX (docs/import.md)"
    )
    load.add_argument("file", help="a .csv (UTF-8) or .xlsx file with the template's columns")
    load.add_argument("--user", required=True, help="the officer importing (their office)")
    load.add_argument("--photos", help="a ZIP of ID photos named by national ID")
    load.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    load.add_argument("--show", type=int, default=20, help="problem lines to print")
    load.add_argument("--quiet", action="store_true", help="no progress line")

    fit = commands.add_parser(
        "fit-risk", help="fit the risk model on closed cases and compare it with the points"
    )
    change = fit.add_mutually_exclusive_group()
    change.add_argument("--adopt", action="store_true", help="adopt the fitted points")
    change.add_argument("--rollback", action="store_true", help="roll back the active points")
    fit.add_argument("--by", help="the manager adopting or rolling back (staff username)")
    fit.add_argument("--note", help="why (required with --adopt and --rollback)")

    key = commands.add_parser("new-data-key", help="print a new DATA_KEYS entry (id:base64)")
    key.add_argument("--id", default="k1", help="key id, e.g. k2 when rotating")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"bail-checkin {args.command}: cannot start: {error}", file=sys.stderr)
        return 2
    # What the service creates (the SQLite database, the data key, the SMS outbox log) is
    # readable by its own user only.
    os.umask(0o077)
    try:
        if args.command == "migrate":
            _migrate(settings)
        elif args.command == "serve":
            _require_secrets(settings)
            _require_reminder_hours(settings)
            _serve(settings, args.host, args.port or settings.port, args.workers)
        elif args.command == "scheduler":
            if args.lanes < 1:
                raise CliError("--lanes must be 1 or more")
            _require_secrets(settings)
            _require_reminder_hours(settings)
            _scheduler(settings, args)
        elif args.command == "seed-demo":
            if args.defendants < 0:
                raise CliError("--defendants must be 0 or more")
            _seed_demo(settings, args)
        elif args.command == "create-user":
            _create_user(settings, args)
        elif args.command == "import-caseload":
            _require_secrets(settings)
            _import_caseload(settings, args)
        elif args.command == "fit-risk":
            _fit_risk(settings, args)
        elif args.command == "purge-evidence":
            _purge_evidence(settings, args.days)
        elif args.command == "new-data-key":
            from reporting_api.sealing import generate_key

            try:
                print(generate_key(args.id))
            except ValueError as error:
                raise CliError(str(error)) from None
    except CliError as error:
        print(f"bail-checkin {args.command}: {error}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        # A database that cannot be reached or a malformed DATABASE_URL: say so plainly.
        print(f"bail-checkin {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
