"""The fake LINE keeping its answers too, and the check of every request it took and every
answer it gave against LINE's own `messaging-api.yml`."""

from __future__ import annotations

from typing import Any

from scheduler.fake_line import CONSUMPTION, PUSH, QUOTA, REPLY, FakeLine
from tests.line.spec import validator

SPEC = "messaging-api.yml"
REQUESTS = {PUSH: "PushMessageRequest", REPLY: "ReplyMessageRequest"}
ANSWERS = {
    (PUSH, 200): "PushMessageResponse",
    (REPLY, 200): "ReplyMessageResponse",
    (QUOTA, 200): "MessageQuotaResponse",
    (CONSUMPTION, 200): "QuotaConsumptionResponse",
}


class Recording(FakeLine):
    """The fake, keeping its answers too, for the checks against the description."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.answers: list[tuple[str, int, dict[str, Any]]] = []
        self.base_url = ""

    def answer(self, method, path, headers, body):  # type: ignore[no-untyped-def]
        status, payload, extra = super().answer(method, path, headers, body)
        self.answers.append((path, status, payload))
        return status, payload, extra

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self.base_url = super().start(host, port)
        return self.base_url


def check_against_spec(line: Recording) -> None:
    """What the SDK sent and what the fake answered, against LINE's description."""
    for request in line.requests:
        schema = REQUESTS.get(request.path)
        if schema is not None:
            problems = list(validator(SPEC, schema).iter_errors(request.body))
            assert problems == [], (request.path, problems)
    for path, status, payload in line.answers:
        schema = ANSWERS.get((path, status)) or ("ErrorResponse" if status >= 400 else None)
        if path.endswith("/linkToken") and status == 200:
            schema = "IssueLinkTokenResponse"
        assert schema, (path, status)
        problems = list(validator(SPEC, schema).iter_errors(payload))
        assert problems == [], (path, status, problems)
