"""Throttling staff sign-in, per account and per client address (docs/sign-in.md).

Every try (a password, or a one-time code) is counted before it is checked, in one statement
(`store.sign_in.claim_try`): after `LOGIN_FREE_FAILURES` on an account (or
`LOGIN_CLIENT_FREE_FAILURES` from an address) each further try must wait, the wait doubling
from `LOGIN_FIRST_DELAY_SECONDS` up to `LOGIN_MAX_DELAY_SECONDS`; `LOGIN_LOCK_FAILURES` on an
account lock it for `LOGIN_LOCK_MINUTES` or until an administrator lifts the lock. A refused
try answers exactly as a wrong password does. Keys are keyed hashes of the username (as typed,
folded) and of the address, so the table holds neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from reporting_api.access import ADMIN, Principal, ensure_role
from reporting_api.errors import NotFound
from reporting_api.sealing import Sealer
from reporting_api.services.context import Ctx
from reporting_api.settings import StaffSignInSettings
from reporting_api.store import sign_in as store
from reporting_api.store import staff as staff_store
from reporting_api.store.sign_in import Waits


@dataclass(frozen=True)
class Claim:
    """A try that may go ahead; ``locks`` when it is the one that locks the account if it
    fails."""

    failures: int
    locks: bool


@dataclass(frozen=True)
class LockState:
    """An account's standing in the throttle, as its owner and administrators see it."""

    failures: int
    locked_until: datetime | None
    wait_until: datetime | None


def fold(username: str) -> str:
    return username.strip().lower()


def account_key(sealer: Sealer, username: str) -> str:
    return "a:" + sealer.fingerprint(fold(username), "sign-in account")


def client_key(sealer: Sealer, address: str) -> str:
    return "c:" + sealer.fingerprint(address, "sign-in client")


def pseudonym(sealer: Sealer, typed: str) -> str:
    """What the audit log keeps of a username that names no account (perhaps a password
    typed in the wrong box): a short keyed hash, the same for the same text, never the text."""
    return "#" + sealer.fingerprint(fold(typed), "sign-in name").rsplit(":", 1)[-1][:12]


def _waits(settings: StaffSignInSettings, now: datetime, free: int, lock: bool) -> Waits:
    delays: list[tuple[int, datetime]] = []
    seconds = settings.first_delay_seconds
    n = free
    while True:
        delays.append((n, now + timedelta(seconds=min(seconds, settings.max_delay_seconds))))
        if seconds >= settings.max_delay_seconds:
            break
        seconds *= 2
        n += 1
    return Waits(
        window_start=now - timedelta(minutes=settings.failure_window_minutes),
        delays=delays,
        lock=(
            (settings.account_lock_failures, now + timedelta(minutes=settings.lock_minutes))
            if lock
            else None
        ),
    )


async def claim(
    sealer: Sealer,
    settings: StaffSignInSettings,
    username: str,
    client: str | None,
    now: datetime,
) -> Claim | None:
    """Count a try on the client address, then on the account; None if either refuses it.
    An address that is waiting adds nothing to the account's count, and a try the account
    refuses is given back to the address (no password was checked for it)."""
    if client:
        free = settings.client_free_failures
        waits = _waits(settings, now, free, lock=False)
        if await store.claim_try(client_key(sealer, client), now, waits) is None:
            return None
    waits = _waits(settings, now, settings.account_free_failures, lock=True)
    claimed = await store.claim_try(account_key(sealer, username), now, waits)
    if claimed is None:
        if client:
            await store.give_back(client_key(sealer, client))
        return None
    return Claim(claimed["failures"], claimed["failures"] == settings.account_lock_failures)


async def succeeded(sealer: Sealer, username: str, client: str | None) -> None:
    """A full sign-in: the account's count goes; the address gets its try back."""
    await store.forget(account_key(sealer, username))
    if client:
        await store.give_back(client_key(sealer, client))


async def lock_states(sealer: Sealer, usernames: list[str], now: datetime) -> dict[str, LockState]:
    """The throttle's standing of each account that has one (failures counted, a lock or a
    wait still running), by username."""
    keys = {account_key(sealer, u): u for u in usernames}
    found: dict[str, LockState] = {}
    for row in await store.states(list(keys)):
        locked = row["locked_until"] if row["locked_until"] and row["locked_until"] > now else None
        wait = (
            row["next_attempt_at"]
            if row["next_attempt_at"] and row["next_attempt_at"] > now
            else None
        )
        found[keys[row["key"]]] = LockState(row["failures"], locked, wait)
    return found


async def own_lock_state(sealer: Sealer, principal: Principal, now: datetime) -> LockState | None:
    return (await lock_states(sealer, [principal.username], now)).get(principal.username)


async def lift_lock(ctx: Ctx, staff_id: int) -> bool:
    """An administrator lifts an account's lock (and clears its count and wait)."""
    ensure_role(ctx.principal, ADMIN)
    user = await staff_store.get_staff(staff_id)
    if user is None:
        raise NotFound("staff user")
    lifted = await store.forget(account_key(ctx.rt.sealer, user["username"]))
    await ctx.audit("auth.lock_lifted", "staff_user", staff_id, {"had_lock": lifted})
    return lifted


async def staff_lock_states(ctx: Ctx, usernames: dict[int, str]) -> dict[int, LockState]:
    """Administrators: the throttle's standing of the given accounts (id -> username), for
    those that have one."""
    ensure_role(ctx.principal, ADMIN)
    states = await lock_states(ctx.rt.sealer, list(usernames.values()), ctx.now)
    return {i: states[u] for i, u in usernames.items() if u in states}


async def staff_lock_state(ctx: Ctx, staff_id: int) -> tuple[bool, LockState | None]:
    """Administrators: whether the account has two-factor, and its throttle standing."""
    ensure_role(ctx.principal, ADMIN)
    user = await staff_store.get_staff(staff_id)
    if user is None:
        raise NotFound("staff user")
    states = await lock_states(ctx.rt.sealer, [user["username"]], ctx.now)
    return user["totp_enabled_at"] is not None, states.get(user["username"])
