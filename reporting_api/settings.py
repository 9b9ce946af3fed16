"""Settings read once from the environment (``Settings.from_env()``); nothing else reads it.

A value that cannot be read stops the service before it starts: `SettingsError` names the
variable, what it holds and the form expected (`bail-checkin` prints it and exits with 2).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SQLITE_PATH = Path("var") / "bail-checkin.sqlite3"

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__(f"{name}={value!r}: expected {expected}")
        self.name = name
        self.value = value
        self.expected = expected


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``, or ``default`` when unset or empty."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise SettingsError(name, text, f"a whole number from {low:,} to {high:,}")
    return value


def _heartbeat(env: Mapping[str, str], default: int) -> int:
    """`VERIFY_HEARTBEAT_SECONDS`: at most a third of `VERIFY_LEASE_SECONDS`."""
    lease = _int(env, "VERIFY_LEASE_SECONDS", 20, 3, 3600)
    value = _int(env, "VERIFY_HEARTBEAT_SECONDS", min(default, lease // 3), 1, 600)
    if value * 3 > lease:
        raise SettingsError(
            "VERIFY_HEARTBEAT_SECONDS",
            str(value),
            f"at most a third of VERIFY_LEASE_SECONDS ({lease}): {lease // 3} or less",
        )
    return value


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN fails both comparisons
        raise SettingsError(name, text, f"a number from {low:g} to {high:g}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    text = (env.get(name) or "").strip().lower()
    if not text:
        return default
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise SettingsError(name, text, f"one of {', '.join(TRUE_WORDS + FALSE_WORDS)}")


def _hours(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    """`21-9` (from 21:00 to 09:00 Bangkok, minutes allowed as `21:00-09:00`) or `off`."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    if text.lower() in ("off", "none", "0"):
        return (0, 0)
    start, dash, end = text.partition("-")
    try:
        hours = (int(start.split(":")[0]), int(end.split(":")[0]))
    except ValueError:
        hours = (-1, -1)
    if not dash or not all(0 <= h <= 23 for h in hours):
        raise SettingsError(name, text, "start-end hours in Bangkok time, such as 21-9, or off")
    return hours


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            name, text, "an http:// or https:// address, such as https://example.go.th"
        )
    return text.rstrip("/")


def _database_url(env: Mapping[str, str], default: str) -> str:
    text = (env.get("DATABASE_URL") or "").strip()
    if not text:
        return default
    scheme = urlsplit(text).scheme
    if scheme not in ("sqlite", "postgres", "postgresql") or text in ("sqlite:///", "sqlite://"):
        raise SettingsError(
            "DATABASE_URL", text, "sqlite:///path/to/file or postgresql://user@host:port/db"
        )
    return text


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (any case), or ``default`` when unset or empty."""
    text = (env.get(name) or "").strip().lower()
    if not text:
        return default
    if text not in choices:
        raise SettingsError(name, text, f"one of {', '.join(choices)}")
    return text


def _proxies(env: Mapping[str, str], name: str, default: str) -> str:
    """Comma-separated IP addresses or networks (`10.0.0.5`, `172.30.80.0/24`); never `*`."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    items = [item.strip() for item in text.split(",") if item.strip()]
    try:
        for item in items:
            ipaddress.ip_network(item, strict=False)
    except ValueError:
        items = []
    if not items:
        raise SettingsError(
            name,
            text,
            "the proxies' addresses or networks, comma-separated, such as 127.0.0.1 or "
            "172.30.80.0/24 (not *, which would let any client choose its own address)",
        )
    return ",".join(items)


def _allow(env: Mapping[str, str], name: str, default: str) -> str:
    """Comma-separated IP addresses or networks, or `off` (empty: nobody)."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    if text.lower() in ("off", "none"):
        return ""
    items = [item.strip() for item in text.split(",")]
    try:
        return ",".join(str(ipaddress.ip_network(item, strict=False)) for item in items)
    except ValueError:
        raise SettingsError(
            name, text, "addresses or networks, comma-separated (10.0.5.7,10.0.6.0/24), or off"
        ) from None


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
            base_url=_url(env, "TWILIO_BASE_URL", "") or None,
            timeout_seconds=_float(
                env, "TWILIO_TIMEOUT_SECONDS", defaults.timeout_seconds, 0.5, 120
            ),
            max_connections=_int(env, "TWILIO_MAX_CONNECTIONS", defaults.max_connections, 1, 1000),
        )


@dataclass(frozen=True)
class LineSettings:
    """The fund's LINE Official Account (the Messaging API channel); with no channel secret
    and access token LINE is off: its webhook answers 404 and no page mentions it."""

    channel_secret: str | None = field(default=None, repr=False)
    """`LINE_CHANNEL_SECRET`: signs LINE's webhook requests (`X-Line-Signature`)."""
    channel_access_token: str | None = field(default=None, repr=False)
    """`LINE_CHANNEL_ACCESS_TOKEN`: authenticates our calls to the Messaging API."""
    base_url: str | None = None
    """`LINE_BASE_URL`: another API host, such as a local fake in the tests."""
    timeout_seconds: float = 10.0
    """`LINE_TIMEOUT_SECONDS`: how long a call to LINE may take (to connect, then each read);
    a LINE that hangs must not hold a dispatcher's batch past its lease."""
    add_friend_url: str | None = None
    """`LINE_ADD_FRIEND_URL`: the Official Account's "add friend" link from LINE's console
    (such as https://lin.ee/AbCdEfG): shown with its QR code on the check-in page and the
    person's handout while LINE is on."""

    @property
    def configured(self) -> bool:
        return bool(self.channel_secret and self.channel_access_token)

    @property
    def invitation(self) -> str | None:
        """The add-friend link to show people, only while LINE is on."""
        return self.add_friend_url if self.configured else None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LineSettings:
        return cls(
            channel_secret=env.get("LINE_CHANNEL_SECRET") or None,
            channel_access_token=env.get("LINE_CHANNEL_ACCESS_TOKEN") or None,
            base_url=_url(env, "LINE_BASE_URL", "") or None,
            add_friend_url=_url(env, "LINE_ADD_FRIEND_URL", "") or None,
            timeout_seconds=_float(env, "LINE_TIMEOUT_SECONDS", cls.timeout_seconds, 0.5, 120),
        )


@dataclass(frozen=True)
class EmailSettings:
    """How staff alerts reach their e-mail (docs/scheduler.md); with no `SMTP_HOST` each
    e-mail is written to a local log instead, as SMS are without Twilio."""

    host: str | None = None
    """`SMTP_HOST`: the mail server; unset means no SMTP at all (the log below)."""
    port: int = 587
    """`SMTP_PORT`: 587 (submission with STARTTLS), 465 (TLS from the start) or 25."""
    username: str | None = None
    """`SMTP_USERNAME`: the login at the mail server; unset sends without logging in."""
    password: str | None = field(default=None, repr=False)
    """`SMTP_PASSWORD`: the password for `SMTP_USERNAME`."""
    from_address: str = "bail-checkin@localhost"
    """`SMTP_FROM`: the sender's address, such as alerts@jfo.moj.go.th."""
    starttls: bool = True
    """`SMTP_STARTTLS`: upgrade the connection with STARTTLS before logging in (port 465
    uses TLS from the start whatever this says; `0` only for a local relay)."""
    timeout_seconds: float = 20.0
    """`SMTP_TIMEOUT_SECONDS`: one conversation with the mail server gives up after this long."""
    digest_hour: int = 8
    """`ALERT_DIGEST_HOUR`: the hour (Bangkok) the daily digest of held e-mail alerts goes
    out; quiet hours (`SMS_QUIET_HOURS`) hold it until they end."""
    outbox_path: str = str(Path("var") / "email-outbox.log")
    """`EMAIL_OUTBOX_PATH`: where e-mails go when `SMTP_HOST` is unset (one JSON a line)."""

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EmailSettings:
        d = cls()
        return cls(
            host=(env.get("SMTP_HOST") or "").strip() or None,
            port=_int(env, "SMTP_PORT", d.port, 1, 65535),
            username=env.get("SMTP_USERNAME") or None,
            password=env.get("SMTP_PASSWORD") or None,
            from_address=_email_address(env, "SMTP_FROM", d.from_address),
            starttls=_flag(env, "SMTP_STARTTLS", d.starttls),
            timeout_seconds=_float(env, "SMTP_TIMEOUT_SECONDS", d.timeout_seconds, 0.5, 300),
            digest_hour=_int(env, "ALERT_DIGEST_HOUR", d.digest_hour, 0, 23),
            outbox_path=env.get("EMAIL_OUTBOX_PATH") or d.outbox_path,
        )


def _email_address(env: Mapping[str, str], name: str, default: str) -> str:
    """One address such as alerts@example.go.th (no display name)."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(c.isspace() or c in "<>," for c in text):
        raise SettingsError(name, text, "one e-mail address, such as alerts@example.go.th")
    return text


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
    lease_seconds: int = 90
    """`DISPATCH_LEASE_SECONDS`: a claim lapses this long after its last renewal (the
    dispatcher's heartbeat renews its batch's claims while it lives); a send starts only while
    twice the slowest call (Twilio's or the mail server's timeout) plus 5 s of it is left."""
    heartbeat_seconds: int = 15
    """`DISPATCH_HEARTBEAT_SECONDS`: how often a dispatcher renews the claims of the batch it
    is sending (at most a third of the lease)."""
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
        day = 24 * 3600
        return cls(
            run_in_api=_flag(env, "RUN_SCHEDULER", d.run_in_api),
            outbox_path=env.get("SMS_OUTBOX_PATH") or d.outbox_path,
            dispatch_every_seconds=_int(
                env, "DISPATCH_EVERY_SECONDS", d.dispatch_every_seconds, 1, 3600
            ),
            sweep_every_seconds=_int(env, "SWEEP_EVERY_SECONDS", d.sweep_every_seconds, 1, 3600),
            batch_size=_int(env, "DISPATCH_BATCH_SIZE", d.batch_size, 1, 10_000),
            concurrency=_int(env, "DISPATCH_CONCURRENCY", d.concurrency, 1, 1000),
            lease_seconds=_int(env, "DISPATCH_LEASE_SECONDS", d.lease_seconds, 10, day),
            heartbeat_seconds=_int(env, "DISPATCH_HEARTBEAT_SECONDS", d.heartbeat_seconds, 1, 3600),
            max_attempts=_int(env, "DISPATCH_MAX_ATTEMPTS", d.max_attempts, 1, 100),
            retry_base_seconds=_float(
                env, "DISPATCH_RETRY_BASE_SECONDS", d.retry_base_seconds, 1, day
            ),
            retry_max_seconds=_float(
                env, "DISPATCH_RETRY_MAX_SECONDS", d.retry_max_seconds, 1, day
            ),
            quiet_hours=_hours(env, "SMS_QUIET_HOURS", d.quiet_hours),
            escalate_after_hours=_int(
                env, "ESCALATE_AFTER_HOURS", d.escalate_after_hours, 1, 24 * 30
            ),
            alert_staff_by_sms=_flag(env, "ALERT_STAFF_BY_SMS", d.alert_staff_by_sms),
            risk_refresh_minutes=_int(
                env, "RISK_REFRESH_MINUTES", d.risk_refresh_minutes, 1, 24 * 60
            ),
        )


@dataclass(frozen=True)
class CheckInSettings:
    """The defendant's remote check-in: the link, identification, uploads and verification."""

    data_keys: str | None = field(default=None, repr=False)
    """`DATA_KEYS`: `id:base64[,id:base64...]` AES-256 keys sealing face templates and evidence
    frames (the first seals, all open). Unset on SQLite with `DEMO=1`: a key is
    made once in `data_key_file`; otherwise `serve` and `scheduler` refuse to start."""
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
    max_upload_pixels: int = 60_000_000
    """`MAX_UPLOAD_PIXELS`: most pixels the frames of one upload may decode to (width x height,
    summed over the frames, read from their headers before anything is decoded)."""
    verify_job_seconds: int = 30
    """`VERIFY_JOB_SECONDS`: a verification running longer is killed with its worker process."""
    verify_job_memory_mb: int = 512
    """`VERIFY_JOB_MEMORY_MB`: memory one verification may add to a worker holding the face
    models (its address-space limit); past it the job fails and the worker is replaced."""
    verify_max_tries: int = 3
    """`VERIFY_MAX_TRIES`: runs of one recording that end without a verdict (worker killed or
    dead) before it goes to an officer as `analysis_failed`."""
    verify_lease_seconds: int = 20
    """`VERIFY_LEASE_SECONDS`: how long a process's hold on a recording it verifies lasts
    unless renewed; a process that dies stops renewing and another takes the recording over
    this long after its last renewal (at most)."""
    verify_heartbeat_seconds: int = 5
    """`VERIFY_HEARTBEAT_SECONDS`: how often a process renews the holds of the recordings it
    verifies (at most a third of the lease, so two renewals may fail before it lapses)."""
    recover_every_seconds: int = 5
    """`RECOVER_EVERY_SECONDS`: how often each API process looks for recordings whose hold
    lapsed (each wait drawn between half and one and a half times this, so replicas spread)."""
    shutdown_grace_seconds: int = 15
    """`SHUTDOWN_GRACE_SECONDS`: on SIGTERM, how long verifications already running may take
    to finish; recordings still queued are handed back at once for another replica."""
    link_grace_days: int = 7
    """`LINK_GRACE_DAYS`: days a link still opens after its window closed (to say so and whom
    to call; the missed-check-in SMS carries it); after them it is "not valid", as unknown."""
    not_me_code_limit: int = 5
    """`NOT_ME_CODE_LIMIT`: "this is not me" presses one link code takes in an hour."""
    not_me_client_limit: int = 20
    """`NOT_ME_CLIENT_LIMIT`: "this is not me" presses one client address makes in an hour."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CheckInSettings:
        d = cls()
        return cls(
            data_keys=env.get("DATA_KEYS") or None,
            data_key_file=env.get("DATA_KEY_FILE") or d.data_key_file,
            evidence_retention_days=_int(
                env, "EVIDENCE_RETENTION_DAYS", d.evidence_retention_days, 1, 3650
            ),
            verify_workers=_int(env, "VERIFY_WORKERS", d.verify_workers, 1, 256),
            max_tries=_int(env, "CHECKIN_MAX_TRIES", d.max_tries, 1, 20),
            identify_max_failures=_int(
                env, "IDENTIFY_MAX_FAILURES", d.identify_max_failures, 1, 100
            ),
            identify_client_limit=_int(
                env, "IDENTIFY_CLIENT_LIMIT", d.identify_client_limit, 1, 100_000
            ),
            session_minutes=_int(env, "CHECKIN_SESSION_MINUTES", d.session_minutes, 1, 24 * 60),
            challenge_seconds=_int(env, "CHALLENGE_SECONDS", d.challenge_seconds, 30, 3600),
            max_upload_bytes=_int(
                env, "MAX_UPLOAD_BYTES", d.max_upload_bytes, 64 * 1024, 500 * 1024 * 1024
            ),
            max_upload_pixels=_int(
                env, "MAX_UPLOAD_PIXELS", d.max_upload_pixels, 1_000_000, 2_000_000_000
            ),
            verify_job_seconds=_int(env, "VERIFY_JOB_SECONDS", d.verify_job_seconds, 1, 3600),
            verify_job_memory_mb=_int(
                env, "VERIFY_JOB_MEMORY_MB", d.verify_job_memory_mb, 64, 1024 * 1024
            ),
            verify_max_tries=_int(env, "VERIFY_MAX_TRIES", d.verify_max_tries, 1, 20),
            verify_lease_seconds=_int(env, "VERIFY_LEASE_SECONDS", d.verify_lease_seconds, 3, 3600),
            verify_heartbeat_seconds=_heartbeat(env, d.verify_heartbeat_seconds),
            recover_every_seconds=_int(
                env, "RECOVER_EVERY_SECONDS", d.recover_every_seconds, 1, 600
            ),
            shutdown_grace_seconds=_int(
                env, "SHUTDOWN_GRACE_SECONDS", d.shutdown_grace_seconds, 0, 600
            ),
            link_grace_days=_int(env, "LINK_GRACE_DAYS", d.link_grace_days, 0, 365),
            not_me_code_limit=_int(env, "NOT_ME_CODE_LIMIT", d.not_me_code_limit, 1, 1000),
            not_me_client_limit=_int(env, "NOT_ME_CLIENT_LIMIT", d.not_me_client_limit, 1, 100_000),
        )


@dataclass(frozen=True)
class StaffSignInSettings:
    """Staff sign-in: throttling, two-factor, sessions and password hashing (docs/sign-in.md)."""

    idle_minutes: int = 30
    """`SESSION_IDLE_MINUTES`: a staff session unused this long ends (besides `SESSION_HOURS`)."""
    max_sessions: int = 10
    """`SESSION_MAX_PER_USER`: signed-in sessions one account may hold; a new sign-in ends
    the oldest beyond it."""
    require_two_factor: bool = False
    """`REQUIRE_TWO_FACTOR`: every account signs in with a one-time code (managers and
    administrators always do)."""
    account_free_failures: int = 5
    """`LOGIN_FREE_FAILURES`: wrong sign-ins on one account before each try must wait."""
    account_lock_failures: int = 10
    """`LOGIN_LOCK_FAILURES`: wrong sign-ins on one account that lock it for a while."""
    lock_minutes: int = 30
    """`LOGIN_LOCK_MINUTES`: how long a lock lasts unless an administrator lifts it."""
    client_free_failures: int = 20
    """`LOGIN_CLIENT_FREE_FAILURES`: wrong sign-ins from one client address, any accounts,
    before each try from it must wait."""
    first_delay_seconds: int = 2
    """`LOGIN_FIRST_DELAY_SECONDS`: the first wait; each further failure doubles it."""
    max_delay_seconds: int = 900
    """`LOGIN_MAX_DELAY_SECONDS`: the longest wait between two tries."""
    failure_window_minutes: int = 60
    """`LOGIN_FAILURE_WINDOW_MINUTES`: failures older than this (with none since) are forgotten."""
    hash_concurrency: int = 2
    """`PASSWORD_HASH_CONCURRENCY`: password hashes running at once per process (64 MiB each)."""
    hash_queue: int = 64
    """`PASSWORD_HASH_QUEUE`: sign-ins waiting for a hash per process before more are
    answered 503."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StaffSignInSettings:
        d = cls()
        day = 24 * 60
        return cls(
            idle_minutes=_int(env, "SESSION_IDLE_MINUTES", d.idle_minutes, 1, day),
            max_sessions=_int(env, "SESSION_MAX_PER_USER", d.max_sessions, 1, 1000),
            require_two_factor=_flag(env, "REQUIRE_TWO_FACTOR", d.require_two_factor),
            account_free_failures=_int(env, "LOGIN_FREE_FAILURES", d.account_free_failures, 1, 100),
            account_lock_failures=_int(
                env, "LOGIN_LOCK_FAILURES", d.account_lock_failures, 1, 1000
            ),
            lock_minutes=_int(env, "LOGIN_LOCK_MINUTES", d.lock_minutes, 1, day),
            client_free_failures=_int(
                env, "LOGIN_CLIENT_FREE_FAILURES", d.client_free_failures, 1, 100_000
            ),
            first_delay_seconds=_int(
                env, "LOGIN_FIRST_DELAY_SECONDS", d.first_delay_seconds, 1, 3600
            ),
            max_delay_seconds=_int(env, "LOGIN_MAX_DELAY_SECONDS", d.max_delay_seconds, 1, 86400),
            failure_window_minutes=_int(
                env, "LOGIN_FAILURE_WINDOW_MINUTES", d.failure_window_minutes, 1, 30 * day
            ),
            hash_concurrency=_int(env, "PASSWORD_HASH_CONCURRENCY", d.hash_concurrency, 1, 64),
            hash_queue=_int(env, "PASSWORD_HASH_QUEUE", d.hash_queue, 0, 100_000),
        )


@dataclass(frozen=True)
class RetentionSettings:
    """How long personal data outlives its purpose (docs/privacy.md); evidence frames and
    identification records follow `EVIDENCE_RETENTION_DAYS` (CheckInSettings)."""

    message_days: int = 90
    """`MESSAGE_RETENTION_DAYS`: a sent (or failed, cancelled) message's text, which carries
    the check-in link, and the number it went to are emptied this long after its last change."""
    search_days: int = 90
    """`SEARCH_RETENTION_DAYS`: what staff searched for is taken out of the audit log after this
    long (ID and phone numbers are stored masked from the start)."""
    closed_case_days: int = 5 * 365
    """`CASE_RETENTION_DAYS`: a closed case, with its check-ins, recordings, messages and flags,
    is deleted this long after it closed, unless its person is on legal hold; a person left
    with no case is then anonymised (photo and face template included)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RetentionSettings:
        d = cls()
        return cls(
            message_days=_int(env, "MESSAGE_RETENTION_DAYS", d.message_days, 1, 3650),
            search_days=_int(env, "SEARCH_RETENTION_DAYS", d.search_days, 1, 3650),
            closed_case_days=_int(env, "CASE_RETENTION_DAYS", d.closed_case_days, 1, 36500),
        )


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    """`DATABASE_URL`: `sqlite:///path` (embedded default) or `postgresql://user@host:port/db`."""
    public_base_url: str = "http://127.0.0.1:8000"
    """`PUBLIC_BASE_URL`: where people reach this service; SMS links and cookie security
    follow it."""
    port: int = 8000
    """`PORT`: where `bail-checkin serve` listens unless `--port` says otherwise."""
    forwarded_allow_ips: str = "127.0.0.1"
    """`FORWARDED_ALLOW_IPS`: the proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are
    believed: addresses or networks, comma-separated (compose.yaml names its proxy's); `*` is
    refused. Per-client limits on the check-in link count the address this gives (per-code
    limits come first: whole mobile carriers share addresses)."""
    db_pool_size: int = 10
    """`DB_POOL_SIZE`: asyncpg pool size per API process on PostgreSQL; 0 opens a connection
    per query."""
    session_hours: int = 12
    """`SESSION_HOURS`: how long a staff login lasts at most, however active
    (`SESSION_IDLE_MINUTES` ends an unused one sooner)."""
    max_photo_bytes: int = 10 * 1024 * 1024
    """`MAX_PHOTO_BYTES`: largest ID-card photo upload accepted."""
    max_photo_pixels: int = 25_000_000
    """`MAX_PHOTO_PIXELS`: largest decoded photo accepted (guards against decompression bombs)."""
    consent_version: str = "2026-01"
    """`CONSENT_VERSION`: the version of the PDPA consent text shown at enrolment."""
    demo_password: str | None = None
    """`DEMO_PASSWORD`: password for demo logins; generated and printed when unset."""
    log_format: str = "json"
    """`LOG_FORMAT`: `json` (one object a line, for a log collector) or `text` (a console)."""
    log_level: str = "info"
    """`LOG_LEVEL`: `debug`, `info`, `warning` or `error`."""
    demo: bool = False
    """`DEMO=1` (`make run` on SQLite sets it): a demonstration on made-up data. Only then may
    the service start without real secrets (on SQLite a data key is made in `DATA_KEY_FILE`);
    otherwise `bail-checkin serve` and `scheduler` refuse, naming what is missing."""
    metrics_allow: str = "127.0.0.1/32,::1/128"
    """`METRICS_ALLOW`: client addresses or networks that may read `/metrics` (Prometheus;
    docs/operations.md), comma-separated; `off` refuses everyone. Others get 403."""
    metrics_dir: str | None = None
    """`PROMETHEUS_MULTIPROC_DIR`: an empty directory, set before the processes start, where
    each process keeps its counters so that a scrape adds up all of them."""
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    """Twilio credentials and where its API is (`TWILIO_*`)."""
    line: LineSettings = field(default_factory=LineSettings)
    """The LINE Official Account's channel (`LINE_*`); unset: LINE is off."""
    email: EmailSettings = field(default_factory=EmailSettings)
    """The mail server staff alerts go through (`SMTP_*`) and the daily digest's hour."""
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    """Reminder dispatch, sweeps, quiet hours and escalation."""
    checkin: CheckInSettings = field(default_factory=CheckInSettings)
    """The remote check-in page, its limits, verification workers and data keys."""
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    """How long messages, search terms and closed cases are kept (`*_RETENTION_DAYS`)."""
    sign_in: StaffSignInSettings = field(default_factory=StaffSignInSettings)
    """Staff sign-in: throttling, two-factor, idle sessions, password hashing."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            database_url=_database_url(env, defaults.database_url),
            public_base_url=_url(env, "PUBLIC_BASE_URL", defaults.public_base_url),
            port=_int(env, "PORT", defaults.port, 1, 65535),
            forwarded_allow_ips=_proxies(env, "FORWARDED_ALLOW_IPS", defaults.forwarded_allow_ips),
            db_pool_size=_int(env, "DB_POOL_SIZE", defaults.db_pool_size, 0, 1000),
            session_hours=_int(env, "SESSION_HOURS", defaults.session_hours, 1, 24 * 30),
            max_photo_bytes=_int(
                env, "MAX_PHOTO_BYTES", defaults.max_photo_bytes, 64 * 1024, 100 * 1024 * 1024
            ),
            max_photo_pixels=_int(
                env, "MAX_PHOTO_PIXELS", defaults.max_photo_pixels, 100_000, 200_000_000
            ),
            consent_version=env.get("CONSENT_VERSION") or defaults.consent_version,
            demo_password=env.get("DEMO_PASSWORD") or None,
            log_format=_choice(env, "LOG_FORMAT", defaults.log_format, ("json", "text")),
            log_level=_choice(
                env, "LOG_LEVEL", defaults.log_level, ("debug", "info", "warning", "error")
            ),
            demo=_flag(env, "DEMO", defaults.demo),
            metrics_allow=_allow(env, "METRICS_ALLOW", defaults.metrics_allow),
            metrics_dir=env.get("PROMETHEUS_MULTIPROC_DIR") or None,
            twilio=TwilioSettings.from_env(env),
            line=LineSettings.from_env(env),
            email=EmailSettings.from_env(env),
            scheduler=SchedulerSettings.from_env(env),
            checkin=CheckInSettings.from_env(env),
            retention=RetentionSettings.from_env(env),
            sign_in=StaffSignInSettings.from_env(env),
        )

    def slowest_send_seconds(self) -> float:
        """The longest a provider call may take: Twilio, the mail server, LINE when it is on
        (`startup_checks.dispatch_lease_problems`, `scheduler/dispatch.py`)."""
        line = self.line.timeout_seconds if self.line.configured else 0.0
        return max(self.twilio.timeout_seconds, self.email.timeout_seconds, line)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")
