"""A local stand-in for LINE's Messaging API, for the tests and demos: the calls the service
makes (push a message, with `X-Line-Retry-Key`; the month's quota and what is used of it; a
link token for the account-link flow), answering as LINE's description says
(`tests/line/data/messaging-api.yml`, checked by tests/line/test_fake_line.py); and a reply
to a webhook event with its reply token, good for one reply.

LINE's own rules it keeps: the channel access token is required (401 otherwise, as LINE's
reference gives for every call); a retry key is a UUID and is accepted once (a second push
with it is 409 with the first request's id in `x-line-accepted-request-id`, and nothing is
sent again); a push to someone the account has never known is 400 and sends nothing,
while a push to someone who blocked the account is accepted (200) and never delivered, as
LINE documents ("Retry failed API requests"): only the `unfollow` event tells of a block;
past the month's limit a push is 429. Every request is kept (`requests`) so a test can check
it against the description too.

Faults, off unless ``fault_rate`` is set (the benches): that share of the pushes LINE has not
already accepted fail the ways LINE fails, drawn from ``rng`` and spread evenly over `FAULTS`:
refused (400) and quota (429), with nothing sent; a 500 or the connection dropped before the
push is taken; and a 500 or the connection dropped after it was taken (the retry key is then
accepted and the message sent, only the answer is lost). A key already accepted is always
answered 409, as without faults. Each fault injected is counted in ``injected``.
"""

from __future__ import annotations

import json
import random
import secrets
import socket
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PUSH = "/v2/bot/message/push"
REPLY = "/v2/bot/message/reply"
QUOTA = "/v2/bot/message/quota"
CONSUMPTION = "/v2/bot/message/quota/consumption"
LINK_TOKEN = ("/v2/bot/user/", "/linkToken")
FAULTS = ("refused", "quota", "error_before", "drop_before", "error_after", "drop_after")
"""The faults a push may meet when ``fault_rate`` is set; the last two after it was taken."""
DROPPED = 0
"""`FakeLine.answer`'s status for a connection closed without an answer (a fault)."""


@dataclass
class Pushed:
    """A push LINE accepted: to whom, the messages, its request id and retry key, and
    whether it reached the person (not when they had blocked the account)."""

    to: str
    messages: list[dict[str, Any]]
    request_id: str
    retry_key: str | None
    delivered: bool = True


@dataclass
class Received:
    """One request as it came: method, path, headers and the JSON body (None without one)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeLine:
    access_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    monthly_limit: int | None = None
    """None: no limit set (`"type": "none"`)."""
    friends: dict[str, bool] = field(default_factory=dict)
    """LINE user id -> True while they follow the account, False once they blocked it."""
    pushed: list[Pushed] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    link_tokens: dict[str, str] = field(default_factory=dict)
    replied: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    """(reply token, messages) of each reply LINE took."""
    used: int = 0
    fault_rate: float = 0.0
    """The share of pushes not already accepted that meet a fault (`FAULTS`); 0: none."""
    rng: random.Random = field(default_factory=random.Random)
    """Draws the faults; seed it for a repeatable run."""
    injected: Counter[str] = field(default_factory=Counter)
    """Faults injected, by kind."""
    _retry_keys: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def follow(self, user_id: str) -> None:
        self.friends[user_id] = True

    def block(self, user_id: str) -> None:
        self.friends[user_id] = False

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on a thread; the base URL to give `LINE_BASE_URL`."""
        self._server = _Server((host, port), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://{host}:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """(status, JSON body, extra headers) for one request."""
        with self._lock:
            self.requests.append(Received(method, path, headers, body))
            if headers.get("authorization") != f"Bearer {self.access_token}":
                return (
                    401,
                    {
                        "message": "Authentication failed. Confirm that the access token "
                        "in the authorization header is valid."
                    },
                    {},
                )
            if method == "POST" and path == PUSH:
                return self._push(headers, body)
            if method == "POST" and path == REPLY:
                return self._reply(body)
            if method == "GET" and path == QUOTA:
                if self.monthly_limit is None:
                    return 200, {"type": "none"}, {}
                return 200, {"type": "limited", "value": self.monthly_limit}, {}
            if method == "GET" and path == CONSUMPTION:
                return 200, {"totalUsage": self.used}, {}
            if method == "POST" and path.startswith(LINK_TOKEN[0]) and path.endswith(LINK_TOKEN[1]):
                user = path.removeprefix(LINK_TOKEN[0]).removesuffix(LINK_TOKEN[1])
                if not self.friends.get(user):
                    return 400, {"message": "Failed to issue link token"}, {}
                token = secrets.token_urlsafe(24)
                self.link_tokens[token] = user
                return 200, {"linkToken": token}, {}
            return 404, {"message": "Not found"}, {}

    def _push(
        self, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        request_id = str(uuid.uuid4())
        key = headers.get("x-line-retry-key")
        if key is not None:
            try:
                uuid.UUID(key)
            except ValueError:
                return (
                    400,
                    {"message": "The value for the 'X-Line-Retry-Key' header is invalid"},
                    {},
                )
            if key in self._retry_keys:
                accepted = {"x-line-accepted-request-id": self._retry_keys[key]}
                return 409, {"message": "The retry key is already accepted"}, accepted
        messages = body.get("messages") if isinstance(body, dict) else None
        to = body.get("to") if isinstance(body, dict) else None
        if not isinstance(to, str) or not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return 400, {"message": "The request body has 1 error(s)"}, {}
        if to not in self.friends:
            return 400, {"message": "The property, 'to', in the request body is invalid"}, {}
        fault = self._draw_fault()
        if fault == "refused":
            return 400, {"message": "Failed to send messages"}, {}
        if (fault == "quota") or (
            self.monthly_limit is not None and self.used + len(messages) > self.monthly_limit
        ):
            return 429, {"message": "You have reached your monthly limit."}, {}
        if fault == "error_before":
            return 500, {"message": "An error occurred in the server"}, {}
        if fault == "drop_before":
            return DROPPED, {}, {}
        self.used += len(messages)
        if key is not None:
            self._retry_keys[key] = request_id
        self.pushed.append(Pushed(to, messages, request_id, key, delivered=self.friends[to]))
        if fault == "error_after":
            return 500, {"message": "An error occurred in the server"}, {}
        if fault == "drop_after":
            return DROPPED, {}, {}
        sent = [
            {"id": str(secrets.randbelow(10**18)), "quoteToken": secrets.token_urlsafe(16)}
            for _ in messages
        ]
        return 200, {"sentMessages": sent}, {"x-line-request-id": request_id}

    def _draw_fault(self) -> str | None:
        """A fault for this push (`FAULTS`, counted), or None; never drawn without a rate."""
        if self.fault_rate <= 0 or self.rng.random() >= self.fault_rate:
            return None
        fault = self.rng.choice(FAULTS)
        self.injected[fault] += 1
        return fault

    def _reply(self, body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        # A reply token is good for one reply (LINE: "Invalid reply token" after that).
        token = body.get("replyToken") if isinstance(body, dict) else None
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return 400, {"message": "The request body has 1 error(s)"}, {}
        if not isinstance(token, str) or any(t == token for t, _ in self.replied):
            return 400, {"message": "Invalid reply token"}, {}
        self.replied.append((token, messages))
        sent = [
            {"id": str(secrets.randbelow(10**18)), "quoteToken": secrets.token_urlsafe(16)}
            for _ in messages
        ]
        return 200, {"sentMessages": sent}, {"x-line-request-id": str(uuid.uuid4())}


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that dies mid-request (the crash bench kills dispatchers) is expected.
        pass


def _handler_for(fake: FakeLine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, payload, extra = fake.answer(method, self.path, headers, body)
            if status == DROPPED:  # a fault: the connection closes without an answer
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

    return Handler
