"""Settings read once from the environment (``Settings.from_env()``); nothing else reads it."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE_PATH = Path("var") / "bail-checkin.sqlite3"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _hours(value: str | None, default: tuple[int, int]) -> tuple[int, int]:
    """`21-9` (from 21:00 to 09:00 Bangkok) or `off`."""
    if value is None or not value.strip():
        return default
    if value.strip().lower() in ("off", "none", "0"):
        return (0, 0)
    start, _, end = value.partition("-")
    return (int(start.split(":")[0]), int(end.split(":")[0]))


@dataclass(frozen=True)
class TwilioSettings:
    """How SMS reach Twilio; with no account SID and auth token, a local outbox log is used."""

    account_sid: str | None = None
    """`TWILIO_ACCOUNT_SID` (AC...); unset means no Twilio at all."""
    auth_token: str | None = field(default=None, repr=False)
    """`TWILIO_AUTH_TOKEN`: authenticates our calls and signs Twilio's status callbacks."""
    from_number: str | None = None
    """`TWILIO_FROM`: the sender (a number or an alphanumeric sender ID)."""
    messaging_service_sid: str | None = None
    """`TWILIO_MESSAGING_SERVICE_SID` (MG...), used instead of `TWILIO_FROM` when set."""
    base_url: str | None = None
    """`TWILIO_BASE_URL`: another API host, such as the local fake (scheduler/fake_twilio/)."""
    timeout_seconds: float = 10.0
    """`TWILIO_TIMEOUT_SECONDS`: one HTTP call to Twilio gives up after this long."""
    max_connections: int = 32
    """`TWILIO_MAX_CONNECTIONS`: pooled HTTP connections per scheduler process."""

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TwilioSettings:
        defaults = cls()
        return cls(
            account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            from_number=env.get("TWILIO_FROM") or None,
            messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            base_url=(env.get("TWILIO_BASE_URL") or "").rstrip("/") or None,
            timeout_seconds=float(env.get("TWILIO_TIMEOUT_SECONDS", defaults.timeout_seconds)),
            max_connections=int(env.get("TWILIO_MAX_CONNECTIONS", defaults.max_connections)),
        )


@dataclass(frozen=True)
class SchedulerSettings:
    """The reminder dispatcher, the missed check-in sweep and their timings."""

    run_in_api: bool = False
    """`RUN_SCHEDULER=1`: `bail-checkin serve` also runs the scheduler in its own event loop."""
    outbox_path: str = str(Path("var") / "outbox.log")
    """`SMS_OUTBOX_PATH`: where messages go when Twilio is not configured (one JSON a line)."""
    dispatch_every_seconds: int = 30
    """`DISPATCH_EVERY_SECONDS`: how often due reminders are claimed and sent."""
    sweep_every_seconds: int = 60
    """`SWEEP_EVERY_SECONDS`: how often windows are opened, closed and flagged."""
    batch_size: int = 200
    """`DISPATCH_BATCH_SIZE`: reminders claimed in one transaction."""
    concurrency: int = 32
    """`DISPATCH_CONCURRENCY`: SMS requests in flight at once per process."""
    lease_seconds: int = 300
    """`DISPATCH_LEASE_SECONDS`: a claim lapses after this long (far above the HTTP timeout)."""
    max_attempts: int = 6
    """`DISPATCH_MAX_ATTEMPTS`: tries before a reminder is marked failed."""
    retry_base_seconds: float = 60.0
    """`DISPATCH_RETRY_BASE_SECONDS`: the first retry waits this long, then it doubles."""
    retry_max_seconds: float = 3600.0
    """`DISPATCH_RETRY_MAX_SECONDS`: the longest wait between two tries."""
    quiet_hours: tuple[int, int] = (21, 9)
    """`SMS_QUIET_HOURS`: `21-9` sends nothing from 21:00 to 09:00 Bangkok; `off` disables."""
    escalate_after_hours: int = 24
    """`ESCALATE_AFTER_HOURS`: an unacknowledged flag goes to a manager after this long."""
    alert_staff_by_sms: bool = True
    """`ALERT_STAFF_BY_SMS`: officers and managers with a phone number get flag alerts by SMS."""
    risk_refresh_minutes: int = 15
    """`RISK_REFRESH_MINUTES`: the risk report's snapshot is rebuilt this often, and when older."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SchedulerSettings:
        d = cls()
        return cls(
            run_in_api=_flag(env.get("RUN_SCHEDULER")),
            outbox_path=env.get("SMS_OUTBOX_PATH") or d.outbox_path,
            dispatch_every_seconds=int(env.get("DISPATCH_EVERY_SECONDS", d.dispatch_every_seconds)),
            sweep_every_seconds=int(env.get("SWEEP_EVERY_SECONDS", d.sweep_every_seconds)),
            batch_size=int(env.get("DISPATCH_BATCH_SIZE", d.batch_size)),
            concurrency=int(env.get("DISPATCH_CONCURRENCY", d.concurrency)),
            lease_seconds=int(env.get("DISPATCH_LEASE_SECONDS", d.lease_seconds)),
            max_attempts=int(env.get("DISPATCH_MAX_ATTEMPTS", d.max_attempts)),
            retry_base_seconds=float(env.get("DISPATCH_RETRY_BASE_SECONDS", d.retry_base_seconds)),
            retry_max_seconds=float(env.get("DISPATCH_RETRY_MAX_SECONDS", d.retry_max_seconds)),
            quiet_hours=_hours(env.get("SMS_QUIET_HOURS"), d.quiet_hours),
            escalate_after_hours=int(env.get("ESCALATE_AFTER_HOURS", d.escalate_after_hours)),
            alert_staff_by_sms=_flag(env.get("ALERT_STAFF_BY_SMS", "1")),
            risk_refresh_minutes=int(env.get("RISK_REFRESH_MINUTES", d.risk_refresh_minutes)),
        )


@dataclass(frozen=True)
class CheckInSettings:
    """The defendant's remote check-in: the link, identification, uploads and verification."""

    data_keys: str | None = field(default=None, repr=False)
    """`DATA_KEYS`: `id:base64[,id:base64...]` AES-256 keys sealing face templates and evidence
    frames (the first seals, all open). Separate from `SECRET_KEY`. Unset on SQLite: a key is
    made once in `data_key_file`; unset on PostgreSQL: the service refuses to start."""
    data_key_file: str = str(Path("var") / "data.key")
    """`DATA_KEY_FILE`: where the development key lives when `DATA_KEYS` is unset (SQLite)."""
    evidence_retention_days: int = 28
    """`EVIDENCE_RETENTION_DAYS`: evidence frames are purged this long after the attempt, except
    while the attempt still waits for an officer's review."""
    verify_workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    """`VERIFY_WORKERS`: processes verifying uploads (never the event loop)."""
    max_tries: int = 3
    """`CHECKIN_MAX_TRIES`: rejected recordings before the check-in goes to an officer."""
    identify_max_failures: int = 5
    """`IDENTIFY_MAX_FAILURES`: wrong answers on one link before it locks (and a flag)."""
    identify_client_limit: int = 20
    """`IDENTIFY_CLIENT_LIMIT`: wrong answers one client address may give in an hour, all links."""
    session_minutes: int = 30
    """`CHECKIN_SESSION_MINUTES`: how long an identified person may record and upload."""
    challenge_seconds: int = 300
    """`CHALLENGE_SECONDS`: a challenge must be answered (uploaded) within this long."""
    max_upload_bytes: int = 20 * 1024 * 1024
    """`MAX_UPLOAD_BYTES`: largest recording accepted (webm/mp4, or all JPEG frames)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CheckInSettings:
        d = cls()
        return cls(
            data_keys=env.get("DATA_KEYS") or None,
            data_key_file=env.get("DATA_KEY_FILE") or d.data_key_file,
            evidence_retention_days=int(
                env.get("EVIDENCE_RETENTION_DAYS", d.evidence_retention_days)
            ),
            verify_workers=int(env.get("VERIFY_WORKERS", d.verify_workers)),
            max_tries=int(env.get("CHECKIN_MAX_TRIES", d.max_tries)),
            identify_max_failures=int(env.get("IDENTIFY_MAX_FAILURES", d.identify_max_failures)),
            identify_client_limit=int(env.get("IDENTIFY_CLIENT_LIMIT", d.identify_client_limit)),
            session_minutes=int(env.get("CHECKIN_SESSION_MINUTES", d.session_minutes)),
            challenge_seconds=int(env.get("CHALLENGE_SECONDS", d.challenge_seconds)),
            max_upload_bytes=int(env.get("MAX_UPLOAD_BYTES", d.max_upload_bytes)),
        )


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    """`sqlite:///path` (embedded default) or `postgresql://user@host:port/db`."""
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Signs nothing the client can forge today; reserved for CSRF and link codes."""
    public_base_url: str = "http://127.0.0.1:8000"
    """Where people reach this service; SMS links and cookie security follow it."""
    forwarded_allow_ips: str = "127.0.0.1"
    """`FORWARDED_ALLOW_IPS`: proxies whose X-Forwarded-For is believed (comma-separated, or
    `*` when only the proxy can reach the API, as in compose.yaml). Per-client limits on the
    check-in link count the address this gives."""
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
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    """Twilio credentials and where its API is (`TWILIO_*`)."""
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    """Reminder dispatch, sweeps, quiet hours and escalation."""
    checkin: CheckInSettings = field(default_factory=CheckInSettings)
    """The remote check-in page, its limits, verification workers and data keys."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            secret_key=env.get("SECRET_KEY") or defaults.secret_key,
            public_base_url=(env.get("PUBLIC_BASE_URL") or defaults.public_base_url).rstrip("/"),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS") or defaults.forwarded_allow_ips,
            db_pool_size=int(env.get("DB_POOL_SIZE", defaults.db_pool_size)),
            session_hours=int(env.get("SESSION_HOURS", defaults.session_hours)),
            max_photo_bytes=int(env.get("MAX_PHOTO_BYTES", defaults.max_photo_bytes)),
            max_photo_pixels=int(env.get("MAX_PHOTO_PIXELS", defaults.max_photo_pixels)),
            consent_version=env.get("CONSENT_VERSION") or defaults.consent_version,
            demo_password=env.get("DEMO_PASSWORD") or None,
            twilio=TwilioSettings.from_env(env),
            scheduler=SchedulerSettings.from_env(env),
            checkin=CheckInSettings.from_env(env),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")
