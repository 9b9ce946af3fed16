"""Versions of the risk score's points (table risk_weights_version): the active one, each one
by number, a manager's adoption of a new one and the rollback of the active one.

Version 1 is the hand-set points of reporting_api.risk and has no row. The active version is
the newest row not rolled back, else version 1.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypedDict

from reporting_api import risk
from reporting_api.db import is_postgres
from reporting_api.store import row_as, rows_as, transaction
from reporting_api.tables import RiskWeightsVersion

HAND_SET_VERSION = 1
ADOPT_LOCK = 0x7765696768
"""PostgreSQL advisory lock key ("weigh") held while a version is numbered and stored."""


class WeightsVersionRow(TypedDict):
    """A whole risk_weights_version row (``weights`` and ``figures`` are JSON text)."""

    id: int
    version: int
    weights: str
    figures: str
    note: str
    adopted_by_id: int
    adopted_by: str
    adopted_at: datetime
    rolled_back_at: datetime | None
    rolled_back_by: str | None
    rollback_note: str | None


def weights_of(row: WeightsVersionRow | None) -> risk.Weights:
    """The points a version row holds (None: the hand-set version 1)."""
    if row is None:
        return risk.HAND_SET
    return risk.Weights(**{k: int(v) for k, v in json.loads(row["weights"]).items()})


def _active_query() -> Any:
    return (
        RiskWeightsVersion.select()
        .where(RiskWeightsVersion.rolled_back_at.is_null())
        .order_by(RiskWeightsVersion.version, ascending=False)
        .first()
    )


async def active() -> WeightsVersionRow | None:
    """The active version's row (None: the hand-set version 1 is active)."""
    return row_as(WeightsVersionRow, await _active_query())


async def active_weights() -> tuple[int, risk.Weights]:
    """The active version's number and points."""
    row = await active()
    return (row["version"] if row else HAND_SET_VERSION), weights_of(row)


async def weights_of_version(version: int) -> risk.Weights:
    """The points of version ``version`` (rolled back or not; 1 or unknown: hand-set)."""
    if version == HAND_SET_VERSION:
        return risk.HAND_SET
    row = await RiskWeightsVersion.select().where(RiskWeightsVersion.version == version).first()
    return weights_of(row_as(WeightsVersionRow, row))


async def versions() -> list[WeightsVersionRow]:
    """Every adopted version, newest first."""
    return rows_as(
        WeightsVersionRow,
        await RiskWeightsVersion.select().order_by(RiskWeightsVersion.version, ascending=False),
    )


async def adopt(
    weights: risk.Weights,
    figures: dict[str, Any],
    note: str,
    by_id: int,
    by: str,
    at: datetime,
) -> WeightsVersionRow:
    """Record ``weights`` as the next version, active from now."""
    async with transaction(immediate=True):
        if is_postgres(RiskWeightsVersion._meta.db):
            # Two adoptions at once take the next numbers in turn (SQLite's write lock, taken
            # at BEGIN, does the same); the unique index on version is the backstop.
            await RiskWeightsVersion.raw("SELECT pg_advisory_xact_lock({})", ADOPT_LOCK)
        newest = (
            await RiskWeightsVersion.select(RiskWeightsVersion.version)
            .order_by(RiskWeightsVersion.version, ascending=False)
            .first()
        )
        number = (newest["version"] if newest else HAND_SET_VERSION) + 1
        row = RiskWeightsVersion(
            version=number,
            weights=json.dumps(weights._asdict()),
            figures=json.dumps(figures, sort_keys=True),
            note=note,
            adopted_by_id=by_id,
            adopted_by=by,
            adopted_at=at,
        )
        await row.save()
        saved = await RiskWeightsVersion.select().where(RiskWeightsVersion.id == row.id).first()
    found = row_as(WeightsVersionRow, saved)
    assert found is not None
    return found


async def roll_back(version: int, note: str, by: str, at: datetime) -> bool:
    """Mark version ``version`` rolled back if it is still not (one conditional update: two
    rollbacks at once roll back one version, the other finds it done and says False)."""
    async with transaction(immediate=True):
        done = (
            await RiskWeightsVersion.update(
                {
                    RiskWeightsVersion.rolled_back_at: at,
                    RiskWeightsVersion.rolled_back_by: by,
                    RiskWeightsVersion.rollback_note: note,
                }
            )
            .where(
                (RiskWeightsVersion.version == version)
                & RiskWeightsVersion.rolled_back_at.is_null()
            )
            .returning(RiskWeightsVersion.id)
        )
    return bool(done)
