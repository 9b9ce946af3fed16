"""The fake Twilio is checked against Twilio's own OpenAPI description, not only our client:
its JSON validates against `api.v2010.account.message` and the list response schema, the
official `twilio` client can use it, and its callbacks carry valid signatures."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import deque
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jsonschema
import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from scheduler.fake_twilio import E164, FakeTwilio, FaultPlan

# Twilio's own description of the Messages API, cut from twilio-oai (MIT, see the licence
# file next to it); kept with the tests so a fresh clone checks the same thing.
OPENAPI = Path(__file__).parent / "data" / "twilio-messages-openapi.json"
SPEC = json.loads(OPENAPI.read_text())
MESSAGES = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
TO = "+66812345678"


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null type, refs stay refs."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _to_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


COMPONENTS = _to_json_schema(SPEC["components"]["schemas"])


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date-time-rfc-2822", raises=(TypeError, ValueError))
    def _rfc2822(value: object) -> bool:
        return value is None or parsedate_to_datetime(str(value)).tzinfo is not None

    @checker.checks("phone-number")
    def _phone(value: object) -> bool:
        return value is None or bool(E164.match(str(value)))

    root = {**_to_json_schema(schema), "components": {"schemas": COMPONENTS}}
    return jsonschema.Draft202012Validator(root, format_checker=checker)


MESSAGE_SCHEMA = {"$ref": "#/components/schemas/api.v2010.account.message"}
LIST_SCHEMA = SPEC["paths"][MESSAGES]["get"]["responses"]["200"]["content"]["application/json"][
    "schema"
]
MESSAGE_FIELDS = set(SPEC["components"]["schemas"]["api.v2010.account.message"]["properties"])


@pytest.fixture
def fake():
    with FakeTwilio(callbacks=False) as server:
        yield server


def client_for(fake: FakeTwilio, token: str | None = None) -> Client:
    client = Client(fake.account_sid, token or fake.auth_token, environment={"TWILIO_EDGE": ""})
    client.api.base_url = fake.base_url
    return client


def raw(fake: FakeTwilio, method: str, **kwargs: Any) -> requests.Response:
    url = fake.base_url + MESSAGES.format(AccountSid=fake.account_sid)
    kwargs.setdefault("timeout", 10)
    return requests.request(method, url, auth=(fake.account_sid, fake.auth_token), **kwargs)


def test_a_created_message_matches_twilios_schema(fake):
    response = raw(fake, "POST", data={"To": TO, "From": "+15005550006", "Body": "สวัสดี"})
    assert response.status_code == 201
    body = response.json()
    _validator(MESSAGE_SCHEMA).validate(body)
    assert set(body) == MESSAGE_FIELDS  # every documented field, nothing invented
    assert body["status"] == "queued" and body["num_segments"] == "1"


def test_the_list_matches_twilios_schema_and_pages(fake):
    client = client_for(fake)
    for n in range(5):
        client.messages.create(to=TO, from_="+15005550006", body=f"message {n}")
    client.messages.create(to="+66899999999", from_="+15005550006", body="someone else")
    response = raw(fake, "GET", params={"To": TO, "PageSize": 2})
    assert response.status_code == 200
    page = response.json()
    _validator(LIST_SCHEMA).validate(page)
    assert set(page) == set(LIST_SCHEMA["properties"])
    assert (
        len(page["messages"]) == 2 and page["next_page_uri"] and page["previous_page_uri"] is None
    )
    # Newest first, and the official client follows next_page_uri to the end.
    listed = client.messages.list(to=TO, page_size=2)
    assert [m.body for m in listed] == [f"message {n}" for n in range(4, -1, -1)]
    last = raw(fake, "GET", params={"To": TO, "PageSize": 2, "Page": 2}).json()
    _validator(LIST_SCHEMA).validate(last)
    assert last["next_page_uri"] is None and len(last["messages"]) == 1


def test_date_sent_filters_follow_twilio(fake):
    client = client_for(fake)
    message = client.messages.create(to=TO, from_="+15005550006", body="hello")
    fake.wait_for_callbacks()
    sent = client.messages(message.sid).fetch().date_sent
    assert sent is not None
    assert len(client.messages.list(to=TO, date_sent_after=sent.replace(year=sent.year - 1))) == 1
    assert client.messages.list(to=TO, date_sent_after=sent.replace(year=sent.year + 1)) == []
    assert (
        len(raw(fake, "GET", params={"DateSent": sent.date().isoformat()}).json()["messages"]) == 1
    )
    assert raw(fake, "GET", params={"DateSent>": "not a date"}).status_code == 400


def test_basic_auth_is_required(fake):
    with pytest.raises(TwilioRestException) as caught:
        client_for(fake, token="wrong").messages.create(to=TO, from_="+1500", body="x")
    assert caught.value.status == 401 and caught.value.code == 20003
    assert (
        requests.get(
            fake.base_url + MESSAGES.format(AccountSid=fake.account_sid), timeout=5
        ).status_code
        == 401
    )


@pytest.mark.parametrize(
    ("to", "code"),
    [("0812345678", 21211), ("+66", 21211), ("+66800000001", 21610), ("+66800000002", 21614)],
)
def test_number_errors_come_back_as_twilio_codes(to, code):
    with FakeTwilio(
        callbacks=False, number_errors={"+66800000001": 21610, "+66800000002": 21614}
    ) as fake:
        with pytest.raises(TwilioRestException) as caught:
            client_for(fake).messages.create(to=to, from_="+15005550006", body="x")
        assert (caught.value.status, caught.value.code) == (400, code)
        assert fake.stats["created"] == 0


def test_missing_body_or_sender_is_refused(fake):
    assert raw(fake, "POST", data={"To": TO, "From": "+15005550006"}).json()["code"] == 21602
    assert raw(fake, "POST", data={"To": TO, "Body": "x"}).json()["code"] == 21603


def test_injected_faults(fake):
    fake.faults = FaultPlan(script=deque(["429", "500", "drop_before", "drop_after", None]))
    data = {"To": TO, "From": "+15005550006", "Body": "x"}
    assert raw(fake, "POST", data=data).status_code == 429
    assert raw(fake, "POST", data=data).status_code == 500
    with pytest.raises(requests.ConnectionError):
        raw(fake, "POST", data=data)
    assert fake.stats["created"] == 0
    with pytest.raises(requests.ConnectionError):
        raw(fake, "POST", data=data)
    assert fake.stats["created"] == 1  # created, but the answer was lost
    assert raw(fake, "POST", data=data).status_code == 201


def test_a_slow_answer_still_creates_the_message(fake):
    fake.faults = FaultPlan(script=deque(["slow"]), slow_seconds=0.5)
    with pytest.raises(requests.Timeout):
        raw(fake, "POST", data={"To": TO, "From": "+15005550006", "Body": "x"}, timeout=0.2)
    assert fake.stats["created"] == 1


def test_fault_rates_are_drawn_reproducibly():
    plan = FaultPlan.transient(0.05, seed=1)
    draws = [plan.draw() for _ in range(10_000)]
    faults = [d for d in draws if d]
    assert 400 <= len(faults) <= 600 and set(faults) <= {
        "429",
        "500",
        "slow",
        "drop_before",
        "drop_after",
    }
    again = FaultPlan.transient(0.05, seed=1)
    assert draws == [again.draw() for _ in range(10_000)]


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], str]] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.received.append((self.path, fields, self.headers["X-Twilio-Signature"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_status_callbacks_are_signed_like_twilios():
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{receiver.server_address[1]}"
    _Receiver.received = []
    try:
        with FakeTwilio(undeliverable={"+66811111111": 30005}) as fake:
            client = client_for(fake)
            ok = client.messages.create(
                to=TO,
                from_="+15005550006",
                body="a",
                status_callback=f"{base}/twilio/status?ref=rem-1",
            )
            client.messages.create(
                to="+66811111111",
                from_="+15005550006",
                body="b",
                status_callback=f"{base}/cb?ref=rem-2",
            )
            fake.wait_for_callbacks()
            assert client.messages(ok.sid).fetch().status == "delivered"
        statuses = [
            (path, f["MessageStatus"], f.get("ErrorCode")) for path, f, _ in _Receiver.received
        ]
        assert statuses == [
            ("/twilio/status?ref=rem-1", "sent", None),
            ("/twilio/status?ref=rem-1", "delivered", None),
            ("/cb?ref=rem-2", "sent", None),
            ("/cb?ref=rem-2", "undelivered", "30005"),
        ]
        validator = RequestValidator(fake.auth_token)
        for path, fields, signature in _Receiver.received:
            assert validator.validate(base + path, fields, signature)
            assert not validator.validate(
                base + path, {**fields, "MessageStatus": "read"}, signature
            )
    finally:
        receiver.shutdown()
        receiver.server_close()


@pytest.mark.timeout(300)
def test_schemathesis_finds_no_server_error_and_conforming_bodies(fake, tmp_path):
    """Generated requests from Twilio's OpenAPI: no 5xx, and every documented answer conforms."""
    # One deviation, from Twilio's own examples: paging URIs are relative references
    # ("/2010-04-01/..."), which the official client joins to its base URL, not absolute URIs.
    text = OPENAPI.read_text().replace('"format": "uri"', '"format": "uri-reference"')
    path = tmp_path / "openapi.json"
    path.write_text(text)
    (tmp_path / "schemathesis.toml").write_text(
        f'[parameters]\n"path.AccountSid" = "{fake.account_sid}"\n'
    )
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            str(path),
            "--url",
            fake.base_url,
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--include-operation-id",
            "CreateMessage",
            "--include-operation-id",
            "ListMessage",
            "--auth",
            f"{fake.account_sid}:{fake.auth_token}",
            "--max-examples",
            "40",
            "--seed",
            "2569",
            "--phases",
            "examples,fuzzing",
        ],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
