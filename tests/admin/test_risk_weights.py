"""Versions of the risk score's points (issue 18): an adopted version's points are the ones
both the SQL (ranking, aggregates, backtest) and the Python explanation use; rollback, the
audit rows, the managers-only rule; on both databases, on the risk report's world."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from reporting_api import risk
from reporting_api.access import Principal
from reporting_api.clock import utcnow
from reporting_api.errors import Conflict, Forbidden, InvalidInput
from reporting_api.services.context import Ctx
from tests.admin.test_reports import world  # noqa: F401  (the report's fixture)

ODD = risk.Weights(
    missed=7,
    late=-3,
    failed=13,
    suspicious=3,
    lockout=6,
    unreachable=25,
    quiet=4,
    quiet_long=9,
    court_soon=2,
    court_near=11,
    bail_large=-5,
    bail_high=1,
    medium_from=10,
    high_from=30,
)
"""Points unlike the hand-set ones in every row, negatives included."""


def _adopt(weights: risk.Weights, note: str = "test") -> int:
    from reporting_api.store import risk_weights

    row = asyncio.run(risk_weights.adopt(weights, {"auc": 0.7}, note, 1, "manager", utcnow()))
    return row["version"]


def _ctx(api: Any, username: str) -> Ctx:
    s = api.staff[username]
    return Ctx(Principal(s.id, s.username, s.username, s.role, s.office_id), None, utcnow(), None)


def _audit(action: str) -> list[dict[str, Any]]:
    from reporting_api.tables import AuditLog

    rows = asyncio.run(
        AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id).run()
    )
    for row in rows:
        if isinstance(row["detail"], str):
            row["detail"] = json.loads(row["detail"])
    return rows


def test_an_adopted_versions_points_are_used_by_the_sql_and_the_python(site, world):  # noqa: F811
    from reporting_api.store import backtest, reports, risk_scoring, risk_snapshot

    browser, api = site
    now = utcnow()
    asyncio.run(risk_snapshot.refresh_risk_snapshot(now))
    assert asyncio.run(risk_snapshot.snapshot_version()) == 1
    assert _adopt(ODD) == 2
    # The report finds its snapshot made with other points and rebuilds it.
    assert browser.as_("manager").client.get("/admin/reports").status_code == 200
    assert asyncio.run(risk_snapshot.snapshot_version()) == 2
    snapshot = asyncio.run(reports.snapshot_report(None, 0, 100, date(2000, 1, 1), world["today"]))
    assert snapshot.weights_version == 2 and snapshot.weights == ODD
    hand_set = []
    for row in snapshot.page:
        facts = risk_scoring.facts_of(row)
        assert risk.assess(facts, snapshot.computed_at, ODD).points == row["score"]
        hand_set.append(risk.assess(facts, snapshot.computed_at).points)
    assert hand_set != [r["score"] for r in snapshot.page]
    bands = {g["key"]: g["cases"] for g in snapshot.groups if g["dim"] == "band"}
    expected: dict[str, int] = {}
    for row in snapshot.page:
        band = risk.band_of(row["score"], ODD).value
        expected[band] = expected.get(band, 0) + 1
    assert bands == expected

    closed = asyncio.run(
        backtest.scored_closed_cases(None, now - timedelta(days=1), now + timedelta(days=1), ODD)
    )
    assert len(closed) == 2
    for row in closed:
        as_of = row["closed_at"]
        if isinstance(as_of, str):  # SQLite hands back expression columns as text
            as_of = datetime.fromisoformat(as_of)
        assert risk.assess(risk_scoring.facts_of(row), as_of, ODD).points == row["score"]
    counted = asyncio.run(
        backtest.backtest_bands(None, now - timedelta(days=1), now + timedelta(days=1), ODD)
    )
    assert sum(r["cases"] for r in counted) == 2

    page = browser.as_("manager").client.get("/admin/reports").text
    assert "+25 ติดต่อทางโทรศัพท์ไม่ได้" in page  # the rules in words are version 2's


def test_roll_back_audit_and_managers_only(site, world):  # noqa: F811
    from reporting_api.services import risk_weights
    from reporting_api.store import risk_snapshot

    _, api = site
    manager = _ctx(api, "manager")
    with pytest.raises(Conflict) as nothing:
        asyncio.run(risk_weights.roll_back(manager, "nothing to undo"))
    assert "version 1" in nothing.value.reason and "รุ่นที่ 1" in nothing.value.reason_th
    assert _adopt(ODD) == 2
    assert _adopt(ODD._replace(missed=20)) == 3
    assert asyncio.run(risk_weights.active(manager)).version == 3

    for who in ("officer_bkk", "admin"):
        with pytest.raises(Forbidden):
            asyncio.run(risk_weights.roll_back(_ctx(api, who), "not mine"))
        with pytest.raises(Forbidden):
            asyncio.run(risk_weights.adopt(_ctx(api, who), "not mine"))
    with pytest.raises(InvalidInput) as empty:
        asyncio.run(risk_weights.roll_back(manager, "   "))
    assert empty.value.field == "note" and "บันทึก" in empty.value.reason_th
    assert asyncio.run(risk_weights.active(manager)).version == 3

    back = asyncio.run(risk_weights.roll_back(manager, "version 3 flags too many"))
    assert back.version == 2 and back.weights == ODD
    assert asyncio.run(risk_snapshot.snapshot_version()) == 2  # rescored at once
    back = asyncio.run(risk_weights.roll_back(manager, "back to the hand-set points"))
    assert back.version == 1 and back.weights == risk.HAND_SET
    assert asyncio.run(risk_snapshot.snapshot_version()) == 1

    rows = _audit("risk_weights.rollback")
    assert [(r["entity_id"], r["actor_username"]) for r in rows] == [
        ("3", "manager"),
        ("2", "manager"),
    ]
    assert rows[0]["detail"]["now_active"] == 2 and rows[1]["detail"]["now_active"] == 1
    assert rows[0]["detail"]["note"] == "version 3 flags too many"
    history = asyncio.run(risk_weights.history(manager))
    assert [v.version for v in history] == [3, 2, 1]
    assert all(v.rolled_back_by == "manager" for v in history[:2])
    assert history[0].rollback_note == "version 3 flags too many"

    # The world has 2 closed cases: the fit refuses, and nothing is adopted or audited.
    with pytest.raises(Conflict) as refused:
        asyncio.run(risk_weights.adopt(manager, "try"))
    assert "too few closed cases" in refused.value.reason
    assert "คดีที่ปิดแล้วมีน้อยเกินไป" in refused.value.reason_th
    assert asyncio.run(risk_weights.active(manager)).version == 1
    assert _audit("risk_weights.adopt") == []


def test_two_adoptions_at_once_take_the_next_numbers_in_turn(site, world):  # noqa: F811
    from reporting_api.store import risk_weights

    async def both() -> list[int]:
        rows = await asyncio.gather(
            *(
                risk_weights.adopt(
                    ODD._replace(missed=n), {}, f"at once {n}", 1, "manager", utcnow()
                )
                for n in (1, 2, 3)
            )
        )
        return sorted(r["version"] for r in rows)

    assert asyncio.run(both()) == [2, 3, 4]
    active = asyncio.run(risk_weights.active())
    assert active is not None and active["version"] == 4
