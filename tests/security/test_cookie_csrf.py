"""Finding 9: a state-changing API call authenticated by the session cookie must come from this
site (`Origin`, or `Referer` when there is no `Origin`) and carry its body as the route's type
(JSON); a bearer token needs no Origin but must label its body too. Logging in refuses a foreign page and a text body too."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import TEST_PASSWORD

OWN = "http://testserver.local"  # the test client's address (its Host header)
EVIL = "https://evil.example"


def _cookie_login(api: Any, username: str = "officer_bkk") -> None:
    api.client.cookies.clear()
    response = api.client.post(
        "/api/v1/auth/login", json={"username": username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert api.client.cookies.get("bc_session")


def _refusal(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    (extra,) = response.json()["extra"]
    assert extra["key"] == field
    assert extra["message"] and extra["message_th"] and extra["message_th"] != extra["message"]


def _signed_in(api: Any) -> bool:
    return api.client.get("/api/v1/auth/me").status_code == 200


def test_a_cookie_call_from_another_site_is_refused(api):
    _cookie_login(api)
    response = api.client.post("/api/v1/auth/logout", headers={"Origin": EVIL})
    _refusal(response, 403, "Origin")
    assert _signed_in(api)  # nothing changed
    # A Referer from another site, or an unreadable one, is refused the same way.
    refused = api.client.post("/api/v1/auth/logout", headers={"Referer": f"{EVIL}/page"})
    _refusal(refused, 403, "Origin")
    _refusal(api.client.post("/api/v1/auth/logout", headers={"Origin": "null"}), 403, "Origin")
    assert _signed_in(api)
    # From this site's own page it goes through.
    assert api.client.post("/api/v1/auth/logout", headers={"Origin": OWN}).status_code == 204
    assert not _signed_in(api)


def test_a_cookie_call_that_says_nothing_of_where_it_comes_from_is_refused(api):
    _cookie_login(api)
    _refusal(api.client.post("/api/v1/auth/logout"), 403, "Origin")
    assert _signed_in(api)
    # A browser that sends no Origin sends the page's address (Referer): same site, allowed.
    response = api.client.post("/api/v1/auth/logout", headers={"Referer": f"{OWN}/admin/"})
    assert response.status_code == 204


def test_a_cookie_call_with_a_text_body_is_refused(api):
    _cookie_login(api)
    body = json.dumps({"defendant_id": 1})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Origin": OWN}
        if content_type:
            headers["Content-Type"] = content_type
        response = api.client.post("/api/v1/cases", content=body, headers=headers)
        _refusal(response, 415, "Content-Type")
    # JSON from this site reaches the route (which then judges the body itself).
    response = api.client.post(
        "/api/v1/cases", content=body, headers={"Origin": OWN, "Content-Type": "application/json"}
    )
    assert response.status_code not in (403, 415)


def test_logging_in_refuses_a_text_body_and_a_foreign_page(api):
    api.client.cookies.clear()
    credentials = json.dumps({"username": "officer_bkk", "password": TEST_PASSWORD})
    # What a form on another site can send without asking the browser first.
    text = api.client.post(
        "/api/v1/auth/login", content=credentials, headers={"Content-Type": "text/plain"}
    )
    _refusal(text, 415, "Content-Type")
    foreign = api.client.post(
        "/api/v1/auth/login",
        content=credentials,
        headers={"Content-Type": "application/json", "Origin": EVIL},
    )
    _refusal(foreign, 403, "Origin")
    assert not api.client.cookies.get("bc_session")
    # A program (no Origin) and this site's own page log in.
    assert api.client.post("/api/v1/auth/login", json=json.loads(credentials)).status_code == 200


def test_bearer_calls_are_unaffected_but_the_cookie_beside_them_is_not_enough(api):
    token = api.token("officer_bkk")
    _cookie_login(api)
    # The cookie alone from another site: refused; the bearer token (which no browser adds by
    # itself) from anywhere: accepted.
    _refusal(api.client.post("/api/v1/auth/logout", headers={"Origin": EVIL}), 403, "Origin")
    bearer = {"Authorization": f"Bearer {token}", "Origin": EVIL}
    assert api.client.post("/api/v1/auth/logout", headers=bearer).status_code == 204


def test_a_bearer_call_must_label_its_body_as_the_routes_type(api):
    """ASVS 13.1.5 / 13.2.5: a program's call is refused for a body of another type too, so
    the API never parses text it was not declared to take."""
    token = api.token("officer_bkk")
    api.client.cookies.clear()
    body = json.dumps({"defendant_id": 1})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Authorization": f"Bearer {token}"}
        if content_type:
            headers["Content-Type"] = content_type
        response = api.client.post("/api/v1/cases", content=body, headers=headers)
        _refusal(response, 415, "Content-Type")
    labelled = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = api.client.post("/api/v1/cases", content=body, headers=labelled)
    assert response.status_code not in (403, 415)
