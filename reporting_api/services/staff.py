"""Managing staff accounts and offices (administrators), and logging in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anyio.to_thread
from litestar.exceptions import NotFoundException

from reporting_api.access import ADMIN, Principal, ensure_role
from reporting_api.api.schemas import (
    OfficeCreate,
    OfficeUpdate,
    StaffCreate,
    StaffUpdate,
)
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.passwords import DUMMY_HASH, hash_password, verify_password
from reporting_api.phones import parse_thai_mobile
from reporting_api.services.context import Ctx
from reporting_api.store import offices as office_store
from reporting_api.store import staff as store
from reporting_api.store.audit import record as record_audit


async def login(
    username: str, password: str, *, now: Any, ttl: timedelta, kind: str, client: str | None
) -> tuple[str, dict[str, Any]] | None:
    """A new token for valid credentials of an active user, or None."""
    user = await store.get_staff_for_login(username)
    # Argon2 takes tens of milliseconds of CPU: off the event loop.
    ok = await anyio.to_thread.run_sync(
        verify_password, user["password_hash"] if user else DUMMY_HASH, password
    )
    if user is None or not ok or not user["active"]:
        await record_audit(
            actor_id=None,
            actor_username=username[:64],
            action="auth.login_failed",
            entity="staff_user",
            entity_id=user["id"] if user else None,
            at=now,
            client_address=client,
        )
        return None
    token = await store.issue_token(user["id"], kind, now, ttl)
    await record_audit(
        actor_id=user["id"],
        actor_username=username,
        action="auth.login",
        entity="staff_user",
        entity_id=user["id"],
        at=now,
        client_address=client,
    )
    return token, user


async def _office_must_exist(office_id: int) -> None:
    if not await office_store.office_exists(office_id):
        raise InvalidInput("office_id", "unknown office", "ไม่พบสำนักงานนี้")


async def create_staff(ctx: Ctx, data: StaffCreate) -> dict[str, Any]:
    ensure_role(ctx.principal, ADMIN)
    await _office_must_exist(data.office_id)
    if await store.username_taken(data.username):
        raise Conflict("username", "this username is taken", "ชื่อผู้ใช้นี้มีผู้ใช้แล้ว")
    password_hash = await anyio.to_thread.run_sync(hash_password, data.password)
    row = await store.create_staff(
        {
            "username": data.username,
            "display_name": data.display_name.strip(),
            "role": data.role,
            "office": data.office_id,
            "password_hash": password_hash,
            "phone": parse_thai_mobile(data.phone) if data.phone else None,
            "active": True,
            "created_at": ctx.now,
        }
    )
    await ctx.audit("staff.create", "staff_user", row["id"], {"role": data.role})
    return row


async def update_staff(ctx: Ctx, staff_id: int, data: StaffUpdate) -> dict[str, Any]:
    ensure_role(ctx.principal, ADMIN)
    if await store.get_staff(staff_id) is None:
        raise NotFoundException(detail="no such staff user")
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
        values["password_hash"] = await anyio.to_thread.run_sync(hash_password, data.password)
    if data.phone is not None:
        values["phone"] = parse_thai_mobile(data.phone) if data.phone.strip() else None
    row = await store.update_staff(staff_id, values)
    if data.active is False or data.password is not None:
        await store.revoke_tokens_of(staff_id)
    await ctx.audit("staff.update", "staff_user", staff_id, {"fields": sorted(values)})
    assert row is not None
    return row


async def list_staff(principal: Principal, office_id: int | None) -> list[dict[str, Any]]:
    ensure_role(principal, ADMIN)
    return await store.list_staff(office_id)


async def get_staff(principal: Principal, staff_id: int) -> dict[str, Any]:
    ensure_role(principal, ADMIN)
    row = await store.get_staff(staff_id)
    if row is None:
        raise NotFoundException(detail="no such staff user")
    return row


async def create_office(ctx: Ctx, data: OfficeCreate) -> dict[str, Any]:
    ensure_role(ctx.principal, ADMIN)
    if await office_store.office_code_taken(data.code):
        raise Conflict("code", "an office with this code exists", "มีสำนักงานรหัสนี้แล้ว")
    row = await office_store.create_office(
        {
            "code": data.code,
            "name_th": data.name_th,
            "name_en": data.name_en,
            "province_th": data.province_th,
            "province_en": data.province_en,
            "region": data.region,
            "phone": data.phone,
            "is_central": False,
        }
    )
    await ctx.audit("office.create", "office", row["id"])
    return row


async def update_office(ctx: Ctx, office_id: int, data: OfficeUpdate) -> dict[str, Any]:
    ensure_role(ctx.principal, ADMIN)
    values = {
        k: v
        for k, v in (("name_th", data.name_th), ("name_en", data.name_en), ("phone", data.phone))
        if v is not None
    }
    row = await office_store.update_office(office_id, values)
    if row is None:
        raise NotFoundException(detail="no such office")
    await ctx.audit("office.update", "office", office_id, {"fields": sorted(values)})
    return row
