"""Cross-site request forgery on the JSON API: a browser sends the `bc_session` cookie with any
request to this site, even one another site's page started; such a page can send only
"simple" requests (a form or `text/plain` body) and cannot choose its `Origin`. So a
state-changing API request that would be authenticated by the cookie must:

- come from this site: its `Origin` (or, when a browser sends none, its `Referer`) is
  `PUBLIC_BASE_URL`'s origin or the address the request was sent to (403 naming `Origin`);
- carry its body in the type the route takes: `application/json`, or `multipart/form-data`
  for the two photo uploads (415 naming `Content-Type`).

A request with a bearer token needs no `Origin` (no browser adds one by itself) but must also
label its body as the route's type (ASVS 13.1.5, 13.2.5). A route that
needs no session (logging in) still refuses a body of another type and a foreign `Origin`
(login CSRF). The officers' pages keep their own CSRF token (`admin_ui/web.py`); the check-in
link's routes are authorised by the code in their address, which another site does not know.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from reporting_api.errors import Refused
from reporting_api.http.sessions import SESSION_COOKIE
from reporting_api.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
JSON = "application/json"
MULTIPART = "multipart/form-data"


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute URL, lower-cased; None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _takes(route_handler: Any) -> str | None:
    """The body type the route declares (`data`), or None when it takes no body."""
    data = route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None
    media_type = getattr(data.kwarg_definition, "media_type", None)
    return MULTIPART if str(getattr(media_type, "value", media_type)) == MULTIPART else JSON


def _is_json(media_type: str) -> bool:
    return media_type == JSON or (media_type.startswith("application/") and "+json" in media_type)


def check(connection: ASGIConnection[Any, Any, Any, Any], settings: Settings) -> None:
    """Refuse (`Refused`, 403 or 415) what a foreign page could have sent with the cookie."""
    if connection.scope.get("method", "GET") in SAFE_METHODS:
        return
    headers = connection.headers
    scheme, _, token = headers.get("authorization", "").partition(" ")
    bearer = scheme.lower() == "bearer" and bool(token.strip())
    route_handler = connection.scope["route_handler"]
    by_cookie = bool(connection.cookies.get(SESSION_COOKIE)) and not route_handler.opt.get(
        "exclude_from_auth"
    )
    sent = headers.get("origin")
    if sent is None and headers.get("referer"):
        sent = origin_of(headers["referer"]) or "null"
    if not bearer and (sent is not None or by_cookie):
        own = {
            origin_of(settings.public_base_url),
            origin_of(f"{connection.scope.get('scheme', 'http')}://{headers.get('host', '')}"),
        }
        if sent is None:
            raise Refused(
                403,
                "Origin",
                "a request signed in with the session cookie must come from this service's "
                "own pages, and this one says neither where it comes from (Origin) nor which "
                "page sent it (Referer); programs calling the API use a bearer token",
                "คำขอที่ใช้คุกกี้เข้าสู่ระบบต้องส่งมาจากหน้าเว็บของระบบนี้ แต่คำขอนี้ไม่ระบุที่มา "
                "(Origin หรือ Referer) โปรแกรมที่เรียกใช้ API ให้ใช้โทเคนแบบ Bearer",
            )
        if sent.lower() not in own:
            raise Refused(
                403,
                "Origin",
                "this request comes from another site's page; only this service's own pages "
                "may change data with the session cookie",
                "คำขอนี้มาจากหน้าเว็บของเว็บไซต์อื่น เฉพาะหน้าเว็บของระบบนี้เท่านั้นที่แก้ไขข้อมูลด้วยคุกกี้เข้าสู่ระบบได้",
            )
    takes = _takes(route_handler)
    has_body = headers.get("content-length", "0") not in ("", "0") or (
        "transfer-encoding" in headers
    )
    if takes is None or not has_body:
        return
    media_type = _media_type(headers.get("content-type", ""))
    if (takes == JSON and not _is_json(media_type)) or (takes == MULTIPART and media_type != takes):
        raise Refused(
            415,
            "Content-Type",
            f"send this request's body as {takes} (it was {media_type or 'not labelled'})",
            f"ต้องส่งข้อมูลของคำขอนี้ในรูปแบบ {takes} (ที่ส่งมาคือ {media_type or 'ไม่ระบุ'})",
        )


class ApiCsrfMiddleware(ASGIMiddleware):
    """`check` before every state-changing request to the JSON API."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope, receive)
        check(connection, connection.app.state.settings)
        await next_app(scope, receive, send)


__all__ = ["ApiCsrfMiddleware", "check", "origin_of"]
