"""Finding 1: staff sign-in is throttled per account and per client address.

Every try is counted before its password is checked, in one statement in the database
(`store.sign_in.claim_try`); past `LOGIN_FREE_FAILURES` each try waits a growing delay,
`LOGIN_LOCK_FAILURES` lock the account until an administrator lifts the lock or it runs
out. A refused try answers exactly as a wrong password does; the owner and administrators
see the lock. Bursts run against a live server on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter

import pytest
from litestar.testing import TestClient

from reporting_api.app import create_app
from reporting_api.tables import LoginThrottle
from tests.checkin.helpers import db
from tests.conftest import (
    TEST_PASSWORD,
    Api,
    TotpKeys,
    _make_staff,
    settings_for_test,
    shared_verifier,
)
from tests.security.staff_sign_in import (
    CheckCounter,
    Clock,
    burst,
    live_app,
    pages,
    sign_in_settings,
)

WRONG = "not the password at all"


def login(client, username: str = "officer_bkk", password: str = WRONG):
    client.cookies.clear()
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_thirty_wrong_passwords_then_the_right_one_is_refused_until_an_admin_lifts_the_lock(
    database_url,
):
    # The app's clock stands still: on a busy machine thirty real Argon2 checks can take
    # long enough for a doubling wait to run out just before the right password arrives.
    clock = Clock()
    staff = _make_staff(database_url)
    app = create_app(settings_for_test(database_url), verifier=shared_verifier(), clock=clock)
    with TestClient(app=app) as client:
        api = Api(client, staff, TotpKeys(clock))
        api.token("admin")  # signed in before the address itself has to wait
        for _ in range(30):
            assert login(api.client).status_code == 401
        assert login(api.client, password=TEST_PASSWORD).status_code == 401
        officer = api.staff["officer_bkk"]
        state = api.request("admin", "GET", f"/api/v1/staff/{officer.id}/sign-in").json()
        # Five tries were checked; the sixth met the first wait, and with no time passing
        # every later one met it too and was refused unchecked.
        assert state["failures"] == 5 and state["wait_until"] is not None
        lifted = api.request("admin", "DELETE", f"/api/v1/staff/{officer.id}/lock")
        assert lifted.status_code == 204
        assert login(api.client, password=TEST_PASSWORD).status_code == 200
        actions = [
            row["action"] for row in api.request("admin", "GET", "/api/v1/audit").json()["items"]
        ]
        assert "auth.lock_lifted" in actions


def test_a_throttled_or_locked_try_answers_exactly_like_a_wrong_password(database_url):
    clock = Clock()
    settings = sign_in_settings(database_url, account_free_failures=2, account_lock_failures=3)
    _make_staff(database_url)
    with TestClient(app=create_app(settings, verifier=shared_verifier(), clock=clock)) as client:
        wrong = login(client)
        login(client)  # the second: from now on each try waits
        throttled = login(client, password=TEST_PASSWORD)
        clock.move(seconds=3)
        login(client)  # the third failure locks the account
        clock.move(seconds=60)
        locked = login(client, password=TEST_PASSWORD)
    for refused in (throttled, locked):
        assert refused.status_code == wrong.status_code == 401
        assert refused.json() == wrong.json()
        assert refused.headers.get("set-cookie") == wrong.headers.get("set-cookie")


def test_the_waits_grow_and_the_lock_runs_out(database_url):
    clock = Clock()
    settings = sign_in_settings(
        database_url,
        account_free_failures=3,
        first_delay_seconds=2,
        account_lock_failures=6,
        lock_minutes=30,
    )
    _make_staff(database_url)
    with TestClient(app=create_app(settings, verifier=shared_verifier(), clock=clock)) as client:
        for _ in range(3):
            login(client)
        # The third failure set a wait of 2 s: the right password now is refused unchecked.
        assert login(client, password=TEST_PASSWORD).status_code == 401
        clock.move(seconds=2)
        login(client)  # 4th: the next waits 4 s
        clock.move(seconds=3)
        assert login(client, password=TEST_PASSWORD).status_code == 401
        clock.move(seconds=1)
        login(client)  # 5th: waits 8 s
        clock.move(seconds=8)
        login(client)  # 6th: locks for 30 minutes
        clock.move(minutes=29)
        assert login(client, password=TEST_PASSWORD).status_code == 401
        clock.move(minutes=2)
        assert login(client, password=TEST_PASSWORD).status_code == 200
        # Signing in forgets the account's failures.
        assert login(client).status_code == 401
        assert login(client, password=TEST_PASSWORD).status_code == 200


@pytest.mark.parametrize("with_the_password", [False, True], ids=["wrong-only", "one-right"])
def test_a_burst_on_one_account_checks_at_most_the_limit(
    database_url, monkeypatch, with_the_password
):
    _make_staff(database_url)
    checks = CheckCounter(monkeypatch)
    settings = sign_in_settings(database_url, account_free_failures=5, client_free_failures=1000)
    bodies = [{"username": "officer_bkk", "password": WRONG} for _ in range(39)]
    if with_the_password:
        bodies.insert(20, {"username": "officer_bkk", "password": TEST_PASSWORD})
    with live_app(settings) as url:
        responses = burst(url, bodies)
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 401}, statuses
    assert statuses[200] <= int(with_the_password)
    # At most 5 passwords checked; when the right one is among them, signing in forgets the
    # account's count and the wrong ones after it get 5 more (never more without the password).
    limit = 5 * (1 + statuses[200])
    assert checks.count <= limit, f"{checks.count} passwords checked against a limit of {limit}"
    # One row counts the address; one the account, unless the right password came through
    # after the last wrong one was counted (signing in forgets the account's failures).
    kinds = sorted(row["key"][:2] for row in db(LoginThrottle.select()))
    assert kinds == ["a:", "c:"] or (statuses[200] == 1 and kinds == ["c:"]), (kinds, statuses)


def test_a_burst_from_one_address_over_many_accounts_checks_at_most_its_limit(
    database_url, monkeypatch
):
    _make_staff(database_url)
    checks = CheckCounter(monkeypatch)
    settings = sign_in_settings(database_url, client_free_failures=10)
    bodies = [{"username": f"user{i}", "password": WRONG} for i in range(40)]
    with live_app(settings) as url:
        responses = burst(url, bodies)
    assert {r.status_code for r in responses} == {401}
    assert checks.count <= 10, f"{checks.count} passwords checked against a limit of 10"


def test_the_owner_and_administrators_see_the_lock_on_their_pages(database_url):
    limits = {"account_free_failures": 3, "account_lock_failures": 3}
    with pages(database_url, Clock(), **limits) as (browser, api):
        see_the_lock(browser, api)


def see_the_lock(browser, api) -> None:
    officer = api.staff["officer_bkk"]
    for _ in range(3):
        assert browser.login("officer_bkk", WRONG).status_code == 401
    page = browser.as_("admin").client.get("/admin/staff")
    row = page.text.split(f'id="staff-{officer.id}"')[1].split("</tr>")[0]
    assert 'class="locked"' in row
    edit = browser.client.get(f"/admin/staff/{officer.id}")
    assert 'id="lock"' in edit.text
    lifted = browser.post_form(f"/admin/staff/{officer.id}", f"/admin/staff/{officer.id}/lock", {})
    assert lifted.status_code == 303
    # Back in, the owner sees the lock and the failed tries on their account page.
    account = browser.as_("officer_bkk").client.get("/admin/account?lang=en")
    assert account.status_code == 200
    assert "Sign-in locked after failed tries" in account.text
    assert "Failed sign-in try" in account.text
    assert "Lock lifted by an administrator" in account.text
