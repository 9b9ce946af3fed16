"""Named queries, one module per area; routes, jobs and templates never build queries."""

from __future__ import annotations

from typing import Any

from piccolo.engine.sqlite import TransactionType

from reporting_api.db import is_postgres
from reporting_api.tables import Office


async def fetch_page(
    select: Any, count: Any, conditions: list[Any], offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``select`` and the total ``count``, both filtered by ``conditions``."""
    if conditions:
        select = select.where(*conditions)
        count = count.where(*conditions)
    return await select.offset(offset).limit(limit), await count


def transaction(*, immediate: bool = False) -> Any:
    """A transaction on the service's database; on SQLite `immediate` takes the write lock at
    BEGIN, so two writers queue up instead of one failing half-way."""
    engine = Office._meta.db  # every table shares one engine
    if not is_postgres(engine) and immediate:
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def ping() -> None:
    """One round trip to the database; raises when it does not answer."""
    await Office.raw("SELECT 1")
