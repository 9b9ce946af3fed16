"""Fixtures for the admin pages: the full app (API + /admin) and a browser-like login."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import (
    RUNNING,
    TEST_PASSWORD,
    Api,
    TotpKeys,
    _make_staff,
    settings_for_test,
    shared_verifier,
)

CSRF = re.compile(r'name="_csrf" value="([^"]*)"')
SESSION_COOKIE = "bc_session"
SECRET = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')


class Browser:
    """A test client that logs in through the login form, as a person would: with the
    one-time code of its `TotpKeys` when the account has two-factor, and setting it up (the
    QR page's key, then the first code) when the sign-in asks for that."""

    def __init__(self, client: Any, keys: TotpKeys | None = None) -> None:
        self.client = client
        self.keys = keys or TotpKeys()
        self._sessions: dict[str, str] = {}

    def csrf(self, html: str) -> str:
        match = CSRF.search(html)
        assert match, "no CSRF field on the page"
        return match.group(1)

    def _post_step(self, url: str, data: dict[str, str]) -> Any:
        form = self.client.get(url)
        assert form.status_code == 200, form.text
        return form, self.client.post(
            url, data={**data, "_csrf": self.csrf(form.text)}, follow_redirects=False
        )

    def login(self, username: str, password: str = TEST_PASSWORD) -> Any:
        self.client.cookies.clear()
        form = self.client.get("/admin/login")
        response = self.client.post(
            "/admin/login",
            data={"username": username, "password": password, "_csrf": self.csrf(form.text)},
            follow_redirects=False,
        )
        location = response.headers.get("location", "") if response.status_code == 303 else ""
        if location.startswith("/admin/login/two-factor"):
            page = self.client.get(location)
            secret = SECRET.search(page.text)
            assert secret, "no key on the two-factor set-up page"
            code = self.keys.enrol(username, secret.group(1))
            response = self.client.post(
                location, data={"code": code, "_csrf": self.csrf(page.text)}
            )
            assert response.status_code == 200, response.text  # the recovery codes
            return self.login(username, password)  # and now a sign-in with a real code
        if location.startswith("/admin/login/code"):
            _, response = self._post_step(location, {"code": self.keys.code(username)})
        return response

    def as_(self, username: str) -> Browser:
        """Signed in as ``username``: back in their session if it is still live (as a person
        with a browser window each would be; a one-time code is good once), else signed in."""
        saved = self._sessions.get(username)
        if saved is not None:
            self.client.cookies.clear()
            self.client.cookies.set(SESSION_COOKIE, saved)
            if self.client.get("/admin/account", follow_redirects=False).status_code == 200:
                return self
        response = self.login(username)
        assert response.status_code == 303, response.text
        self._sessions[username] = self.client.cookies[SESSION_COOKIE]
        return self

    def post_form(self, page_url: str, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
        """POST a form the way the page would: with the CSRF token the page carries."""
        token = self.csrf(self.client.get(page_url).text)
        return self.client.post(
            url, data={**data, "_csrf": token}, follow_redirects=False, **kwargs
        )


@pytest.fixture
def site(database_url: str) -> Iterator[tuple[Browser, Api]]:
    """(browser, api) on one database: the browser on an app with the admin pages, the API
    view (for setting up data) on a second app without them, each test client with its own
    event loop."""
    from admin_ui import admin_parts
    from reporting_api.app import create_app

    staff = _make_staff(database_url)

    def app(pages: bool) -> Any:
        parts = admin_parts()
        return create_app(
            settings_for_test(database_url),
            verifier=shared_verifier(),
            extra_routes=parts.routes if pages else (),
            template_dirs=parts.template_dirs if pages else (),
        )

    keys = TotpKeys()  # one phone per user, whichever client signs in
    client = RUNNING.client("admin", database_url, lambda: app(True))
    api_client = RUNNING.client("api", database_url, lambda: app(False))
    yield Browser(client, keys), Api(api_client, staff, keys)
    RUNNING.settle()
