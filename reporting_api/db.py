"""Turning `DATABASE_URL` into a Piccolo engine and pointing every table at it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from reporting_api.tables import ALL_TABLES


class BadDatabaseUrl(ValueError):
    pass


def engine_from_url(url: str) -> Engine:
    """An engine for `sqlite:///relative/or//absolute/path` or `postgresql://...`."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        if not path or path == url:
            raise BadDatabaseUrl(f"DATABASE_URL {url!r}: expected sqlite:///path/to/file")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=path)
    if scheme in ("postgres", "postgresql"):
        return PostgresEngine(config={"dsn": url}, log_queries=False)
    raise BadDatabaseUrl(
        f"DATABASE_URL {url!r}: use sqlite:///path or postgresql://user@host:port/db"
    )


def bind_tables(engine: Engine) -> None:
    """Point every table at ``engine`` (Piccolo keeps one engine per table class)."""
    for table in ALL_TABLES:
        table._meta.db = engine


def is_postgres(engine: Engine) -> bool:
    return isinstance(engine, PostgresEngine)


async def open_pool(engine: Engine, size: int) -> None:
    """A connection pool of up to ``size`` connections on PostgreSQL (0: none, a connection
    per query); SQLite needs none."""
    if isinstance(engine, PostgresEngine) and size > 0:
        await engine.start_connection_pool(min_size=1, max_size=size)


async def close_pool(engine: Engine, size: int) -> None:
    if isinstance(engine, PostgresEngine) and size > 0:
        await engine.close_connection_pool()
