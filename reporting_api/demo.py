"""`bail-checkin seed-demo`: synthetic defendants, bail cases, plans, check-ins and flags.

Person ``index`` is drawn from ``random.Random(f"{seed}:{index}")`` alone, so the data is
deterministic per index and a run is idempotent: indices whose national ID is already stored
are skipped, and a larger ``--defendants`` adds only the difference. Rows bypass the ORM and
go in chunks, one transaction each: COPY through asyncpg on PostgreSQL, ``executemany``
through the stdlib ``sqlite3`` on SQLite. That loads 100,000 people with a million check-ins
in about a minute and a half (bench/seed_demo.py).

Names, ID numbers and phone numbers are made up, but a phone number may belong to a real
person: demo data must only ever go through the fake SMS sender, never through Twilio.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import random
import secrets
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TextIO
from urllib.parse import urlsplit

# Imported for its side effect too: Piccolo registers the sqlite3 adapters it writes with
# (aware datetime -> UTC str(), date -> ISO, Decimal -> float, bool -> 0/1), so rows written
# here through the stdlib driver are stored exactly as Piccolo stores them and read back alike.
import piccolo.engine.sqlite  # noqa: F401
from piccolo.utils.encoding import dump_json

from reporting_api.clock import utcnow
from reporting_api.db import BadDatabaseUrl
from reporting_api.national_id import national_id_check_digit
from reporting_api.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from reporting_api.phones import synthetic_thai_mobile
from reporting_api.planning import PlannedCheckIn, PlanSpec, expand_plan
from reporting_api.settings import Settings
from reporting_api.statuses import CaseStatus, CheckInStatus, FlagKind, PlanKind
from reporting_api.thai_dates import bangkok_today, format_thai_date, local_midnight_utc

CHUNK = 2_000
"""Defendants per transaction: large enough for COPY to pay off, small enough for flat memory."""
MISSED_FLAG_DAYS = 60
"""Missed check-ins closed this recently carry a `missed_checkin` flag."""

ADMIN, MANAGER = "admin", "manager"


def officer_username(office_code: str) -> str:
    """The demo officer of an office: ``TH-10`` -> ``officer.th10``."""
    return "officer." + office_code.lower().replace("-", "")


# Columns written, in tuple order; anything left out takes its default (the ID photo: NULL).
COLUMNS: dict[str, tuple[str, ...]] = {
    "defendant": (
        "id", "national_id", "title_th", "first_name_th", "last_name_th", "first_name_en",
        "last_name_en", "date_of_birth", "phone", "preferred_language", "sms_opt_out", "office",
        "consent_at", "consent_version", "created_at", "updated_at",
    ),
    "bail_case": (
        "id", "defendant", "office", "officer", "court", "black_case_number", "red_case_number",
        "charge", "bail_amount", "fund_request_ref", "release_date", "conditions",
        "next_court_date", "status", "closing_outcome", "closed_at", "created_at", "updated_at",
    ),
    "reporting_plan": (
        "id", "case", "kind", "every_days", "dates", "start_date", "end_date",
        "window_opens_days_before", "grace_days", "updated_by", "updated_at",
    ),
    "check_in": (
        "id", "case", "office", "due_date", "nominal_date", "moved_reason", "opens_at", "due_at",
        "closes_at", "status", "method", "completed_at", "recorded_by", "note", "created_at",
        "updated_at",
    ),
    "flag": (
        "id", "kind", "case", "check_in", "office", "severity", "detail", "dedupe_key",
        "raised_at", "acknowledged_at", "acknowledged_by", "acknowledge_note", "resolved_at",
        "resolved_by", "resolution_note",
    ),
}  # fmt: skip
TABLES = tuple(COLUMNS)
STAFF_COLUMNS = (
    "username",
    "display_name",
    "role",
    "office",
    "password_hash",
    "active",
    "created_at",
)

# Relative caseloads: Bangkok and the big provinces hold more cases; every other office is 1.
OFFICE_WEIGHTS = {
    "TH-10": 14, "TH-11": 3, "TH-12": 3, "TH-13": 2.5, "TH-20": 3.5, "TH-21": 2, "TH-30": 3.5,
    "TH-34": 2.5, "TH-40": 2.5, "TH-41": 2.5, "TH-50": 3, "TH-57": 2, "TH-74": 2, "TH-80": 2.5,
    "TH-83": 1.5, "TH-84": 2, "TH-90": 2.5,
}  # fmt: skip
BANGKOK_COURTS = (
    "ศาลอาญา", "ศาลอาญา", "ศาลอาญา", "ศาลอาญากรุงเทพใต้", "ศาลอาญากรุงเทพใต้", "ศาลอาญาธนบุรี",
    "ศาลแขวงพระนครเหนือ", "ศาลแขวงพระนครใต้", "ศาลแขวงดุสิต", "ศาลแขวงปทุมวัน", "ศาลแขวงธนบุรี",
)  # fmt: skip

# (charge, relative frequency, lowest bail, highest bail in THB): drugs and theft dominate.
CHARGES = (
    ("ลักทรัพย์", 14, 10_000, 60_000),
    ("ร่วมกันลักทรัพย์ในเวลากลางคืน", 5, 20_000, 100_000),
    ("ยักยอกทรัพย์", 4, 20_000, 150_000),
    ("ฉ้อโกง", 4, 30_000, 200_000),
    ("ฉ้อโกงประชาชน", 1, 200_000, 500_000),
    ("รับของโจร", 3, 10_000, 60_000),
    ("ชิงทรัพย์", 2, 100_000, 300_000),
    ("ทำร้ายร่างกาย", 8, 10_000, 60_000),
    ("ทำร้ายร่างกายเป็นเหตุให้ได้รับอันตรายสาหัส", 3, 50_000, 200_000),
    ("มีเมทแอมเฟตามีนไว้ในครอบครอง", 12, 30_000, 150_000),
    ("มีเมทแอมเฟตามีนไว้ในครอบครองเพื่อจำหน่าย", 8, 100_000, 500_000),
    ("เสพเมทแอมเฟตามีน", 6, 10_000, 50_000),
    ("ขับรถขณะเมาสุรา", 5, 10_000, 30_000),
    ("ขับรถโดยประมาทเป็นเหตุให้ผู้อื่นถึงแก่ความตาย", 3, 100_000, 300_000),
    ("มีอาวุธปืนและเครื่องกระสุนปืนไว้ในครอบครองโดยไม่ได้รับอนุญาต", 4, 50_000, 200_000),
    ("พาอาวุธปืนไปในเมือง หมู่บ้าน หรือทางสาธารณะโดยไม่ได้รับอนุญาต", 3, 20_000, 100_000),
    ("บุกรุก", 3, 10_000, 60_000),
    ("บุกรุกป่าสงวนแห่งชาติ", 2, 50_000, 200_000),
    ("ทำให้เสียทรัพย์", 2, 10_000, 40_000),
    ("หมิ่นประมาท", 2, 10_000, 50_000),
    ("ปลอมและใช้เอกสารปลอม", 2, 30_000, 150_000),
    ("ความผิดตามพระราชบัญญัติว่าด้วยการกระทำความผิดเกี่ยวกับคอมพิวเตอร์", 2, 30_000, 150_000),
    ("ความผิดตามพระราชบัญญัติการพนัน", 3, 10_000, 40_000),
)
CHARGE_WEIGHTS = tuple(itertools.accumulate(c[1] for c in CHARGES))
CONDITIONS = (
    "ห้ามเดินทางออกนอกราชอาณาจักร",
    "ห้ามยุ่งเกี่ยวกับพยานหรือผู้เสียหาย",
    "ห้ามออกนอกเขตจังหวัดโดยไม่ได้รับอนุญาต",
    "ห้ามกระทำความผิดซ้ำ",
    "ติดอุปกรณ์ติดตามตัว (EM)",
)
CLOSING = {
    CaseStatus.CONCLUDED: (
        "ศาลมีคำพิพากษาแล้ว คืนหลักประกันให้กองทุน",
        "ศาลพิพากษายกฟ้อง คืนหลักประกันให้กองทุน",
        "ศาลพิพากษาให้รอการลงโทษ คืนหลักประกันให้กองทุน",
    ),
    CaseStatus.ABSCONDED: ("ผู้ต้องหาหลบหนี ไม่มาศาลตามนัด ศาลออกหมายจับและสั่งปรับตามสัญญาประกัน",),
    CaseStatus.REVOKED: ("ศาลเพิกถอนคำสั่งปล่อยชั่วคราว เนื่องจากผิดเงื่อนไขการรายงานตัว",),
}
EXCUSES = (
    "ป่วย มีใบรับรองแพทย์",
    "เข้ารับการรักษาในโรงพยาบาล",
    "ศาลนัดพิจารณาคดีในวันเดียวกัน",
    "น้ำท่วมเส้นทาง เดินทางไม่ได้",
)
ACK_NOTES = (
    "โทรติดต่อแล้ว นัดรายงานตัวที่สำนักงาน",
    "โทรไม่ติด จะติดต่อญาติผู้ค้ำประกัน",
    "ผู้ถูกปล่อยตัวแจ้งว่าป่วย จะมารายงานตัวภายในสัปดาห์นี้",
)
IN_PERSON_NOTE = "รายงานตัวด้วยตนเองที่สำนักงาน"


@dataclass(frozen=True)
class _Profile:
    """How reliably a person reports: most people report, a few stop."""

    weight: float
    missed: float  # chance a past check-in was missed
    late: float  # chance a past check-in was verified after its due day
    abscond: float  # chance the case ended with the person absconding


PROFILES = (
    _Profile(78, 0.03, 0.05, 0.01),
    _Profile(17, 0.15, 0.15, 0.10),
    _Profile(5, 0.40, 0.20, 0.35),
)
PROFILE_WEIGHTS = tuple(itertools.accumulate(p.weight for p in PROFILES))


@dataclass(frozen=True)
class _Office:
    id: int
    code: str
    name_th: str
    province_th: str
    officer_id: int | None


@dataclass(frozen=True)
class _World:
    """Everything a run's rows depend on besides the per-index random stream."""

    seed: int
    now: datetime
    today: date
    consent_version: str
    offices: tuple[_Office, ...]
    office_weights: tuple[float, ...]  # cumulative, for rng.choices
    male_names: tuple[str, ...]
    female_names: tuple[str, ...]
    last_names: tuple[str, ...]
    id_multiplier: int
    id_offset: int


def _name_pools(seed: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    # Faker is slow per call: draw its Thai names once, then combine them with the seeded RNG.
    from faker import Faker

    fake = Faker("th_TH")
    fake.seed_instance(seed)

    def pool(draw: Callable[[], str]) -> tuple[str, ...]:
        return tuple(sorted({draw() for _ in range(3_000)}))  # sorted: same order every run

    return pool(fake.first_name_male), pool(fake.first_name_female), pool(fake.last_name)


def _world(
    seed: int,
    now: datetime,
    consent_version: str,
    offices: Sequence[_Office],
    names: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
) -> _World:
    rng = random.Random(f"{seed}:national-id")
    # An affine map i -> (a*i + b) mod 10^11 with a coprime to 10 is a permutation, so the
    # eleven middle digits of every demo ID are distinct by construction.
    multiplier = rng.randrange(10**9, 10**11) // 10 * 10 + rng.choice((1, 3, 7, 9))
    return _World(
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
class _Head:
    """The start of one person's stream: enough to know whether they are already stored."""

    index: int
    rng: random.Random
    born_before_1984: bool
    national_id: str


def _head(world: _World, index: int) -> _Head:
    rng = random.Random(f"{world.seed}:{index}")
    # The first digit says when a Thai citizen was registered: 1 from 1984 on, 3 before.
    born_before_1984 = rng.random() < 0.3
    middle = (world.id_multiplier * index + world.id_offset) % 10**11
    first12 = ("3" if born_before_1984 else "1") + f"{middle:011d}"
    return _Head(index, rng, born_before_1984, first12 + str(national_id_check_digit(first12)))


@dataclass
class _Batch:
    """Rows of one chunk, and the last id used in each table (explicit ids tie them together)."""

    last_id: dict[str, int]
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def next_id(self, table: str) -> int:
        self.last_id[table] += 1
        return self.last_id[table]


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A whole-second instant in [start, end) (start itself when the span is empty)."""
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(seconds)) if seconds > 0 else start


def _office_hours(rng: random.Random, day: date, now: datetime) -> datetime:
    """An instant between 09:00 and 16:00 Bangkok time on ``day``, never after ``now``."""
    opens = local_midnight_utc(day) + timedelta(hours=9)
    return min(now, _between(rng, opens, opens + timedelta(hours=7)))


def _date_of_birth(rng: random.Random, born_before_1984: bool, today: date) -> date:
    if born_before_1984:
        year = rng.randint(max(today.year - 70, 1940), min(1983, today.year - 18))
    else:  # most people bailed are young
        year = int(rng.triangular(1984, today.year - 18, today.year - 24))
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _person(world: _World, head: _Head, batch: _Batch) -> None:
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
    # Releases within the last two years, recent ones more often.
    releases = sorted(
        world.today - timedelta(days=int(730 * rng.random() ** 2))
        for _ in range(2 if rng.random() < 0.1 else 1)
    )
    enrolled_at = _office_hours(rng, releases[0], now)
    defendant_id = batch.next_id("defendant")
    batch.rows["defendant"].append((
        defendant_id, head.national_id, title, first, rng.choice(world.last_names), None, None,
        date_of_birth, phone, language, opted_out, office.id, enrolled_at,
        world.consent_version, enrolled_at, enrolled_at,
    ))  # fmt: skip
    for release in releases:
        _case(world, rng, batch, defendant_id, office, profile, release, sms=not opted_out)


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


def _fate(
    rng: random.Random, profile: _Profile, planned: list[PlannedCheckIn], now: datetime
) -> tuple[CaseStatus, datetime | None, list[PlannedCheckIn], int]:
    """How the case stands: status, when it closed, the check-ins it kept, how many of its
    last check-ins were forcibly missed (the run-up to absconding or revocation)."""
    past = [p for p in planned if p.closes_at <= now]
    roll = rng.random()
    if not past:
        return CaseStatus.ACTIVE, None, planned, 0
    if roll < profile.abscond:
        status, forced = CaseStatus.ABSCONDED, rng.randint(2, 3)
    elif roll < profile.abscond + 0.03:
        status, forced = CaseStatus.REVOKED, rng.randint(1, 2)
    elif roll < profile.abscond + 0.13 and len(past) >= 3:
        status, forced = CaseStatus.CONCLUDED, 0
    else:
        return CaseStatus.ACTIVE, None, planned, 0
    last = past[rng.randrange(2 if status == CaseStatus.CONCLUDED else 0, len(past))]
    closed_at = _between(rng, last.closes_at, min(now, last.closes_at + timedelta(days=21)))
    # Check-ins that had not closed by then no longer apply (close_case deletes upcoming ones).
    kept = [p for p in planned if p.closes_at <= closed_at]
    return status, closed_at, kept, forced


def _case(
    world: _World,
    rng: random.Random,
    batch: _Batch,
    defendant_id: int,
    office: _Office,
    profile: _Profile,
    release: date,
    *,
    sms: bool,
) -> None:
    now, officer = world.now, office.officer_id
    case_id = batch.next_id("bail_case")
    created_at = _office_hours(rng, release, now)
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
    status, closed_at, kept, forced = _fate(rng, profile, planned, now)
    red_case = next_court = None
    if status == CaseStatus.CONCLUDED:
        assert closed_at is not None
        red_case = f"อ.{rng.randint(1, 4999)}/{closed_at.year + 543}"
    elif status == CaseStatus.ACTIVE:
        future = [d for d in spec.dates if d > world.today]
        if future:
            next_court = future[0]
        elif rng.random() < 0.5:
            next_court = world.today + timedelta(days=rng.randint(7, 150))
    conditions = "; ".join(rng.sample(CONDITIONS, rng.randint(1, 2)))
    batch.rows["bail_case"].append((
        case_id, defendant_id, office.id, officer, court,
        f"อ.{rng.randint(1, 4999)}/{release.year + 543}", red_case, charge, bail, None, release,
        conditions, next_court, status.value,
        rng.choice(CLOSING[status]) if closed_at else None, closed_at, created_at,
        closed_at or created_at,
    ))  # fmt: skip
    batch.rows["reporting_plan"].append((
        batch.next_id("reporting_plan"), case_id, spec.kind.value, spec.every_days,
        dump_json([d.isoformat() for d in spec.dates]), spec.start_date, spec.end_date,
        spec.window_opens_days_before, spec.grace_days, officer, created_at,
    ))  # fmt: skip
    for n, planned_check_in in enumerate(kept):
        _check_in(
            world,
            rng,
            batch,
            case_id,
            office,
            profile,
            planned_check_in,
            created_at,
            missed=n >= len(kept) - forced,
            status=status,
            closed_at=closed_at,
        )
    if status == CaseStatus.ACTIVE and sms and rng.random() < 0.015:
        raised_at = now - timedelta(minutes=rng.randint(10, 20 * 24 * 60))
        batch.rows["flag"].append((
            batch.next_id("flag"), FlagKind.UNREACHABLE_PHONE.value, case_id, None, office.id,
            "medium", "ส่ง SMS แจ้งเตือนไม่สำเร็จติดต่อกัน 3 ครั้ง เบอร์อาจปิดหรือเปลี่ยนแล้ว",
            f"unreachable_phone:{case_id}", raised_at, None, None, None, None, None, None,
        ))  # fmt: skip


def _outcome(
    rng: random.Random, p: PlannedCheckIn, now: datetime, profile: _Profile, missed: bool
) -> tuple[CheckInStatus, datetime | None]:
    """The check-in's status at ``now``, and when it was completed (verified or excused)."""
    if now < p.opens_at:
        return CheckInStatus.UPCOMING, None
    roll = rng.random()
    if p.closes_at <= now:
        if missed or roll < profile.missed:
            return CheckInStatus.MISSED, None
        if roll < profile.missed + 0.02:
            return CheckInStatus.EXCUSED, _between(rng, p.opens_at, p.due_at)
        if roll < profile.missed + 0.02 + profile.late:
            return CheckInStatus.VERIFIED, _between(rng, p.due_at, p.closes_at)
        return CheckInStatus.VERIFIED, _between(rng, p.opens_at, p.due_at)
    if now < p.due_at:  # the window is open
        if roll < 0.45:
            return CheckInStatus.VERIFIED, _between(rng, p.opens_at, now)
        return (CheckInStatus.PENDING_REVIEW if roll < 0.5 else CheckInStatus.OPEN), None
    if roll < 0.55:  # past the due day, inside the grace days
        return CheckInStatus.VERIFIED, _between(rng, p.opens_at, p.due_at)
    if roll < 0.65:
        return CheckInStatus.VERIFIED, _between(rng, p.due_at, now)
    return (CheckInStatus.PENDING_REVIEW if roll < 0.7 else CheckInStatus.LATE), None


def _check_in(
    world: _World,
    rng: random.Random,
    batch: _Batch,
    case_id: int,
    office: _Office,
    profile: _Profile,
    p: PlannedCheckIn,
    created_at: datetime,
    *,
    missed: bool,
    status: CaseStatus,
    closed_at: datetime | None,
) -> None:
    now, officer = world.now, office.officer_id
    check_in_id = batch.next_id("check_in")
    outcome, completed_at = _outcome(rng, p, now, profile, missed)
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
        method, updated_at = "remote", _between(rng, p.opens_at, now)
    elif outcome == CheckInStatus.MISSED:
        updated_at = min(now, p.closes_at + timedelta(minutes=rng.randint(1, 15)))  # the sweep
    batch.rows["check_in"].append((
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
        batch.rows["flag"].append((
            batch.next_id("flag"), FlagKind.FAILED_VERIFICATION.value, case_id, check_in_id,
            office.id, "medium",
            f"ใบหน้าไม่ตรงกับรูปบัตรประชาชน (คะแนน {score:.2f}) รอเจ้าหน้าที่ตรวจสอบ",
            f"failed_verification:{check_in_id}", updated_at, None, None, None, None, None, None,
        ))  # fmt: skip


def _missed_flag(
    rng: random.Random,
    batch: _Batch,
    case_id: int,
    check_in_id: int,
    office: _Office,
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
        acknowledged_at = _between(rng, raised_at, min(now, raised_at + timedelta(hours=48)))
        acknowledged_by, note = office.officer_id, rng.choice(ACK_NOTES)
    if closed_at is not None and closed_at >= raised_at:
        resolved_at, resolved_by, resolution = closed_at, office.officer_id, CLOSING[status][0]
        acknowledged_at = acknowledged_at or closed_at
        acknowledged_by = office.officer_id
    batch.rows["flag"].append((
        batch.next_id("flag"), FlagKind.MISSED_CHECKIN.value, case_id, check_in_id, office.id,
        "high" if high else "medium",
        f"ไม่ได้รายงานตัวตามกำหนดวันที่ {format_thai_date(p.due_date)}",
        f"missed_checkin:{check_in_id}", raised_at, acknowledged_at, acknowledged_by, note,
        resolved_at, resolved_by, resolution,
    ))  # fmt: skip


class _Postgres:
    """Bulk writes with COPY over one asyncpg connection."""

    def __init__(self, conn: Any, sequences: dict[str, str]) -> None:
        self.conn, self.sequences = conn, sequences

    @classmethod
    async def open(cls, url: str) -> _Postgres:
        import asyncpg

        conn = await asyncpg.connect(url)
        sequences = {
            t: await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", t) for t in TABLES
        }
        return cls(conn, sequences)

    async def close(self) -> None:
        await self.conn.close()

    async def analyze(self) -> None:
        # Fresh statistics now rather than whenever autovacuum gets to it: the planner's
        # choices for the office lists depend on them.
        await self.conn.execute(f"ANALYZE {', '.join(TABLES)}")

    async def offices(self) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await self.conn.fetch(
            "SELECT id, code, name_th, province_th, is_central FROM office ORDER BY code"
        )]  # fmt: skip

    async def staff(self, usernames: list[str]) -> dict[str, tuple[Any, ...]]:
        rows = await self.conn.fetch(
            "SELECT username, id, role, office, password_hash FROM staff_user"
            " WHERE username = ANY($1::varchar[])", usernames,
        )  # fmt: skip
        return {r[0]: tuple(r[1:]) for r in rows}

    async def insert_staff(self, rows: list[tuple[Any, ...]]) -> None:
        await self.conn.copy_records_to_table("staff_user", records=rows, columns=STAFF_COLUMNS)

    async def existing_national_ids(self, national_ids: list[str]) -> set[str]:
        rows = await self.conn.fetch(
            "SELECT national_id FROM defendant WHERE national_id = ANY($1::varchar[])",
            national_ids,
        )
        return {r[0] for r in rows}

    async def write(self, make: Callable[[dict[str, int]], _Batch]) -> _Batch:
        async with self.conn.transaction():
            # Explicit ids need the tables to ourselves: other writers wait, readers do not.
            await self.conn.execute(f"LOCK TABLE {', '.join(TABLES)} IN SHARE ROW EXCLUSIVE MODE")
            last_id = {}
            for table, sequence in self.sequences.items():
                # Past both the rows and the sequence, so no id is ever handed out twice.
                last_id[table] = await self.conn.fetchval(
                    f"SELECT greatest((SELECT coalesce(max(id), 0) FROM {table}),"
                    f" (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}))"
                )
            batch = make(last_id)
            for table, rows in batch.rows.items():
                if rows:
                    await self.conn.copy_records_to_table(
                        table, records=rows, columns=COLUMNS[table]
                    )
                    await self.conn.execute(
                        "SELECT setval($1::regclass, $2)",
                        self.sequences[table],
                        batch.last_id[table],
                    )
        return batch


class _Sqlite:
    """Bulk writes with executemany over one stdlib sqlite3 connection."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)  # transactions are explicit

    async def close(self) -> None:
        self.conn.close()

    async def offices(self) -> list[tuple[Any, ...]]:
        rows = self.conn.execute(
            "SELECT id, code, name_th, province_th, is_central FROM office ORDER BY code"
        )
        return [(*r[:4], bool(r[4])) for r in rows]

    async def staff(self, usernames: list[str]) -> dict[str, tuple[Any, ...]]:
        marks = ", ".join("?" * len(usernames))
        rows = self.conn.execute(
            "SELECT username, id, role, office, password_hash FROM staff_user"
            f" WHERE username IN ({marks})", usernames,
        )  # fmt: skip
        return {r[0]: tuple(r[1:]) for r in rows}

    async def insert_staff(self, rows: list[tuple[Any, ...]]) -> None:
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self._insert("staff_user", STAFF_COLUMNS, rows)

    async def existing_national_ids(self, national_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(national_ids), 500):  # under SQLite's bound-parameter limit
            part = national_ids[start : start + 500]
            marks = ", ".join("?" * len(part))
            query = f"SELECT national_id FROM defendant WHERE national_id IN ({marks})"
            found.update(r[0] for r in self.conn.execute(query, part))
        return found

    async def write(self, make: Callable[[dict[str, int]], _Batch]) -> _Batch:
        with self.conn:  # commits, or rolls back on an exception
            self.conn.execute("BEGIN IMMEDIATE")  # one writer: ids below stay ours
            last_id = {
                t: self.conn.execute(f'SELECT coalesce(max(id), 0) FROM "{t}"').fetchone()[0]
                for t in TABLES
            }
            batch = make(last_id)
            for table, rows in batch.rows.items():
                self._insert(table, COLUMNS[table], rows)
        return batch

    def _insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


async def _open(url: str) -> _Postgres | _Sqlite:
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql"):
        return await _Postgres.open(url)
    path = url.removeprefix("sqlite:///")
    if scheme != "sqlite" or not path or path == url:
        raise BadDatabaseUrl(f"DATABASE_URL {url!r}: use sqlite:///path or postgresql://...")
    return _Sqlite(path)


@dataclass(frozen=True)
class _Logins:
    usernames: list[str]
    created: list[str]
    password: str | None  # None: the logins already existed and the password is not known
    note: str


async def _ensure_staff(
    db: _Postgres | _Sqlite,
    settings: Settings,
    offices: list[tuple[Any, ...]],
    seed: int,
    now: datetime,
    names: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
) -> tuple[_Logins, dict[int, int]]:
    """Create the demo logins that are missing; return them and each office's demo officer."""
    central = next(o for o in offices if o[4])
    wanted: dict[str, tuple[str, str, int]] = {
        ADMIN: ("ผู้ดูแลระบบ (ตัวอย่าง)", "admin", central[0]),
        MANAGER: ("ผู้บริหาร กองทุนยุติธรรม (ตัวอย่าง)", "manager", central[0]),
    }
    first_names, _, last_names = names
    for office_id, code, _, _, is_central in offices:
        if not is_central:
            rng = random.Random(f"{seed}:staff:{code}")
            display = f"{rng.choice(first_names)} {rng.choice(last_names)}"
            wanted[officer_username(code)] = (display, "officer", office_id)
    existing = await db.staff(list(wanted))
    missing = [u for u in wanted if u not in existing]
    password = settings.demo_password
    if missing:
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"DEMO_PASSWORD must be at least {MIN_PASSWORD_LENGTH} characters")
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        password_hash = hash_password(password)  # once: argon2 is slow on purpose
        await db.insert_staff([
            (u, wanted[u][0], wanted[u][1], wanted[u][2], password_hash, True, now)
            for u in missing
        ])  # fmt: skip
        note = "generated; set DEMO_PASSWORD to choose it" if generated else "from DEMO_PASSWORD"
        if len(missing) < len(wanted):
            note += f"; it applies to the {len(missing)} logins created now, the others keep theirs"
        existing = await db.staff(list(wanted))
    elif password is not None and verify_password(existing[ADMIN][3], password):
        note = "from DEMO_PASSWORD; the logins already existed"
    else:
        password = None
        note = (
            "unchanged: the demo logins already existed, so the password printed when they "
            "were created still works"
            + (" (DEMO_PASSWORD does not match it)" if settings.demo_password else "")
        )
    officers = {
        row[2]: row[0]
        for u, row in existing.items()
        if u.startswith("officer.") and row[1] == "officer"
    }
    return _Logins(list(wanted), missing, password, note), officers


class _Progress:
    """One updating line on stderr: done / total, rate, time left."""

    def __init__(self, total: int, quiet: bool, stream: TextIO = sys.stderr) -> None:
        self.total, self.quiet, self.stream = total, quiet, stream
        self.started = self.shown = time.perf_counter()
        self.tty = stream.isatty()

    def update(self, done: int) -> None:
        now = time.perf_counter()
        finished = done >= self.total
        if self.quiet or (not finished and now - self.shown < (0.5 if self.tty else 10)):
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        left = (self.total - done) / rate if rate else 0
        line = f"seed-demo: {done:,}/{self.total:,} defendants  {rate:,.0f}/s  ETA {left:,.0f} s"
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K" + ("\n" if finished else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


async def _seed(settings: Settings, total: int, seed: int, quiet: bool, now: datetime) -> None:
    started = time.perf_counter()
    db = await _open(settings.database_url)
    try:
        offices = await _load_offices(db)
        names = _name_pools(seed)
        logins, officers = await _ensure_staff(db, settings, offices, seed, now, names)
        provincial = [
            _Office(o[0], o[1], o[2], o[3], officers.get(o[0])) for o in offices if not o[4]
        ]
        world = _world(seed, now, settings.consent_version, provincial, names)
        added = dict.fromkeys(TABLES, 0)
        progress = _Progress(total, quiet)
        for start in range(0, total, CHUNK):
            heads = [_head(world, i) for i in range(start, min(total, start + CHUNK))]
            present = await db.existing_national_ids([h.national_id for h in heads])
            todo = [h for h in heads if h.national_id not in present]
            if todo:
                batch = await db.write(functools.partial(_generate, world, todo))
                for table, rows in batch.rows.items():
                    added[table] += len(rows)
            progress.update(start + len(heads))
        if added["defendant"] and isinstance(db, _Postgres):
            await db.analyze()
    finally:
        await db.close()
    seconds = time.perf_counter() - started
    print(
        f"demo data: {total:,} defendants wanted, {added['defendant']:,} added"
        f" ({total - added['defendant']:,} already there); also added {added['bail_case']:,} cases,"
        f" {added['check_in']:,} check-ins and {added['flag']:,} flags in {seconds:.1f} s"
    )
    _print_logins(settings, logins)


async def _load_offices(db: _Postgres | _Sqlite) -> list[tuple[Any, ...]]:
    try:
        offices = await db.offices()
    except sqlite3.OperationalError as error:
        raise ValueError(f"{error}; run `bail-checkin migrate` first") from None
    except Exception as error:
        if type(error).__name__ != "UndefinedTableError":  # asyncpg's, imported lazily
            raise
        raise ValueError(f"{error}; run `bail-checkin migrate` first") from None
    if not any(o[4] for o in offices) or len(offices) < 2:
        raise ValueError("the offices are not loaded; run `bail-checkin migrate` first")
    return offices


def _generate(world: _World, heads: Iterable[_Head], last_id: dict[str, int]) -> _Batch:
    batch = _Batch(dict(last_id))
    for head in heads:
        _person(world, head, batch)
    return batch


def _print_logins(settings: Settings, logins: _Logins) -> None:
    officers = [u for u in logins.usernames if u.startswith("officer.")]
    base = settings.public_base_url
    print()
    print(f"Demo logins at {base} (API docs: {base}/schema/swagger)")
    print(f"  {ADMIN:<14} administrator, central office")
    print(f"  {MANAGER:<14} manager, central office")
    if officers:
        print(f"  {officers[0]:<14} officer, Bangkok; one per provincial office: officer.<code>,")
        print(f"  {'':<14} {', '.join(officers[1:4])}, ... {officers[-1]}")
    if logins.password is not None:
        print(f"  password: {logins.password}   ({logins.note})")
    else:
        print(f"  password {logins.note}")


def run_seed_demo(
    settings: Settings, *, defendants: int, seed: int, quiet: bool, now: datetime | None = None
) -> None:
    """Load ``defendants`` synthetic people with their cases, plans, check-ins and flags."""
    if defendants < 0:
        raise ValueError("--defendants must be 0 or more")
    asyncio.run(_seed(settings, defendants, seed, quiet, now or utcnow()))
