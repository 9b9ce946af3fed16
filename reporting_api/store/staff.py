"""Queries on staff users and their login tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypedDict

from piccolo.columns.combination import Combinable

from reporting_api.statuses import RoleName
from reporting_api.store import columns, row_as, rows_as, transaction
from reporting_api.store.rows import RecoveryCodeRow, StaffUserRow
from reporting_api.tables import AuthToken, Office, RecoveryCode, StaffUser

PUBLIC_COLUMNS = (
    StaffUser.id,
    StaffUser.username,
    StaffUser.display_name,
    StaffUser.role,
    StaffUser.office,
    StaffUser.active,
    StaffUser.created_at,
    StaffUser.phone,
    StaffUser.totp_enabled_at,
    StaffUser.email,
    StaffUser.alert_channel,
    StaffUser.alert_digest,
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
    totp_enabled_at: datetime | None
    """When two-factor sign-in was set up (None: not set up)."""
    email: str | None
    alert_channel: str
    alert_digest: bool


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


async def first_officer_of_office(office_id: int) -> int | None:
    """The office's active officer with the lowest id (a transferred case's officer when none
    is named: the receiving office reassigns it as it sees fit)."""
    row = (
        await StaffUser.select(StaffUser.id)
        .where(
            (StaffUser.office == office_id)
            & (StaffUser.role == "officer")
            & (StaffUser.active == True)  # noqa: E712 (Piccolo needs ==)
        )
        .order_by(StaffUser.id)
        .first()
    )
    return int(row["id"]) if row else None


SESSION_KINDS = ("session", "api")
"""Tokens that authenticate requests; `pending` (a password checked, a one-time code still to
come) and `enrol` (two-factor to set up first) are steps of a sign-in, never a session."""
TOUCH_SECONDS = 60
"""A session's last use is written at most once a minute (not on every request)."""


class SessionRow(TypedDict):
    """One of a user's sessions, as their own list shows it."""

    id: int
    kind: str
    created_at: datetime
    last_seen_at: datetime | None
    expires_at: datetime
    client_address: str | None
    user_agent: str | None
    current: bool


class LiveSession(TypedDict):
    """The user a live session belongs to, and the session."""

    user: StaffTokenRow
    session_id: int


async def issue_token(
    staff_id: int,
    kind: str,
    now: datetime,
    ttl: timedelta,
    *,
    client_address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """A new random token; only its SHA-256 is stored, so a leaked table opens nothing."""
    token = secrets.token_urlsafe(32)
    await AuthToken.insert(
        AuthToken(
            token_hash=_digest(token),
            staff=staff_id,
            kind=kind,
            created_at=now,
            expires_at=now + ttl,
            last_seen_at=now,
            client_address=(client_address or "")[:64] or None,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    return token


async def live_session(token: str, now: datetime, idle_since: datetime) -> LiveSession | None:
    """The active staff user a live session or API token belongs to, or None: expired,
    unused since ``idle_since``, revoked, or a sign-in step rather than a session."""
    row = (
        await AuthToken.select(
            AuthToken.id,
            AuthToken.kind,
            AuthToken.created_at,
            AuthToken.last_seen_at,
            AuthToken.expires_at,
            AuthToken.staff._.id,
            AuthToken.staff._.username,
            AuthToken.staff._.display_name,
            AuthToken.staff._.role,
            AuthToken.staff._.office,
            AuthToken.staff._.active,
        )
        .where(AuthToken.token_hash == _digest(token))
        .first()
    )
    if row is None or row["kind"] not in SESSION_KINDS or row["expires_at"] <= now:
        return None
    last_seen = row["last_seen_at"] or row["created_at"]
    if last_seen <= idle_since or not row["staff.active"]:
        return None
    if (now - last_seen).total_seconds() >= TOUCH_SECONDS:
        await AuthToken.update({AuthToken.last_seen_at: now}).where(AuthToken.id == row["id"])
    user = {k.removeprefix("staff."): v for k, v in row.items() if k.startswith("staff.")}
    checked = row_as(StaffTokenRow, user)
    assert checked is not None
    return {"user": checked, "session_id": int(row["id"])}


async def staff_for_token(token: str, now: datetime) -> StaffTokenRow | None:
    """The active staff user a live token belongs to (no idle limit), or None."""
    found = await live_session(token, now, idle_since=datetime.min.replace(tzinfo=now.tzinfo))
    return None if found is None else found["user"]


async def staff_for_step(token: str, kind: str, now: datetime) -> StaffUserRow | None:
    """The active user a live sign-in step (`pending` or `enrol`) belongs to, or None."""
    row = (
        await AuthToken.select(AuthToken.staff, AuthToken.kind, AuthToken.expires_at)
        .where(AuthToken.token_hash == _digest(token))
        .first()
    )
    if row is None or row["kind"] != kind or row["expires_at"] <= now:
        return None
    user = row_as(
        StaffUserRow, await StaffUser.select().where(StaffUser.id == row["staff"]).first()
    )
    return user if user is not None and user["active"] else None


async def use_step(token: str, kind: str) -> bool:
    """Spend a sign-in step token; False if it was already spent (each is good once)."""
    rows = (
        await AuthToken.delete()
        .where((AuthToken.token_hash == _digest(token)) & (AuthToken.kind == kind))
        .returning(AuthToken.id)
    )
    return bool(rows)


async def list_sessions(
    staff_id: int, token: str | None, now: datetime, idle_since: datetime
) -> list[SessionRow]:
    """A user's live sessions, newest first; ``current`` marks the one ``token`` is."""
    rows = (
        await AuthToken.select(
            AuthToken.id,
            AuthToken.kind,
            AuthToken.created_at,
            AuthToken.last_seen_at,
            AuthToken.expires_at,
            AuthToken.client_address,
            AuthToken.user_agent,
            AuthToken.token_hash,
        )
        .where(
            (AuthToken.staff == staff_id)
            & AuthToken.kind.is_in(list(SESSION_KINDS))
            & (AuthToken.expires_at > now)
        )
        .order_by(AuthToken.id, ascending=False)
    )
    mine = _digest(token) if token else None
    live = []
    for row in rows:
        if (row["last_seen_at"] or row["created_at"]) <= idle_since:
            continue
        row["current"] = row.pop("token_hash") == mine
        live.append(row)
    return rows_as(SessionRow, live)


async def revoke_session(staff_id: int, session_id: int) -> bool:
    """End one of the user's own sessions; False if they have no such session."""
    rows = (
        await AuthToken.delete()
        .where((AuthToken.id == session_id) & (AuthToken.staff == staff_id))
        .returning(AuthToken.id)
    )
    return bool(rows)


async def trim_sessions(staff_id: int, keep: int) -> int:
    """End the user's oldest sessions beyond the newest ``keep``."""
    rows = (
        await AuthToken.select(AuthToken.id)
        .where((AuthToken.staff == staff_id) & AuthToken.kind.is_in(list(SESSION_KINDS)))
        .order_by(AuthToken.id, ascending=False)
    )
    old = [r["id"] for r in rows[keep:]]
    if old:
        await AuthToken.delete().where(AuthToken.id.is_in(old))
    return len(old)


async def revoke_token(token: str) -> None:
    await AuthToken.delete().where(AuthToken.token_hash == _digest(token))


async def change_password(staff_id: int, password_hash: str, keep_token: str | None) -> None:
    """The user's new password, and every other session and sign-in step of theirs ended
    (``keep_token``, the session that changed it, goes on), in one transaction."""
    others: Combinable = AuthToken.staff == staff_id
    if keep_token is not None:
        others = others & (AuthToken.token_hash != _digest(keep_token))
    async with transaction():
        await StaffUser.update({StaffUser.password_hash: password_hash}).where(
            StaffUser.id == staff_id
        )
        await AuthToken.delete().where(others)


async def revoke_tokens_of(staff_id: int) -> None:
    """Every session and sign-in step of the user ends."""
    await AuthToken.delete().where(AuthToken.staff == staff_id)


async def delete_expired_tokens(now: datetime) -> int:
    rows = await AuthToken.delete().where(AuthToken.expires_at <= now).returning(AuthToken.id)
    return len(rows)


# --- two-factor ---------------------------------------------------------------------------


async def set_totp_pending(staff_id: int, sealed: bytes | None) -> None:
    await StaffUser.update({StaffUser.totp_pending: sealed}).where(StaffUser.id == staff_id)


async def enable_totp(staff_id: int, now: datetime, step: int) -> bool:
    """The waiting secret becomes the account's (its first code's step used); False if no
    secret was waiting (another request confirmed it first)."""
    rows = await StaffUser.raw(
        "UPDATE staff_user SET totp_secret = totp_pending, totp_pending = NULL, "
        "totp_enabled_at = {}, totp_last_step = {} "
        "WHERE id = {} AND totp_pending IS NOT NULL RETURNING id",
        now,
        step,
        staff_id,
    )
    return bool(rows)


async def use_totp_step(staff_id: int, step: int) -> bool:
    """Record that a code of time step ``step`` signed in; False if that step or a later one
    was already used (a code is good once, even against two requests at the same moment)."""
    rows = await StaffUser.raw(
        "UPDATE staff_user SET totp_last_step = {} WHERE id = {} "
        "AND (totp_last_step IS NULL OR totp_last_step < {}) RETURNING id",
        step,
        staff_id,
        step,
    )
    return bool(rows)


async def disable_totp(staff_id: int) -> None:
    """An administrator resets two-factor (a lost phone): the account enrols again."""
    await StaffUser.update(
        {
            StaffUser.totp_secret: None,
            StaffUser.totp_pending: None,
            StaffUser.totp_enabled_at: None,
            StaffUser.totp_last_step: None,
        }
    ).where(StaffUser.id == staff_id)
    await RecoveryCode.delete().where(RecoveryCode.staff == staff_id)


async def replace_recovery_codes(staff_id: int, hashes: Sequence[str], now: datetime) -> None:
    await RecoveryCode.delete().where(RecoveryCode.staff == staff_id)
    await RecoveryCode.insert(
        *(RecoveryCode(staff=staff_id, code_hash=h, created_at=now) for h in hashes)
    )


async def unused_recovery_codes(staff_id: int) -> list[RecoveryCodeRow]:
    rows = await RecoveryCode.select().where(
        (RecoveryCode.staff == staff_id) & RecoveryCode.used_at.is_null()
    )
    return rows_as(RecoveryCodeRow, rows)


async def use_recovery_code(code_id: int, now: datetime) -> bool:
    """Spend a recovery code; False if another request spent it first."""
    rows = await RecoveryCode.raw(
        "UPDATE recovery_code SET used_at = {} WHERE id = {} AND used_at IS NULL RETURNING id",
        now,
        code_id,
    )
    return bool(rows)


class AlertContact(TypedDict):
    """Where and how a staff member's flag alerts go."""

    id: int
    active: bool
    phone: str | None
    email: str | None
    alert_channel: str
    alert_digest: bool


async def alert_contact(staff_id: int) -> AlertContact | None:
    row = (
        await StaffUser.select(
            StaffUser.id,
            StaffUser.active,
            StaffUser.phone,
            StaffUser.email,
            StaffUser.alert_channel,
            StaffUser.alert_digest,
        )
        .where(StaffUser.id == staff_id)
        .first()
    )
    if row is not None:
        row["active"], row["alert_digest"] = bool(row["active"]), bool(row["alert_digest"])
    return row_as(AlertContact, row)


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
