"""`POST /twilio/status`: signed reports are recorded; forged or unsigned ones get 403 and
change nothing (both databases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from litestar.testing import TestClient
from twilio.request_validator import RequestValidator

from reporting_api.app import create_app
from reporting_api.settings import TwilioSettings
from reporting_api.tables import Flag, Reminder, SmsBlockedNumber
from reporting_api.thai_dates import BANGKOK
from scheduler.dispatch import Dispatcher
from scheduler.sender import FakeSender
from tests.scheduler.helpers import PUBLIC, by_kind, case_with_plan, make_world, reminders_of, run

ACCOUNT = "AC" + "a" * 32
TOKEN = "callback-test-token"
DUE = date(2026, 12, 16)
SENT_AT = datetime(2026, 12, 13, 9, 1, tzinfo=BANGKOK).astimezone(UTC)


@pytest.fixture
def world(database_url):
    w = make_world(database_url)
    w.settings = replace(
        w.settings, twilio=replace(TwilioSettings(), account_sid=ACCOUNT, auth_token=TOKEN)
    )
    return w


def sent_reminder(world, *, record: bool = True) -> dict[str, Any]:
    """A 3-days-before reminder handed to the (in-memory) provider; if not ``record``, the
    dispatcher 'died' before storing the SID: the row is still `sending`."""

    async def go() -> dict[str, Any]:
        _, case, _ = await case_with_plan(world, DUE)
        sender = FakeSender(clock=lambda: SENT_AT)
        await Dispatcher(world.settings, sender, worker_id="t").drain(lambda: SENT_AT)
        row = by_kind(await reminders_of(case["id"]))["before_3d"]
        if not record:
            await Reminder.update(
                {
                    Reminder.status: "sending",
                    Reminder.message_sid: None,
                    Reminder.claimed_by: "dead",
                }
            ).where(Reminder.id == row["id"])
        return row | {"sid": sender.sent[0].sid}

    return run(go())


def fields(row: dict[str, Any], status: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "ApiVersion": "2010-04-01",
        "From": "+15005550006",
        "MessageSid": row["sid"],
        "MessageStatus": status,
        "SmsSid": row["sid"],
        "SmsStatus": status,
        "To": row["to_phone"],
        **extra,
    }


def post(
    client: TestClient,
    row: dict[str, Any],
    data: dict[str, str],
    *,
    signature: str | None = "sign",
    url: str | None = None,
) -> Any:
    path = f"/twilio/status?ref={row['reference']}"
    headers = {}
    if signature == "sign":
        signature = RequestValidator(TOKEN).compute_signature(url or PUBLIC + path, data)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return client.post(path, data=data, headers=headers)


def stored(row: dict[str, Any]) -> dict[str, Any]:
    return run(Reminder.select().where(Reminder.id == row["id"]).first())


def test_a_signed_delivery_report_is_recorded(world):
    row = sent_reminder(world)
    with TestClient(app=create_app(world.settings)) as client:
        assert post(client, row, fields(row, "sent")).status_code == 204
        assert post(client, row, fields(row, "delivered")).status_code == 204
        # A late "sent" never moves a delivered message backwards.
        assert post(client, row, fields(row, "sent")).status_code == 204
    after = stored(row)
    assert after["status"] == "delivered" and after["delivered_at"] is not None


@pytest.mark.parametrize(
    "forgery",
    ["unsigned", "wrong signature", "signed for another host", "changed field", "other account"],
)
def test_forged_or_unsigned_reports_get_403_and_change_nothing(world, forgery):
    row = sent_reminder(world)
    before = stored(row)
    data = fields(row, "undelivered", ErrorCode="30005")
    with TestClient(app=create_app(world.settings)) as client:
        if forgery == "unsigned":
            response = post(client, row, data, signature=None)
        elif forgery == "wrong signature":
            response = post(client, row, data, signature="bm90IGEgc2lnbmF0dXJl")
        elif forgery == "signed for another host":
            evil = f"https://evil.example/twilio/status?ref={row['reference']}"
            response = post(client, row, data, url=evil)
        elif forgery == "changed field":
            signed = RequestValidator(TOKEN).compute_signature(
                f"{PUBLIC}/twilio/status?ref={row['reference']}", data
            )
            response = post(client, row, {**data, "ErrorCode": "30003"}, signature=signed)
        else:
            other = {**data, "AccountSid": "AC" + "b" * 32}
            response = post(client, row, other)
        assert response.status_code == 403
    assert stored(row) == before
    assert run(Flag.count()) == 0 and run(SmsBlockedNumber.count()) == 0


def test_without_twilio_configured_every_report_is_refused(database_url):
    world = make_world(database_url)
    row = sent_reminder(world)
    with TestClient(app=create_app(world.settings)) as client:
        assert post(client, row, fields(row, "delivered")).status_code == 403
    assert stored(row)["status"] == "sent"


def test_a_report_finds_its_row_by_reference_even_before_the_sid_was_recorded(world):
    row = sent_reminder(world, record=False)
    with TestClient(app=create_app(world.settings)) as client:
        assert post(client, row, fields(row, "delivered")).status_code == 204
    after = stored(row)
    assert after["status"] == "delivered" and after["message_sid"] == row["sid"]
    assert after["sent_at"] is not None


def test_an_undelivered_report_with_a_dead_number_flags_the_officer(world):
    row = sent_reminder(world)
    with TestClient(app=create_app(world.settings)) as client:
        data = fields(row, "undelivered", ErrorCode="30005")
        assert post(client, row, data).status_code == 204
        assert post(client, row, data).status_code == 204  # Twilio may repeat itself
    after = stored(row)
    assert after["status"] == "undelivered" and after["error_code"] == 30005
    assert run(Flag.count().where(Flag.kind == "unreachable_phone")) == 1
    assert run(SmsBlockedNumber.count()) == 1


def test_the_route_is_not_in_the_staff_api_schema(world):
    with TestClient(app=create_app(world.settings)) as client:
        schema = client.get("/schema/openapi.json").json()
    assert not any(path.startswith("/twilio") for path in schema["paths"])
