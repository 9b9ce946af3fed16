"""The staff session: a bearer token (API clients) or the HttpOnly `bc_session` cookie
(browsers) resolved to the `Principal` a request acts for (a session past `SESSION_HOURS` or
unused for `SESSION_IDLE_MINUTES` is refused)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from reporting_api.http.context import client_address, now_of, runtime_of
from reporting_api.services import sessions
from reporting_api.settings import Settings

SESSION_COOKIE = "bc_session"


def session_cookie(token: str, settings: Settings, ttl: timedelta) -> Cookie:
    """The HttpOnly, same-site session cookie (Secure when the service is served on https)."""
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="strict",
        secure=settings.public_base_url.startswith("https://"),
        max_age=int(ttl.total_seconds()),
        path="/",
    )


def visitor_of(connection: Any) -> sessions.Visitor:
    """Who is signing in on this request (there is no session yet)."""
    return sessions.Visitor(
        now=now_of(connection),
        client=client_address(connection),
        user_agent=connection.headers.get("user-agent"),
        settings=connection.app.state.settings,
        runtime=runtime_of(connection),
    )


def cleared_session_cookie() -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True)


def token_from(connection: Any) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return connection.cookies.get(SESSION_COOKIE) or None


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    """Resolves the bearer token or session cookie to the staff user it belongs to."""

    async def authenticate_request(self, connection: Any) -> AuthenticationResult:
        token = token_from(connection)
        if token is None:
            raise NotAuthorizedException(detail="log in first (session cookie or bearer token)")
        settings: Settings = connection.app.state.settings
        principal = await sessions.principal_for(token, now_of(connection), settings)
        if principal is None:
            raise NotAuthorizedException(detail="the session has expired or was revoked")
        return AuthenticationResult(user=principal, auth=token)
