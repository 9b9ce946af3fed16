"""Staff login: a session cookie for browsers, the same token as a bearer for API clients."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from reporting_api.access import Principal
from reporting_api.api.convert import staff_out
from reporting_api.api.schemas import LoginRequest, LoginResponse, StaffOut
from reporting_api.http.context import client_address, now_of
from reporting_api.http.sessions import cleared_session_cookie, session_cookie
from reporting_api.services import sessions
from reporting_api.settings import Settings


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
        now = now_of(request)
        result = await sessions.login(
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
        return Response(body, cookies=[session_cookie(token, settings, ttl)])

    @post("/logout", status_code=HTTP_204_NO_CONTENT)
    async def logout(self, request: Request[Principal, str, Any]) -> Response[None]:
        await sessions.logout(request.auth)
        return Response(
            None,
            status_code=HTTP_204_NO_CONTENT,
            cookies=[cleared_session_cookie()],
        )

    @get("/me")
    async def me(self, request: Request[Principal, str, Any]) -> StaffOut:
        p = request.user
        return StaffOut(
            id=p.id,
            username=p.username,
            display_name=p.display_name,
            role=p.role,
            office_id=p.office_id,
            active=True,
        )
