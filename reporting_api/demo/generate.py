"""One chunk of demo rows: people, their bail cases, plans, check-ins and flags. Pure: rows
come from the world and each person's own random stream, with ids after the last stored ones."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from piccolo.utils.encoding import dump_json

from reporting_api.demo.attempts import add_attempts
from reporting_api.demo.catalog import (
    ACK_NOTES,
    BANGKOK_COURTS,
    CHARGE_WEIGHTS,
    CHARGES,
    CLOSING,
    CONDITIONS,
    EXCUSES,
    IN_PERSON_NOTE,
    OFFICE_WEIGHTS,
    PHONE_FOUND,
    PROFILE_WEIGHTS,
    PROFILES,
    Profile,
)
from reporting_api.demo.fate import Fate, hearings, unfold
from reporting_api.demo.hidden import Person, draw_person
from reporting_api.demo.world import DemoOffice, Head, World, between, office_hours
from reporting_api.demographics import sex_from_title
from reporting_api.phones import synthetic_thai_mobile
from reporting_api.planning import PlannedCheckIn, PlanSpec, expand_plan
from reporting_api.statuses import CaseStatus, CheckInStatus, FlagKind, PlanKind
from reporting_api.store.bulk_load import LoadBatch, TableName
from reporting_api.thai_dates import format_thai_date

MISSED_FLAG_DAYS = 60
"""Missed check-ins closed this recently carry a `missed_checkin` flag."""
RECORDED_HEARINGS = 0.5
"""The share of interval plans' coming hearings the fund has recorded on the case."""


def generate(world: World, heads: Iterable[Head], last_id: dict[TableName, int]) -> LoadBatch:
    """The rows of ``heads``' people, numbered on from ``last_id``."""
    batch = LoadBatch(dict(last_id))
    for head in heads:
        _person(world, head, batch)
    add_attempts(world.seed, batch, world.now)  # on streams of their own: see attempts.py
    return batch


def _date_of_birth(rng: random.Random, born_before_1984: bool, today: date) -> date:
    if born_before_1984:
        year = rng.randint(max(today.year - 70, 1940), min(1983, today.year - 18))
    else:  # most people bailed are young
        year = int(rng.triangular(1984, today.year - 18, today.year - 24))
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _person(world: World, head: Head, batch: LoadBatch) -> None:
    rng, now = head.rng, world.now
    office = rng.choices(world.offices, cum_weights=world.office_weights)[0]
    male = rng.random() < 0.8
    first = rng.choice(world.male_names if male else world.female_names)
    title = "นาย" if male else rng.choice(("นาง", "นางสาว"))
    date_of_birth = _date_of_birth(rng, head.born_before_1984, world.today)
    phone = synthetic_thai_mobile(rng)
    language = "en" if rng.random() < 0.03 else "th"
    opted_out = rng.random() < 0.01
    profile = rng.choices(PROFILES, cum_weights=PROFILE_WEIGHTS)[0]
    person = draw_person(rng)  # hidden from the score: see hidden.py
    # Releases within the last two years, recent ones more often.
    releases = sorted(
        world.today - timedelta(days=int(730 * rng.random() ** 2))
        for _ in range(2 if rng.random() < 0.1 else 1)
    )
    enrolled_at = office_hours(rng, releases[0], now)
    defendant_id = batch.next_id("defendant")
    batch.defendant.append((
        defendant_id, head.national_id, title, first, rng.choice(world.last_names), None, None,
        date_of_birth, phone, language, opted_out, office.id, enrolled_at,
        world.consent_version, enrolled_at, enrolled_at, sex_from_title(title).value,
    ))  # fmt: skip
    for release in releases:
        _case(world, rng, batch, defendant_id, office, profile, person, release, sms=not opted_out)


def _plan_spec(rng: random.Random, release: date, today: date) -> PlanSpec:
    window, grace = rng.choice((2, 2, 3)), rng.choice((1, 2, 2, 3))
    if rng.random() < 0.05:  # explicit dates, e.g. court appearances
        dates, day = [], release
        for _ in range(rng.randint(3, 8)):
            day += timedelta(days=rng.randint(21, 75))
            dates.append(day)
        return PlanSpec(
            kind=PlanKind.DATES,
            start_date=release,
            end_date=dates[-1],
            dates=tuple(dates),
            window_opens_days_before=window,
            grace_days=grace,
        )
    every = rng.choices((30, 14, 60), weights=(80, 10, 10))[0]
    # Officers extend a plan a few months at a time while the case runs.
    end = max(today + timedelta(days=rng.randint(14, 120)), release + timedelta(days=3 * every))
    return PlanSpec(
        kind=PlanKind.INTERVAL,
        start_date=release,
        end_date=end,
        every_days=every,
        window_opens_days_before=window,
        grace_days=grace,
    )


def _case(
    world: World,
    rng: random.Random,
    batch: LoadBatch,
    defendant_id: int,
    office: DemoOffice,
    profile: Profile,
    person: Person,
    release: date,
    *,
    sms: bool,
) -> None:
    now, officer = world.now, office.officer_id
    case_id = batch.next_id("bail_case")
    created_at = office_hours(rng, release, now)
    charge, _, low, high = rng.choices(CHARGES, cum_weights=CHARGE_WEIGHTS)[0]
    bail = Decimal(rng.randint(low // 1000, high // 1000) * 1000)
    if office.code == "TH-10":
        court = rng.choice(BANGKOK_COURTS)
    elif OFFICE_WEIGHTS.get(office.code, 1) > 1 and rng.random() < 0.25:
        court = f"ศาลแขวง{office.province_th}"
    else:
        court = f"ศาลจังหวัด{office.province_th}"
    spec = _plan_spec(rng, release, world.today)
    planned = expand_plan(spec)
    sittings = hearings(rng, release, spec.dates, world.today + timedelta(days=150))
    fate = unfold(rng, person, profile, release, planned, sittings, now, sms=sms)
    status, closed_at = fate.status, fate.closed_at
    red_case = next_court = None
    if status == CaseStatus.CONCLUDED:
        assert closed_at is not None
        red_case = f"อ.{rng.randint(1, 4999)}/{closed_at.year + 543}"
    elif status == CaseStatus.ACTIVE:
        future = [d for d in sittings if d > world.today]
        # The fund records a date plan's hearings, and about half of the others.
        if future and (spec.dates or rng.random() < RECORDED_HEARINGS):
            next_court = future[0]
    conditions = "; ".join(rng.sample(CONDITIONS, rng.randint(1, 2)))
    batch.bail_case.append((
        case_id, defendant_id, office.id, officer, court,
        f"อ.{rng.randint(1, 4999)}/{release.year + 543}", red_case, charge, bail, None, release,
        conditions, next_court, status.value,
        rng.choice(CLOSING[status]) if closed_at else None, closed_at, created_at,
        closed_at or created_at,
    ))  # fmt: skip
    batch.reporting_plan.append((
        batch.next_id("reporting_plan"), case_id, spec.kind.value, spec.every_days,
        dump_json([d.isoformat() for d in spec.dates]), spec.start_date, spec.end_date,
        spec.window_opens_days_before, spec.grace_days, officer, created_at,
    ))  # fmt: skip
    for planned_check_in, outcome in zip(fate.kept, fate.outcomes, strict=True):
        _check_in(
            world,
            rng,
            batch,
            case_id,
            office,
            profile,
            planned_check_in,
            created_at,
            outcome,
            status=status,
            closed_at=closed_at,
        )
    if fate.phone_lost_at is not None:
        _unreachable_flag(rng, batch, case_id, office, fate, now)


def _unreachable_flag(
    rng: random.Random,
    batch: LoadBatch,
    case_id: int,
    office: DemoOffice,
    fate: Fate,
    now: datetime,
) -> None:
    """The flag of the case's unreachable spell: resolved when an officer reached the person
    again, or after the case closed; open while it lasts."""
    raised_at = fate.phone_lost_at
    assert raised_at is not None
    ack_at = ack_by = note = resolved_at = resolved_by = resolution = None
    if fate.phone_found_at is not None:
        resolved_at, resolution = fate.phone_found_at, PHONE_FOUND
    elif fate.closed_at is not None:
        resolved_at = min(now, fate.closed_at + timedelta(hours=rng.randint(1, 72)))
        resolution = CLOSING[fate.status][0]
    if resolved_at is not None:
        ack_at, ack_by, resolved_by = (
            between(rng, raised_at, resolved_at),
            office.officer_id,
            office.officer_id,
        )
    batch.flag.append((
        batch.next_id("flag"), FlagKind.UNREACHABLE_PHONE.value, case_id, None, office.id,
        "medium", "ส่ง SMS แจ้งเตือนไม่สำเร็จติดต่อกัน 3 ครั้ง เบอร์อาจปิดหรือเปลี่ยนแล้ว",
        f"unreachable_phone:{case_id}", raised_at, ack_at, ack_by, note, resolved_at,
        resolved_by, resolution,
    ))  # fmt: skip


def _check_in(
    world: World,
    rng: random.Random,
    batch: LoadBatch,
    case_id: int,
    office: DemoOffice,
    profile: Profile,
    p: PlannedCheckIn,
    created_at: datetime,
    outcome_at: tuple[CheckInStatus, datetime | None],
    *,
    status: CaseStatus,
    closed_at: datetime | None,
) -> None:
    now, officer = world.now, office.officer_id
    check_in_id = batch.next_id("check_in")
    outcome, completed_at = outcome_at
    method = recorded_by = note = None
    updated_at = completed_at or created_at
    if outcome == CheckInStatus.VERIFIED:
        if rng.random() < 0.25:
            method, recorded_by, note = "in_person", officer, IN_PERSON_NOTE
        else:
            method = "remote"
    elif outcome == CheckInStatus.EXCUSED:
        recorded_by, note = officer, rng.choice(EXCUSES)
    elif outcome == CheckInStatus.PENDING_REVIEW:
        method, updated_at = "remote", between(rng, p.opens_at, now)
    elif outcome == CheckInStatus.MISSED:
        updated_at = min(now, p.closes_at + timedelta(minutes=rng.randint(1, 15)))  # the sweep
    batch.check_in.append((
        check_in_id, case_id, office.id, p.due_date, p.nominal_date, p.moved_reason, p.opens_at,
        p.due_at, p.closes_at, outcome.value, method, completed_at, recorded_by, note,
        created_at, updated_at,
    ))  # fmt: skip
    if outcome == CheckInStatus.MISSED and p.closes_at > now - timedelta(days=MISSED_FLAG_DAYS):
        _missed_flag(
            rng,
            batch,
            case_id,
            check_in_id,
            office,
            p,
            updated_at,
            now,
            high=status == CaseStatus.ABSCONDED or profile is PROFILES[-1],
            closed_at=closed_at,
            status=status,
        )
    elif outcome == CheckInStatus.PENDING_REVIEW and rng.random() < 0.4:
        score = rng.uniform(0.45, 0.6)
        batch.flag.append((
            batch.next_id("flag"), FlagKind.FAILED_VERIFICATION.value, case_id, check_in_id,
            office.id, "medium",
            f"ใบหน้าไม่ตรงกับรูปบัตรประชาชน (คะแนน {score:.2f}) รอเจ้าหน้าที่ตรวจสอบ",
            f"failed_verification:{check_in_id}", updated_at, None, None, None, None, None, None,
        ))  # fmt: skip


def _missed_flag(
    rng: random.Random,
    batch: LoadBatch,
    case_id: int,
    check_in_id: int,
    office: DemoOffice,
    p: PlannedCheckIn,
    raised_at: datetime,
    now: datetime,
    *,
    high: bool,
    closed_at: datetime | None,
    status: CaseStatus,
) -> None:
    acknowledged_at = acknowledged_by = note = resolved_at = resolved_by = resolution = None
    if now - raised_at > timedelta(days=1) and rng.random() < 0.6:
        acknowledged_at = between(rng, raised_at, min(now, raised_at + timedelta(hours=48)))
        acknowledged_by, note = office.officer_id, rng.choice(ACK_NOTES)
    if closed_at is not None and closed_at >= raised_at:
        resolved_at, resolved_by, resolution = closed_at, office.officer_id, CLOSING[status][0]
        acknowledged_at = acknowledged_at or closed_at
        acknowledged_by = office.officer_id
    batch.flag.append((
        batch.next_id("flag"), FlagKind.MISSED_CHECKIN.value, case_id, check_in_id, office.id,
        "high" if high else "medium",
        f"ไม่ได้รายงานตัวตามกำหนดวันที่ {format_thai_date(p.due_date)}",
        f"missed_checkin:{check_in_id}", raised_at, acknowledged_at, acknowledged_by, note,
        resolved_at, resolved_by, resolution,
    ))  # fmt: skip
