"""The demo's hidden hazard (issue 18): a probability with the documented directions, drawn
deterministically, planted so that a fit can find it, and never read by the score."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api.demo import fate as fates
from reporting_api.demo.catalog import OFFICE_WEIGHTS, PROFILE_WEIGHTS, PROFILES
from reporting_api.demo.generate import generate
from reporting_api.demo.hidden import (
    COURT_SOON_DAYS,
    HazardFacts,
    Person,
    auc,
    chance_within,
    draw_person,
    hazard,
)
from reporting_api.demo.world import DemoOffice, World, head, make_world
from reporting_api.planning import PlanSpec, expand_plan
from reporting_api.statuses import PlanKind
from reporting_api.store.bulk_load import LOADED_TABLES, LoadBatch

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 12, 10, 0, tzinfo=UTC)

people = st.builds(
    Person,
    propensity=st.floats(-6, 6),
    stable_home=st.booleans(),
    distance_km=st.floats(0, 500),
)
facts = st.builds(
    HazardFacts,
    person=people,
    missed=st.integers(0, 12),
    late=st.integers(0, 12),
    unreachable_phone=st.booleans(),
    days_to_court=st.none() | st.integers(-30, 400),
)


@given(facts)
def test_the_hazard_is_a_probability(f: HazardFacts) -> None:
    assert 0.0 <= hazard(f) <= 1.0


def _more(f: HazardFacts, **person: object) -> HazardFacts:
    return f._replace(person=Person(**{**f.person.__dict__, **person}))  # type: ignore[arg-type]


@given(facts, st.integers(0, 12), st.floats(0, 5), st.floats(0, 300))
def test_the_hazard_rises_with_what_it_says_it_rises_with(
    f: HazardFacts, more: int, propensity: float, km: float
) -> None:
    h = hazard(f)
    assert hazard(f._replace(missed=f.missed + more)) >= h
    assert hazard(f._replace(late=f.late + more)) >= h
    assert hazard(f._replace(unreachable_phone=True)) >= h
    assert hazard(_more(f, propensity=f.person.propensity + propensity)) >= h
    assert hazard(_more(f, distance_km=f.person.distance_km + km)) >= h
    assert hazard(_more(f, stable_home=True)) <= h


@given(facts, st.integers(0, 60), st.integers(0, 60))
def test_a_nearer_hearing_never_lowers_the_hazard(f: HazardFacts, near: int, far: int) -> None:
    assert hazard(f._replace(days_to_court=near)) >= hazard(f._replace(days_to_court=near + far))
    assert hazard(f._replace(days_to_court=near)) >= hazard(f._replace(days_to_court=None))


def test_missed_check_ins_weigh_more_when_a_hearing_is_near() -> None:
    person = Person(0.0, False, 20.0)

    def step(days_to_court: int | None) -> float:
        base = HazardFacts(person, days_to_court=days_to_court)
        return hazard(base._replace(missed=2)) - hazard(base)

    assert step(COURT_SOON_DAYS) > 1.5 * step(None)


@given(st.floats(0, 1), st.floats(0, 400), st.floats(0, 400))
def test_the_chance_over_a_stretch_grows_with_its_length(m: float, a: float, b: float) -> None:
    short, long = sorted((a, b))
    assert 0.0 <= chance_within(m, short) <= chance_within(m, long) <= 1.0
    assert chance_within(m, 30) == pytest.approx(m)


def test_auc_counts_ties_as_half() -> None:
    assert auc([3, 4], [1, 2]) == 1.0
    assert auc([1], [2]) == 0.0
    assert auc([1, 2], [1, 2]) == 0.5
    assert auc([2, 2, 1], [1, 2]) == pytest.approx((1 + 0.5) * 2 / 6 + (0.5 + 0) / 6)
    with pytest.raises(ValueError):
        auc([], [1])


def _world(seed: int) -> World:
    codes = list(OFFICE_WEIGHTS) + [f"TH-{n}" for n in range(60, 120)]
    offices = [DemoOffice(n + 2, c, "สำนักงาน", "จังหวัด", 100 + n) for n, c in enumerate(codes)]
    return make_world(seed, NOW, "v1", offices, (("สมชาย",), ("สมหญิง",), ("ใจดี",)))


def _generate(world: World, count: int) -> LoadBatch:
    return generate(world, [head(world, i) for i in range(count)], dict.fromkeys(LOADED_TABLES, 0))


def test_the_same_seed_makes_the_same_demo_and_another_seed_another() -> None:
    first, again = _generate(_world(7), 300), _generate(_world(7), 300)
    assert first.rows() == again.rows()
    other = _generate(_world(8), 300)
    assert [r[13] for r in other.bail_case] != [r[13] for r in first.bail_case]


def _trace(cases: int) -> list[fates.Period]:
    """Person-periods of ``cases`` two-year monthly cases, drawn as the generator draws them."""
    rng = random.Random("hidden-hazard-sample")
    release = date(2024, 12, 1)
    planned = expand_plan(
        PlanSpec(
            kind=PlanKind.INTERVAL,
            start_date=release,
            end_date=release + timedelta(days=730),
            every_days=30,
            window_opens_days_before=2,
            grace_days=2,
        )
    )
    periods: list[fates.Period] = []
    for _ in range(cases):
        person = draw_person(rng)
        profile = rng.choices(PROFILES, cum_weights=PROFILE_WEIGHTS)[0]
        court = fates.hearings(rng, release, (), NOW.date())
        fates.unfold(rng, person, profile, release, planned, court, NOW, sms=True, trace=periods)
    return periods


def _rate(periods: Sequence[fates.Period]) -> float:
    """Absconded per 30 person-days."""
    return sum(p.went for p in periods) / sum(p.days for p in periods) * 30


def test_the_planted_effects_show_in_a_generated_sample() -> None:
    periods = _trace(4000)
    none = _rate([p for p in periods if p.facts.missed == 0])
    some = _rate([p for p in periods if p.facts.missed >= 1])
    reachable = _rate([p for p in periods if not p.facts.unreachable_phone])
    unreachable = _rate([p for p in periods if p.facts.unreachable_phone])
    stable = _rate([p for p in periods if p.facts.person.stable_home])
    unstable = _rate([p for p in periods if not p.facts.person.stable_home])
    print(
        f"\nabsconded per 30 days: missed 0 {none:.4f}, 1+ {some:.4f}; phone reachable "
        f"{reachable:.4f}, unreachable {unreachable:.4f}; stable home {stable:.4f}, not "
        f"{unstable:.4f} ({sum(p.went for p in periods)} of {len(periods)} periods)"
    )
    assert some > 1.5 * none
    assert unreachable > 1.5 * reachable
    assert unstable > 1.5 * stable


def test_bail_plants_nothing_in_the_generated_cases() -> None:
    batch = _generate(_world(2569), 4000)
    closed = [c for c in batch.bail_case if c[13] in ("absconded", "concluded")]

    def rate(rows: list[tuple[object, ...]]) -> float:
        return sum(r[13] == "absconded" for r in rows) / len(rows)

    low = rate([c for c in closed if c[8] < 100_000])  # type: ignore[operator]
    high = rate([c for c in closed if c[8] >= 100_000])  # type: ignore[operator]
    print(f"\nabsconded of closed cases: bail under 100,000 {low:.3f}, 100,000 or more {high:.3f}")
    assert high < low * 1.3


def test_nothing_outside_the_demo_reads_the_hidden_model() -> None:
    pattern = re.compile(r"reporting_api\.demo(\.| import )(hidden|fate)\b|demo\.hidden|demo\.fate")
    for package in ("reporting_api", "admin_ui", "scheduler", "liveness"):
        for path in (ROOT / package).rglob("*.py"):
            if path.parent.name == "demo" and path.parent.parent.name == "reporting_api":
                continue
            assert not pattern.search(path.read_text(encoding="utf-8")), path
