"""Migrations forwards on both backends, and the command line's answers to bad input."""

from __future__ import annotations

import asyncio

from reporting_api.db import bind_tables, engine_from_url
from reporting_api.tables import ALL_TABLES, Office
from tests.conftest import TEST_PASSWORD, run_cli


def test_migrations_created_every_table_and_loaded_the_offices(database_url):
    engine = engine_from_url(database_url)
    bind_tables(engine)

    async def check() -> None:
        for table in ALL_TABLES:
            assert await table.table_exists(), table._meta.tablename
        offices = await Office.select(Office.code, Office.name_th)
        assert len(offices) == 78
        assert {"central", "TH-10", "TH-50", "TH-38"} <= {o["code"] for o in offices}

    asyncio.run(check())


def test_migrate_again_changes_nothing(database_url):
    result = run_cli("migrate", database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "0 offices added" in result.stdout


def test_indexes_for_the_daily_lists_exist(database_url):
    engine = engine_from_url(database_url)
    if database_url.startswith("sqlite"):
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        sql = "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'"
    names = {row["name"] for row in asyncio.run(engine.run_querystring(_raw(sql)))}
    assert {
        "check_in_office_due_date",
        "check_in_office_closes_at",
        "bail_case_office_status",
    } <= names


def _raw(sql: str):
    from piccolo.querystring import QueryString

    return QueryString(sql)


def test_create_user_then_log_in(database_url, tmp_path):
    result = run_cli(
        "create-user",
        "--username",
        "somsri",
        "--role",
        "officer",
        "--office",
        "TH-50",
        "--password",
        TEST_PASSWORD,
        database_url=database_url,
    )
    assert result.returncode == 0, result.stderr
    again = run_cli(
        "create-user",
        "--username",
        "somsri",
        "--role",
        "officer",
        "--office",
        "TH-50",
        "--password",
        TEST_PASSWORD,
        database_url=database_url,
    )
    assert again.returncode == 2 and "taken" in again.stderr and "Traceback" not in again.stderr


def test_cli_refuses_bad_input_with_a_message(database_url):
    cases = [
        (
            (
                "create-user",
                "--username",
                "x1",
                "--role",
                "officer",
                "--office",
                "TH-99",
                "--password",
                TEST_PASSWORD,
            ),
            "unknown office",
        ),
        (
            (
                "create-user",
                "--username",
                "x2",
                "--role",
                "officer",
                "--office",
                "TH-10",
                "--password",
                "short",
            ),
            "at least 12",
        ),
        (("seed-demo", "--defendants", "-3"), "0 or more"),
    ]
    for args, message in cases:
        result = run_cli(*args, database_url=database_url)
        assert result.returncode != 0, args
        assert message in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_bad_database_url_is_explained():
    result = run_cli("migrate", database_url="mysql://nope")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr
