"""Staff passwords: the rule a new one must meet, and Argon2 hashing with a bound on how many
hashes run at once in a process.

Argon2 (argon2-cffi's defaults, RFC 9106 low-memory profile) is slow and memory-hard on
purpose: one hash or check holds `HASH_MEMORY_KIB` (64 MiB; measured, see
docs/sign-in.md) and tens of milliseconds of CPU or more. Without a bound, a burst of unauthenticated logins
would run one hash per worker thread (40) and hold gigabytes, so every hash goes through a
per-process limiter: at most `PASSWORD_HASH_CONCURRENCY` at once, at most
`PASSWORD_HASH_QUEUE` waiting; past that `HashingBusy`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
"""ASVS 2.1.2: a passphrase of 64 characters and more is welcome; past 128 it is refused."""
HASH_MEMORY_KIB = _hasher.memory_cost
"""What one hash holds while it runs (argon2's memory cost, KiB)."""
ZXCVBN_MIN_SCORE = 3
"""zxcvbn's "safely unguessable" (about 10^8 guesses or more): below it a password is one of
the well-known ones, a keyboard walk, a repeat, a date, a dictionary word with digits, or
built from the person's own name."""
ZXCVBN_MAX_LENGTH = 72
"""zxcvbn's own ceiling; a longer password is judged by its first 72 characters."""


class HashingBusy(Exception):
    """More password checks are waiting in this process than `PASSWORD_HASH_QUEUE` allows."""


# --- the rule for a new password --------------------------------------------------------


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's list, from leaked password sets)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, context: Iterable[str] = ()) -> tuple[str, str] | None:
    """Why ``password`` may not be used, in English and Thai, or None if it may.

    At least `MIN_PASSWORD_LENGTH` characters, and not easy to guess: not a common password,
    nor one zxcvbn scores below `ZXCVBN_MIN_SCORE` (with ``context``, the username and
    name, counted as known words). No rule about kinds of characters: a long phrase is best.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"must be at least {MIN_PASSWORD_LENGTH} characters",
            f"ต้องมีอย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return (
            f"must be at most {MAX_PASSWORD_LENGTH} characters",
            f"ต้องไม่เกิน {MAX_PASSWORD_LENGTH} ตัวอักษร",
        )
    from zxcvbn import zxcvbn

    words = [w for w in context if w]
    score = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=words)["score"]
    if password.lower() in _common_passwords() or score < ZXCVBN_MIN_SCORE:
        return (
            "is too easy to guess (a common password, a keyboard pattern, a repeat, or your "
            "own name); choose a longer phrase of several words",
            "เดาได้ง่ายเกินไป (เป็นรหัสผ่านที่ใช้กันทั่วไป แป้นพิมพ์เรียงกัน คำซ้ำ หรือชื่อของท่านเอง) "
            "โปรดใช้วลีที่ยาวขึ้นหลายคำ",
        )
    return None


# --- hashing, bounded -------------------------------------------------------------------


def hash_password(password: str) -> str:
    """One Argon2 hash, on this thread (the async `hash_async` is the bounded way)."""
    with _in_flight:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    with _in_flight:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


class _InFlight:
    """How many hashes run in this process right now, and the most at once (for tests and
    the bound's proof)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *_: Any) -> None:
        with self._lock:
            self.now -= 1

    def reset_peak(self) -> None:
        with self._lock:
            self.peak = self.now


_in_flight = _InFlight()
_limiters: WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = WeakKeyDictionary()
_typical_seconds = [0.05]


def hashes_in_flight() -> _InFlight:
    return _in_flight


def _limiter(concurrency: int) -> anyio.CapacityLimiter:
    """This process's limiter (one per event loop: a server runs one; tests run several)."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(concurrency)
    elif limiter.total_tokens != concurrency:
        limiter.total_tokens = concurrency
    return limiter


async def _bounded(function: Any, *args: str, concurrency: int, queue: int) -> Any:
    limiter = _limiter(concurrency)
    if limiter.available_tokens == 0 and limiter.statistics().tasks_waiting >= queue:
        raise HashingBusy
    started = time.perf_counter()
    result = await anyio.to_thread.run_sync(function, *args, limiter=limiter)
    # What a check usually takes, so a refusal that runs none can take as long.
    _typical_seconds[0] = 0.8 * _typical_seconds[0] + 0.2 * (time.perf_counter() - started)
    return result


async def hash_async(password: str, *, concurrency: int, queue: int) -> str:
    """`hash_password` off the event loop, at most ``concurrency`` at once in the process."""
    result: str = await _bounded(hash_password, password, concurrency=concurrency, queue=queue)
    return result


async def verify_async(password_hash: str, password: str, *, concurrency: int, queue: int) -> bool:
    """`verify_password` off the event loop, at most ``concurrency`` at once."""
    result: bool = await _bounded(
        verify_password, password_hash, password, concurrency=concurrency, queue=queue
    )
    return result


async def pause_like_a_check() -> None:
    """Wait about as long as a password check takes, running none: a throttled login answers
    in the time a wrong password would, without spending memory or CPU on it."""
    await anyio.sleep(_typical_seconds[0])


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Checked against when the username is unknown, so the answer takes as long and timing
    does not tell which usernames exist (made at first use, not at import)."""
    return hash_password("not-a-real-password")
