"""The fake's HTTP side: basic auth, the two routes of the Messages API, and the faults drawn
for each create call."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from scheduler.fake_twilio.resources import FETCH_PATH, LIST_PATH, error_answer

if TYPE_CHECKING:
    from scheduler.fake_twilio.state import FakeTwilio

log = logging.getLogger(__name__)


class Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that dies mid-request (the crash benches kill dispatchers) is expected.
        log.debug("fake twilio: connection from %s ended abruptly", client_address, exc_info=True)


def handler_for(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
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
                self._send(*error_answer(404, 20404))
                return
            account = self._account()
            if account is None or account != match.group(1):
                self._send(*error_answer(401, 20003))
                return
            if method == "GET":
                query = parse_qs(path.query, keep_blank_values=False)
                if LIST_PATH.match(path.path):
                    self._send(*fake.list(account, query))
                else:
                    self._send(*fake.fetch(account, match.group(2)))
                return
            if not LIST_PATH.match(path.path):
                self._send(*error_answer(404, 20404))
                return
            if fake.latency:  # a real API takes a while: lets concurrent senders overlap
                time.sleep(fake.latency)
            fault = fake.faults.draw()
            if fault:
                fake.stats[f"fault {fault}"] += 1
            if fault == "429":
                self._send(*error_answer(429, 20429))
                return
            if fault == "500":
                self._send(*error_answer(500, 20500))
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
