"""Whether the service can do its work: the database answers."""

from __future__ import annotations

from reporting_api import store


async def database_problem() -> str | None:
    """None when the database answers a round trip; otherwise the kind of failure."""
    try:
        await store.ping()
    except Exception as error:  # any failure to reach the database means unhealthy
        return type(error).__name__
    return None
