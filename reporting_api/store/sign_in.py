"""The sign-in throttle: failed tries counted per key (an account or a client address, each a
keyed hash), with growing waits and an account's temporary lock.

`claim_try` is the whole decision in one statement: it counts the try and answers whether it
may go ahead, so a burst of concurrent sign-ins can never check more passwords than the
limits allow (each try is counted before its password is looked at; a sign-in that succeeds
gives its count back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from reporting_api.db import is_postgres
from reporting_api.store import row_as, rows_as
from reporting_api.tables import LoginThrottle


@dataclass(frozen=True)
class Waits:
    """What the n-th counted try sets: ``delays`` are (n, wait until) pairs, each applying
    from its n on (ascending); ``lock`` the (n, locked until) from which a try locks the key."""

    window_start: datetime
    """Counted tries before this (with none since) are forgotten: the count starts again."""
    delays: Sequence[tuple[int, datetime]]
    lock: tuple[int, datetime] | None = None


class Claimed(TypedDict):
    failures: int
    locked_until: datetime | None


class ThrottleState(TypedDict):
    key: str
    failures: int
    last_failure_at: datetime | None
    next_attempt_at: datetime | None
    locked_until: datetime | None


def _wait_after(count: int, waits: Waits) -> datetime | None:
    until = None
    for n, at in waits.delays:
        if count >= n:
            until = at
    return until


async def claim_try(key: str, now: datetime, waits: Waits) -> Claimed | None:
    """Count one more try on ``key`` if it may be made now (not locked, its wait over);
    the new count, or None when the try is refused. One INSERT ... ON CONFLICT DO UPDATE
    ... WHERE: the database serialises concurrent claims on the key, and a claim whose
    WHERE fails changes nothing and returns no row."""
    postgres = is_postgres(LoginThrottle._meta.db)
    args: list[Any] = []

    def param(value: Any, cast: str = "") -> str:
        args.append(value)
        return "{}" + (f"::{cast}" if postgres and cast else "")

    def count() -> str:
        # The count this try makes: 1 if the earlier ones are forgotten, else one more.
        return (
            "(CASE WHEN login_throttle.last_failure_at IS NULL "
            f"OR login_throttle.last_failure_at < {param(waits.window_start, 'timestamptz')} "
            "THEN 1 ELSE login_throttle.failures + 1 END)"
        )

    def steps(pairs: Sequence[tuple[int, datetime]], otherwise: str) -> str:
        if not pairs:
            return otherwise
        whens = " ".join(
            f"WHEN {count()} >= {int(n)} THEN {param(at, 'timestamptz')}"
            for n, at in sorted(pairs, reverse=True)
        )
        return f"(CASE {whens} ELSE {otherwise} END)"

    first_wait = _wait_after(1, waits)
    first_lock = waits.lock[1] if waits.lock is not None and waits.lock[0] <= 1 else None
    values = ", ".join(
        [
            param(key),
            "1",
            param(now, "timestamptz"),
            param(first_wait, "timestamptz"),
            param(first_lock, "timestamptz"),
        ]
    )
    failures = count()
    last = param(now, "timestamptz")
    next_attempt = steps(waits.delays, "NULL")
    locked = steps([waits.lock] if waits.lock else [], "login_throttle.locked_until")
    now_1 = param(now, "timestamptz")
    now_2 = param(now, "timestamptz")
    sql = (
        "INSERT INTO login_throttle (key, failures, last_failure_at, next_attempt_at, "
        f"locked_until) VALUES ({values}) "
        f"ON CONFLICT (key) DO UPDATE SET failures = {failures}, last_failure_at = {last}, "
        f"next_attempt_at = {next_attempt}, locked_until = {locked} "
        f"WHERE (login_throttle.locked_until IS NULL OR login_throttle.locked_until <= {now_1}) "
        "AND (login_throttle.next_attempt_at IS NULL "
        f"OR login_throttle.next_attempt_at <= {now_2}) "
        "RETURNING failures, locked_until"
    )
    rows = await LoginThrottle.raw(sql, *args)
    return row_as(Claimed, rows[0]) if rows else None


async def give_back(key: str) -> None:
    """A try that signed in stops counting against its client address (whose count other
    people behind the same address share); any wait it set stays."""
    await LoginThrottle.raw(
        "UPDATE login_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1 "
        "ELSE 0 END WHERE key = {}",
        key,
    )


async def forget(key: str) -> bool:
    """The account signed in, or an administrator lifted its lock: its count, wait and lock
    go. True if there was anything to forget."""
    rows = await LoginThrottle.delete().where(LoginThrottle.key == key).returning(LoginThrottle.id)
    return bool(rows)


async def states(keys: Sequence[str]) -> list[ThrottleState]:
    if not keys:
        return []
    rows = await LoginThrottle.select(
        LoginThrottle.key,
        LoginThrottle.failures,
        LoginThrottle.last_failure_at,
        LoginThrottle.next_attempt_at,
        LoginThrottle.locked_until,
    ).where(LoginThrottle.key.is_in(list(keys)))
    return rows_as(ThrottleState, rows)


async def delete_stale(before: datetime) -> int:
    """Housekeeping: counts with no failure since ``before`` and no lock still running."""
    rows = (
        await LoginThrottle.delete()
        .where(
            (LoginThrottle.last_failure_at < before)
            & (LoginThrottle.locked_until.is_null() | (LoginThrottle.locked_until < before))
        )
        .returning(LoginThrottle.id)
    )
    return len(rows)
