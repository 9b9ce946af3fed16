"""Offices: everyone reads them; administrators add and rename them."""

from __future__ import annotations

from reporting_api.access import ADMIN, ensure_role
from reporting_api.commands import OfficeCreate, OfficeUpdate
from reporting_api.errors import Conflict, NotFound
from reporting_api.services.context import Ctx
from reporting_api.store import offices as office_store
from reporting_api.store.rows import OfficeRow


async def list_offices() -> list[OfficeRow]:
    """The central office and the provincial Justice offices (no personal data: anyone
    logged in may read them)."""
    return await office_store.list_offices()


async def get_office(office_id: int) -> OfficeRow:
    row = await office_store.get_office(office_id)
    if row is None:
        raise NotFound("office")
    return row


async def office_by_code(code: str) -> OfficeRow | None:
    return await office_store.get_office_by_code(code)


async def create_office(ctx: Ctx, data: OfficeCreate) -> OfficeRow:
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


async def update_office(ctx: Ctx, office_id: int, data: OfficeUpdate) -> OfficeRow:
    ensure_role(ctx.principal, ADMIN)
    values = {
        k: v
        for k, v in (("name_th", data.name_th), ("name_en", data.name_en), ("phone", data.phone))
        if v is not None
    }
    row = await office_store.update_office(office_id, values)
    if row is None:
        raise NotFound("office")
    await ctx.audit("office.update", "office", office_id, {"fields": sorted(values)})
    return row
