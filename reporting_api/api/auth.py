"""Staff sign-in: a session cookie for browsers, the same token as a bearer for API clients;
two-factor set-up; one's own sessions; and (administrators) an account's lock and two-factor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.exceptions import NotAuthorizedException
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from reporting_api.access import Principal
from reporting_api.api.convert import staff_out
from reporting_api.api.schemas import (
    CodeRequest,
    EnrolledResponse,
    LoginRequest,
    LoginResponse,
    PasswordChange,
    RecoveryCodesOut,
    SessionOut,
    SignInStateOut,
    StaffOut,
    TwoFactorConfirm,
    TwoFactorSetupOut,
)
from reporting_api.http.context import CtxDep, PathId
from reporting_api.http.sessions import (
    cleared_session_cookie,
    session_cookie,
    token_from,
    visitor_of,
)
from reporting_api.services import sessions, two_factor
from reporting_api.services import sign_in_throttle as throttle
from reporting_api.services.context import Ctx
from reporting_api.settings import Settings

WRONG_LOGIN = "wrong username or password"
CODE_NEEDED = (
    "this account signs in with a one-time code: send the 6 digits of the authenticator app "
    "(or a recovery code) as `code`",
    "บัญชีนี้ต้องใช้รหัสใช้ครั้งเดียว: ส่งตัวเลข 6 หลักจากแอปยืนยันตัวตน (หรือรหัสกู้คืน) ในช่อง code",
)
CODE_WRONG = ("wrong or already used one-time code", "รหัสใช้ครั้งเดียวไม่ถูกต้องหรือถูกใช้ไปแล้ว")
STEP_EXPIRED = "the sign-in has expired: log in again"


def _code_refused(wrong: bool) -> NotAuthorizedException:
    reason, reason_th = CODE_WRONG if wrong else CODE_NEEDED
    return NotAuthorizedException(
        detail=reason, extra=[{"key": "code", "message": reason, "message_th": reason_th}]
    )


def _setup_out(
    setup: two_factor.Setup, step: sessions.EnrolmentNeeded | None = None
) -> TwoFactorSetupOut:
    return TwoFactorSetupOut(
        secret=setup.secret,
        otpauth_uri=setup.otpauth_uri,
        qr_svg=setup.qr_svg,
        enrolment_token=step.step_token if step else None,
        expires_at=step.expires_at if step else None,
    )


def _session_response(result: sessions.SignedIn, settings: Settings) -> Response[Any]:
    body: LoginResponse | EnrolledResponse
    user = staff_out(result.user)
    if result.recovery_codes:
        body = EnrolledResponse(result.token, result.expires_at, user, result.recovery_codes)
    else:
        body = LoginResponse(token=result.token, expires_at=result.expires_at, user=user)
    ttl = timedelta(hours=settings.session_hours)
    return Response(
        body, status_code=HTTP_200_OK, cookies=[session_cookie(result.token, settings, ttl)]
    )


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/login",
        status_code=HTTP_200_OK,
        exclude_from_auth=True,
        responses={
            202: ResponseSpec(
                data_container=TwoFactorSetupOut,
                description="The password is right, and this account (a manager or an "
                "administrator, or everyone under REQUIRE_TWO_FACTOR) must set up two-factor "
                "sign-in first: add the secret to an authenticator app and confirm with its "
                "first code at /auth/two-factor/confirm with `enrolment_token`",
            )
        },
    )
    async def login(
        self, data: JSONBody[LoginRequest], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        """Log in; the token comes back in the body and as an HttpOnly session cookie. A wrong
        password, an unknown user, and a throttled or locked account all answer the same 401;
        an account with two-factor also needs `code` (401 naming `code` without it)."""
        settings: Settings = request.app.state.settings
        result = await sessions.login(visitor_of(request), data.username, data.password, data.code)
        if isinstance(result, sessions.SignedIn):
            return _session_response(result, settings)
        if isinstance(result, sessions.CodeNeeded):
            raise _code_refused(result.wrong)
        if isinstance(result, sessions.EnrolmentNeeded):
            return Response(_setup_out(result.setup, result), status_code=HTTP_202_ACCEPTED)
        raise NotAuthorizedException(detail=WRONG_LOGIN)

    @post("/logout", status_code=HTTP_204_NO_CONTENT)
    async def logout(self, request: Request[Principal, str, Any]) -> Response[None]:
        await sessions.logout(request.auth)
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=[cleared_session_cookie()])

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

    @post("/two-factor/setup", status_code=HTTP_200_OK)
    async def two_factor_setup(self, ctx: CtxDep) -> TwoFactorSetupOut:
        """Set up (or replace) two-factor sign-in for yourself: a new secret that counts once
        confirmed with its first code at /auth/two-factor/confirm."""
        return _setup_out(await sessions.begin_own_enrolment(ctx))

    @post("/two-factor/confirm", status_code=HTTP_200_OK, exclude_from_auth=True)
    async def two_factor_confirm(
        self, data: JSONBody[TwoFactorConfirm], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        """Confirm a new secret with its first code: with `enrolment_token` at first sign-in,
        or signed in. Every session of the account ends and a new one starts (token and
        cookie), with ten recovery codes shown only this once."""
        settings: Settings = request.app.state.settings
        if data.enrolment_token is not None:
            result = await sessions.complete_enrolment(
                visitor_of(request), data.enrolment_token, data.code
            )
            if result is None:
                raise NotAuthorizedException(detail=STEP_EXPIRED)
            return _session_response(result, settings)
        token = token_from(request)
        visitor = visitor_of(request)
        principal = await sessions.principal_for(token, visitor.now, settings) if token else None
        if principal is None:
            raise NotAuthorizedException(detail="log in first, or send `enrolment_token`")
        ctx = Ctx(principal, visitor.client, visitor.now, settings, visitor.runtime)
        result = await sessions.confirm_own_enrolment(
            ctx, data.code, request.headers.get("user-agent")
        )
        return _session_response(result, settings)

    @post("/two-factor/recovery-codes", status_code=HTTP_200_OK)
    async def recovery_codes(self, data: JSONBody[CodeRequest], ctx: CtxDep) -> RecoveryCodesOut:
        """Ten new recovery codes (the old ones stop working); a current code proves it is you."""
        return RecoveryCodesOut(await two_factor.new_recovery_codes(ctx, data.code))

    @put("/password", status_code=HTTP_204_NO_CONTENT)
    async def change_password(
        self, request: Request[Principal, str, Any], data: JSONBody[PasswordChange], ctx: CtxDep
    ) -> None:
        """Change one's own password, giving the current one (a wrong one counts as a failed
        sign-in) and the new one (12 to 128 characters, not easy to guess). Every other
        session of the account ends; this one goes on."""
        await sessions.change_own_password(
            ctx, data.current_password, data.new_password, request.auth
        )

    @get("/sessions")
    async def list_sessions(
        self, ctx: CtxDep, request: Request[Principal, str, Any]
    ) -> list[SessionOut]:
        """Your live sessions, newest first."""
        rows = await sessions.own_sessions(ctx, request.auth)
        return [SessionOut(**row) for row in rows]

    @delete("/sessions/{session_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def end_session(self, session_id: PathId, ctx: CtxDep) -> None:
        """Sign out one of your sessions."""
        await sessions.end_session(ctx, session_id)

    @delete("/sessions", status_code=HTTP_204_NO_CONTENT)
    async def sign_out_everywhere(self, ctx: CtxDep) -> Response[None]:
        """Sign out everywhere: every session of yours ends, this one too."""
        await sessions.sign_out_everywhere(ctx)
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=[cleared_session_cookie()])


class StaffSignInController(Controller):
    """Administrators: an account's sign-in standing, lifting its lock, resetting two-factor."""

    path = "/staff"
    tags = ["staff"]

    @get("/{staff_id:int}/sign-in")
    async def sign_in_state(self, staff_id: PathId, ctx: CtxDep) -> SignInStateOut:
        has_two_factor, state = await throttle.staff_lock_state(ctx, staff_id)
        return SignInStateOut(
            two_factor=has_two_factor,
            failures=state.failures if state else 0,
            locked_until=state.locked_until if state else None,
            wait_until=state.wait_until if state else None,
        )

    @delete("/{staff_id:int}/lock", status_code=HTTP_204_NO_CONTENT)
    async def lift_lock(self, staff_id: PathId, ctx: CtxDep) -> None:
        """Lift the account's sign-in lock (and forget its failures)."""
        await throttle.lift_lock(ctx, staff_id)

    @delete("/{staff_id:int}/two-factor", status_code=HTTP_204_NO_CONTENT)
    async def reset_two_factor(self, staff_id: PathId, ctx: CtxDep) -> None:
        """Turn off the account's two-factor (a lost phone): its sessions end, and it sets
        two-factor up again at its next sign-in."""
        await two_factor.reset(ctx, staff_id)
