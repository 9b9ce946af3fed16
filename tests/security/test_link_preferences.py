"""Finding 3: SMS settings on the check-in link belong to the identified person, and "this is
not me" is open to anyone but limited.

Stopping reminders needs the session a right answer opens (a bystander holding the SMS has
none) and raises a flag for the officer; "this is not me" needs no identity, is limited per
code and per client address (atomically: a burst of presses counts exactly the limit), and
answers the same whether or not the code exists.
"""

from __future__ import annotations

from collections import Counter

from tests.checkin.helpers import (
    audit_rows,
    burst_post,
    db,
    flags_of,
    identify,
    link_client,
    open_check_in,
)


def defendant_row(defendant_id: int) -> dict:
    from reporting_api.tables import Defendant

    return db(Defendant.select().where(Defendant.id == defendant_id).first())


def test_sms_preferences_need_the_identified_session(api):
    world, other = open_check_in(api), open_check_in(api)
    person, code, client = world["defendant"], world["code"], api.client
    client.cookies.clear()
    for body in ({"sms_opt_out": True}, {"language": "en"}):
        response = client.post(f"/c/{code}/preferences", json=body)
        assert response.status_code == 401, response.text
        [extra] = response.json()["extra"]
        assert extra["key"] == "session" and extra["message"] and extra["message_th"]
    # A session on another link is no session here.
    assert identify(client, other).status_code == 200
    token = client.cookies.get("bc_link")
    client.cookies.clear()
    response = client.post(
        f"/c/{code}/preferences", json={"sms_opt_out": True}, headers={"Cookie": f"bc_link={token}"}
    )
    assert response.status_code == 401, response.text
    row = defendant_row(person["id"])
    assert (row["sms_opt_out"], row["preferred_language"]) == (False, "th")
    assert audit_rows(person["id"], "checkin.preferences", "defendant") == []
    # The person, once identified, may.
    assert identify(client, world).status_code == 200
    response = client.post(f"/c/{code}/preferences", json={"sms_opt_out": True})
    assert response.status_code == 200, response.text
    assert defendant_row(person["id"])["sms_opt_out"] is True


def test_stopping_reminders_raises_a_flag_and_is_audited_old_to_new(api):
    world = open_check_in(api)
    person, check_in_id, code, client = (
        world["defendant"],
        world["check_in"]["id"],
        world["code"],
        api.client,
    )
    assert identify(client, world).status_code == 200

    def stop(value: bool) -> None:
        response = client.post(f"/c/{code}/preferences", json={"sms_opt_out": value})
        assert response.status_code == 200, response.text

    stop(True)
    [flag] = flags_of(check_in_id, "unreachable_phone")
    assert flag["case"] == world["case"]["id"] and flag["severity"] == "medium"
    assert "stopped SMS reminders" in flag["detail"] and "หยุดรับ SMS" in flag["detail"]
    [row] = audit_rows(person["id"], "checkin.preferences", "defendant")
    assert row["detail"] == {
        "check_in": check_in_id,
        "from": {"sms_opt_out": False},
        "to": {"sms_opt_out": True},
    }
    stop(True)  # no change: no second flag
    assert len(flags_of(check_in_id, "unreachable_phone")) == 1
    stop(False)  # restarting is audited, not flagged
    assert len(flags_of(check_in_id, "unreachable_phone")) == 1
    last = audit_rows(person["id"], "checkin.preferences", "defendant")[-1]
    assert (last["detail"]["from"], last["detail"]["to"]) == (
        {"sms_opt_out": True},
        {"sms_opt_out": False},
    )
    # The officer sees the flag in the office's list.
    flags = api.request("officer_bkk", "GET", "/api/v1/flags?kind=unreachable_phone").json()
    assert flag["id"] in [f["id"] for f in flags["items"]]


def test_not_me_answers_the_same_for_any_code(api):
    world = open_check_in(api)
    code = world["code"]
    unknown = "A" * len(code)
    answers = {}
    for each in (code, unknown, "short", code + "!"):
        response = api.client.post(f"/c/{each}/not-me")
        answers[each] = (response.status_code, response.text, response.headers["cache-control"])
    assert len(set(answers.values())) == 1, answers
    assert answers[code][0] == 200
    assert defendant_row(world["defendant"]["id"])["sms_opt_out"] is True


def test_not_me_is_limited_per_code_whether_or_not_it_exists(api):
    world = open_check_in(api)
    code, unknown, client = world["code"], "B" * len(world["code"]), api.client
    for each in (code, unknown):  # NOT_ME_CODE_LIMIT: 5 an hour
        assert [client.post(f"/c/{each}/not-me").status_code for _ in range(5)] == [200] * 5
        refused = client.post(f"/c/{each}/not-me")
        assert refused.status_code == 429, refused.text
        [extra] = refused.json()["extra"]
        assert extra["key"] == "code" and "wait an hour" in extra["message"]
        assert extra["message_th"]
    same = {client.post(f"/c/{each}/not-me").text for each in (code, unknown)}
    assert len(same) == 1
    assert len(audit_rows(world["defendant"]["id"], "checkin.not_me", "defendant")) == 5


def test_not_me_is_limited_per_client_address(api, database_url):
    worlds = [open_check_in(api) for _ in range(4)]
    client = api.client
    # NOT_ME_CLIENT_LIMIT: 20 an hour from one address, across codes (5 on each of 4 here).
    for world in worlds:
        assert [client.post(f"/c/{world['code']}/not-me").status_code for _ in range(5)] == [
            200
        ] * 5
    refused = client.post("/c/CCCCCCCCCCCC/not-me")
    assert refused.status_code == 429, refused.text
    with link_client(database_url, not_me_client_limit=21) as other:  # a higher setting
        assert other.post("/c/CCCCCCCCCCCC/not-me").status_code == 200
        assert other.post("/c/DDDDDDDDDDDD/not-me").status_code == 429


def test_a_burst_of_not_me_presses_counts_exactly_the_limit(api, database_url):
    world = open_check_in(api)
    responses = burst_post(database_url, [(f"/c/{world['code']}/not-me", {})] * 40)
    assert Counter(r.status_code for r in responses) == {200: 5, 429: 35}
    assert len(audit_rows(world["defendant"]["id"], "checkin.not_me", "defendant")) == 5
    assert len(flags_of(world["check_in"]["id"], "unreachable_phone")) == 1
