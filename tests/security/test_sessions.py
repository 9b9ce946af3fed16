"""Finding 11: staff sessions end when idle, can be listed and signed out (one, or
everywhere), and are replaced when what they stand for changes.

A session unused for `SESSION_IDLE_MINUTES` ends, besides the absolute `SESSION_HOURS`; one's
own sessions are listed (API and the account page) with signing out one or everywhere;
a role or office change, deactivation and a new password end every session of the account,
and setting up two-factor gives the browser a new session token and ends the others.
"""

from __future__ import annotations

import pyotp

from tests.conftest import TEST_PASSWORD
from tests.security.staff_sign_in import Clock, pages


def sign_in(api, username: str = "officer_bkk") -> str:
    api.client.cookies.clear()
    response = api.login(username)
    assert response.status_code == 200, response.text
    api.client.cookies.clear()
    return response.json()["token"]


def me(api, token: str) -> int:
    api.client.cookies.clear()
    return api.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
    ).status_code


def call(api, token: str, method: str, url: str, **kwargs):
    api.client.cookies.clear()
    return api.client.request(method, url, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_an_unused_session_ends_after_the_idle_timeout(database_url):
    clock = Clock()
    with pages(database_url, clock, idle_minutes=30) as (_, api):
        token = sign_in(api)
        for _ in range(4):  # used every 29 minutes: it lives on
            clock.move(minutes=29)
            assert me(api, token) == 200
        clock.move(minutes=31)
        assert me(api, token) == 401


def test_a_session_in_use_still_ends_at_its_absolute_limit(database_url):
    clock = Clock()
    with pages(database_url, clock, idle_minutes=30) as (_, api):
        token = sign_in(api)
        for _ in range(12 * 3 - 1):
            clock.move(minutes=20)
            assert me(api, token) == 200
        clock.move(minutes=20)
        assert me(api, token) == 401


def test_one_lists_ones_own_sessions_and_signs_out_one_or_everywhere(database_url):
    with pages(database_url, Clock()) as (_, api):
        first, second, third = sign_in(api), sign_in(api), sign_in(api)
        other = sign_in(api, "officer_cnx")
        listed = call(api, second, "GET", "/api/v1/auth/sessions").json()
        assert len(listed) == 3 and [s["current"] for s in listed] == [False, True, False]
        assert {"created_at", "last_seen_at", "client_address", "user_agent"} <= set(listed[0])
        first_id = listed[-1]["id"]
        assert call(api, second, "DELETE", f"/api/v1/auth/sessions/{first_id}").status_code == 204
        assert me(api, first) == 401 and me(api, second) == 200
        # Another person's session is not yours to end.
        theirs = call(api, other, "GET", "/api/v1/auth/sessions").json()[0]["id"]
        assert call(api, second, "DELETE", f"/api/v1/auth/sessions/{theirs}").status_code == 404
        assert call(api, second, "DELETE", "/api/v1/auth/sessions").status_code == 204
        assert me(api, second) == 401 and me(api, third) == 401 and me(api, other) == 200


def test_the_account_page_lists_sessions_and_signs_out_everywhere(database_url):
    with pages(database_url, Clock()) as (browser, api):
        elsewhere = sign_in(api)
        page = browser.as_("officer_bkk").client.get("/admin/account")
        assert page.status_code == 200 and page.text.count('id="session-') == 2
        response = browser.post_form("/admin/account", "/admin/account/sessions/end-all", {})
        assert response.status_code == 303 and response.headers["location"] == "/admin/login"
        assert me(api, elsewhere) == 401
        assert browser.client.get("/admin/", follow_redirects=False).status_code == 303


def test_a_role_or_office_change_ends_the_accounts_sessions(database_url):
    with pages(database_url, Clock()) as (_, api):
        target = api.staff["officer_bkk2"].id
        url = f"/api/v1/staff/{target}"
        token = sign_in(api, "officer_bkk2")
        assert (
            api.request("admin", "PATCH", url, json={"display_name": "Renamed"}).status_code == 200
        )
        assert me(api, token) == 200  # a new name is no privilege
        cnx = api.office_id("TH-50")
        assert api.request("admin", "PATCH", url, json={"office_id": cnx}).status_code == 200
        assert me(api, token) == 401
        token = sign_in(api, "officer_bkk2")
        assert api.request("admin", "PATCH", url, json={"role": "manager"}).status_code == 200
        assert me(api, token) == 401
        token = sign_in(api, "officer_cnx")
        cnx_id = api.staff["officer_cnx"].id
        change = {"password": "another long passphrase"}
        assert (
            api.request("admin", "PATCH", f"/api/v1/staff/{cnx_id}", json=change).status_code == 200
        )
        assert me(api, token) == 401


def test_setting_up_two_factor_rotates_the_session(database_url):
    clock = Clock()
    with pages(database_url, clock) as (_, api):
        old = sign_in(api)
        other = sign_in(api)
        setup = call(api, old, "POST", "/api/v1/auth/two-factor/setup").json()
        code = pyotp.TOTP(setup["secret"]).generate_otp(int(clock().timestamp()) // 30)
        done = call(api, old, "POST", "/api/v1/auth/two-factor/confirm", json={"code": code})
        assert done.status_code == 200, done.text
        new = done.json()["token"]
        assert new != old and len(done.json()["recovery_codes"]) == 10
        assert me(api, old) == 401 and me(api, other) == 401 and me(api, new) == 200


def test_at_most_the_setting_of_sessions_per_account(database_url):
    with pages(database_url, Clock(), max_sessions=2) as (_, api):
        first, second, third = sign_in(api), sign_in(api), sign_in(api)
        assert me(api, first) == 401 and me(api, second) == 200 and me(api, third) == 200


def test_a_sign_in_step_never_opens_a_page(database_url):
    with pages(database_url, Clock()) as (browser, _):
        form = browser.client.get("/admin/login")
        browser.client.post(
            "/admin/login",
            data={"username": "admin", "password": TEST_PASSWORD, "_csrf": browser.csrf(form.text)},
            follow_redirects=False,
        )
        step = browser.client.cookies.get("bc_sign_in_step")
        assert step
        browser.client.cookies.set("bc_session", step)
        assert browser.client.get("/admin/staff", follow_redirects=False).status_code == 303
