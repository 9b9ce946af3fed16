"""What `bail-checkin serve` and `scheduler` check before they start: real secrets, and a
public address every SMS link fits.

Outside the demo (`DEMO=1`, which `make run` sets), the service holds real people's faces and
whereabouts, so it refuses to start without a data key or with a database password anyone
could guess, and names each thing missing. On PostgreSQL a data key is needed even in the
demo: without one nothing sealed could be opened again after a restart.

Demo or not, `PUBLIC_BASE_URL` goes into the link of every reminder and of some notices:
longer than `sms_templates.MAX_PUBLIC_BASE_URL_LENGTH` characters, or with a character
outside ASCII and GSM-7, some message could take a third SMS segment, so it is refused (a third segment costs every message
half as much again).
"""

from __future__ import annotations

import ipaddress
import math
from urllib.parse import parse_qs, unquote, urlsplit

from reporting_api.sealing import Sealer
from reporting_api.settings import Settings
from reporting_api.sms_templates import MAX_PUBLIC_BASE_URL_LENGTH, MAX_SEGMENTS, is_gsm7

MIN_DATABASE_PASSWORD_LENGTH = 16
"""A database password shorter than this is refused outside the demo (`openssl rand -hex 24`
gives 48 characters)."""

KNOWN_DEFAULT_PASSWORDS = frozenset(
    {"change-me", "changeme", "password", "postgres", "bail", "secret", "admin", "example"}
)
"""Passwords from examples and old defaults (compose.yaml's was `change-me`), refused whatever
their length."""

LOCAL_HOSTS = frozenset({"", "localhost"})
"""Hosts of this machine besides loopback addresses; an empty host is a Unix socket."""

NEW_KEY_HINT = "make one with `bail-checkin new-data-key` and keep it safe (sealed data needs it)"


def _is_local(host: str) -> bool:
    if host in LOCAL_HOSTS or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def data_key_problems(settings: Settings) -> list[str]:
    """What is wrong with `DATA_KEYS` for this run: unset (outside the demo, or on
    PostgreSQL at all) or unreadable."""
    keys = settings.checkin.data_keys
    if keys:
        try:
            Sealer.from_setting(keys)
        except ValueError as error:
            return [f"DATA_KEYS cannot be read ({error}); {NEW_KEY_HINT}"]
        return []
    if not settings.is_sqlite:
        return [f"DATA_KEYS is not set: on PostgreSQL it is needed even for a demo; {NEW_KEY_HINT}"]
    if not settings.demo:
        return [
            "DATA_KEYS is not set: outside the demo no key is made on the fly (it would sit "
            f"beside the database it protects); {NEW_KEY_HINT}"
        ]
    return []


def database_password_problems(settings: Settings) -> list[str]:
    """What is wrong with the PostgreSQL password in `DATABASE_URL` outside the demo: a known
    default, too short, or none for a database on another machine. The password itself is
    never repeated (this goes to logs)."""
    if settings.is_sqlite or settings.demo:
        return []
    parts = urlsplit(settings.database_url)
    password = unquote(parts.password or "")
    host = parts.hostname or ""
    query = parse_qs(parts.query)
    where = f"the database at {host or 'a local socket'}"
    if not password:
        # A certificate or a password file authenticates as well as a password does.
        if _is_local(host) or "sslcert" in query or "passfile" in query:
            return []
        return [
            f"DATABASE_URL has no password for {where}: put one in it "
            "(postgresql://user:password@host/db; compose.yaml takes POSTGRES_PASSWORD)"
        ]
    if password.lower() in KNOWN_DEFAULT_PASSWORDS:
        return [
            f"DATABASE_URL: the password for {where} is a well-known default; set a random "
            "one (POSTGRES_PASSWORD in compose.yaml; `openssl rand -hex 24`)"
        ]
    if len(password) < MIN_DATABASE_PASSWORD_LENGTH:
        return [
            f"DATABASE_URL: the password for {where} is shorter than "
            f"{MIN_DATABASE_PASSWORD_LENGTH} characters; set a random one "
            "(POSTGRES_PASSWORD in compose.yaml; `openssl rand -hex 24`)"
        ]
    return []


def public_address_problems(settings: Settings) -> list[str]:
    """Outside the demo, `PUBLIC_BASE_URL` is https unless it is this machine: SMS links,
    sign-ins and session cookies must not cross a network in clear."""
    if settings.demo:
        return []
    parts = urlsplit(settings.public_base_url)
    if parts.scheme == "https" or _is_local(parts.hostname or ""):
        return []
    return [
        f"PUBLIC_BASE_URL is http:// for {parts.hostname}: links, passwords and session "
        "cookies would travel in clear; give its https:// address (compose.yaml's proxy "
        "serves https; docs/deploy.md)"
    ]


def sms_link_problems(settings: Settings) -> list[str]:
    """What is wrong with `PUBLIC_BASE_URL` as the start of every SMS link: longer than the
    limit every template is tested for (tests/scheduler/test_sms_templates.py and
    tests/unit/test_notice_texts.py walk every text up to it), or with a character outside
    both ASCII and the GSM-7 alphabet (a Thai letter, a backquote), which would turn the
    English texts into UCS-2."""
    url = settings.public_base_url.rstrip("/")
    limit = MAX_PUBLIC_BASE_URL_LENGTH
    if len(url) > limit:
        return [
            f"PUBLIC_BASE_URL is {len(url)} characters long ({url}): every SMS carries it, and "
            f"messages fit {MAX_SEGMENTS} segments only up to {limit} characters; use a shorter "
            "address for the check-in links (a shorter host name, no path)"
        ]
    if not (url.isascii() and is_gsm7(url)):
        odd = "".join(sorted({ch for ch in url if not ch.isascii() or not is_gsm7(ch)}))
        return [
            f"PUBLIC_BASE_URL ({url}, {len(url)} of at most {limit} characters) has characters "
            f"an SMS cannot carry as plain text ({odd!r}): they turn English SMS into UCS-2, "
            "and phones may not make the address a link; write a Thai domain in its xn-- form"
        ]
    return []


def dispatch_lease_problems(settings: Settings) -> list[str]:
    """A dispatcher starts a send only while twice the slowest call plus 5 s of its lease is
    left after the last renewal: a lease shorter than that plus one heartbeat would hand every
    batch back unsent."""
    s = settings.scheduler
    slowest = settings.slowest_send_seconds()
    beat = max(1.0, min(s.heartbeat_seconds, s.lease_seconds / 3))
    needed = math.ceil(2 * slowest + 5 + beat)
    if s.lease_seconds < needed:
        return [
            f"DISPATCH_LEASE_SECONDS is {s.lease_seconds}: with TWILIO_TIMEOUT_SECONDS "
            f"{settings.twilio.timeout_seconds:g}, SMTP_TIMEOUT_SECONDS "
            f"{settings.email.timeout_seconds:g}"
            + (
                f", LINE_TIMEOUT_SECONDS {settings.line.timeout_seconds:g}"
                if settings.line.configured
                else ""
            )
            + f" and a heartbeat every {beat:.3g} s it "
            f"must be at least {needed:g} (twice the slowest call, 5 s and one heartbeat), or "
            "no message would ever be sent"
        ]
    return []


def startup_problems(settings: Settings) -> list[str]:
    """Everything that stops `serve` and `scheduler` from starting, each naming its variable."""
    return (
        data_key_problems(settings)
        + database_password_problems(settings)
        + public_address_problems(settings)
        + sms_link_problems(settings)
        + dispatch_lease_problems(settings)
    )
