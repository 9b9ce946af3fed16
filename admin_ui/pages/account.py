"""My account (every role): two-factor sign-in, recovery codes, where one is signed in (and
signing out there or everywhere), the sign-in lock and recent activity on the account."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from admin_ui.web import field_errors, home_for, render
from reporting_api.access import Principal
from reporting_api.errors import InvalidInput
from reporting_api.http.context import CtxDep, PathId
from reporting_api.http.sessions import cleared_session_cookie, session_cookie
from reporting_api.services import sessions, two_factor
from reporting_api.services import sign_in_throttle as throttle
from reporting_api.services import staff as staff_service
from reporting_api.services.context import Ctx
from reporting_api.settings import Settings

Saved = Literal["ended", "password", "alerts"]


class AccountPages(Controller):
    path = "/admin/account"
    include_in_schema = False

    async def _page(
        self,
        request: Request[Principal, str, Any],
        ctx: Ctx,
        *,
        status_code: int = 200,
        errors: dict[str, dict[str, str]] | None = None,
        saved: str | None = None,
        alerts: dict[str, Any] | None = None,
    ) -> Template:
        me = await staff_service.own_account(ctx)
        return render(
            request,
            "admin/account.html",
            status_code=status_code,
            two_factor_since=me["totp_enabled_at"],
            recovery_left=await two_factor.remaining_recovery_codes(ctx.principal),
            lock=await throttle.own_lock_state(ctx.rt.sealer, ctx.principal, ctx.now),
            sessions=await sessions.own_sessions(ctx, request.auth),
            events=await sessions.own_sign_in_events(ctx),
            errors=errors or {},
            saved=saved,
            alerts=alerts
            or {
                "alert_channel": me["alert_channel"],
                "alert_digest": "1" if me["alert_digest"] else "0",
                "email": me["email"] or "",
            },
            phone=me["phone"],
            digest_hour=ctx.settings.email.digest_hour,
        )

    @get("/")
    async def show(
        self,
        request: Request[Principal, str, Any],
        ctx: CtxDep,
        saved: Annotated[Saved | None, QueryParameter()] = None,
    ) -> Template:
        return await self._page(request, ctx, saved=saved)

    @get("/two-factor")
    async def setup_form(self, request: Request[Principal, str, Any], ctx: CtxDep) -> Template:
        setup = await sessions.begin_own_enrolment(ctx, again=False)
        return render(
            request,
            "admin/two_factor_setup.html",
            setup=setup,
            action="/admin/account/two-factor",
            next="",
            errors={},
        )

    @post("/two-factor")
    async def setup(self, request: Request[Principal, str, Any], ctx: CtxDep) -> Template:
        """The first code confirms the new secret; every session ends and this browser gets
        a new one (the session rotates on a privilege change)."""
        settings: Settings = request.app.state.settings
        code = str((await request.form()).get("code") or "")[:32]
        try:
            result = await sessions.confirm_own_enrolment(
                ctx, code, request.headers.get("user-agent")
            )
        except InvalidInput as problem:
            return render(
                request,
                "admin/two_factor_setup.html",
                status_code=400,
                setup=await sessions.begin_own_enrolment(ctx, again=False),
                action="/admin/account/two-factor",
                next="",
                errors=field_errors(problem),
            )
        page = render(
            request,
            "admin/recovery_codes.html",
            codes=result.recovery_codes,
            next=home_for(ctx.principal),
        )
        ttl = timedelta(hours=settings.session_hours)
        page.cookies.append(session_cookie(result.token, settings, ttl))
        return page

    @post("/password")
    async def change_password(
        self, request: Request[Principal, str, Any], ctx: CtxDep
    ) -> Template | Redirect:
        """One's own new password: the current one, the new one twice. Every other session
        of the account ends; this one goes on."""
        form = await request.form()
        current, new, again = (
            str(form.get(name) or "")[:1000]
            for name in ("current_password", "new_password", "new_password_again")
        )
        try:
            if new != again:
                raise InvalidInput(
                    "new_password_again",
                    "is not the same as the new password",
                    "ไม่ตรงกับรหัสผ่านใหม่",
                )
            await sessions.change_own_password(ctx, current, new, request.auth)
        except InvalidInput as problem:
            return await self._page(request, ctx, status_code=400, errors=field_errors(problem))
        return Redirect("/admin/account?saved=password", status_code=303)

    @post("/alerts")
    async def set_alerts(
        self, request: Request[Principal, str, Any], ctx: CtxDep
    ) -> Template | Redirect:
        """How one's own flag alerts come: SMS, e-mail, both or none; e-mail one by one or
        as a daily digest; and one's e-mail address."""
        form = await request.form()
        values = {
            "alert_channel": str(form.get("alert_channel") or "")[:16],
            "alert_digest": "1" if str(form.get("alert_digest") or "") == "1" else "0",
            "email": str(form.get("email") or "")[:300],
        }
        try:
            await staff_service.set_own_alerts(
                ctx,
                channel=values["alert_channel"],
                digest=values["alert_digest"] == "1",
                email=values["email"],
            )
        except InvalidInput as problem:
            return await self._page(
                request, ctx, status_code=400, errors=field_errors(problem), alerts=values
            )
        return Redirect("/admin/account?saved=alerts", status_code=303)

    @post("/recovery-codes")
    async def recovery_codes(self, request: Request[Principal, str, Any], ctx: CtxDep) -> Template:
        code = str((await request.form()).get("code") or "")[:32]
        try:
            codes = await two_factor.new_recovery_codes(ctx, code)
        except InvalidInput as problem:
            return await self._page(request, ctx, status_code=400, errors=field_errors(problem))
        return render(request, "admin/recovery_codes.html", codes=codes, next="/admin/account")

    @post("/sessions/{session_id:int}/end")
    async def end_session(
        self, request: Request[Principal, str, Any], ctx: CtxDep, session_id: PathId
    ) -> Redirect:
        await sessions.end_session(ctx, session_id)
        if await sessions.principal_for(request.auth, ctx.now, ctx.settings) is None:
            return Redirect("/admin/login", status_code=303, cookies=[cleared_session_cookie()])
        return Redirect("/admin/account?saved=ended", status_code=303)

    @post("/sessions/end-all")
    async def sign_out_everywhere(self, ctx: CtxDep) -> Redirect:
        await sessions.sign_out_everywhere(ctx)
        return Redirect("/admin/login", status_code=303, cookies=[cleared_session_cookie()])
