"""The fake's state and the API's operations: messages created, listed and fetched, and the
status callbacks (sent, then delivered or undelivered), signed as Twilio signs them."""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from reporting_api.clock import Clock, utcnow
from scheduler.fake_twilio.app import Server, handler_for
from scheduler.fake_twilio.faults import FaultPlan
from scheduler.fake_twilio.resources import (
    API,
    E164,
    FakeMessage,
    date_filter,
    error_answer,
    new_sid,
    param,
    sent_matches,
)

log = logging.getLogger(__name__)


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
        clock: Clock = utcnow,
    ) -> None:
        self.clock = clock
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
        self._server = Server((host, port), handler_for(self))
        self._server.daemon_threads = True
        self._threads: list[threading.Thread] = []

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

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
        to = param(form, "To")
        body = param(form, "Body")
        from_ = param(form, "From")
        service = param(form, "MessagingServiceSid")
        if not to:
            return error_answer(400, 21604)
        if not E164.match(to):
            return error_answer(400, 21211, to=to)
        if to in self.number_errors:
            return error_answer(400, self.number_errors[to], to=to)
        if not from_ and not service:
            return error_answer(400, 21603)
        if not body:
            return error_answer(400, 21602)
        if len(body) > 1600:
            return error_answer(400, 21617)
        now = self.clock()
        message = FakeMessage(
            sid=new_sid("SM"),
            account_sid=account_sid,
            to=to,
            from_=from_ or None,
            messaging_service_sid=service or None,
            body=body,
            status="queued" if not service else "accepted",
            status_callback=param(form, "StatusCallback") or None,
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
            page_size = min(max(int(param(query, "PageSize") or 50), 1), 1000)
            page = max(int(param(query, "Page") or 0), 0)
        except ValueError:
            return error_answer(400, 20001)
        to, from_ = param(query, "To"), param(query, "From")
        try:
            on, before, after = (
                date_filter(query, key) for key in ("DateSent", "DateSent<", "DateSent>")
            )
        except ValueError:
            return error_answer(400, 20001)
        with self._lock:
            found = [
                m
                for m in self.messages.values()
                if m.account_sid == account_sid
                and (not to or m.to == to)
                and (not from_ or m.from_ == from_)
                and sent_matches(m, on, before, after)
            ]
        found.sort(key=lambda m: (m.date_created, m.sid), reverse=True)
        chunk = found[page * page_size : (page + 1) * page_size]
        filters = {k: param(query, k) for k in ("To", "From", "DateSent", "DateSent<", "DateSent>")}
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
            return error_answer(404, 20404)
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
            now = self.clock()
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
