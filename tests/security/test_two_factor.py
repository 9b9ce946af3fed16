"""Finding 1: two-factor sign-in (TOTP, RFC 6238) for managers and administrators, available
to officers, required of everyone under REQUIRE_TWO_FACTOR.

At first sign-in a manager gets a secret (QR code drawn locally as SVG, and the key as text)
and signs in only once its first code confirms it; the secret is sealed at rest; later
sign-ins need a code, each code signs in once, and each of ten recovery codes works once.
Both the API and the pages ask for the code.
"""

from __future__ import annotations

import pyotp

from reporting_api.tables import RecoveryCode, StaffUser
from tests.checkin.helpers import db
from tests.conftest import TEST_PASSWORD, TotpKeys
from tests.security.staff_sign_in import Clock, pages


def post_login(client, username: str, code: str | None = None, password: str = TEST_PASSWORD):
    client.cookies.clear()
    body = {"username": username, "password": password}
    if code is not None:
        body["code"] = code
    return client.post("/api/v1/auth/login", json=body)


def code_at(secret: str, clock: Clock, steps: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(int(clock().timestamp()) // 30 + steps)


def test_a_manager_sets_up_two_factor_at_first_sign_in_and_needs_a_code_after(database_url):
    clock = Clock()
    with pages(database_url, clock) as (_, api):
        client = api.client
        first = post_login(client, "manager")
        assert first.status_code == 202, first.text
        setup = first.json()
        assert setup["qr_svg"].startswith("<svg") and "http" not in setup["qr_svg"].split(">")[1]
        assert setup["otpauth_uri"].startswith("otpauth://totp/")
        assert "bc_session" not in first.cookies  # no session before the first code
        secret = setup["secret"]
        # The secret is sealed at rest: not in the row as it is typed.
        row = db(StaffUser.select().where(StaffUser.username == "manager").first())
        assert row["totp_pending"] and secret.encode() not in row["totp_pending"]
        wrong = client.post(
            "/api/v1/auth/two-factor/confirm",
            json={"enrolment_token": setup["enrolment_token"], "code": "000000"},
        )
        assert wrong.status_code == 400 and wrong.json()["extra"][0]["key"] == "code"
        done = client.post(
            "/api/v1/auth/two-factor/confirm",
            json={"enrolment_token": setup["enrolment_token"], "code": code_at(secret, clock)},
        )
        assert done.status_code == 200, done.text
        recovery = done.json()["recovery_codes"]
        assert len(recovery) == 10 and len(set(recovery)) == 10
        assert "bc_session" in done.cookies
        row = db(StaffUser.select().where(StaffUser.username == "manager").first())
        assert row["totp_secret"] and secret.encode() not in row["totp_secret"]
        stored = db(RecoveryCode.select(RecoveryCode.code_hash))
        assert len(stored) == 10 and not any(c.replace("-", "") in str(stored) for c in recovery)

        # From now on the password alone is not enough; a code is, once.
        bare = post_login(client, "manager")
        assert bare.status_code == 401 and bare.json()["extra"][0]["key"] == "code"
        clock.move(seconds=30)
        code = code_at(secret, clock)
        assert post_login(client, "manager", code).status_code == 200
        assert post_login(client, "manager", code).status_code == 401  # replayed
        assert post_login(client, "manager", "123456").status_code == 401
        # A recovery code signs in once.
        assert post_login(client, "manager", recovery[0]).status_code == 200
        assert post_login(client, "manager", recovery[0]).status_code == 401
        # A code does not stand in for a wrong password.
        clock.move(seconds=60)
        assert (
            post_login(client, "manager", code_at(secret, clock), "wrong password!").status_code
            == 401
        )


def test_the_enrolment_token_is_not_a_session(database_url):
    with pages(database_url, Clock()) as (_, api):
        setup = post_login(api.client, "admin").json()
        api.client.cookies.clear()
        me = api.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {setup['enrolment_token']}"}
        )
        assert me.status_code == 401


def test_the_pages_ask_managers_to_set_up_two_factor_then_for_the_code(database_url):
    clock = Clock()
    with pages(database_url, clock) as (browser, _):
        client = browser.client
        form = client.get("/admin/login")
        step = client.post(
            "/admin/login",
            data={
                "username": "manager",
                "password": TEST_PASSWORD,
                "_csrf": browser.csrf(form.text),
            },
            follow_redirects=False,
        )
        assert step.status_code == 303 and step.headers["location"] == "/admin/login/two-factor"
        assert "bc_session" not in step.cookies
        # No page opens before the set-up is done.
        assert client.get("/admin/reports", follow_redirects=False).status_code == 303
        page = client.get("/admin/login/two-factor")
        assert "<svg" in page.text and 'class="secret"' in page.text
        again = client.get("/admin/login/two-factor")  # a reload shows the same key
        secret = page.text.split('<code class="secret">')[1].split("<")[0]
        assert secret in again.text
        done = client.post(
            "/admin/login/two-factor",
            data={"code": code_at(secret, clock), "_csrf": browser.csrf(again.text)},
        )
        assert done.status_code == 200 and done.text.count("<li><code>") == 10
        assert client.get("/admin/reports").status_code == 200
        # The next sign-in asks for the code on its own page.
        clock.move(seconds=30)
        browser.keys.enrol("manager", secret)
        response = browser.login("manager")
        assert response.status_code == 303 and response.headers["location"] == "/admin/reports"


def test_an_officer_may_opt_in_from_their_account_page(database_url):
    clock = Clock()
    with pages(database_url, clock) as (browser, api):
        assert post_login(api.client, "officer_bkk").status_code == 200  # no code needed yet
        browser.as_("officer_bkk")
        page = browser.client.get("/admin/account/two-factor")
        secret = page.text.split('<code class="secret">')[1].split("<")[0]
        done = browser.post_form(
            "/admin/account/two-factor",
            "/admin/account/two-factor",
            {"code": code_at(secret, clock)},
        )
        assert done.status_code == 200 and done.text.count("<li><code>") == 10
        assert post_login(api.client, "officer_bkk").status_code == 401  # now a code is needed


def test_require_two_factor_makes_officers_set_it_up(database_url):
    with pages(database_url, Clock(), require_two_factor=True) as (_, api):
        assert post_login(api.client, "officer_bkk").status_code == 202


def test_an_admin_resets_a_lost_phone_and_the_user_sets_up_again(database_url):
    clock = Clock()
    keys = TotpKeys(clock)
    with pages(database_url, clock) as (_, api):
        api.keys = keys
        manager = api.token("manager")
        reset = api.request(
            "admin", "DELETE", f"/api/v1/staff/{api.staff['manager'].id}/two-factor"
        )
        assert reset.status_code == 204
        api.client.cookies.clear()
        assert (
            api.client.get(
                "/api/v1/auth/me", headers={"Authorization": f"Bearer {manager}"}
            ).status_code
            == 401
        )
        assert post_login(api.client, "manager").status_code == 202
