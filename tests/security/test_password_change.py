"""ASVS 2.1.5, 2.1.6, 3.3.3: staff change their own password, giving the current one, on the
API and on the account page; a wrong current password counts as a failed sign-in (so a stolen
session cannot guess it), the new one follows the password rule, and every other session of
the account ends while the one that changed it goes on. Audited as auth.password_changed."""

from __future__ import annotations

import re

from reporting_api.tables import AuditLog
from tests.checkin.helpers import db
from tests.conftest import TEST_PASSWORD
from tests.security.staff_sign_in import Clock, pages
from tests.security.test_sessions import call, me, sign_in

NEW = "a lantern over the Chao Phraya"
URL = "/api/v1/auth/password"


def field_of(response) -> str:
    return response.json()["extra"][0]["key"]


def test_a_user_changes_their_password_and_their_other_sessions_end(database_url):
    with pages(database_url, Clock()) as (_, api):
        other = sign_in(api)
        this = sign_in(api)
        body = {"current_password": TEST_PASSWORD, "new_password": NEW}
        assert call(api, this, "PUT", URL, json=body).status_code == 204
        assert me(api, this) == 200  # the session that changed it goes on
        assert me(api, other) == 401  # every other one ended
        api.client.cookies.clear()
        assert api.login("officer_bkk", TEST_PASSWORD).status_code == 401
        assert api.login("officer_bkk", NEW).status_code == 200
        (row,) = db(AuditLog.select().where(AuditLog.action == "auth.password_changed"))
        assert row["actor_username"] == "officer_bkk"
        assert TEST_PASSWORD not in str(row) and NEW not in str(row)


def test_a_wrong_current_password_or_a_weak_new_one_is_refused_naming_the_field(database_url):
    with pages(database_url, Clock()) as (_, api):
        token = sign_in(api)
        wrong = {"current_password": "not my password at all", "new_password": NEW}
        refused = call(api, token, "PUT", URL, json=wrong)
        assert refused.status_code == 400 and field_of(refused) == "current_password"
        assert refused.json()["extra"][0]["message_th"]
        for new, why in (("short one", "at least 12"), ("password1234", "easy to guess")):
            body = {"current_password": TEST_PASSWORD, "new_password": new}
            weak = call(api, token, "PUT", URL, json=body)
            assert weak.status_code == 400 and field_of(weak) == "new_password", weak.text
            assert why in weak.json()["extra"][0]["message"]
        same = {"current_password": TEST_PASSWORD, "new_password": TEST_PASSWORD}
        assert field_of(call(api, token, "PUT", URL, json=same)) == "new_password"
        unknown = {"current_password": TEST_PASSWORD, "new_password": NEW, "role": "admin"}
        assert call(api, token, "PUT", URL, json=unknown).status_code == 400
        api.client.cookies.clear()
        assert api.login("officer_bkk", TEST_PASSWORD).status_code == 200  # unchanged


def test_guessing_the_current_password_locks_the_account_like_signing_in(database_url):
    limits = {"account_free_failures": 10, "account_lock_failures": 3}
    with pages(database_url, Clock(), **limits) as (_, api):
        token = sign_in(api)
        wrong = {"current_password": "not my password at all", "new_password": NEW}
        for _ in range(3):
            assert call(api, token, "PUT", URL, json=wrong).status_code == 400
        # Locked now: even the right current password is refused, and so is signing in.
        right = {"current_password": TEST_PASSWORD, "new_password": NEW}
        assert field_of(call(api, token, "PUT", URL, json=right)) == "current_password"
        api.client.cookies.clear()
        assert api.login("officer_bkk", TEST_PASSWORD).status_code == 401
        failed = db(AuditLog.select().where(AuditLog.action == "auth.login_failed"))
        assert any("password_change" in str(r["detail"]) for r in failed)


def test_the_account_page_changes_the_password(database_url):
    with pages(database_url, Clock()) as (browser, _):
        officer = browser.as_("officer_bkk")
        page = officer.client.get("/admin/account")
        assert 'action="/admin/account/password"' in page.text
        mismatch = officer.post_form(
            "/admin/account",
            "/admin/account/password",
            {"current_password": TEST_PASSWORD, "new_password": NEW, "new_password_again": "x"},
        )
        assert mismatch.status_code == 400
        assert re.search(r'id="new_password_again-error"[^>]*>[^<]*ไม่ตรงกับรหัสผ่านใหม่', mismatch.text)
        done = officer.post_form(
            "/admin/account",
            "/admin/account/password",
            {"current_password": TEST_PASSWORD, "new_password": NEW, "new_password_again": NEW},
        )
        assert (
            done.status_code == 303 and done.headers["location"] == "/admin/account?saved=password"
        )
        shown = officer.client.get("/admin/account").text
        assert "เปลี่ยนรหัสผ่านแล้ว" in shown
        assert browser.login("officer_bkk", NEW).status_code == 303
