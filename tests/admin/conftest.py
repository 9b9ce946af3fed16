"""Fixtures for the admin pages: the full app (API + /admin) and a browser-like login."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, _make_staff, settings_for_test, shared_verifier

CSRF = re.compile(r'name="_csrf" value="([^"]*)"')


class Browser:
    """A test client that logs in through the login form, as a person would."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def csrf(self, html: str) -> str:
        match = CSRF.search(html)
        assert match, "no CSRF field on the page"
        return match.group(1)

    def login(self, username: str, password: str = TEST_PASSWORD) -> Any:
        self.client.cookies.clear()
        form = self.client.get("/admin/login")
        return self.client.post(
            "/admin/login",
            data={"username": username, "password": password, "_csrf": self.csrf(form.text)},
            follow_redirects=False,
        )

    def as_(self, username: str) -> Browser:
        response = self.login(username)
        assert response.status_code == 303, response.text
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
    view (for setting up data) on a second app, each test client with its own event loop."""
    from litestar.testing import TestClient

    from admin_ui import admin_parts
    from reporting_api.app import create_app

    staff = _make_staff(database_url)

    def app() -> Any:
        parts = admin_parts()
        return create_app(
            settings_for_test(database_url),
            verifier=shared_verifier(),
            extra_routes=parts.routes,
            template_dirs=parts.template_dirs,
        )

    with TestClient(app=app()) as client, TestClient(app=app()) as api_client:
        yield Browser(client), Api(api_client, staff)
