"""A fake Twilio Messages API for tests, benches and offline demos.

It implements what the service uses of Twilio's 2010-04-01 REST API, as Twilio's OpenAPI
describes it (tests/scheduler/test_fake_twilio.py validates its answers against that
description): create a message, list messages (To, From, DateSent, DateSent<, DateSent>
filters, newest first, PageSize/Page/PageToken paging) and fetch one. It checks basic auth and
E.164 numbers, answers the errors 21211 (invalid number), 21610 (unsubscribed) and 21614 (not
a mobile) for numbers told to, can inject faults (429, 500, slow answers, connections dropped
before or after the message is created) and posts signed status callbacks (sent, then
delivered or undelivered) to each message's StatusCallback URL.

    python -m scheduler.fake_twilio --port 8099 --fault-rate 0.05
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import queue
import random
import re
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from twilio.request_validator import RequestValidator

from reporting_api.sms_templates import count_segments

log = logging.getLogger(__name__)

API = "/2010-04-01"
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
LIST_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")
FETCH_PATH = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages/(SM[0-9a-f]{32})\.json$"
)
FAULTS = ("429", "500", "slow", "drop_before", "drop_after")
ERROR_TEXT = {
    20001: "Invalid parameter",
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    21211: "The 'To' number {to} is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    30005: "Unknown destination handset",
}


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def rfc2822(instant: datetime | None) -> str | None:
    return format_datetime(instant, usegmt=False) if instant else None


@dataclass
class FaultPlan:
    """How often each fault happens (0 to 1, drawn per create call) and what comes next.

    ``script`` is consumed first, one fault (or None for a normal answer) per create call;
    then each fault fires with its rate.
    """

    rates: dict[str, float] = field(default_factory=dict)
    slow_seconds: float = 2.0
    script: deque[str | None] = field(default_factory=deque)
    seed: int = 2569

    def __post_init__(self) -> None:
        unknown = set(self.rates) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}; known: {FAULTS}")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    @classmethod
    def transient(cls, rate: float, seed: int = 2569, slow_seconds: float = 2.0) -> FaultPlan:
        """``rate`` of all create calls fail, spread evenly over the five kinds of fault."""
        return cls({f: rate / len(FAULTS) for f in FAULTS}, slow_seconds=slow_seconds, seed=seed)

    def draw(self) -> str | None:
        with self._lock:
            if self.script:
                return self.script.popleft()
            roll = self._rng.random()
            for fault in FAULTS:
                roll -= self.rates.get(fault, 0.0)
                if roll < 0:
                    return fault
            return None


@dataclass
class FakeMessage:
    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status: str
    status_callback: str | None
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None = None
    error_code: int | None = None

    def resource(self) -> dict[str, Any]:
        """The JSON Twilio returns for a message (`api.v2010.account.message`)."""
        uri = f"{API}/Accounts/{self.account_sid}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": ERROR_TEXT.get(self.error_code) if self.error_code else None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(count_segments(self.body).segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": self.to,
            "uri": f"{uri}.json",
        }


class FakeTwilio:
    """The fake's state and its HTTP server; ``with FakeTwilio() as fake:`` runs it."""

    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultPlan | None = None,
        number_errors: dict[str, int] | None = None,
        undeliverable: dict[str, int] | None = None,
        callbacks: bool = True,
        callback_delay: float = 0.0,
        latency: float = 0.0,
    ) -> None:
        self.account_sid = account_sid or new_sid("AC")
        self.auth_token = auth_token or secrets.token_hex(16)
        self.faults = faults or FaultPlan()
        self.number_errors = dict(number_errors or {})
        self.undeliverable = dict(undeliverable or {})
        self.callbacks = callbacks
        self.callback_delay = callback_delay
        self.latency = latency
        self.messages: dict[str, FakeMessage] = {}
        self.stats: Counter[str] = Counter()
        self.callback_results: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._events: queue.Queue[tuple[float, str, str] | None] = queue.Queue()
        self._server = _Server((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._threads: list[threading.Thread] = []

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTwilio:
        def serve() -> None:
            self._server.serve_forever(poll_interval=0.05)

        for target in (serve, self._deliver_events):
            thread = threading.Thread(
                target=target, daemon=True, name=f"fake-twilio-{target.__name__}"
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._events.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests look at ------------------------------------------------------------

    def sent_to(self, to: str) -> list[FakeMessage]:
        with self._lock:
            return [m for m in self.messages.values() if m.to == to]

    def bodies(self) -> Counter[tuple[str, str]]:
        """How many messages were created per (to, body): anything above 1 is a duplicate."""
        with self._lock:
            return Counter((m.to, m.body) for m in self.messages.values())

    def wait_for_callbacks(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._events.unfinished_tasks == 0:
                return
            time.sleep(0.02)
        raise TimeoutError("status callbacks still pending")

    # --- the API -----------------------------------------------------------------------

    def create(self, account_sid: str, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        to = _one(form, "To")
        body = _one(form, "Body")
        from_ = _one(form, "From")
        service = _one(form, "MessagingServiceSid")
        if not to:
            return _error(400, 21604)
        if not E164.match(to):
            return _error(400, 21211, to=to)
        if to in self.number_errors:
            return _error(400, self.number_errors[to], to=to)
        if not from_ and not service:
            return _error(400, 21603)
        if not body:
            return _error(400, 21602)
        if len(body) > 1600:
            return _error(400, 21617)
        now = datetime.now(UTC)
        message = FakeMessage(
            sid=new_sid("SM"),
            account_sid=account_sid,
            to=to,
            from_=from_ or None,
            messaging_service_sid=service or None,
            body=body,
            status="queued" if not service else "accepted",
            status_callback=_one(form, "StatusCallback") or None,
            date_created=now,
            date_updated=now,
        )
        with self._lock:
            self.messages[message.sid] = message
            self.stats["created"] += 1
            resource = message.resource()
        due = time.monotonic() + self.callback_delay
        self._events.put((due, message.sid, "sent"))
        self._events.put(
            (due, message.sid, "undelivered" if to in self.undeliverable else "delivered")
        )
        return 201, resource

    def list(self, account_sid: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        try:
            page_size = min(max(int(_one(query, "PageSize") or 50), 1), 1000)
            page = max(int(_one(query, "Page") or 0), 0)
        except ValueError:
            return _error(400, 20001)
        to, from_ = _one(query, "To"), _one(query, "From")
        try:
            on, before, after = (
                _date_filter(query, key) for key in ("DateSent", "DateSent<", "DateSent>")
            )
        except ValueError:
            return _error(400, 20001)
        with self._lock:
            found = [
                m
                for m in self.messages.values()
                if m.account_sid == account_sid
                and (not to or m.to == to)
                and (not from_ or m.from_ == from_)
                and _sent_matches(m, on, before, after)
            ]
        found.sort(key=lambda m: (m.date_created, m.sid), reverse=True)
        chunk = found[page * page_size : (page + 1) * page_size]
        filters = {k: _one(query, k) for k in ("To", "From", "DateSent", "DateSent<", "DateSent>")}
        filters = {k: v for k, v in filters.items() if v}
        path = f"{API}/Accounts/{account_sid}/Messages.json"

        def uri(p: int) -> str:
            token = {"PageToken": f"PA{secrets.token_hex(16)}"} if p > 0 else {}
            return f"{path}?{urlencode({**filters, 'PageSize': page_size, 'Page': p, **token})}"

        has_next = (page + 1) * page_size < len(found)
        return 200, {
            "messages": [m.resource() for m in chunk],
            "end": page * page_size + max(len(chunk) - 1, 0),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1) if has_next else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
            "start": page * page_size,
            "uri": f"{path}?{urlencode({**filters, 'PageSize': page_size, 'Page': page})}",
        }

    def fetch(self, account_sid: str, sid: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            message = self.messages.get(sid)
        if message is None or message.account_sid != account_sid:
            return _error(404, 20404)
        return 200, message.resource()

    # --- status callbacks --------------------------------------------------------------

    def _deliver_events(self) -> None:
        while True:
            event = self._events.get()
            if event is None:
                self._events.task_done()
                return
            due, sid, status = event
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                self._advance(sid, status)
            except Exception:  # a callback that fails must not stop the others
                log.exception("status callback for %s failed", sid)
            finally:
                self._events.task_done()

    def _advance(self, sid: str, status: str) -> None:
        with self._lock:
            message = self.messages[sid]
            now = datetime.now(UTC)
            message.status = status
            message.date_updated = now
            if status == "sent":
                message.date_sent = now
            if status == "undelivered":
                message.error_code = self.undeliverable.get(message.to, 30005)
            url = message.status_callback
            params = {
                "AccountSid": message.account_sid,
                "ApiVersion": "2010-04-01",
                "From": message.from_ or "",
                "MessageSid": sid,
                "MessageStatus": status,
                "SmsSid": sid,
                "SmsStatus": status,
                "To": message.to,
            }
            if message.error_code:
                params["ErrorCode"] = str(message.error_code)
        if not (self.callbacks and url):
            return
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        request = urllib.request.Request(
            url,
            data=urlencode(params).encode(),
            headers={
                "X-Twilio-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "TwilioProxy/1.1",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                self.callback_results[response.status] += 1
        except urllib.error.HTTPError as error:
            self.callback_results[error.code] += 1
        except OSError as error:
            self.callback_results[0] += 1
            log.warning("status callback to %s failed: %s", url, error)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that dies mid-request (the crash benches kill dispatchers) is expected.
        log.debug("fake twilio: connection from %s ended abruptly", client_address, exc_info=True)


def _one(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key)
    return values[0] if values else ""


def _error(status: int, code: int, **fields: str) -> tuple[int, dict[str, Any]]:
    message = ERROR_TEXT.get(code, "Invalid parameter").format(**fields)
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _date_filter(query: dict[str, list[str]], key: str) -> datetime | None:
    value = _one(query, key)
    if not value:
        return None
    if len(value) == 10:  # YYYY-MM-DD, as Twilio documents it
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _sent_matches(
    m: FakeMessage, on: datetime | None, before: datetime | None, after: datetime | None
) -> bool:
    if on is None and before is None and after is None:
        return True
    if m.date_sent is None:  # as at Twilio: a message still queued has no DateSent yet
        return False
    if on is not None and m.date_sent.date() != on.date():
        return False
    if before is not None and m.date_sent > before:
        return False
    return not (after is not None and m.date_sent < after)


def _handler_for(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API does

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.debug("fake twilio: " + format, *args)

        def _account(self) -> str | None:
            header = self.headers.get("Authorization", "")
            scheme, _, encoded = header.partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                user, _, password = base64.b64decode(encoded).decode().partition(":")
            except ValueError:
                return None
            if user != fake.account_sid or not secrets.compare_digest(password, fake.auth_token):
                return None
            return user

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timed out) before the answer came
                self.close_connection = True

        def _drop(self) -> None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def _route(self, method: str) -> None:
            fake.stats[f"{method} requests"] += 1
            path = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            match = LIST_PATH.match(path.path) or FETCH_PATH.match(path.path)
            if match is None:
                self._send(*_error(404, 20404))
                return
            account = self._account()
            if account is None or account != match.group(1):
                self._send(*_error(401, 20003))
                return
            if method == "GET":
                query = parse_qs(path.query, keep_blank_values=False)
                if LIST_PATH.match(path.path):
                    self._send(*fake.list(account, query))
                else:
                    self._send(*fake.fetch(account, match.group(2)))
                return
            if not LIST_PATH.match(path.path):
                self._send(*_error(404, 20404))
                return
            if fake.latency:  # a real API takes a while: lets concurrent senders overlap
                time.sleep(fake.latency)
            fault = fake.faults.draw()
            if fault:
                fake.stats[f"fault {fault}"] += 1
            if fault == "429":
                self._send(*_error(429, 20429))
                return
            if fault == "500":
                self._send(*_error(500, 20500))
                return
            if fault == "drop_before":
                self._drop()
                return
            status, payload = fake.create(account, parse_qs(raw.decode(), keep_blank_values=True))
            if fault == "drop_after" and status == 201:
                self._drop()
                return
            if fault == "slow":
                time.sleep(fake.faults.slow_seconds)
            self._send(status, payload)

        def do_GET(self) -> None:  # noqa: N802
            self._route("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._route("POST")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--account-sid", default="AC" + "0" * 32)
    parser.add_argument("--auth-token", default="fake-twilio-auth-token")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="transient faults, 0 to 1")
    parser.add_argument("--no-callbacks", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    fake = FakeTwilio(
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        host=args.host,
        port=args.port,
        faults=FaultPlan.transient(args.fault_rate),
        callbacks=not args.no_callbacks,
    )
    fake.start()
    print(
        f"fake Twilio on {fake.base_url}: TWILIO_BASE_URL={fake.base_url} "
        f"TWILIO_ACCOUNT_SID={fake.account_sid} TWILIO_AUTH_TOKEN={fake.auth_token}",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
