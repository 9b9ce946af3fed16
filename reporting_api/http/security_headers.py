"""The security headers every response carries, whatever sent it: the JSON API, the officers'
pages, the check-in page, static files, the API docs and error answers (404 and 405 included,
which no route's middleware sees). One `before_send` hook on the app adds them.

- `Content-Security-Policy`: scripts only from this origin (no inline script, no eval), no
  framing (`frame-ancestors 'none'`), nothing from other sites. A response that sets its own
  policy keeps it (the officers' pages add the hash of the charts' `<style>`).
- `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy` (`no-referrer`
  under `/c/`, whose addresses carry the link's code), `Permissions-Policy` (the camera and
  location for this origin only), `Cross-Origin-Opener-Policy` and `-Resource-Policy`.
- On https (the request came over https, as the proxy's trusted `X-Forwarded-Proto` says, or
  `PUBLIC_BASE_URL` is https): `Strict-Transport-Security`, and every cookie is `Secure`.
- `Cache-Control: no-store` on API and check-in answers that did not say otherwise.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable, Iterable

from litestar.types import Message, Scope

from reporting_api.settings import Settings

HSTS_SECONDS = 2 * 365 * 24 * 3600
"""Two years: browsers keep to https for this long after one visit (no `preload`, which is a
decision for the domain's owner)."""

DOCS_PATHS = ("/schema", "/schema/", "/schema/swagger", "/schema/swagger/")
"""The API docs page (Swagger UI), which gets `DOCS_POLICY`."""

PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"
"""The check-in page films and may send a location (both only here); nothing else is used."""


def style_hash(css: str) -> str:
    """The CSP source allowing one inline `<style>` whose text is exactly ``css``."""
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(*, style_sources: Iterable[str] = ()) -> str:
    """The strict policy: everything from this origin only, no inline script or eval, no
    plugins, no framing, forms post only here. ``style_sources`` adds hashes of inline styles
    a page needs (`style_hash`)."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            " ".join(["style-src 'self'", *style_sources]),
            "img-src 'self'",
            "connect-src 'self'",
            "font-src 'self'",
            "manifest-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


DEFAULT_POLICY = content_security_policy()
"""Every response that does not set its own."""

DOCS_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        # Swagger UI's stylesheet and React set inline styles, and its icons are data: images;
        # scripts stay as strict as anywhere (the page starts it from a file, not inline).
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
"""The API docs page (`/schema/swagger`): the documented exception, for styles only."""

BeforeSend = Callable[[Message, Scope], Awaitable[None]]


def _secure(cookie: bytes) -> bytes:
    attributes = {part.strip().lower() for part in cookie.split(b";")[1:]}
    return cookie if b"secure" in attributes else cookie + b"; Secure"


def security_headers(settings: Settings) -> BeforeSend:
    """The app's `before_send` hook adding the headers above to every response."""
    public_https = settings.public_base_url.startswith("https://")

    async def add(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        path: str = scope.get("path", "")
        https = public_https or scope.get("scheme") == "https"
        headers = [
            (name, _secure(value) if https and name.lower() == b"set-cookie" else value)
            for name, value in message.get("headers", ())
        ]
        present = {name.lower() for name, _ in headers}

        def put(name: str, value: str) -> None:
            if name.encode() not in present:
                headers.append((name.encode(), value.encode()))

        link = path.startswith("/c/") and not path.startswith("/c/static/")
        put("content-security-policy", DOCS_POLICY if path in DOCS_PATHS else DEFAULT_POLICY)
        put("x-content-type-options", "nosniff")
        put("x-frame-options", "DENY")
        put("referrer-policy", "no-referrer" if link else "same-origin")
        put("permissions-policy", PERMISSIONS_POLICY)
        put("cross-origin-opener-policy", "same-origin")
        put("cross-origin-resource-policy", "same-origin")
        if https:
            put("strict-transport-security", f"max-age={HSTS_SECONDS}; includeSubDomains")
        if link or path.startswith("/api/"):
            put("cache-control", "no-store")
        message["headers"] = headers

    return add


__all__ = [
    "DEFAULT_POLICY",
    "DOCS_POLICY",
    "content_security_policy",
    "security_headers",
    "style_hash",
]
