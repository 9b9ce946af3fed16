"""Logging in and out: cookies for browsers, bearer tokens for API clients."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.store import staff as staff_store
from tests.conftest import TEST_PASSWORD


def test_login_returns_token_and_cookie(api):
    response = api.client.post(
        "/api/v1/auth/login", json={"username": "officer_bkk", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["role"] == "officer"
    assert "bc_session" in response.cookies
    cookie_header = response.headers["set-cookie"].lower()
    assert "httponly" in cookie_header and "samesite=strict" in cookie_header
    # The cookie alone authenticates a browser.
    me = api.client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "officer_bkk"
    # The same token works as a bearer without the cookie.
    api.client.cookies.clear()
    me = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200


def test_wrong_password_and_unknown_user_are_refused_alike(api):
    wrong = api.client.post(
        "/api/v1/auth/login", json={"username": "officer_bkk", "password": "nope-nope-nope"}
    )
    unknown = api.client.post(
        "/api/v1/auth/login", json={"username": "nobody", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    audit = api.request("admin", "GET", "/api/v1/audit?action=auth.login_failed").json()
    assert audit["total"] == 2


def test_requests_without_valid_token_get_401(api):
    api.client.cookies.clear()
    assert api.client.get("/api/v1/offices").status_code == 401
    bad = api.client.get("/api/v1/offices", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401


def test_logout_revokes_the_token(api):
    headers = api.headers("officer_bkk")
    api.client.cookies.clear()
    assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_expired_token_is_refused(api):
    officer = api.staff["officer_bkk"]
    token = asyncio.run(
        staff_store.issue_token(
            officer.id, "api", utcnow() - timedelta(hours=2), timedelta(hours=1)
        )
    )
    api.client.cookies.clear()
    response = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_deactivated_user_loses_access(api):
    officer = api.staff["officer_cnx"]
    headers = api.headers("officer_cnx")
    response = api.request("admin", "PATCH", f"/api/v1/staff/{officer.id}", json={"active": False})
    assert response.status_code == 200 and response.json()["active"] is False
    api.client.cookies.clear()
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    login = api.client.post(
        "/api/v1/auth/login", json={"username": "officer_cnx", "password": TEST_PASSWORD}
    )
    assert login.status_code == 401


def test_admin_sets_and_clears_a_staff_phone_for_alerts(api):
    officer = api.staff["officer_bkk"]
    url = f"/api/v1/staff/{officer.id}"
    response = api.request("admin", "PATCH", url, json={"phone": "081-234-5678"})
    assert response.status_code == 200, response.text
    assert response.json()["phone"] == "+66812345678"
    landline = api.request("admin", "PATCH", url, json={"phone": "02-123-4567"})
    assert landline.status_code == 400 and landline.json()["extra"][0]["key"] == "phone"
    cleared = api.request("admin", "PATCH", url, json={"phone": ""})
    assert cleared.status_code == 200 and cleared.json()["phone"] is None
