"""Queries on staff users and their login tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

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


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def get_staff_for_login(username: str) -> dict[str, Any] | None:
    return await StaffUser.select().where(StaffUser.username == username).first()


async def get_staff(staff_id: int) -> dict[str, Any] | None:
    return await StaffUser.select(*PUBLIC_COLUMNS).where(StaffUser.id == staff_id).first()


async def list_staff(office_id: int | None = None) -> list[dict[str, Any]]:
    query = StaffUser.select(*PUBLIC_COLUMNS).order_by(StaffUser.username)
    if office_id is not None:
        query = query.where(StaffUser.office == office_id)
    return await query


async def username_taken(username: str) -> bool:
    return await StaffUser.exists().where(StaffUser.username == username)


async def create_staff(values: dict[str, Any]) -> dict[str, Any]:
    rows = await StaffUser.insert(StaffUser(**values)).returning(*PUBLIC_COLUMNS)
    return rows[0]


async def update_staff(staff_id: int, values: dict[str, Any]) -> dict[str, Any] | None:
    if values:
        await StaffUser.update(values).where(StaffUser.id == staff_id)
    return await get_staff(staff_id)


async def is_officer_of_office(staff_id: int, office_id: int) -> bool:
    return await StaffUser.exists().where(
        (StaffUser.id == staff_id)
        & (StaffUser.office == office_id)
        & (StaffUser.role == "officer")
        & (StaffUser.active == True)  # noqa: E712 (Piccolo needs ==)
    )


async def managers_of_office(office_id: int) -> list[dict[str, Any]]:
    return await StaffUser.select(*PUBLIC_COLUMNS).where(
        (StaffUser.office == office_id) & (StaffUser.role == "manager")
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


async def staff_for_token(token: str, now: datetime) -> dict[str, Any] | None:
    """The active staff user a live token belongs to, or None."""
    row = (
        await AuthToken.select(
            AuthToken.staff.id,
            AuthToken.staff.username,
            AuthToken.staff.display_name,
            AuthToken.staff.role,
            AuthToken.staff.office,
            AuthToken.staff.active,
            AuthToken.expires_at,
        )
        .where(AuthToken.token_hash == _digest(token))
        .first()
    )
    if row is None or row["expires_at"] <= now or not row["staff.active"]:
        return None
    return {key.removeprefix("staff."): value for key, value in row.items()}


async def revoke_token(token: str) -> None:
    await AuthToken.delete().where(AuthToken.token_hash == _digest(token))


async def revoke_tokens_of(staff_id: int) -> None:
    await AuthToken.delete().where(AuthToken.staff == staff_id)


async def delete_expired_tokens(now: datetime) -> int:
    rows = await AuthToken.delete().where(AuthToken.expires_at <= now).returning(AuthToken.id)
    return len(rows)


async def office_name(office_id: int) -> str | None:
    row = await Office.select(Office.name_th).where(Office.id == office_id).first()
    return row["name_th"] if row else None
