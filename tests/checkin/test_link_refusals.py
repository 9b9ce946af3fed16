"""Identifying on the link: wrong answers, the lock, the per-client limit, the session cookie,
and the challenge that only an identified person gets."""

from __future__ import annotations

from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.tables import LinkLimit, LivenessChallenge
from tests.checkin.helpers import (
    audit_rows,
    check_in_row,
    db,
    flags_of,
    identify,
    link_client,
    open_check_in,
    wrong_last4,
)


def _refusal(response, status, key):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status
    [extra] = body["extra"]
    assert extra["key"] == key
    assert extra["message"] and extra["message_th"]
    return extra


def test_wrong_answers_say_how_many_tries_are_left(api):
    world = open_check_in(api)
    client = api.client
    extra = _refusal(identify(client, world, birth="1990-05-18"), 401, "date_of_birth")
    assert "4 tries left" in extra["message"] and "4 ครั้ง" in extra["message_th"]
    extra = _refusal(identify(client, world, last4=wrong_last4(world)), 401, "date_of_birth")
    assert "3 tries left" in extra["message"]
    assert "set-cookie" not in identify(client, world, last4=wrong_last4(world)).headers
    assert check_in_row(world["check_in"]["id"])["identify_failures"] == 3
    assert len(audit_rows(world["check_in"]["id"], "checkin.identify_failed")) == 3
    assert identify(client, world).status_code == 200


def test_malformed_answers_are_400_and_not_counted(api):
    world = open_check_in(api)
    for birth in ("17/05/1990", "1990-13-01", "", "yesterday"):
        _refusal(identify(api.client, world, birth=birth), 400, "date_of_birth")
    for last4 in ("123", "12345", "abcd", ""):
        _refusal(identify(api.client, world, last4=last4), 400, "national_id_last4")
    assert check_in_row(world["check_in"]["id"])["identify_failures"] == 0


def test_a_buddhist_era_year_is_accepted(api):
    world = open_check_in(api)  # born 1990-05-17, that is 2533 in the Buddhist era
    assert identify(api.client, world, birth="2533-05-17").status_code == 200
    assert identify(api.client, world, birth="2533-05-18").status_code == 401


def test_five_failures_lock_the_link_and_raise_one_flag(api):
    world = open_check_in(api)
    check_in_id, client = world["check_in"]["id"], api.client
    for left in (4, 3, 2, 1):
        extra = _refusal(identify(client, world, last4=wrong_last4(world)), 401, "date_of_birth")
        assert f"{left} tries left" in extra["message"]
    assert flags_of(check_in_id, "identity_lockout") == []
    extra = _refusal(identify(client, world, birth="1991-01-01"), 423, "code")
    assert "locked" in extra["message"]
    assert check_in_row(check_in_id)["link_locked_at"] is not None
    # The right answer after the lock is refused too, and so are more wrong ones.
    _refusal(identify(client, world), 423, "code")
    _refusal(identify(client, world, last4=wrong_last4(world)), 423, "code")
    [flag] = flags_of(check_in_id, "identity_lockout")
    assert flag["office"] == api.office_id("TH-10")
    assert flag["case"] == world["case"]["id"]
    assert flag["severity"] == "high"
    assert len(audit_rows(check_in_id, "checkin.link_locked")) == 1
    assert len(audit_rows(check_in_id, "checkin.identified")) == 0
    assert client.post(f"/c/{world['code']}/challenge").status_code in (401, 423)
    # The officer sees it in the flag list.
    flags = api.request("officer_bkk", "GET", "/api/v1/flags?kind=identity_lockout").json()
    assert [f["id"] for f in flags["items"]] == [flag["id"]]


def test_one_client_is_limited_across_links(api, database_url):
    first, second = open_check_in(api), open_check_in(api)
    with link_client(database_url, identify_client_limit=3) as client:
        for world in (first, first, second):
            assert identify(client, world, last4=wrong_last4(world)).status_code == 401
        # A fourth answer from the same address within the hour: refused before it is judged.
        extra = _refusal(identify(client, second), 429, "national_id_last4")
        assert "wait an hour" in extra["message"]
        _refusal(identify(client, first, last4=wrong_last4(first)), 429, "national_id_last4")
    assert check_in_row(first["check_in"]["id"])["identify_failures"] == 2
    assert check_in_row(second["check_in"]["id"])["identify_failures"] == 1
    # An hour after its first wrong answer the address may try again.
    hour_ago = utcnow() - timedelta(hours=1, minutes=1)
    db(LinkLimit.update({LinkLimit.window_start: hour_ago}, force=True))
    with link_client(database_url, identify_client_limit=3) as client:
        assert identify(client, second).status_code == 200


def test_the_default_client_limit_is_twenty_an_hour(api, database_url):
    worlds = [open_check_in(api) for _ in range(5)]
    client = api.client
    for world in worlds:  # 4 wrong answers on each of 5 links: 20, none locked
        for _ in range(4):
            assert identify(client, world, last4=wrong_last4(world)).status_code == 401
    _refusal(identify(client, worlds[0]), 429, "national_id_last4")


def test_the_session_cookie_is_scoped_to_its_link(api):
    first, second = open_check_in(api), open_check_in(api)
    client = api.client
    response = identify(client, first)
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "expires_in": 30 * 60}
    cookie = response.headers["set-cookie"]
    parts = [p.strip().lower() for p in cookie.split(";")]
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 32
    assert "httponly" in parts
    assert "samesite=strict" in parts
    assert f"path=/c/{first['code']}".lower() in parts
    assert "max-age=1800" in parts
    assert response.headers["cache-control"] == "no-store"
    assert client.post(f"/c/{first['code']}/challenge").status_code == 201
    # The same token presented on another link is not a session there.
    client.cookies.clear()
    other = client.post(f"/c/{second['code']}/challenge", headers={"Cookie": f"bc_link={token}"})
    _refusal(other, 401, "session")
    stranger = client.post(f"/c/{first['code']}/challenge", headers={"Cookie": "bc_link=forged"})
    _refusal(stranger, 401, "session")


def test_a_challenge_needs_identification_and_is_stored_with_an_expiry(api):
    world = open_check_in(api)
    client = api.client
    client.cookies.clear()
    _refusal(client.post(f"/c/{world['code']}/challenge"), 401, "session")
    assert identify(client, world).status_code == 200
    response = client.post(f"/c/{world['code']}/challenge")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["expires_in"] == 300
    assert 2 <= len(body["steps"]) <= 3
    assert len(body["id"]) == 16 and int(body["id"], 16) >= 0  # 64 random bits
    query = LivenessChallenge.select().where(LivenessChallenge.token == body["id"])
    row = db(query.output(load_json=True).first())
    assert row["check_in"] == world["check_in"]["id"]
    assert row["used_at"] is None
    assert row["expires_at"] - row["issued_at"] == timedelta(seconds=300)
    assert [s["action"] for s in row["steps"]] == [s["action"] for s in body["steps"]]
    again = client.post(f"/c/{world['code']}/challenge").json()
    assert again["id"] != body["id"]
