"""Managing staff accounts (administrators)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reporting_api import passwords
from reporting_api.access import ADMIN, Principal, ensure_role
from reporting_api.alert_emails import ALERT_CHANNELS, normalise_email
from reporting_api.commands import StaffCreate, StaffUpdate
from reporting_api.errors import Conflict, InvalidInput, NotFound, Refused
from reporting_api.phones import parse_thai_mobile
from reporting_api.services.context import Ctx
from reporting_api.settings import StaffSignInSettings
from reporting_api.store import offices as office_store
from reporting_api.store import staff as store
from reporting_api.store.audit import record_system
from reporting_api.store.staff import StaffRow


async def _office_must_exist(office_id: int) -> None:
    if not await office_store.office_exists(office_id):
        raise InvalidInput("office_id", "unknown office", "ไม่พบสำนักงานนี้")


def password_refusal(
    password: str, *, username: str, display_name: str, field: str = "password"
) -> InvalidInput | None:
    """Why ``password`` may not be set on this account (`passwords.password_problem`), as
    the refusal naming ``field``, or None; a form shows it beside its other errors."""
    problem = passwords.password_problem(password, (username, *display_name.split()))
    return None if problem is None else InvalidInput(field, *problem)


async def hash_new_password(
    password: str,
    settings: StaffSignInSettings,
    *,
    username: str,
    display_name: str,
    field: str = "password",
) -> str:
    """The rule for a password (`passwords.password_problem`: 12 characters or more, not a
    common or easily guessed one, not built from the person's own name; a refusal names
    ``field``), then its Argon2 hash, within the process's bound on concurrent hashes."""
    refusal = password_refusal(password, username=username, display_name=display_name, field=field)
    if refusal is not None:
        raise refusal
    try:
        return await passwords.hash_async(
            password, concurrency=settings.hash_concurrency, queue=settings.hash_queue
        )
    except passwords.HashingBusy:
        raise Refused(
            503, field, "the server is busy; try again", "ระบบไม่ว่างในขณะนี้ โปรดลองใหม่"
        ) from None


async def _create(data: StaffCreate, now: datetime, settings: StaffSignInSettings) -> StaffRow:
    """The one rule for a new account, whoever makes it: a known office, a free username, a
    Thai mobile number if any, a password that is long and not easy to guess, stored only
    as its Argon2 hash."""
    await _office_must_exist(data.office_id)
    if await store.username_taken(data.username):
        raise Conflict("username", "this username is taken", "ชื่อผู้ใช้นี้มีผู้ใช้แล้ว")
    phone = parse_thai_mobile(data.phone) if data.phone else None
    email = normalise_email(data.email) if data.email and data.email.strip() else None
    password_hash = await hash_new_password(
        data.password, settings, username=data.username, display_name=data.display_name
    )
    return await store.create_staff(
        {
            "username": data.username,
            "display_name": data.display_name.strip(),
            "role": data.role,
            "office": data.office_id,
            "password_hash": password_hash,
            "phone": phone,
            "email": email,
            "active": True,
            "created_at": now,
        }
    )


async def create_staff(ctx: Ctx, data: StaffCreate) -> StaffRow:
    """An administrator adds an account (the API and the staff page)."""
    ensure_role(ctx.principal, ADMIN)
    row = await _create(data, ctx.now, ctx.settings.sign_in)
    await ctx.audit("staff.create", "staff_user", row["id"], {"role": data.role})
    return row


async def create_staff_from_shell(
    data: StaffCreate, now: datetime, settings: StaffSignInSettings | None = None
) -> StaffRow:
    """The operator at the server's shell adds an account (`bail-checkin create-user`, how
    the first administrator is made): the same rule, audited as done by `cli`."""
    row = await _create(data, now, settings or StaffSignInSettings())
    await record_system(
        "staff.create", "staff_user", row["id"], now, {"role": data.role}, actor="cli"
    )
    return row


async def update_staff(ctx: Ctx, staff_id: int, data: StaffUpdate) -> StaffRow:
    ensure_role(ctx.principal, ADMIN)
    before = await store.get_staff(staff_id)
    if before is None:
        raise NotFound("staff user")
    values: dict[str, Any] = {}
    if data.display_name is not None:
        values["display_name"] = data.display_name.strip()
    if data.role is not None:
        values["role"] = data.role
    if data.office_id is not None:
        await _office_must_exist(data.office_id)
        values["office"] = data.office_id
    if data.active is not None:
        if staff_id == ctx.principal.id and not data.active:
            raise InvalidInput("active", "you cannot deactivate yourself", "ไม่สามารถปิดบัญชีตนเองได้")
        values["active"] = data.active
    if data.password is not None:
        values["password_hash"] = await hash_new_password(
            data.password,
            ctx.settings.sign_in,
            username=before["username"],
            display_name=values.get("display_name", before["display_name"]),
        )
    if data.phone is not None:
        values["phone"] = parse_thai_mobile(data.phone) if data.phone.strip() else None
    if data.email is not None:
        values["email"] = normalise_email(data.email) if data.email.strip() else None
    row = await store.update_staff(staff_id, values)
    # Deactivation and a new password end every session; so does a new role or office (a
    # privilege change): the person signs in again and gets a session of what they now are.
    privilege_changed = (
        values.get("role", before["role"]) != before["role"]
        or values.get("office", before["office"]) != before["office"]
    )
    if data.active is False or data.password is not None or privilege_changed:
        await store.revoke_tokens_of(staff_id)
    await ctx.audit("staff.update", "staff_user", staff_id, {"fields": sorted(values)})
    assert row is not None
    return row


async def list_staff(principal: Principal, office_id: int | None) -> list[StaffRow]:
    ensure_role(principal, ADMIN)
    return await store.list_staff(office_id)


async def get_staff(principal: Principal, staff_id: int) -> StaffRow:
    ensure_role(principal, ADMIN)
    row = await store.get_staff(staff_id)
    if row is None:
        raise NotFound("staff user")
    return row


async def set_own_alerts(ctx: Ctx, *, channel: str, digest: bool, email: str | None) -> StaffRow:
    """One's own choice of how flag alerts come: SMS, e-mail, both or none; e-mail one by one
    or as a daily digest; and one's e-mail address (empty removes it). A channel needs its
    address: e-mail an e-mail address, SMS a mobile number (an administrator sets that)."""
    if channel not in ALERT_CHANNELS:
        raise InvalidInput(
            "alert_channel",
            "choose SMS, e-mail, both or none",
            "โปรดเลือก SMS อีเมล ทั้งสองทาง หรือไม่รับ",
        )
    before = await own_account(ctx)
    address = normalise_email(email) if email and email.strip() else None
    if channel in ("email", "both") and address is None:
        raise InvalidInput(
            "email",
            "alerts by e-mail need an e-mail address",
            "การแจ้งเตือนทางอีเมลต้องมีที่อยู่อีเมล",
        )
    if channel in ("sms", "both") and not before["phone"]:
        raise InvalidInput(
            "alert_channel",
            "alerts by SMS need a mobile number on your account: ask an administrator",
            "การแจ้งเตือนทาง SMS ต้องมีเบอร์มือถือในบัญชี โปรดติดต่อผู้ดูแลระบบ",
        )
    values = {"alert_channel": channel, "alert_digest": digest, "email": address}
    row = await store.update_staff(ctx.principal.id, values)
    await ctx.audit(
        "staff.alerts",
        "staff_user",
        ctx.principal.id,
        {"channel": channel, "digest": digest, "email_set": address is not None},
    )
    assert row is not None
    return row


async def own_account(ctx: Ctx) -> StaffRow:
    """The signed-in user's own account (any role)."""
    row = await store.get_staff(ctx.principal.id)
    if row is None:
        raise NotFound("staff user")
    return row
