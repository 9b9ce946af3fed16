"""LINE's account-link flow, the part LINE's events drive (issue 17): a nonce we gave for a
person who passed identification links the LINE user who brings it back in an `accountLink`
event, once, before it expires; a wrong, used or expired nonce, or a failed link, links
nothing; two users racing with one nonce link one; `unfollow` removes the link; each change
is audited; anonymising the person removes it (both databases). Bodies validated against
LINE's `webhook.yml`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from reporting_api.clock import utcnow
from reporting_api.services import line_webhook
from reporting_api.store import line_events, privacy
from reporting_api.tables import AuditLog, LineAccount
from tests.api.helpers import enrol
from tests.checkin.helpers import db
from tests.conftest import Api, _make_staff
from tests.line.events import event
from tests.line.test_webhook import body_of, send, signature

USER = "U" + "4" * 32
OTHER = "U" + "5" * 32


def account_link(event_id: str, nonce: str, user: str = USER, result: str = "ok") -> dict:
    return event(
        "accountLink",
        event_id,
        user,
        replyToken="reply-" + event_id,
        link={"result": result, "nonce": nonce},
    )


def unfollow(event_id: str, user: str = USER) -> dict:
    return event("unfollow", event_id, user)


def deliver(client: Any, *events: dict) -> None:
    body = body_of(*events)
    assert send(client, body, signature(body)).status_code == 200


def linked() -> dict[int, str]:
    rows = db(LineAccount.select(LineAccount.defendant, LineAccount.user_id))
    return {row["defendant"]: row["user_id"] for row in rows}


@pytest.fixture
def line_api(line, database_url) -> Api:
    """The staff's API on the app with LINE on."""
    return Api(line, _make_staff(database_url))


@pytest.fixture
def enrolled(line_api) -> Callable[[], int]:
    """Enrols a new person through the API of the app with LINE on; their id."""

    def one() -> int:
        response = enrol(line_api)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    return one


def nonce_for(defendant_id: int, at=None) -> str:
    return asyncio.run(line_webhook.start_link(defendant_id, at or utcnow()))


def test_the_nonce_given_links_the_user_who_brings_it_back_once(line, enrolled):
    someone = enrolled()
    nonce = nonce_for(someone)
    deliver(line, account_link("01JE0000000000000000000001", nonce))
    assert linked() == {someone: USER}
    # The same nonce again, from another LINE user: used, nothing changes.
    deliver(line, account_link("01JE0000000000000000000002", nonce, user=OTHER))
    assert linked() == {someone: USER}
    actions = [r["action"] for r in db(AuditLog.select(AuditLog.action).order_by(AuditLog.id))]
    assert actions.count("line.linked") == 1


def test_a_wrong_expired_or_failed_link_links_nothing(line, enrolled):
    someone = enrolled()
    deliver(line, account_link("01JE0000000000000000000003", "not-a-nonce-we-gave"))
    stale = nonce_for(someone, utcnow() - timedelta(minutes=line_webhook.LINK_MINUTES + 1))
    deliver(line, account_link("01JE0000000000000000000004", stale))
    failed = nonce_for(someone)
    deliver(line, account_link("01JE0000000000000000000005", failed, result="failed"))
    assert linked() == {}
    # The nonce of a failed link is still good for the person's next try.
    deliver(line, account_link("01JE0000000000000000000006", failed))
    assert linked() == {someone: USER}


def test_two_users_racing_with_one_nonce_link_one(line, enrolled):
    someone = enrolled()
    nonce = nonce_for(someone)

    async def race() -> list[int | None]:
        now = utcnow()
        return await asyncio.gather(*(line_events.use_link(nonce, now) for _ in range(10)))

    assert sorted(asyncio.run(race()), key=lambda x: x is None) == [someone] + [None] * 9


def test_unfollow_removes_the_link_and_a_new_link_replaces_the_old(line, enrolled):
    first, second = enrolled(), enrolled()
    deliver(line, account_link("01JE0000000000000000000007", nonce_for(first)))
    # The same LINE user linked again, to someone else: one link each way.
    deliver(line, account_link("01JE0000000000000000000008", nonce_for(second)))
    assert linked() == {second: USER}
    deliver(line, unfollow("01JE0000000000000000000009", OTHER))  # not linked: nothing
    assert linked() == {second: USER}
    deliver(line, unfollow("01JE0000000000000000000010"))
    assert linked() == {}
    rows = db(AuditLog.select(AuditLog.action, AuditLog.entity_id).order_by(AuditLog.id))
    line_rows = [(r["action"], r["entity_id"]) for r in rows if r["action"].startswith("line.")]
    assert line_rows == [
        ("line.linked", str(first)),
        ("line.linked", str(second)),
        ("line.unlinked", str(second)),
    ]


def test_anonymising_the_person_removes_their_line_account(line, enrolled):
    someone = enrolled()
    deliver(line, account_link("01JE0000000000000000000011", nonce_for(someone)))
    nonce_for(someone)  # a link in progress too
    asyncio.run(privacy.anonymise(someone, utcnow()))
    assert linked() == {}
    assert asyncio.run(line_events.use_link("anything", utcnow())) is None


def test_the_persons_export_names_their_line_account(line, line_api, enrolled):
    someone = enrolled()
    deliver(line, account_link("01JE0000000000000000000012", nonce_for(someone)))
    record = line_api.request("officer_bkk", "GET", f"/api/v1/defendants/{someone}/export")
    assert record.status_code == 200, record.text
    assert record.json()["line_account"]["user_id"] == USER
    other = enrolled()
    bare = line_api.request("officer_bkk", "GET", f"/api/v1/defendants/{other}/export")
    assert bare.json()["line_account"] is None
