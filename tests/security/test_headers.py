"""Finding 6: every route family answers with a strict Content-Security-Policy (no inline
script), frame-ancestors 'none', nosniff and a Referrer-Policy; on https also HSTS and Secure
cookies (the login form's CSRF cookie included). No page carries an inline script."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Response, get

from tests.admin.conftest import Browser
from tests.conftest import Api, _make_staff, settings_for_test, shared_verifier

# (method, path, expected status): one or more of each family.
FAMILIES = [
    ("GET", "/api/v1/offices", 401),  # API, refused
    ("GET", "/api/v1/auth/me", 200),  # API, with a bearer token (added below)
    ("GET", "/admin/login", 200),  # officers' pages
    ("GET", "/admin/", 303),  # a page that redirects to the login
    ("GET", "/c/no-such-code-0000", None),  # the check-in page
    ("GET", "/c/static/checkin.js", 200),  # static files
    ("GET", "/admin/static/admin.css", 200),
    ("GET", "/static/swagger/swagger-ui.css", 200),
    ("GET", "/static/api-docs/swagger-init.js", 200),
    ("GET", "/healthz", 200),
    ("GET", "/schema/openapi.json", 200),
    ("GET", "/schema/swagger", 200),  # the API docs (own, documented policy)
    ("GET", "/no/such/page", 404),  # errors no route sees
    ("POST", "/healthz", 405),
    ("DELETE", "/admin/login", 405),
]


def _policy(header: str) -> dict[str, list[str]]:
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


def _client(database_url: str, base_url: str, **settings: Any) -> Any:
    from litestar.testing import TestClient

    from admin_ui import admin_parts
    from reporting_api.app import create_app

    parts = admin_parts()
    app = create_app(
        settings_for_test(database_url, **settings),
        verifier=shared_verifier(),
        extra_routes=parts.routes,
        template_dirs=parts.template_dirs,
    )
    return TestClient(app=app, base_url=base_url)


@pytest.fixture
def http_site(database_url: str) -> Iterator[tuple[Any, Api]]:
    staff = _make_staff(database_url)
    with _client(database_url, "http://testserver.local") as client:
        yield client, Api(client, staff)


def _check_strict(response: Any, where: str) -> None:
    headers = response.headers
    csp = headers.get("content-security-policy")
    assert csp, f"{where}: no Content-Security-Policy"
    policy = _policy(csp)
    assert policy.get("frame-ancestors") == ["'none'"], where
    assert policy.get("script-src") == ["'self'"], f"{where}: {csp}"
    assert policy.get("default-src") == ["'none'"], where
    assert policy.get("object-src", ["'none'"]) == ["'none'"], where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") in ("no-referrer", "same-origin"), where


@pytest.mark.parametrize("method,path,status", FAMILIES)
def test_every_route_family_sends_the_security_headers(http_site, method, path, status):
    client, api = http_site
    headers = api.headers("officer_bkk") if path == "/api/v1/auth/me" else {}
    client.cookies.clear()
    response = client.request(method, path, headers=headers, follow_redirects=False)
    if status is not None:
        assert response.status_code == status, response.text[:300]
    _check_strict(response, f"{method} {path}")
    # Plain http: no HSTS (browsers ignore it there, and it would pin a test host).
    assert "strict-transport-security" not in response.headers
    if path.startswith("/c/") and not path.startswith("/c/static/"):
        # The link's code is in the address: it never leaves in a Referer.
        assert response.headers["referrer-policy"] == "no-referrer"
    if path.startswith(("/api/", "/c/no-such")):
        assert "no-store" in response.headers.get("cache-control", "")


def test_the_api_docs_policy_relaxes_styles_only(http_site):
    client, _ = http_site
    response = client.get("/schema/swagger")
    policy = _policy(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'none'"]
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", response.text, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    # The page loads the description itself, from this origin.
    assert 'data-spec-url="/schema/openapi.json"' in response.text


def _inline_scripts(html: str) -> list[str]:
    """Inline script that would run: <script> without src (JSON data blocks do not run),
    on* event attributes and javascript: links."""
    found = []
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I):
        if "src=" in attrs:
            assert not body.strip()
        elif 'type="application/json"' not in attrs:
            found.append(body[:80])
    found += re.findall(r"<[^>]+\son[a-z]+\s*=", html, re.I)
    found += re.findall(r"javascript:", html, re.I)
    return found


def _inline_styles_allowed(html: str, csp: str) -> None:
    allowed = set(_policy(csp)["style-src"])
    assert not re.search(r"<[^>]+\sstyle\s*=", html), "a style attribute the policy refuses"
    for css in re.findall(r"<style>(.*?)</style>", html, re.S):
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def test_no_page_carries_inline_script_and_inline_styles_are_hashed(http_site, database_url):
    from admin_ui.charts import bar_chart
    from admin_ui.web import PAGE_POLICY

    client, _ = http_site
    pages = ["/admin/login", "/c/no-such-code-0000"]
    browser = Browser(client)
    browser.as_("officer_bkk")
    pages += ["/admin/", "/admin/caseload", "/admin/enrol", "/admin/review", "/admin/flags"]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert _inline_scripts(response.text) == [], path
        _inline_styles_allowed(response.text, response.headers["content-security-policy"])
    browser.as_("manager")
    report = client.get("/admin/reports")
    assert report.status_code == 200 and report.headers["content-security-policy"] == PAGE_POLICY
    assert _inline_scripts(report.text) == []
    # The charts' one inline <style> is exactly the one the pages' policy allows by its hash.
    chart = str(bar_chart("t", "d", ["a"], [1.0]))
    _inline_styles_allowed(chart, PAGE_POLICY)


def test_on_https_hsts_is_sent_and_every_cookie_is_secure(database_url):
    staff = _make_staff(database_url)
    # PUBLIC_BASE_URL says http (as behind a proxy that terminates TLS), the request is https.
    with _client(database_url, "https://testserver.local") as client:
        for path in ("/admin/login", "/api/v1/offices", "/no/such/page", "/c/static/checkin.js"):
            response = client.get(path)
            hsts = response.headers.get("strict-transport-security", "")
            assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts), path
            assert int(hsts.split("=")[1].split(";")[0]) >= 365 * 86400
        # The login form's double-submit cookie and the session cookie are Secure.
        login_form = client.get("/admin/login")
        cookie = login_form.headers["set-cookie"]
        assert cookie.startswith("bc_login_csrf=") and "secure" in cookie.lower()
        api = Api(client, staff)
        login = client.post(
            "/api/v1/auth/login",
            json={"username": "officer_bkk", "password": "correct horse battery"},
        )
        assert login.status_code == 200, login.text
        assert "secure" in login.headers["set-cookie"].lower()
        assert api.staff["officer_bkk"].role == "officer"

    # Over plain http (a developer's machine) cookies are not marked Secure, or they would be
    # dropped.
    with _client(database_url, "http://testserver.local") as client:
        assert "secure" not in client.get("/admin/login").headers["set-cookie"].lower()


@get("/test-chart", exclude_from_auth=True, include_in_schema=False)
async def _chart_page() -> Response[str]:
    """A test route: one chart inside a page sent with the officers' pages' policy."""
    from admin_ui.charts import bar_chart
    from admin_ui.web import PAGE_POLICY

    chart = bar_chart("t", "d", ["a"], [1.0])
    html = f"<!doctype html><html><body><figure>{chart}</figure></body></html>"
    return Response(html, media_type="text/html", headers={"Content-Security-Policy": PAGE_POLICY})


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_the_pages_run_in_chromium_under_their_policies(database_url):
    """Swagger UI draws the API, htmx swaps fragments on the officers' pages, the check-in
    page's script runs and the charts keep their colours, with no CSP violation reported."""
    import os
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from admin_ui import admin_parts
    from reporting_api.app import create_app
    from tests.conftest import TEST_PASSWORD
    from tests.e2e.conftest import LAUNCH_FLAGS
    from tests.e2e.live import serve

    chromium = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    if not chromium.exists():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {chromium}")
        pytest.skip(f"no Chromium at {chromium}")
    _make_staff(database_url)
    parts = admin_parts()
    site = serve(
        lambda base: create_app(
            settings_for_test(database_url, public_base_url=base),
            extra_routes=[*parts.routes, _chart_page],
            template_dirs=parts.template_dirs,
            verifier=shared_verifier(),
        )
    )
    flags = [flag for flag in LAUNCH_FLAGS if "media-stream" not in flag]
    with site as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=flags
        )
        try:
            page = browser.new_context(locale="th-TH").new_page()
            page.set_default_timeout(30_000)
            violations: list[str] = []
            page.on(
                "console",
                lambda m: (
                    violations.append(m.text) if "Content Security Policy" in m.text else None
                ),
            )
            page.goto(f"{base}/schema/swagger")
            page.wait_for_selector(".swagger-ui .info .title")
            assert page.locator(".opblock").count() > 10  # every operation drawn
            page.goto(f"{base}/c/no-such-code-0000")
            page.wait_for_load_state("networkidle")
            page.goto(f"{base}/test-chart")
            fill = page.eval_on_selector(".chart .bar", "e => getComputedStyle(e).fill")
            assert fill == "rgb(11, 92, 173)", fill  # #0b5cad, from the hashed <style>
            page.goto(f"{base}/admin/login")
            page.fill("input[name=username]", "officer_bkk")
            page.fill("input[name=password]", TEST_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/admin/")
            # htmx: the plan preview is fetched on load, the search swaps the results.
            page.goto(f"{base}/admin/enrol")
            page.wait_for_selector("#plan-preview .plan-preview")
            page.goto(f"{base}/admin/caseload")
            with page.expect_response(lambda r: "/admin/caseload?" in r.url):
                page.fill("input[name=q]", "สมชาย")
            # The indicator's style comes from admin.css, not from one htmx would inject.
            assert violations == [], violations
        finally:
            browser.close()
