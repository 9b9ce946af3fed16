"""The one place that reads the wall clock; everything else takes `now` as a parameter or is
handed a `Clock` (the app's runtime and the scheduler hold one; tests pass a fixed one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Something that tells the time: UTC, timezone-aware."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def fixed(instant: datetime) -> Clock:
    """A clock that always says ``instant`` (for tests and reproducible runs)."""
    if instant.tzinfo is None:
        raise ValueError("a clock tells timezone-aware time")
    return lambda: instant
