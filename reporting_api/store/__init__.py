"""Named queries, one module per area; routes, jobs and templates never build queries."""

from __future__ import annotations

from typing import Any


async def fetch_page(
    select: Any, count: Any, conditions: list[Any], offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``select`` and the total ``count``, both filtered by ``conditions``."""
    if conditions:
        select = select.where(*conditions)
        count = count.where(*conditions)
    return await select.offset(offset).limit(limit), await count
