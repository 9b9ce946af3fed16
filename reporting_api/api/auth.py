"""Staff login: a session cookie for browsers, the same token as a bearer for API clients."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from reporting_api.access import Principal
from reporting_api.api.convert import staff_out
from reporting_api.api.deps import client_address
from reporting_api.api.schemas import LoginRequest, LoginResponse, StaffOut
from reporting_api.clock import utcnow
from reporting_api.services import staff as staff_service
from reporting_api.settings import Settings
from reporting_api.store import staff as staff_store

SESSION_COOKIE = "bc_session"


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
        row = await staff_store.staff_for_token(token, utcnow())
        if row is None:
            raise NotAuthorizedException(detail="the session has expired or was revoked")
        principal = Principal(
            id=row["id"],
            username=row["username"],
            display_name=row["display_name"],
            role=row["role"],
            office_id=row["office"],
        )
        return AuthenticationResult(user=principal, auth=token)


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/login", status_code=HTTP_200_OK, exclude_from_auth=True)
    async def login(
        self, data: JSONBody[LoginRequest], request: Request[Any, Any, Any]
    ) -> Response[LoginResponse]:
        """Log in; the token comes back in the body and as an HttpOnly session cookie."""
        settings: Settings = request.app.state.settings
        ttl = timedelta(hours=settings.session_hours)
        now = utcnow()
        result = await staff_service.login(
            data.username,
            data.password,
            now=now,
            ttl=ttl,
            kind="session",
            client=client_address(request),
        )
        if result is None:
            raise NotAuthorizedException(detail="wrong username or password")
        token, user = result
        body = LoginResponse(token=token, expires_at=now + ttl, user=staff_out(user))
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=token,
            httponly=True,
            samesite="strict",
            secure=settings.public_base_url.startswith("https://"),
            max_age=int(ttl.total_seconds()),
            path="/",
        )
        return Response(body, cookies=[cookie])

    @post("/logout", status_code=HTTP_204_NO_CONTENT)
    async def logout(self, request: Request[Principal, str, Any]) -> Response[None]:
        await staff_store.revoke_token(request.auth)
        return Response(
            None,
            status_code=HTTP_204_NO_CONTENT,
            cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True)],
        )

    @get("/me")
    async def me(self, request: Request[Principal, str, Any]) -> StaffOut:
        p = request.user
        return StaffOut(
            id=p.id,
            username=p.username,
            display_name=p.display_name,
            role=p.role,  # type: ignore[arg-type]
            office_id=p.office_id,
            active=True,
        )
