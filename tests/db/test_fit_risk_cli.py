"""`bail-checkin fit-risk`: its refusals and messages, exit codes, and --rollback as a manager
(audited). The fit's printed report and --adopt run on the demo in tests/db/test_risk_model.py.
In this process (`cli.main`, as the console script calls it): a subprocess costs 3 s a run."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from reporting_api import cli, risk
from reporting_api.clock import utcnow
from reporting_api.db import bind_tables, engine_from_url
from tests.conftest import _make_staff


@pytest.fixture(autouse=True)
def _keep_umask():
    """cli.main sets the process's umask for what the service creates; put it back."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def _fit_risk(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["fit-risk", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_fit_risk_refuses_bad_arguments(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    code, _, err = _fit_risk(capsys, "--adopt", "--note", "x")
    assert code == 2 and "--by: name the manager" in err
    code, _, err = _fit_risk(capsys, "--by", "manager")
    assert code == 2 and "--by goes with --adopt or --rollback" in err
    with pytest.raises(SystemExit) as both:
        cli.main(["fit-risk", "--adopt", "--rollback", "--by", "manager"])
    assert both.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_fit_risk_refuses_and_explains(database_url, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    code, out, err = _fit_risk(capsys)
    assert code == 2 and out == ""
    assert err.startswith("bail-checkin fit-risk: cannot fit: too few closed cases to fit on: 0")
    assert "คดีที่ปิดแล้วมีน้อยเกินไป" in err and "Traceback" not in err

    _make_staff(database_url)
    code, _, err = _fit_risk(capsys, "--rollback", "--by", "officer_bkk", "--note", "x")
    assert code == 2 and "--by: 'officer_bkk' is not an active manager" in err
    code, _, err = _fit_risk(capsys, "--rollback", "--by", "manager", "--note", "x")
    assert code == 2 and "nothing to roll back" in err and "ไม่มีรุ่นให้ย้อนกลับ" in err


def test_fit_risk_rolls_back_as_a_manager_with_a_note(database_url, capsys, monkeypatch):
    from reporting_api.store import risk_weights
    from reporting_api.tables import AuditLog

    monkeypatch.setenv("DATABASE_URL", database_url)
    staff = _make_staff(database_url)

    async def adopt() -> None:
        bind_tables(engine_from_url(database_url))
        await risk_weights.adopt(
            risk.HAND_SET._replace(missed=20),
            {},
            "to roll back",
            staff["manager"].id,
            "manager",
            utcnow(),
        )

    asyncio.run(adopt())
    code, _, err = _fit_risk(capsys, "--rollback", "--by", "manager")
    assert code == 2 and "note: say why" in err

    code, out, err = _fit_risk(capsys, "--rollback", "--by", "manager", "--note", "too many alarms")
    assert code == 0, err
    assert out == "rolled back; version 1 is in use\n"

    async def audited() -> list[dict]:
        bind_tables(engine_from_url(database_url))
        return await AuditLog.select().where(AuditLog.action == "risk_weights.rollback")

    rows = asyncio.run(audited())
    assert len(rows) == 1 and rows[0]["actor_username"] == "manager"
    detail = rows[0]["detail"]
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail == {"version": 2, "now_active": 1, "note": "too many alarms"}
