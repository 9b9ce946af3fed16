"""The world a demo run draws from (offices, name pools, the ID permutation) and the start
of each person's random stream. Pure: no database."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from reporting_api.demo.catalog import OFFICE_WEIGHTS
from reporting_api.national_id import national_id_check_digit
from reporting_api.thai_dates import bangkok_today, local_midnight_utc

NamePools = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
"""Thai male first names, female first names, last names."""


@dataclass(frozen=True)
class DemoOffice:
    """A provincial office that demo cases go to, with its demo officer."""

    id: int
    code: str
    name_th: str
    province_th: str | None
    officer_id: int | None


@dataclass(frozen=True)
class World:
    """Everything a run's rows depend on besides the per-index random stream."""

    seed: int
    now: datetime
    today: date
    consent_version: str
    offices: tuple[DemoOffice, ...]
    office_weights: tuple[float, ...]  # cumulative, for rng.choices
    male_names: tuple[str, ...]
    female_names: tuple[str, ...]
    last_names: tuple[str, ...]
    id_multiplier: int
    id_offset: int


def name_pools(seed: int) -> NamePools:
    # Faker is slow per call: draw its Thai names once, then combine them with the seeded RNG.
    from faker import Faker

    fake = Faker("th_TH")
    fake.seed_instance(seed)

    def pool(draw: Callable[[], str]) -> tuple[str, ...]:
        return tuple(sorted({draw() for _ in range(3_000)}))  # sorted: same order every run

    return pool(fake.first_name_male), pool(fake.first_name_female), pool(fake.last_name)


def make_world(
    seed: int,
    now: datetime,
    consent_version: str,
    offices: Sequence[DemoOffice],
    names: NamePools,
) -> World:
    rng = random.Random(f"{seed}:national-id")
    # An affine map i -> (a*i + b) mod 10^11 with a coprime to 10 is a permutation, so the
    # eleven middle digits of every demo ID are distinct by construction.
    multiplier = rng.randrange(10**9, 10**11) // 10 * 10 + rng.choice((1, 3, 7, 9))
    return World(
        seed=seed,
        now=now,
        today=bangkok_today(now),
        consent_version=consent_version,
        offices=tuple(offices),
        office_weights=tuple(itertools.accumulate(OFFICE_WEIGHTS.get(o.code, 1) for o in offices)),
        male_names=names[0],
        female_names=names[1],
        last_names=names[2],
        id_multiplier=multiplier,
        id_offset=rng.randrange(10**11),
    )


@dataclass
class Head:
    """The start of one person's stream: enough to know whether they are already stored."""

    index: int
    rng: random.Random
    born_before_1984: bool
    national_id: str


def head(world: World, index: int) -> Head:
    rng = random.Random(f"{world.seed}:{index}")
    # The first digit says when a Thai citizen was registered: 1 from 1984 on, 3 before.
    born_before_1984 = rng.random() < 0.3
    middle = (world.id_multiplier * index + world.id_offset) % 10**11
    first12 = ("3" if born_before_1984 else "1") + f"{middle:011d}"
    return Head(index, rng, born_before_1984, first12 + str(national_id_check_digit(first12)))


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A whole-second instant in [start, end) (start itself when the span is empty)."""
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(seconds)) if seconds > 0 else start


def office_hours(rng: random.Random, day: date, now: datetime) -> datetime:
    """An instant between 09:00 and 16:00 Bangkok time on ``day``, never after ``now``."""
    opens = local_midnight_utc(day) + timedelta(hours=9)
    return min(now, between(rng, opens, opens + timedelta(hours=7)))
