"""Finding 13: a check-in link is valid only from its first reminder (or its window's opening,
if earlier) until `LINK_GRACE_DAYS` after its window closed.

Outside that time the page, the identify call and "this is not me" answer exactly as for a
code that never existed (same status, same words in Thai and English), so an old or early
code tells nothing. Inside it the flow is unchanged: every reminder the plan sends before the
window opens carries a link that works, and the missed-check-in follow-up opens a page that
says the window closed and whom to call. Each app here runs on a fixed clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from reporting_api.clock import fixed
from reporting_api.tables import Defendant, Reminder
from tests.checkin.helpers import (
    BIRTH,
    check_in_row,
    db,
    identify,
    later_check_in,
    open_check_in,
    set_check_in,
)

MINUTE = timedelta(minutes=1)


@contextmanager
def client_at(database_url: str, instant: datetime, **checkin: Any) -> Iterator[Any]:
    """A client of the app on the database whose clock says ``instant``."""
    from litestar.testing import TestClient

    from reporting_api.app import create_app
    from tests.conftest import settings_for_test, shared_verifier

    base = settings_for_test(database_url)
    settings = replace(base, checkin=replace(base.checkin, **checkin))
    app = create_app(settings, clock=fixed(instant), verifier=shared_verifier())
    with TestClient(app=app) as client:
        yield client


def reminders(check_in_id: int) -> dict[str, dict[str, Any]]:
    rows = db(Reminder.select().where(Reminder.check_in == check_in_id))
    return {row["kind"]: row for row in rows}


def answers_as_unknown(client: Any, code: str) -> None:
    """Every answer on ``code`` is the one a never-issued code of its length gets."""
    unknown = "Q" * len(code)
    for query in ("", "?lang=en"):
        page, other = client.get(f"/c/{code}{query}"), client.get(f"/c/{unknown}{query}")
        assert (page.status_code, other.status_code) == (404, 404)
        assert page.text.replace(code, "CODE") == other.text.replace(unknown, "CODE")
        assert page.headers["cache-control"] == other.headers["cache-control"] == "no-store"
        # It says so in Thai and in English, whichever language the page is in.
        assert "ใช้ไม่ได้ในขณะนี้" in page.text and "not valid now" in page.text
        assert 'id="identify"' not in page.text and "stop-sms" not in page.text
    body = {"date_of_birth": BIRTH, "national_id_last4": "1234"}
    for path in ("identify", "challenge", "preferences"):
        mine = client.post(f"/c/{code}/{path}", json=body if path == "identify" else {})
        theirs = client.post(f"/c/{unknown}/{path}", json=body if path == "identify" else {})
        assert (mine.status_code, mine.text) == (theirs.status_code, theirs.text), path
        assert mine.status_code == 404
    mine, theirs = client.post(f"/c/{code}/not-me"), client.post(f"/c/{unknown}/not-me")
    assert (
        (mine.status_code, mine.text) == (theirs.status_code, theirs.text) == (200, '{"ok":true}')
    )


def test_a_link_is_not_valid_before_its_first_reminder_and_works_from_it(api, database_url):
    world = open_check_in(api)
    later = later_check_in(api, world)
    # The window opening 2 days before the date (open_check_in's plan opens it 7 days before,
    # after the 3-day reminder): the start of the day two days before.
    due_at = check_in_row(later["id"])["due_at"]
    set_check_in(later["id"], opens_at=due_at - timedelta(days=3))
    row, sent = check_in_row(later["id"]), reminders(later["id"])
    first = min(r["due_at"] for kind, r in sent.items() if kind != "missed_followup")
    assert first < row["opens_at"]  # the plan reminds before the window opens
    with client_at(database_url, first - MINUTE) as client:
        answers_as_unknown(client, later["code"])
    # "This is not me" on a code not valid yet changed nothing.
    person = db(Defendant.select().where(Defendant.id == world["defendant"]["id"]).first())
    assert person["sms_opt_out"] is False
    # Every reminder the plan sends before the window opens carries a link that works.
    for kind, reminder in sorted(sent.items(), key=lambda kv: kv[1]["due_at"]):
        if kind == "missed_followup":
            continue
        with client_at(database_url, reminder["due_at"]) as client:
            page = client.get(f"/c/{later['code']}")
            assert page.status_code == 200, kind
            expected = "เปิดให้รายงานตัวตั้งแต่" if reminder["due_at"] < row["opens_at"] else "identify"
            assert expected in page.text, kind
    with client_at(database_url, row["opens_at"]) as client:
        assert 'id="identify"' in client.get(f"/c/{later['code']}").text


def test_without_an_earlier_reminder_a_link_is_valid_from_its_window_opening(api, database_url):
    world = open_check_in(api)
    later = later_check_in(api, world)
    row = check_in_row(later["id"])
    # Cancelled reminders (re-planned away, a closed case) never went out: they do not count.
    db(Reminder.update({Reminder.status: "cancelled"}).where(Reminder.check_in == later["id"]))
    with client_at(database_url, row["opens_at"] - MINUTE) as client:
        answers_as_unknown(client, later["code"])
    with client_at(database_url, row["opens_at"]) as client:
        page = client.get(f"/c/{later['code']}")
        assert page.status_code == 200 and 'id="identify"' in page.text
        assert identify(client, world | {"code": later["code"]}).status_code == 200


def test_after_its_window_and_grace_a_link_answers_as_an_unknown_code(api, database_url):
    world = open_check_in(api)
    code, row = world["code"], check_in_row(world["check_in"]["id"])
    closes = row["closes_at"]
    follow_up = reminders(world["check_in"]["id"])["missed_followup"]
    # The grace (LINK_GRACE_DAYS, 7): the page says the window closed and whom to call,
    # also for the missed-check-in SMS, which goes the morning after and carries the link.
    for instant in (
        closes,
        follow_up["due_at"],
        follow_up["expires_at"],
        closes + 7 * 24 * 60 * MINUTE - MINUTE,
    ):
        with client_at(database_url, instant) as client:
            page = client.get(f"/c/{code}")
            assert page.status_code == 410, instant
            assert "ลิงก์นี้หมดอายุแล้ว" in page.text
    with client_at(database_url, closes + timedelta(days=7)) as client:
        answers_as_unknown(client, code)


def test_the_grace_after_the_window_is_link_grace_days(api, database_url):
    world = open_check_in(api)
    code, closes = world["code"], check_in_row(world["check_in"]["id"])["closes_at"]
    with client_at(database_url, closes, link_grace_days=0) as client:
        answers_as_unknown(client, code)
    with client_at(database_url, closes + timedelta(days=1) - MINUTE, link_grace_days=1) as client:
        assert client.get(f"/c/{code}").status_code == 410
