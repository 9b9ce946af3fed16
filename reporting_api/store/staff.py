"""Queries on staff users and their login tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, TypedDict

from reporting_api.statuses import RoleName
from reporting_api.store import columns, row_as, rows_as
from reporting_api.store.rows import StaffUserRow
from reporting_api.tables import AuthToken, Office, StaffUser

PUBLIC_COLUMNS = (
    StaffUser.id,
    StaffUser.username,
    StaffUser.display_name,
    StaffUser.role,
    StaffUser.office,
    StaffUser.active,
    StaffUser.created_at,
    StaffUser.phone,
)


class StaffTokenRow(TypedDict):
    """The user a live token belongs to."""

    id: int
    username: str
    display_name: str
    role: RoleName
    office: int
    active: bool


class StaffRow(StaffTokenRow):
    """A staff user as others may see them (no password hash)."""

    created_at: datetime
    phone: str | None


StaffLoginRow = StaffUserRow
"""The whole row, password hash included: for checking a login only."""


class StaffContact(TypedDict):
    id: int
    username: str
    phone: str | None
    office: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def get_staff_for_login(username: str) -> StaffLoginRow | None:
    row = await StaffUser.select().where(StaffUser.username == username).first()
    return row_as(StaffUserRow, row)


async def get_staff(staff_id: int) -> StaffRow | None:
    row = await StaffUser.select(*PUBLIC_COLUMNS).where(StaffUser.id == staff_id).first()
    return row_as(StaffRow, row)


async def list_staff(office_id: int | None = None) -> list[StaffRow]:
    query = StaffUser.select(*PUBLIC_COLUMNS).order_by(StaffUser.username)
    if office_id is not None:
        query = query.where(StaffUser.office == office_id)
    return rows_as(StaffRow, await query)


async def username_taken(username: str) -> bool:
    return await StaffUser.exists().where(StaffUser.username == username)


async def create_staff(values: dict[str, Any]) -> StaffRow:
    rows = await StaffUser.insert(StaffUser(**values)).returning(*PUBLIC_COLUMNS)
    return rows_as(StaffRow, rows)[0]


async def update_staff(staff_id: int, values: dict[str, Any]) -> StaffRow | None:
    if values:
        await StaffUser.update(columns(values)).where(StaffUser.id == staff_id)
    return await get_staff(staff_id)


async def is_officer_of_office(staff_id: int, office_id: int) -> bool:
    return await StaffUser.exists().where(
        (StaffUser.id == staff_id)
        & (StaffUser.office == office_id)
        & (StaffUser.role == "officer")
        & (StaffUser.active == True)  # noqa: E712 (Piccolo needs ==)
    )


async def issue_token(staff_id: int, kind: str, now: datetime, ttl: timedelta) -> str:
    """A new random token; only its SHA-256 is stored, so a leaked table opens nothing."""
    token = secrets.token_urlsafe(32)
    await AuthToken.insert(
        AuthToken(
            token_hash=_digest(token),
            staff=staff_id,
            kind=kind,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


async def staff_for_token(token: str, now: datetime) -> StaffTokenRow | None:
    """The active staff user a live token belongs to, or None."""
    row = (
        await AuthToken.select(
            AuthToken.staff._.id,
            AuthToken.staff._.username,
            AuthToken.staff._.display_name,
            AuthToken.staff._.role,
            AuthToken.staff._.office,
            AuthToken.staff._.active,
            AuthToken.expires_at,
        )
        .where(AuthToken.token_hash == _digest(token))
        .first()
    )
    if row is None or row["expires_at"] <= now or not row["staff.active"]:
        return None
    user = {key.removeprefix("staff."): value for key, value in row.items()}
    del user["expires_at"]
    return row_as(StaffTokenRow, user)


async def revoke_token(token: str) -> None:
    await AuthToken.delete().where(AuthToken.token_hash == _digest(token))


async def revoke_tokens_of(staff_id: int) -> None:
    await AuthToken.delete().where(AuthToken.staff == staff_id)


async def delete_expired_tokens(now: datetime) -> int:
    rows = await AuthToken.delete().where(AuthToken.expires_at <= now).returning(AuthToken.id)
    return len(rows)


async def escalation_manager(office_id: int) -> StaffContact | None:
    """The manager a flag of ``office_id`` escalates to: the office's own (lowest id) if it
    has an active one, else one of the central office's."""
    columns = (StaffUser.id, StaffUser.username, StaffUser.phone, StaffUser.office)
    active_manager = (StaffUser.role == "manager") & (StaffUser.active == True)  # noqa: E712
    own = (
        await StaffUser.select(*columns)
        .where(active_manager & (StaffUser.office == office_id))
        .order_by(StaffUser.id)
        .first()
    )
    if own is not None:
        return row_as(StaffContact, own)
    central = await Office.select(Office.id).where(Office.is_central == True).first()  # noqa: E712
    if central is None:
        return None
    row = (
        await StaffUser.select(*columns)
        .where(active_manager & (StaffUser.office == central["id"]))
        .order_by(StaffUser.id)
        .first()
    )
    return row_as(StaffContact, row)
