"""Settings read once from the environment (``Settings.from_env()``); nothing else reads it."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE_PATH = Path("var") / "bail-checkin.sqlite3"


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    """`sqlite:///path` (embedded default) or `postgresql://user@host:port/db`."""
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Signs nothing the client can forge today; reserved for CSRF and link codes."""
    public_base_url: str = "http://127.0.0.1:8000"
    """Where people reach this service; SMS links and cookie security follow it."""
    db_pool_size: int = 10
    """asyncpg pool size per API process on PostgreSQL; 0 opens a connection per query."""
    session_hours: int = 12
    """How long a staff login lasts."""
    max_photo_bytes: int = 10 * 1024 * 1024
    """Largest ID-card photo upload accepted."""
    max_photo_pixels: int = 25_000_000
    """Largest decoded photo accepted (guards against decompression bombs)."""
    consent_version: str = "2026-01"
    """The version of the PDPA consent text shown at enrolment."""
    demo_password: str | None = None
    """Password for demo logins; generated and printed when unset."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            secret_key=env.get("SECRET_KEY") or defaults.secret_key,
            public_base_url=(env.get("PUBLIC_BASE_URL") or defaults.public_base_url).rstrip("/"),
            db_pool_size=int(env.get("DB_POOL_SIZE", defaults.db_pool_size)),
            session_hours=int(env.get("SESSION_HOURS", defaults.session_hours)),
            max_photo_bytes=int(env.get("MAX_PHOTO_BYTES", defaults.max_photo_bytes)),
            max_photo_pixels=int(env.get("MAX_PHOTO_PIXELS", defaults.max_photo_pixels)),
            consent_version=env.get("CONSENT_VERSION") or defaults.consent_version,
            demo_password=env.get("DEMO_PASSWORD") or None,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")
