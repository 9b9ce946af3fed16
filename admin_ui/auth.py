"""Logging in and out of the admin pages, and switching their language."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlparse

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from admin_ui.web import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    home_for,
    new_login_csrf,
    render,
)
from reporting_api.access import Principal
from reporting_api.http.context import client_address, now_of
from reporting_api.http.sessions import cleared_session_cookie, session_cookie
from reporting_api.services import sessions
from reporting_api.settings import Settings


def _safe_next(value: str | None) -> str | None:
    """Only a path on this site (no scheme, no host): never an open redirect."""
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc or not value.startswith("/admin"):
        return None
    return value


class LoginController(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/login", exclude_from_auth=True)
    async def form(self, request: Request[Any, Any, Any]) -> Template:
        token = new_login_csrf()
        page = render(
            request,
            "admin/login.html",
            login_csrf=token,
            next=request.query_params.get("next", ""),
            error=None,
        )
        page.cookies.append(
            Cookie(
                key=LOGIN_CSRF_COOKIE, value=token, path="/admin", httponly=True, samesite="strict"
            )
        )
        return page

    @post("/login", exclude_from_auth=True)
    async def login(self, request: Request[Any, Any, Any]) -> Response[Any] | Template:
        settings: Settings = request.app.state.settings
        form = await request.form()
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        now = now_of(request)
        ttl = timedelta(hours=settings.session_hours)
        result = (
            await sessions.login(
                username, password, now=now, ttl=ttl, kind="session", client=client_address(request)
            )
            if username and password
            else None
        )
        if result is None:
            token = new_login_csrf()
            page = render(
                request,
                "admin/login.html",
                status_code=401,
                login_csrf=token,
                next=str(form.get("next") or ""),
                error="wrong_login",
                username=username,
            )
            page.cookies.append(
                Cookie(
                    key=LOGIN_CSRF_COOKIE,
                    value=token,
                    path="/admin",
                    httponly=True,
                    samesite="strict",
                )
            )
            return page
        token, user = result
        target = _safe_next(str(form.get("next") or "")) or home_for(sessions.principal_of(user))
        return Redirect(
            target,
            status_code=303,
            cookies=[
                session_cookie(token, settings, ttl),
                Cookie(key=LOGIN_CSRF_COOKIE, value="", max_age=0, path="/admin"),
            ],
        )

    @post("/logout")
    async def logout(self, request: Request[Principal, str, Any]) -> Redirect:
        await sessions.logout(request.auth)
        return Redirect("/admin/login", status_code=303, cookies=[cleared_session_cookie()])

    @get("/lang/{lang:str}", exclude_from_auth=True)
    async def switch_language(
        self, request: Request[Any, Any, Any], lang: Annotated[str, PathParameter(max_length=8)]
    ) -> Redirect:
        lang = lang if lang in ("th", "en") else "th"
        target = _safe_next(request.query_params.get("next")) or "/admin/"
        return Redirect(
            target,
            status_code=303,
            cookies=[
                Cookie(
                    key=LANG_COOKIE, value=lang, path="/admin", max_age=365 * 86400, samesite="lax"
                )
            ],
        )
