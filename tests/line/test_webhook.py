"""`POST /line/webhook` (issue 17): only LINE's signature opens it (forged, unsigned or
signed with another secret: 403, nothing recorded), each event is taken in once however
often LINE delivers it (also when deliveries race), LINE's "verify" request (no events) is
answered, a signed body of another shape is a clear 400, and with LINE off the route is not
there. Every well-formed body sent here is one LINE could send (`webhook.yml`)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from reporting_api.clock import utcnow
from reporting_api.store import line_events
from reporting_api.tables import LineEvent
from tests.checkin.helpers import db
from tests.conftest import settings_for_test
from tests.line.conftest import SECRET
from tests.line.events import BOT, event
from tests.line.spec import webhook_problems


def follow(event_id: str, redelivery: bool = False) -> dict[str, Any]:
    return event(
        "follow",
        event_id,
        redelivery=redelivery,
        replyToken="reply-token-" + event_id,
        follow={"isUnblocked": False},
    )


def postback(event_id: str) -> dict[str, Any]:
    return event(
        "postback",
        event_id,
        replyToken="reply-token-" + event_id,
        postback={"data": "request=cannot_come"},
    )


def body_of(*events: dict[str, Any]) -> bytes:
    body = {"destination": BOT, "events": list(events)}
    assert webhook_problems(body) == [], webhook_problems(body)
    return json.dumps(body).encode()


def signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def send(client: Any, body: bytes, sign: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if sign is not None:
        headers["X-Line-Signature"] = sign
    return client.post("/line/webhook", content=body, headers=headers)


def _taken_in() -> list[tuple[str, str]]:
    rows = db(LineEvent.select(LineEvent.event_id, LineEvent.kind).order_by(LineEvent.id))
    return [(row["event_id"], row["kind"]) for row in rows]


def test_signed_events_are_taken_in_once_however_often_line_delivers_them(line):
    body = body_of(follow("01JD0000000000000000000001"), postback("01JD0000000000000000000002"))
    assert send(line, body, signature(body)).status_code == 200
    again = body_of(follow("01JD0000000000000000000001", redelivery=True))
    assert send(line, again, signature(again)).status_code == 200
    assert send(line, body, signature(body)).status_code == 200  # a replay of the first
    assert _taken_in() == [
        ("01JD0000000000000000000001", "follow"),
        ("01JD0000000000000000000002", "postback"),
    ]


@pytest.mark.parametrize(
    "sign",
    [None, "", "not-base64-at-all", signature(b"another body"), "other secret"],
    ids=["unsigned", "empty", "garbage", "another-body", "other-secret"],
)
def test_a_request_without_lines_signature_is_refused_and_changes_nothing(line, sign):
    body = body_of(follow("01JD0000000000000000000003"))
    if sign == "other secret":
        sign = signature(body, "not the channel secret")
    response = send(line, body, sign)
    assert response.status_code == 403, response.text
    assert _taken_in() == []


def test_lines_verify_request_without_events_is_answered(line):
    body = body_of()
    assert send(line, body, signature(body)).status_code == 200
    assert _taken_in() == []


def test_a_signed_body_that_is_not_lines_json_is_a_clear_400(line):
    for body in (b"{not json", b"\xff\xfe", json.dumps({"events": [{"type": 3}]}).encode()):
        response = send(line, body, signature(body))
        assert response.status_code == 400, response.text
        [extra] = response.json()["extra"]
        assert extra["key"] == "body" and extra["message_th"]
    assert _taken_in() == []


def test_with_line_off_the_webhook_is_not_there(api):
    body = body_of(follow("01JD0000000000000000000004"))
    assert send(api.client, body, signature(body)).status_code == 404
    assert _taken_in() == []


def test_one_event_delivered_twenty_times_at_once_is_taken_in_once(database_url):
    async def burst() -> list[bool]:
        now = utcnow()
        return await asyncio.gather(
            *(line_events.take_in("01JD0000000000000000000005", "follow", now) for _ in range(20))
        )

    assert sorted(asyncio.run(burst())) == [False] * 19 + [True]
    assert _taken_in() == [("01JD0000000000000000000005", "follow")]


def test_event_ids_are_forgotten_after_a_month_by_the_nightly_purge(database_url):
    from datetime import timedelta

    from reporting_api.services.retention import purge

    now = utcnow()
    asyncio.run(line_events.take_in("01JD0000000000000000000006", "follow", now))
    asyncio.run(line_events.take_in("01JD0000000000000000000007", "message", now))
    settings = settings_for_test(database_url)
    assert asyncio.run(purge(now + timedelta(days=29), settings)).line_events == 0
    report = asyncio.run(purge(now + timedelta(days=31), settings))
    assert report.line_events == 2 and _taken_in() == []
    assert "2 LINE webhook event ids" in report.lines()
