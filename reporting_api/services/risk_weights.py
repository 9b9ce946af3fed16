"""Versions of the risk score's points (issue 18, item 3; docs/reports.md): a manager adopts
the fitted scorecard as a new version, or rolls the active one back to the one before; both
recorded (who, when, the note, the fit's figures) and audited. Nothing else changes the
points: the fit itself (services/risk_model.py) changes no score.

Both rebuild the risk snapshot at once, so that the report ranks with the new points; the
snapshot records the version it was computed with, and the report rebuilds one whose version
is no longer the active one (services/reports.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from reporting_api import risk, risk_model
from reporting_api.access import MANAGER, Principal, ensure_role
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.services import risk_model as fitting
from reporting_api.services.context import Ctx
from reporting_api.services.risk_snapshot import refresh_risk_snapshot
from reporting_api.store import risk_weights as store
from reporting_api.store import staff as staff_store

NOTE_MAX = 1000
"""The longest note an adoption or a rollback keeps."""


@dataclass(frozen=True)
class WeightsVersion:
    """A version of the points as the page and the shell show it."""

    version: int
    weights: risk.Weights
    figures: dict[str, float | int | str | None]
    note: str
    adopted_by: str
    adopted_at: datetime | None
    rolled_back_at: datetime | None = None
    rolled_back_by: str | None = None
    rollback_note: str | None = None

    @property
    def rules(self) -> list[tuple[str, str, str]]:
        return risk.describe_rules(self.weights)


HAND_SET = WeightsVersion(store.HAND_SET_VERSION, risk.HAND_SET, {}, "", "", None)
"""Version 1: the hand-set points of reporting_api/risk.py."""


def _version(row: store.WeightsVersionRow) -> WeightsVersion:
    return WeightsVersion(
        version=row["version"],
        weights=store.weights_of(row),
        figures=json.loads(row["figures"]),
        note=row["note"],
        adopted_by=row["adopted_by"],
        adopted_at=row["adopted_at"],
        rolled_back_at=row["rolled_back_at"],
        rolled_back_by=row["rolled_back_by"],
        rollback_note=row["rollback_note"],
    )


def _note(text: str | None) -> str:
    note = " ".join((text or "").split())
    if not note:
        raise InvalidInput(
            "note",
            "say why: a note is required to change the points",
            "โปรดระบุเหตุผล: ต้องมีบันทึกทุกครั้งที่เปลี่ยนคะแนน",
        )
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            "note", f"at most {NOTE_MAX} characters", f"ยาวได้ไม่เกิน {NOTE_MAX} ตัวอักษร"
        )
    return note


async def active(ctx: Ctx) -> WeightsVersion:
    """The version in use (managers and officers: the report explains scores with it)."""
    ensure_role(ctx.principal, MANAGER, "officer")
    row = await store.active()
    return HAND_SET if row is None else _version(row)


async def history(ctx: Ctx) -> list[WeightsVersion]:
    """Every version, newest first, version 1 last (managers)."""
    ensure_role(ctx.principal, MANAGER)
    return [*(_version(row) for row in await store.versions()), HAND_SET]


async def adopt(ctx: Ctx, note: str | None, expected: str | None = None) -> WeightsVersion:
    """Fit again and adopt the scorecard as the next version (managers). ``expected``: the
    points' fingerprint the manager saw; other points now (new closures since) are refused."""
    ensure_role(ctx.principal, MANAGER)
    text = _note(note)
    report = await fitting.fit(ctx)
    if isinstance(report, risk_model.Refusal):
        raise Conflict("fit", report.reason, report.reason_th)
    if expected is not None and expected != risk_model.fingerprint(report.weights):
        raise Conflict(
            "weights",
            "the fitted points changed since they were shown (cases closed meanwhile): "
            "look at them again",
            "คะแนนจากแบบจำลองเปลี่ยนไปหลังจากที่แสดง (มีคดีปิดเพิ่ม) โปรดตรวจดูอีกครั้ง",
        )
    figures = risk_model.summary(report)
    row = await store.adopt(
        report.weights, figures, text, ctx.principal.id, ctx.principal.username, ctx.now
    )
    await ctx.audit(
        "risk_weights.adopt",
        "risk_weights_version",
        row["version"],
        {
            "version": row["version"],
            "weights": report.weights._asdict(),
            "figures": figures,
            "note": text,
        },
    )
    await refresh_risk_snapshot(ctx.now)
    return _version(row)


async def roll_back(ctx: Ctx, note: str | None) -> WeightsVersion:
    """Roll the active version back (managers): the version before it (or the hand-set
    points) is used again. Returns the version now active."""
    ensure_role(ctx.principal, MANAGER)
    text = _note(note)
    current = await store.active()
    if current is None:
        raise Conflict(
            "version",
            "the hand-set points (version 1) are in use: there is nothing to roll back",
            "กำลังใช้คะแนนที่กำหนดเอง (รุ่นที่ 1) อยู่แล้ว ไม่มีรุ่นให้ย้อนกลับ",
        )
    if not await store.roll_back(current["version"], text, ctx.principal.username, ctx.now):
        raise Conflict(
            "version",
            f"version {current['version']} was rolled back meanwhile",
            f"รุ่นที่ {current['version']} ถูกย้อนกลับไปแล้วในระหว่างนี้",
        )
    now_active = await store.active()
    back_to = HAND_SET if now_active is None else _version(now_active)
    await ctx.audit(
        "risk_weights.rollback",
        "risk_weights_version",
        current["version"],
        {"version": current["version"], "now_active": back_to.version, "note": text},
    )
    await refresh_risk_snapshot(ctx.now)
    return back_to


async def manager_principal(username: str) -> Principal | None:
    """The active manager ``username``, as ``bail-checkin fit-risk --by`` acts for them."""
    row = await staff_store.get_staff_for_login(username)
    if row is None or not row["active"] or row["role"] != MANAGER:
        return None
    return Principal(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        office_id=row["office"],
    )
