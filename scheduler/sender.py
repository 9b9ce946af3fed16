"""The SMS provider behind one small interface: ``send_sms(to, body, reference)``.

Three implementations: Twilio (the real ``twilio`` client over a pooled aiohttp session,
pointed at ``TWILIO_BASE_URL`` when set), an outbox log for machines without Twilio
credentials (``make run`` works offline, and an officer can read what would have gone out),
and an in-memory fake for unit tests.

Errors say what the dispatcher must do next:
- ``TransientSendError``: try again later. ``outcome_unknown`` is set when the request may
  have reached Twilio anyway (timeout, dropped connection, 5xx), so the next try asks first.
- ``PermanentSendError``: never retry this message; ``number_unreachable`` when the number
  itself is the problem (21211 invalid, 21610 unsubscribed, 21614 not a mobile).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from reporting_api.clock import Clock, utcnow
from reporting_api.services.delivery import UNREACHABLE_CODES
from reporting_api.settings import Settings

log = logging.getLogger(__name__)

RECONCILE_PAGE = 100
"""Messages to one number read back when reconciling; a person gets a handful a month."""
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class SendResult:
    """What the provider said about an accepted message: its SID and status."""

    sid: str
    status: str


class SendError(Exception):
    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TransientSendError(SendError):
    def __init__(self, message: str, *, code: int | None = None, outcome_unknown: bool) -> None:
        super().__init__(message, code=code)
        self.outcome_unknown = outcome_unknown


class PermanentSendError(SendError):
    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message, code=code)
        self.number_unreachable = code in UNREACHABLE_CODES


class SmsSender(Protocol):
    name: str

    async def send_sms(self, to: str, body: str, reference: str) -> SendResult:
        """Hand one message to the provider; raise a SendError subclass on failure."""
        ...

    async def find_sent(self, to: str, body: str, since: datetime) -> SendResult | None:
        """The message to ``to`` with exactly ``body`` created since ``since``, if any."""
        ...

    async def aclose(self) -> None: ...


# --- Twilio ------------------------------------------------------------------------------


class PooledHttpClient(AsyncHttpClient):
    """The twilio client's HTTP layer: one aiohttp session per process, a bounded connection
    pool and a total timeout on every call (twilio's own async client drops the timeout)."""

    def __init__(self, *, timeout: float, max_connections: int) -> None:
        super().__init__(logger=log, is_async=True, timeout=timeout)
        self.max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        return self._session

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, str] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = aiohttp.encode_basic_auth(*auth)
        async with self._open().request(
            method.upper(),
            uri,
            params=params,
            data=data,
            headers=headers,
            allow_redirects=allow_redirects,
        ) as response:
            text = await response.text()
            return TwilioResponse(response.status, text, response.headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class TwilioSender:
    """Sends through Twilio's Messages API with the official client."""

    name = "twilio"

    def __init__(self, settings: Settings) -> None:
        t = settings.twilio
        if not t.configured:
            raise ValueError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed for Twilio")
        if not (t.from_number or t.messaging_service_sid):
            raise ValueError("set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
        self.http = PooledHttpClient(timeout=t.timeout_seconds, max_connections=t.max_connections)
        # environment: read nothing from os.environ (TWILIO_EDGE would rewrite the host).
        self.client = Client(
            t.account_sid, t.auth_token, http_client=self.http, environment={"TWILIO_EDGE": ""}
        )
        if t.base_url:
            # The Api domain builds every URL from base_url: this points the real client,
            # unchanged otherwise, at another host (the local fake in tests and demos).
            self.client.api.base_url = t.base_url
        self.from_number = t.from_number
        self.messaging_service_sid = t.messaging_service_sid
        self.status_callback = f"{settings.public_base_url}/twilio/status"

    async def send_sms(self, to: str, body: str, reference: str) -> SendResult:
        sender: dict[str, Any] = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        try:
            message = await self.client.messages.create_async(
                to=to,
                body=body,
                # The reference rides in the callback URL: delivery reports find the row by it
                # even if we died before recording the SID.
                status_callback=f"{self.status_callback}?ref={reference}",
                **sender,
            )
        except TwilioRestException as error:
            raise _classify(error) from error
        except aiohttp.ClientConnectorError as error:
            # Never connected: Twilio cannot have seen the request.
            raise TransientSendError(f"cannot connect: {error}", outcome_unknown=False) from error
        except (TimeoutError, aiohttp.ClientError) as error:
            raise TransientSendError(
                f"{type(error).__name__}: {error}", outcome_unknown=True
            ) from error
        return SendResult(sid=message.sid or "", status=str(message.status or "queued"))

    async def find_sent(self, to: str, body: str, since: datetime) -> SendResult | None:
        # Listed by number only, newest first, and matched here on the exact text and the
        # creation time: DateSent stays empty while Twilio still queues a message, so a
        # DateSent filter would hide exactly the message a crashed sender may have left.
        try:
            found = await self.client.messages.list_async(to=to, limit=RECONCILE_PAGE)
        except TwilioRestException as error:
            raise _classify(error) from error
        except (TimeoutError, aiohttp.ClientError) as error:
            raise TransientSendError(f"listing failed: {error}", outcome_unknown=True) from error
        for message in found:
            created = message.date_created
            if message.body == body and (created is None or created >= since - CLOCK_SKEW):
                return SendResult(sid=message.sid or "", status=str(message.status or "sent"))
        return None

    async def aclose(self) -> None:
        await self.http.close()


def _classify(error: TwilioRestException) -> SendError:
    code = error.code if isinstance(error.code, int) else None
    text = f"HTTP {error.status}: {error.msg}"
    if error.status == 429:
        return TransientSendError(text, code=code, outcome_unknown=False)
    if error.status >= 500:
        return TransientSendError(text, code=code, outcome_unknown=True)
    if error.status in (401, 403):
        # Wrong credentials are our problem, not the message's: keep it and retry later.
        log.error("Twilio refused our credentials: %s", text)
        return TransientSendError(text, code=code, outcome_unknown=False)
    return PermanentSendError(text, code=code)


# --- outbox log (no credentials) ------------------------------------------------------------


class OutboxLogSender:
    """Writes each message as one JSON line to a local file instead of sending it. The file
    holds phone numbers and links, so only the service's own user may read it (0600)."""

    name = "outbox-log"

    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.clock = clock or utcnow
        self._lock = asyncio.Lock()

    def _append(self, text: str) -> None:
        handle = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        # Also a file an older version left readable by everyone.
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "a", encoding="utf-8") as out:
            out.write(text)

    async def send_sms(self, to: str, body: str, reference: str) -> SendResult:
        sid = "LO" + secrets.token_hex(16)
        line = {
            "at": self.clock().isoformat(),
            "sid": sid,
            "to": to,
            "reference": reference,
            "body": body,
        }
        async with self._lock:
            self._append(json.dumps(line, ensure_ascii=False) + "\n")
        return SendResult(sid=sid, status="sent")

    async def find_sent(self, to: str, body: str, since: datetime) -> SendResult | None:
        if not self.path.exists():
            return None
        async with self._lock:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        for raw in reversed(lines):
            line = json.loads(raw)
            at = datetime.fromisoformat(line["at"])
            if line["to"] == to and line["body"] == body and at >= since - CLOCK_SKEW:
                return SendResult(sid=line["sid"], status="sent")
        return None

    async def aclose(self) -> None:
        return None


# --- in-memory fake (tests) -----------------------------------------------------------------


@dataclass
class FakeMessage:
    sid: str
    to: str
    body: str
    reference: str
    created_at: datetime


@dataclass
class FakeSender:
    """Keeps messages in a list. ``failures[to]`` is a list of errors raised, one per call,
    before calls to that number succeed; ``accept_then_fail`` records the message and then
    raises (the request reached the provider but the answer was lost)."""

    name: str = "fake"
    sent: list[FakeMessage] = field(default_factory=list)
    failures: dict[str, list[SendError]] = field(default_factory=dict)
    accept_then_fail: dict[str, int] = field(default_factory=dict)
    calls: int = 0
    clock: Clock = utcnow

    async def send_sms(self, to: str, body: str, reference: str) -> SendResult:
        self.calls += 1
        queue = self.failures.get(to)
        if queue:
            raise queue.pop(0)
        message = FakeMessage("SM" + secrets.token_hex(16), to, body, reference, self.clock())
        self.sent.append(message)
        if self.accept_then_fail.get(to, 0) > 0:
            self.accept_then_fail[to] -= 1
            raise TransientSendError("read timed out", outcome_unknown=True)
        return SendResult(sid=message.sid, status="queued")

    async def find_sent(self, to: str, body: str, since: datetime) -> SendResult | None:
        for message in reversed(self.sent):
            if (
                message.to == to
                and message.body == body
                and message.created_at >= since - CLOCK_SKEW
            ):
                return SendResult(sid=message.sid, status="sent")
        return None

    async def aclose(self) -> None:
        return None

    def to(self, phone: str) -> list[FakeMessage]:
        return [m for m in self.sent if m.to == phone]


def make_sender(settings: Settings) -> SmsSender:
    """Twilio when credentials are set, otherwise the outbox log."""
    if settings.twilio.configured:
        return TwilioSender(settings)
    log.warning(
        "no Twilio credentials: SMS are written to %s, not sent", settings.scheduler.outbox_path
    )
    return OutboxLogSender(settings.scheduler.outbox_path)
