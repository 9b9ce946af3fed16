"""Managing staff accounts (administrators)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio.to_thread

from reporting_api.access import ADMIN, Principal, ensure_role
from reporting_api.commands import StaffCreate, StaffUpdate
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.passwords import hash_password
from reporting_api.phones import parse_thai_mobile
from reporting_api.services.context import Ctx
from reporting_api.store import offices as office_store
from reporting_api.store import staff as store
from reporting_api.store.audit import record_system
from reporting_api.store.staff import StaffRow


async def _office_must_exist(office_id: int) -> None:
    if not await office_store.office_exists(office_id):
        raise InvalidInput("office_id", "unknown office", "ไม่พบสำนักงานนี้")


async def _create(data: StaffCreate, now: datetime) -> StaffRow:
    """The one rule for a new account, whoever makes it: a known office, a free username, a
    Thai mobile number if any; the password is stored only as its Argon2 hash."""
    await _office_must_exist(data.office_id)
    if await store.username_taken(data.username):
        raise Conflict("username", "this username is taken", "ชื่อผู้ใช้นี้มีผู้ใช้แล้ว")
    phone = parse_thai_mobile(data.phone) if data.phone else None
    password_hash = await anyio.to_thread.run_sync(hash_password, data.password)
    return await store.create_staff(
        {
            "username": data.username,
            "display_name": data.display_name.strip(),
            "role": data.role,
            "office": data.office_id,
            "password_hash": password_hash,
            "phone": phone,
            "active": True,
            "created_at": now,
        }
    )


async def create_staff(ctx: Ctx, data: StaffCreate) -> StaffRow:
    """An administrator adds an account (the API and the staff page)."""
    ensure_role(ctx.principal, ADMIN)
    row = await _create(data, ctx.now)
    await ctx.audit("staff.create", "staff_user", row["id"], {"role": data.role})
    return row


async def create_staff_from_shell(data: StaffCreate, now: datetime) -> StaffRow:
    """The operator at the server's shell adds an account (`bail-checkin create-user`, how
    the first administrator is made): the same rule, audited as done by `cli`."""
    row = await _create(data, now)
    await record_system(
        "staff.create", "staff_user", row["id"], now, {"role": data.role}, actor="cli"
    )
    return row


async def update_staff(ctx: Ctx, staff_id: int, data: StaffUpdate) -> StaffRow:
    ensure_role(ctx.principal, ADMIN)
    if await store.get_staff(staff_id) is None:
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
        values["password_hash"] = await anyio.to_thread.run_sync(hash_password, data.password)
    if data.phone is not None:
        values["phone"] = parse_thai_mobile(data.phone) if data.phone.strip() else None
    row = await store.update_staff(staff_id, values)
    if data.active is False or data.password is not None:
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
