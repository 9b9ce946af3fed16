"""Staff sign-in and sessions: the password, the one-time code, the session a token stands
for, one's own sessions, signing out.

Signing in is up to three steps, each a service call both edges share: the password
(`login`, throttled: `sign_in_throttle`), then for an account with two-factor its code
(`login` with the code, or `complete_code` with the step token the pages keep in a cookie),
or for a manager or administrator who has not set it up yet its set-up (`complete_enrolment`).
A step token is never a session (`store.staff.SESSION_KINDS`). Every full sign-in issues a new
session token; setting up two-factor ends the account's other sessions (docs/sign-in.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from reporting_api import metrics, passwords
from reporting_api.access import Principal
from reporting_api.commands import AuditFilter
from reporting_api.errors import InvalidInput, NotFound, Refused
from reporting_api.runtime import Runtime
from reporting_api.services import sign_in_throttle as throttle
from reporting_api.services import staff as staff_service
from reporting_api.services import two_factor
from reporting_api.services.context import Ctx
from reporting_api.settings import Settings
from reporting_api.store import staff as store
from reporting_api.store.audit import list_audit
from reporting_api.store.audit import record as record_audit
from reporting_api.store.rows import AuditLogRow
from reporting_api.store.staff import SessionRow, StaffLoginRow, StaffTokenRow

STEP_MINUTES = 10
"""How long a checked password waits for its code, or for two-factor to be set up."""


@dataclass(frozen=True)
class Visitor:
    """Who is signing in, before there is a session: when, from where, with what."""

    now: datetime
    client: str | None
    user_agent: str | None
    settings: Settings
    runtime: Runtime


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_at: datetime
    user: StaffLoginRow
    recovery_codes: list[str] = field(default_factory=list)
    """New recovery codes (shown once), when this sign-in set up two-factor."""


@dataclass(frozen=True)
class CodeNeeded:
    """The password was right; the account's one-time code is still to come (``wrong``: one
    was given and refused). ``step_token`` carries the sign-in to the code (pages)."""

    step_token: str | None
    expires_at: datetime
    wrong: bool = False


@dataclass(frozen=True)
class EnrolmentNeeded:
    """The password was right; this account must set up two-factor before it signs in."""

    step_token: str
    expires_at: datetime
    setup: two_factor.Setup


Outcome = SignedIn | CodeNeeded | EnrolmentNeeded | None
"""None: refused, told as a wrong username or password whatever the reason."""


def _busy() -> Refused:
    return Refused(
        503,
        "password",
        "too many people are signing in at this moment; try again in a few seconds",
        "มีผู้เข้าสู่ระบบพร้อมกันมากเกินไปในขณะนี้ โปรดลองใหม่ในอีกสักครู่",
    )


async def _password_matches(v: Visitor, user: StaffLoginRow | None, password: str) -> bool:
    try:
        return await passwords.verify_async(
            user["password_hash"] if user else passwords.dummy_hash(),
            password,
            concurrency=v.settings.sign_in.hash_concurrency,
            queue=v.settings.sign_in.hash_queue,
        )
    except passwords.HashingBusy:
        raise _busy() from None


async def _failed(
    v: Visitor,
    typed: str,
    user: StaffLoginRow | None,
    step: str,
    claim: throttle.Claim | None,
) -> None:
    """Audit a refused try: the account's name if the typed one is an account's, else a
    keyed hash of it (never what was typed); and the lock this try set, if it did."""
    metrics.sign_in_failed(step, locked=bool(claim and claim.locks and user))
    name = user["username"] if user else throttle.pseudonym(v.runtime.sealer, typed)
    entity_id = user["id"] if user else None
    await record_audit(
        actor_id=None,
        actor_username=name,
        action="auth.login_failed",
        entity="staff_user",
        entity_id=entity_id,
        at=v.now,
        client_address=v.client,
        detail={"step": step},
    )
    if claim is not None and claim.locks and user is not None:
        await record_audit(
            actor_id=None,
            actor_username=name,
            action="auth.locked",
            entity="staff_user",
            entity_id=entity_id,
            at=v.now,
            client_address=v.client,
            detail={"failures": claim.failures, "minutes": v.settings.sign_in.lock_minutes},
        )


async def _step(v: Visitor, user: StaffLoginRow, kind: str) -> tuple[str, datetime]:
    ttl = timedelta(minutes=STEP_MINUTES)
    token = await store.issue_token(
        user["id"], kind, v.now, ttl, client_address=v.client, user_agent=v.user_agent
    )
    return token, v.now + ttl


async def _signed_in(
    v: Visitor, user: StaffLoginRow, how: str, recovery_codes: list[str] | None = None
) -> SignedIn:
    await throttle.succeeded(v.runtime.sealer, user["username"], v.client)
    ttl = timedelta(hours=v.settings.session_hours)
    token = await store.issue_token(
        user["id"], "session", v.now, ttl, client_address=v.client, user_agent=v.user_agent
    )
    await store.trim_sessions(user["id"], v.settings.sign_in.max_sessions)
    await record_audit(
        actor_id=user["id"],
        actor_username=user["username"],
        action="auth.login",
        entity="staff_user",
        entity_id=user["id"],
        at=v.now,
        client_address=v.client,
        detail={"second_factor": how},
    )
    return SignedIn(token, v.now + ttl, user, recovery_codes or [])


async def login(v: Visitor, username: str, password: str, code: str | None = None) -> Outcome:
    """The password step (and the code, when the caller has it already: the API)."""
    sealer = v.runtime.sealer
    claim = await throttle.claim(sealer, v.settings.sign_in, username, v.client, v.now)
    user = await store.get_staff_for_login(username)
    if claim is None:
        await _failed(v, username, user, "throttled", None)
        await passwords.pause_like_a_check()
        return None
    ok = await _password_matches(v, user, password)
    if user is None or not ok or not user["active"]:
        await _failed(v, username, user, "password", claim)
        return None
    if user["totp_secret"] is not None:
        if code is None:
            token, expires = await _step(v, user, "pending")
            return CodeNeeded(token, expires)
        used = await two_factor.check_code(sealer, user, code, v.now)
        if used is None:
            await _failed(v, username, user, "code", claim)
            return CodeNeeded(None, v.now, wrong=True)
        return await _signed_in(v, user, used)
    if two_factor.needs_two_factor(user["role"], v.settings):
        setup = await two_factor.begin(sealer, user["id"], user["username"])
        token, expires = await _step(v, user, "enrol")
        return EnrolmentNeeded(token, expires, setup)
    return await _signed_in(v, user, "none")


async def complete_code(v: Visitor, step_token: str, code: str) -> SignedIn | CodeNeeded | None:
    """The code step of the pages' sign-in; None when the step has expired (start again)."""
    user = await store.staff_for_step(step_token, "pending", v.now)
    if user is None:
        return None
    sealer = v.runtime.sealer
    claim = await throttle.claim(sealer, v.settings.sign_in, user["username"], v.client, v.now)
    if claim is None:
        await _failed(v, user["username"], user, "throttled", None)
        await passwords.pause_like_a_check()
        return CodeNeeded(step_token, v.now, wrong=True)
    used = await two_factor.check_code(sealer, user, code, v.now)
    if used is None:
        await _failed(v, user["username"], user, "code", claim)
        return CodeNeeded(step_token, v.now, wrong=True)
    if not await store.use_step(step_token, "pending"):
        return None
    return await _signed_in(v, user, used)


async def enrolment_setup(v: Visitor, step_token: str) -> two_factor.Setup | None:
    """The set-up step's secret (the one waiting since the password, so a reloaded page shows
    the QR code already scanned), or None if the step has expired."""
    user = await store.staff_for_step(step_token, "enrol", v.now)
    if user is None:
        return None
    return await two_factor.waiting_or_new(v.runtime.sealer, user)


async def complete_enrolment(v: Visitor, step_token: str, code: str) -> SignedIn | None:
    """The set-up step: the first code confirms the secret, the account's other sessions
    end, and a new one starts with fresh recovery codes. None when the step has expired;
    a wrong code is refused naming the field (InvalidInput)."""
    user = await store.staff_for_step(step_token, "enrol", v.now)
    if user is None:
        return None
    codes = await two_factor.confirm(v.runtime.sealer, user, code, v.now)
    await store.revoke_tokens_of(user["id"])
    await two_factor.audit_enabled(user, v.now, v.client)
    return await _signed_in(v, user, "totp", codes)


# --- signed in ----------------------------------------------------------------------------


def principal_of(row: StaffLoginRow | StaffTokenRow) -> Principal:
    return Principal(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        office_id=row["office"],
    )


async def principal_for(token: str, now: datetime, settings: Settings) -> Principal | None:
    """The active staff user a live session stands for, or None: expired (`SESSION_HOURS`),
    idle (`SESSION_IDLE_MINUTES`), revoked, or only a step of a sign-in."""
    idle_since = now - timedelta(minutes=settings.sign_in.idle_minutes)
    found = await store.live_session(token, now, idle_since)
    return None if found is None else principal_of(found["user"])


async def logout(token: str) -> None:
    await store.revoke_token(token)


async def own_sessions(ctx: Ctx, token: str | None) -> list[SessionRow]:
    """The signed-in user's live sessions, the one ``token`` is marked current."""
    idle_since = ctx.now - timedelta(minutes=ctx.settings.sign_in.idle_minutes)
    return await store.list_sessions(ctx.principal.id, token, ctx.now, idle_since)


async def end_session(ctx: Ctx, session_id: int) -> None:
    """End one of one's own sessions (another's is "not found")."""
    if not await store.revoke_session(ctx.principal.id, session_id):
        raise NotFound("session", "no such session of yours", "ไม่พบการเข้าสู่ระบบนี้ของท่าน")
    await ctx.audit("auth.session_ended", "staff_user", ctx.principal.id, {"session": session_id})


async def sign_out_everywhere(ctx: Ctx) -> None:
    """Every session of the signed-in user ends, this one too."""
    await store.revoke_tokens_of(ctx.principal.id)
    await ctx.audit("auth.signed_out_everywhere", "staff_user", ctx.principal.id)


async def change_own_password(ctx: Ctx, current: str, new: str, token: str | None) -> None:
    """The signed-in user changes their own password (ASVS 2.1.5, 2.1.6). The current one is
    checked as a sign-in try of the account (the same throttle, counted before the check, so
    a stolen session cannot guess it); the new one follows the password rule; every other
    session of the account ends (3.3.3), ``token``'s goes on."""
    user = await store.get_staff_for_login(ctx.principal.username)
    if user is None:
        raise NotFound("staff user")
    v = Visitor(ctx.now, ctx.client_address, None, ctx.settings, ctx.rt)
    claim = await throttle.claim(
        ctx.rt.sealer, ctx.settings.sign_in, user["username"], ctx.client_address, ctx.now
    )
    if claim is None or not await _password_matches(v, user, current):
        if claim is not None:
            await _failed(v, user["username"], user, "password_change", claim)
        raise InvalidInput(
            "current_password",
            "is not your current password (or there were too many wrong tries: wait a while)",
            "รหัสผ่านปัจจุบันไม่ถูกต้อง (หรือใส่ผิดหลายครั้งเกินไป โปรดรอสักครู่)",
        )
    await throttle.succeeded(ctx.rt.sealer, user["username"], ctx.client_address)
    if new == current:
        raise InvalidInput("new_password", "is the same as the current one", "ซ้ำกับรหัสผ่านปัจจุบัน")
    new_hash = await staff_service.hash_new_password(
        new,
        ctx.settings.sign_in,
        username=user["username"],
        display_name=user["display_name"],
        field="new_password",
    )
    await store.change_password(user["id"], new_hash, token)
    await ctx.audit("auth.password_changed", "staff_user", user["id"])


async def begin_own_enrolment(ctx: Ctx, *, again: bool = True) -> two_factor.Setup:
    """A signed-in user sets up (or replaces) two-factor: a new secret, waiting for its code
    (``again=False``: the one already waiting, if any, as a reloaded page shows it)."""
    if again:
        return await two_factor.begin(ctx.rt.sealer, ctx.principal.id, ctx.principal.username)
    user = await store.get_staff_for_login(ctx.principal.username)
    if user is None:
        raise NotFound("staff user")
    return await two_factor.waiting_or_new(ctx.rt.sealer, user)


async def confirm_own_enrolment(ctx: Ctx, code: str, user_agent: str | None) -> SignedIn:
    """The first code confirms the new secret; every session of the user ends and this
    request gets a new one (a privilege change rotates the session)."""
    user = await store.get_staff_for_login(ctx.principal.username)
    if user is None:
        raise NotFound("staff user")
    codes = await two_factor.confirm(ctx.rt.sealer, user, code, ctx.now)
    await store.revoke_tokens_of(user["id"])
    visitor = Visitor(ctx.now, ctx.client_address, user_agent, ctx.settings, ctx.rt)
    await two_factor.audit_enabled(user, ctx.now, ctx.client_address)
    return await _signed_in(visitor, user, "totp", codes)


async def own_sign_in_events(ctx: Ctx, limit: int = 20) -> list[AuditLogRow]:
    """What happened to one's own account lately (sign-ins, failures, locks, changes): the
    owner sees a lock and the tries that caused it once they are back in."""
    where = AuditFilter(entity="staff_user", entity_id=str(ctx.principal.id))
    rows, _ = await list_audit(where, offset=0, limit=limit)
    return rows
