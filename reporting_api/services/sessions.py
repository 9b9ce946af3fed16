"""Staff sessions: logging in, the principal a token stands for, logging out."""

from __future__ import annotations

from datetime import datetime, timedelta

import anyio.to_thread

from reporting_api.access import Principal
from reporting_api.passwords import DUMMY_HASH, verify_password
from reporting_api.store import staff as store
from reporting_api.store.audit import record as record_audit
from reporting_api.store.staff import StaffLoginRow, StaffTokenRow


async def login(
    username: str, password: str, *, now: datetime, ttl: timedelta, kind: str, client: str | None
) -> tuple[str, StaffLoginRow] | None:
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


def principal_of(row: StaffLoginRow | StaffTokenRow) -> Principal:
    return Principal(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        office_id=row["office"],
    )


async def principal_for(token: str, now: datetime) -> Principal | None:
    """The active staff user a live session or API token stands for, or None."""
    row = await store.staff_for_token(token, now)
    return None if row is None else principal_of(row)


async def logout(token: str) -> None:
    await store.revoke_token(token)
