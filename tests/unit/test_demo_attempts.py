"""The demo's remote attempts (reporting_api/demo/attempts.py): the planted effect's
direction, determinism, and that they leave the rest of the demo as it was."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from reporting_api.demo import attempts
from reporting_api.demo.catalog import OFFICE_WEIGHTS
from reporting_api.demo.generate import generate
from reporting_api.demo.world import DemoOffice, make_world
from reporting_api.demo.world import head as head_of
from reporting_api.store.bulk_load import LOADED_TABLES

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@given(st.integers(0, 100), st.integers(0, 100), st.sampled_from(["android", "iphone", "other"]))
def test_older_people_are_refused_at_least_as_often(a: int, b: int, phone: str):
    young, old = sorted((a, b))
    assert attempts.refused_chance(young, phone) <= attempts.refused_chance(old, phone)
    assert attempts.refused_chance(old, "other") > attempts.refused_chance(old, "android")
    assert 0 < attempts.refused_chance(old, phone) < 1


def _batch(seed: int = 7, count: int = 60):
    codes = list(OFFICE_WEIGHTS) + [f"TH-{n}" for n in range(60, 120)]
    offices = [DemoOffice(n + 2, c, "สำนักงาน", "จังหวัด", 100 + n) for n, c in enumerate(codes)]
    world = make_world(seed, NOW, "v1", offices, (("สมชาย",), ("สมหญิง",), ("ใจดี",)))
    heads = [head_of(world, i) for i in range(count)]
    return generate(world, heads, dict.fromkeys(LOADED_TABLES, 0))


def test_attempts_are_deterministic_and_leave_the_other_rows_alone(monkeypatch):
    first, second = _batch(), _batch()
    assert first.verification_attempt == second.verification_attempt
    assert len(first.verification_attempt) > 50
    monkeypatch.setattr("reporting_api.demo.generate.add_attempts", lambda *a: None)
    without = _batch()
    assert without.verification_attempt == []
    for table in ("defendant", "bail_case", "check_in", "flag"):
        assert getattr(without, table) == getattr(first, table), table


def test_every_attempt_belongs_to_a_remote_check_in_of_its_case():
    batch = _batch()
    check_ins = {row[0]: row for row in batch.check_in}
    decisions = set()
    for row in batch.verification_attempt:
        check_in = check_ins[row[1]]
        assert check_in[1] == row[2] and check_in[2] == row[3] and check_in[10] == "remote"
        assert (row[17] is None) == (row[16] is None) == (row[18] is None)
        decisions.add(row[7])
    assert decisions == {"verified", "review", "rejected"}
