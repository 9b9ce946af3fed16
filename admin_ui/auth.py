"""Signing in and out of the admin pages (password, then a one-time code or, at a manager's
or administrator's first sign-in, setting up two-factor), and switching their language."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlparse

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from admin_ui.web import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    field_errors,
    home_for,
    new_login_csrf,
    render,
)
from reporting_api.access import Principal
from reporting_api.errors import InvalidInput
from reporting_api.http.context import now_of
from reporting_api.http.sessions import cleared_session_cookie, session_cookie, visitor_of
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


STEP_COOKIE = "bc_sign_in_step"
"""The sign-in between its password and its code (or two-factor set-up): HttpOnly, /admin."""


def _login_csrf_cookie(token: str) -> Cookie:
    return Cookie(
        key=LOGIN_CSRF_COOKIE, value=token, path="/admin", httponly=True, samesite="strict"
    )


def _step_cookie(token: str, seconds: int) -> Cookie:
    return Cookie(
        key=STEP_COOKIE,
        value=token,
        path="/admin",
        httponly=True,
        samesite="strict",
        max_age=seconds,
    )


def _cleared(key: str) -> Cookie:
    return Cookie(key=key, value="", max_age=0, path="/admin")


def _form_page(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """A page of the sign-in (no session yet): its form carries a fresh double-submit token."""
    token = new_login_csrf()
    page = render(request, template, status_code=status_code, login_csrf=token, **context)
    page.cookies.append(_login_csrf_cookie(token))
    return page


def _next_query(next_path: str | None) -> str:
    safe = _safe_next(next_path)
    return f"?next={quote(safe)}" if safe else ""


def _signed_in_redirect(result: sessions.SignedIn, settings: Settings, next_path: str) -> Redirect:
    target = _safe_next(next_path) or home_for(sessions.principal_of(result.user))
    ttl = timedelta(hours=settings.session_hours)
    return Redirect(
        target,
        status_code=303,
        cookies=[
            session_cookie(result.token, settings, ttl),
            _cleared(LOGIN_CSRF_COOKIE),
            _cleared(STEP_COOKIE),
        ],
    )


class LoginController(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/login", exclude_from_auth=True)
    async def form(self, request: Request[Any, Any, Any]) -> Template:
        return _form_page(
            request, "admin/login.html", next=request.query_params.get("next", ""), error=None
        )

    @post("/login", exclude_from_auth=True)
    async def login(self, request: Request[Any, Any, Any]) -> Response[Any] | Template:
        settings: Settings = request.app.state.settings
        form = await request.form()
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        next_path = str(form.get("next") or "")
        result = (
            await sessions.login(visitor_of(request), username[:64], password[:200])
            if username and password
            else None
        )
        if isinstance(result, sessions.SignedIn):
            return _signed_in_redirect(result, settings, next_path)
        if isinstance(result, sessions.CodeNeeded | sessions.EnrolmentNeeded) and (
            result.step_token is not None
        ):
            where = "code" if isinstance(result, sessions.CodeNeeded) else "two-factor"
            seconds = int((result.expires_at - now_of(request)).total_seconds())
            return Redirect(
                f"/admin/login/{where}{_next_query(next_path)}",
                status_code=303,
                cookies=[_step_cookie(result.step_token, seconds)],
            )
        # Wrong, unknown, throttled or locked: one answer.
        return _form_page(
            request,
            "admin/login.html",
            status_code=401,
            next=next_path,
            error="wrong_login",
            username=username,
        )

    @get("/login/code", exclude_from_auth=True)
    async def code_form(self, request: Request[Any, Any, Any]) -> Response[Any] | Template:
        if not request.cookies.get(STEP_COOKIE):
            return Redirect("/admin/login", status_code=303)
        return _form_page(
            request, "admin/login_code.html", next=request.query_params.get("next", ""), error=None
        )

    @post("/login/code", exclude_from_auth=True)
    async def code(self, request: Request[Any, Any, Any]) -> Response[Any] | Template:
        """The one-time code (or a recovery code) after the password."""
        settings: Settings = request.app.state.settings
        form = await request.form()
        next_path = str(form.get("next") or "")
        step = request.cookies.get(STEP_COOKIE)
        code = str(form.get("code") or "")[:32]
        result = await sessions.complete_code(visitor_of(request), step, code) if step else None
        if result is None:
            return Redirect(
                f"/admin/login{_next_query(next_path)}",
                status_code=303,
                cookies=[_cleared(STEP_COOKIE)],
            )
        if isinstance(result, sessions.SignedIn):
            return _signed_in_redirect(result, settings, next_path)
        return _form_page(
            request, "admin/login_code.html", status_code=401, next=next_path, error="wrong_code"
        )

    @get("/login/two-factor", exclude_from_auth=True)
    async def setup_form(self, request: Request[Any, Any, Any]) -> Response[Any] | Template:
        """Managers and administrators (everyone under REQUIRE_TWO_FACTOR) set up two-factor
        at their first sign-in: the QR code, the secret as text, and the first code."""
        step = request.cookies.get(STEP_COOKIE)
        setup = await sessions.enrolment_setup(visitor_of(request), step) if step else None
        if setup is None:
            return Redirect("/admin/login", status_code=303, cookies=[_cleared(STEP_COOKIE)])
        return _form_page(
            request,
            "admin/two_factor_setup.html",
            setup=setup,
            action="/admin/login/two-factor",
            next=request.query_params.get("next", ""),
            errors={},
        )

    @post("/login/two-factor", exclude_from_auth=True)
    async def setup(self, request: Request[Any, Any, Any]) -> Response[Any] | Template:
        settings: Settings = request.app.state.settings
        form = await request.form()
        next_path = str(form.get("next") or "")
        step = request.cookies.get(STEP_COOKIE)
        if not step:
            return Redirect("/admin/login", status_code=303)
        visitor = visitor_of(request)
        try:
            result = await sessions.complete_enrolment(
                visitor, step, str(form.get("code") or "")[:32]
            )
        except InvalidInput as problem:
            setup = await sessions.enrolment_setup(visitor, step)
            if setup is None:
                return Redirect("/admin/login", status_code=303)
            return _form_page(
                request,
                "admin/two_factor_setup.html",
                status_code=400,
                setup=setup,
                action="/admin/login/two-factor",
                next=next_path,
                errors=field_errors(problem),
            )
        if result is None:
            return Redirect("/admin/login", status_code=303, cookies=[_cleared(STEP_COOKIE)])
        page = render(
            request,
            "admin/recovery_codes.html",
            codes=result.recovery_codes,
            next=_safe_next(next_path) or home_for(sessions.principal_of(result.user)),
        )
        ttl = timedelta(hours=settings.session_hours)
        page.cookies.extend(
            [
                session_cookie(result.token, settings, ttl),
                _cleared(LOGIN_CSRF_COOKIE),
                _cleared(STEP_COOKIE),
            ]
        )
        return page

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
