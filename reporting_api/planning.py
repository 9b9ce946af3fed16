"""Reporting plans: expanding a plan into dated check-ins, and re-planning safely."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

from reporting_api.errors import InvalidInput
from reporting_api.statuses import CheckInStatus, PlanKind
from reporting_api.thai_dates import (
    BUDDHIST_ERA_OFFSET,
    EARLIEST_DATE,
    LATEST_DATE,
    check_date_range,
    end_of_local_day_utc,
    format_thai_date,
    local_midnight_utc,
)

MAX_EVERY_DAYS = 365
MAX_WINDOW_DAYS = 60
MAX_GRACE_DAYS = 30
MAX_PLAN_YEARS = 10
WEEKEND = "weekend"


@dataclass(frozen=True)
class PlanSpec:
    """A reporting plan as an officer sets it."""

    kind: PlanKind
    start_date: date
    end_date: date
    every_days: int | None = None
    dates: tuple[date, ...] = ()
    window_opens_days_before: int = 0
    grace_days: int = 0

    def validate(self, today: date | None = None) -> None:
        """Raise InvalidInput naming the first field that breaks a rule. With ``today`` (the
        Bangkok day the plan is set on) the plan must also start near it."""
        for field, d in (("start_date", self.start_date), ("end_date", self.end_date)):
            check_not_buddhist_year(d, field, today)
            check_date_range(d, field)
        for d in self.dates:
            check_not_buddhist_year(d, "dates", today)
            check_date_range(d, "dates")
        if today is not None:
            check_near_today(self.start_date, today)
        if self.end_date < self.start_date:
            raise InvalidInput("end_date", "must not be before start_date", "ต้องไม่ก่อนวันเริ่มต้น")
        if self.end_date > _add_years(self.start_date, MAX_PLAN_YEARS):
            raise InvalidInput(
                "end_date", "a plan may span at most 10 years", "แผนการรายงานตัวต้องไม่เกิน 10 ปี"
            )
        if self.kind == PlanKind.INTERVAL:
            if self.every_days is None or not 1 <= self.every_days <= MAX_EVERY_DAYS:
                raise InvalidInput(
                    "every_days",
                    "must be a number of days from 1 to 365",
                    "ต้องเป็นจำนวนวันตั้งแต่ 1 ถึง 365",
                )
        elif self.kind == PlanKind.DATES:
            if not self.dates:
                raise InvalidInput("dates", "give at least one date", "กรุณาระบุอย่างน้อยหนึ่งวัน")
            if any(not self.start_date <= d <= self.end_date for d in self.dates):
                raise InvalidInput(
                    "dates",
                    "every date must be between start_date and end_date",
                    "ทุกวันต้องอยู่ระหว่างวันเริ่มต้นและวันสิ้นสุด",
                )
        else:
            raise InvalidInput("kind", "must be interval or dates", "ต้องเป็น interval หรือ dates")
        if not 0 <= self.window_opens_days_before <= MAX_WINDOW_DAYS:
            raise InvalidInput(
                "window_opens_days_before",
                "must be from 0 to 60 days",
                "ต้องอยู่ระหว่าง 0 ถึง 60 วัน",
            )
        if not 0 <= self.grace_days <= MAX_GRACE_DAYS:
            raise InvalidInput("grace_days", "must be from 0 to 30 days", "ต้องอยู่ระหว่าง 0 ถึง 30 วัน")
        self._check_windows_apart()

    @property
    def window_span_days(self) -> int:
        """Days a window reaches around its due day: opens before plus grace after."""
        return self.window_opens_days_before + self.grace_days

    def _check_windows_apart(self) -> None:
        # Two check-ins due ``gap`` days apart have windows that touch or overlap when the
        # earlier one's grace reaches the later one's opening: gap <= before + grace.
        span = self.window_span_days
        if self.kind == PlanKind.INTERVAL:
            assert self.every_days is not None
            if self.every_days <= span:
                raise InvalidInput(
                    "grace_days",
                    f"the window opens {self.window_opens_days_before} day(s) before and "
                    f"allows {self.grace_days} grace day(s): {span} days, not shorter than the "
                    f"{self.every_days}-day interval, so two check-ins would be open at once; "
                    f"make the two together less than {self.every_days}",
                    f"เปิดก่อน {self.window_opens_days_before} วัน และผ่อนผัน {self.grace_days} วัน "
                    f"รวม {span} วัน ไม่น้อยกว่ารอบ {self.every_days} วัน การรายงานตัวสองครั้ง"
                    f"จะเปิดพร้อมกัน ให้รวมกันน้อยกว่า {self.every_days} วัน",
                )
            return
        ordered = sorted(set(self.dates))
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if (later - earlier).days <= span:
                raise InvalidInput(
                    "dates",
                    f"{earlier.isoformat()} and {later.isoformat()} are {(later - earlier).days} "
                    f"day(s) apart, but a window with {self.window_opens_days_before} day(s) "
                    f"before and {self.grace_days} grace day(s) needs more than {span}: two "
                    "check-ins would be open at once",
                    f"{format_thai_date(earlier)} และ {format_thai_date(later)} ห่างกัน "
                    f"{(later - earlier).days} วัน แต่ช่วงรายงานตัว (เปิดก่อน "
                    f"{self.window_opens_days_before} วัน ผ่อนผัน {self.grace_days} วัน) "
                    f"ต้องห่างกันมากกว่า {span} วัน มิฉะนั้นจะเปิดพร้อมกันสองครั้ง",
                )


PLAN_STARTS_BACK_DAYS = 366
"""A plan may start up to a year before the day it is set (a case entered late)."""
PLAN_STARTS_AHEAD_YEARS = 2
"""... and up to two years after it."""


def check_not_buddhist_year(d: date, field: str, today: date | None) -> None:
    """Refuse a date whose year reads as a Buddhist-era year typed where the Christian era was
    meant (2569 for 2026), saying which year was meant."""
    if d.year <= LATEST_DATE.year:
        return
    meant = d.year - BUDDHIST_ERA_OFFSET
    reference = today.year if today is not None else meant
    if EARLIEST_DATE.year <= meant <= LATEST_DATE.year and abs(meant - reference) <= 20:
        raise InvalidInput(
            field,
            f"{d.year} looks like a Buddhist-era year: did you mean {meant}? "
            "Plans take Christian-era dates",
            f"ปี {d.year} น่าจะเป็นปี พ.ศ. หมายถึงปี ค.ศ. {meant} หรือไม่ (แผนใช้ปี ค.ศ.)",
        )


def check_near_today(start: date, today: date) -> None:
    """A plan starts from a year before ``today`` to two years after it."""
    earliest = today - timedelta(days=PLAN_STARTS_BACK_DAYS)
    latest = _add_years(today, PLAN_STARTS_AHEAD_YEARS)
    if not earliest <= start <= latest:
        raise InvalidInput(
            "start_date",
            f"must be from {earliest.isoformat()} to {latest.isoformat()}: a plan starts "
            "within a year before today and two years after it",
            f"ต้องอยู่ระหว่าง {format_thai_date(earliest)} ถึง {format_thai_date(latest)} "
            "(ไม่เกินหนึ่งปีก่อนวันนี้และสองปีหลังจากนี้)",
        )


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a year that has none
        return d.replace(year=d.year + years, day=28)


HOLIDAY_CATEGORIES = ("public", "government")
"""Public holidays, and government ones on which the offices close (the Royal Ploughing
Ceremony): the `holidays` package's Thai categories."""


@lru_cache(maxsize=32)
def _thai_holidays_for(years: tuple[int, ...]) -> Mapping[date, str]:
    # English names: they are stored as moved_reason, and the interface translates them.
    found = holidays.country_holidays(
        "TH", years=years, categories=HOLIDAY_CATEGORIES, language="en_US"
    )
    return MappingProxyType(dict(found.items()))


def thai_holidays(
    years: Iterable[int], declared: Mapping[date, str] | None = None
) -> Mapping[date, str]:
    """Return Thailand's public and government holidays in ``years`` as date -> English name,
    with the days the cabinet ``declared`` (date -> English name) added."""
    base = _thai_holidays_for(tuple(sorted(set(years))))
    if not declared:
        return base
    return MappingProxyType({**base, **declared})


def is_working_day(d: date, thai_holidays: Mapping[date, str]) -> bool:
    """Say whether ``d`` is a Monday-to-Friday day that is not a public holiday."""
    return d.weekday() < 5 and d not in thai_holidays


def next_working_day(d: date, thai_holidays: Mapping[date, str]) -> date:
    """Return ``d`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(d, thai_holidays):
        d += timedelta(days=1)
    return d


@dataclass(frozen=True)
class PlannedCheckIn:
    """One dated check-in a plan asks for, with its window as aware UTC instants."""

    due_date: date
    nominal_date: date
    moved_reason: str | None
    opens_at: datetime
    due_at: datetime
    closes_at: datetime


def _nominal_dates(spec: PlanSpec) -> list[date]:
    if spec.kind == PlanKind.DATES:
        return sorted(set(spec.dates))
    assert spec.every_days is not None  # validate() guarantees it
    step = timedelta(days=spec.every_days)
    found, d = [], spec.start_date + step
    while d <= spec.end_date:
        found.append(d)
        d += step
    return found


@dataclass(frozen=True)
class PlanNote:
    """Something the officer should know about a plan: a warning (an empty plan) or what the
    rules adjusted (a window shortened, a date kept inside the end date)."""

    level: str  # "warning" or "info"
    code: str
    en: str
    th: str


@dataclass(frozen=True)
class PlanExpansion:
    """A plan's check-ins and what to tell the officer about them."""

    check_ins: list[PlannedCheckIn]
    notes: list[PlanNote]


def previous_working_day(d: date, thai_holidays: Mapping[date, str]) -> date:
    """Return ``d`` itself if it is a working day, else the last working day before it."""
    while not is_working_day(d, thai_holidays):
        d -= timedelta(days=1)
    return d


def expand_plan(
    spec: PlanSpec, *, today: date | None = None, declared: Mapping[date, str] | None = None
) -> list[PlannedCheckIn]:
    """Return the plan's check-ins, each moved to a working day, one per day, by due date."""
    return expand_plan_with_notes(spec, today=today, declared=declared).check_ins


def expand_plan_with_notes(
    spec: PlanSpec, *, today: date | None = None, declared: Mapping[date, str] | None = None
) -> PlanExpansion:
    """The plan's check-ins and notes. A date on a weekend or holiday (the package's public and
    government ones and the ``declared`` days) moves to the next working day; one that would
    then pass the end date moves back to the last working day before it instead; windows
    that a move made overlap are shortened so that one check-in is open at a time."""
    spec.validate(today)
    # One more year: a date late in December can move into January.
    holiday_names = thai_holidays(range(spec.start_date.year, spec.end_date.year + 2), declared)
    by_due: dict[date, PlannedCheckIn] = {}
    notes: list[PlanNote] = []
    for nominal in _nominal_dates(spec):
        due = next_working_day(nominal, holiday_names)
        if due > spec.end_date:
            due = previous_working_day(nominal, holiday_names)
            if due < spec.start_date or due in by_due:
                notes.append(_dropped_at_end(nominal, spec.end_date))
                continue
            notes.append(_kept_inside_end(nominal, due, spec.end_date))
        if due in by_due:  # two nominal dates landed on one working day: one visit is enough
            continue
        moved_reason = None
        if due != nominal:
            moved_reason = holiday_names.get(nominal, WEEKEND)
        by_due[due] = PlannedCheckIn(
            due_date=due,
            nominal_date=nominal,
            moved_reason=moved_reason,
            opens_at=local_midnight_utc(due - timedelta(days=spec.window_opens_days_before)),
            due_at=end_of_local_day_utc(due),
            closes_at=end_of_local_day_utc(due + timedelta(days=spec.grace_days)),
        )
    planned, shortened = keep_windows_apart(sorted(by_due.values(), key=lambda p: p.due_date))
    notes += [_shortened(earlier, later) for earlier, later in shortened]
    if not planned:
        notes.append(
            PlanNote(
                "warning",
                "empty",
                "this plan asks for no check-in between its start and end dates: the person "
                "gets no reminder and nothing can be missed",
                "แผนนี้ไม่มีวันรายงานตัวระหว่างวันเริ่มต้นและวันสิ้นสุด ผู้ถูกปล่อยตัวจะไม่ได้รับ SMS "
                "เตือนและจะไม่มีการขาดรายงานตัว",
            )
        )
    elif planned[-1].due_date < spec.end_date:
        last = planned[-1].due_date
        notes.append(
            PlanNote(
                "info",
                "end",
                f"reporting ends on {spec.end_date.isoformat()}; the last check-in is on "
                f"{last.isoformat()}, and its reminders say it is the last",
                f"การรายงานตัวสิ้นสุดวันที่ {format_thai_date(spec.end_date)} ครั้งสุดท้ายคือ "
                f"{format_thai_date(last)} และ SMS เตือนจะบอกว่าเป็นครั้งสุดท้าย",
            )
        )
    return PlanExpansion(planned, notes)


def keep_windows_apart(
    planned: list[PlannedCheckIn],
) -> tuple[list[PlannedCheckIn], list[tuple[date, date]]]:
    """Shorten windows that overlap (after holiday moves) so that at any instant at most one
    check-in is open: the earlier one's grace ends when the later one opens, and the later one
    opens no earlier than the end of the earlier one's due day. Returns the check-ins by due
    date and the (earlier, later) due dates of each pair adjusted."""
    kept: list[PlannedCheckIn] = []
    adjusted: list[tuple[date, date]] = []
    for p in planned:
        if kept and p.opens_at < kept[-1].closes_at:
            earlier = kept[-1]
            opens_at = max(p.opens_at, earlier.due_at)
            kept[-1] = replace(earlier, closes_at=opens_at)
            p = replace(p, opens_at=opens_at)
            adjusted.append((earlier.due_date, p.due_date))
        kept.append(p)
    return kept, adjusted


def _shortened(earlier: date, later: date) -> PlanNote:
    return PlanNote(
        "info",
        "window_shortened",
        f"the check-ins of {earlier.isoformat()} and {later.isoformat()} came too close after "
        "a holiday move: the first one's grace ends when the second one opens",
        f"การรายงานตัว {format_thai_date(earlier)} และ {format_thai_date(later)} ใกล้กันเกินไป"
        "หลังเลื่อนวันหยุด ช่วงผ่อนผันของครั้งแรกจะสิ้นสุดเมื่อครั้งที่สองเปิด",
    )


def _kept_inside_end(nominal: date, due: date, end: date) -> PlanNote:
    return PlanNote(
        "info",
        "kept_inside_end",
        f"{nominal.isoformat()} is not a working day and the next one is after the end date "
        f"({end.isoformat()}): the check-in is on {due.isoformat()}, the working day before",
        f"{format_thai_date(nominal)} ไม่ใช่วันทำการ และวันทำการถัดไปเลยวันสิ้นสุดแผน "
        f"({format_thai_date(end)}) จึงรายงานตัววันที่ {format_thai_date(due)} ซึ่งเป็นวันทำการก่อนหน้า",
    )


def _dropped_at_end(nominal: date, end: date) -> PlanNote:
    return PlanNote(
        "warning",
        "dropped_at_end",
        f"{nominal.isoformat()} is not a working day and no working day is left for it before "
        f"the end date ({end.isoformat()}): there is no check-in for it",
        f"{format_thai_date(nominal)} ไม่ใช่วันทำการ และไม่มีวันทำการเหลือก่อนวันสิ้นสุดแผน "
        f"({format_thai_date(end)}) จึงไม่มีการรายงานตัวสำหรับวันนั้น",
    )


def initial_status(planned: PlannedCheckIn, now: datetime) -> CheckInStatus:
    """Return the status a check-in should start with at the aware instant ``now``."""
    if now < planned.opens_at:
        return CheckInStatus.UPCOMING
    if now < planned.due_at:
        return CheckInStatus.OPEN
    if now < planned.closes_at:
        return CheckInStatus.LATE
    return CheckInStatus.MISSED


@dataclass(frozen=True)
class ExistingCheckIn:
    """A stored check-in, as much of it as re-planning needs."""

    id: int
    due_date: date
    status: CheckInStatus
    opens_at: datetime


@dataclass(frozen=True)
class ReplanResult:
    """What to do with stored check-ins when a plan changes."""

    keep_ids: list[int]
    delete_ids: list[int]
    update: list[tuple[int, PlannedCheckIn]]
    create: list[PlannedCheckIn]


def is_frozen(existing: ExistingCheckIn, now: datetime) -> bool:
    """Say whether re-planning must leave ``existing`` alone: its window opened or it has moved on."""
    return existing.status != CheckInStatus.UPCOMING or existing.opens_at <= now


def replan(
    existing: Iterable[ExistingCheckIn], planned: Iterable[PlannedCheckIn], now: datetime
) -> ReplanResult:
    """Match stored check-ins against a new plan without touching history."""
    existing = list(existing)
    planned_by_due = {p.due_date: p for p in planned}
    frozen = [e for e in existing if is_frozen(e, now)]
    # A person is never asked to report twice on one day, and a past record is never rewritten.
    taken = {e.due_date for e in frozen}
    update: list[tuple[int, PlannedCheckIn]] = []
    delete_ids: list[int] = []
    for e in sorted((e for e in existing if not is_frozen(e, now)), key=lambda e: e.id):
        new = planned_by_due.get(e.due_date)
        if new is None or e.due_date in taken:
            delete_ids.append(e.id)
        else:
            update.append((e.id, new))
            taken.add(e.due_date)
    # A check-in whose window has already closed would be born missed: never create one.
    create = [p for d, p in sorted(planned_by_due.items()) if d not in taken and p.closes_at > now]
    return ReplanResult(
        keep_ids=sorted(e.id for e in frozen),
        delete_ids=sorted(delete_ids),
        update=sorted(update, key=lambda pair: pair[1].due_date),
        create=create,
    )


MOVED_BY_OFFICER = "moved by the officer"
ADDED_BY_OFFICER = "added by the officer"


@dataclass(frozen=True)
class Adjustments:
    """An officer's changes to single check-ins of a plan, kept with the plan so that expanding
    it again (a declared holiday, a reopened case) keeps them: due dates moved (old -> new),
    cancelled, or added."""

    moved: tuple[tuple[date, date], ...] = ()
    cancelled: tuple[date, ...] = ()
    added: tuple[date, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "moved": [[a.isoformat(), b.isoformat()] for a, b in self.moved],
            "cancelled": [d.isoformat() for d in self.cancelled],
            "added": [d.isoformat() for d in self.added],
        }

    @classmethod
    def from_json(cls, raw: object) -> Adjustments:
        if not isinstance(raw, dict):
            return cls()
        return cls(
            moved=tuple(
                (date.fromisoformat(a), date.fromisoformat(b)) for a, b in raw.get("moved", [])
            ),
            cancelled=tuple(date.fromisoformat(d) for d in raw.get("cancelled", [])),
            added=tuple(date.fromisoformat(d) for d in raw.get("added", [])),
        )


def single_check_in(spec: PlanSpec, due: date, reason: str) -> PlannedCheckIn:
    """A check-in on ``due`` with the plan's window (an officer's single one)."""
    return PlannedCheckIn(
        due_date=due,
        nominal_date=due,
        moved_reason=reason,
        opens_at=local_midnight_utc(due - timedelta(days=spec.window_opens_days_before)),
        due_at=end_of_local_day_utc(due),
        closes_at=end_of_local_day_utc(due + timedelta(days=spec.grace_days)),
    )


def apply_adjustments(
    spec: PlanSpec, planned: list[PlannedCheckIn], adjustments: Adjustments
) -> list[PlannedCheckIn]:
    """The plan's check-ins with the officer's single changes: moved ones on their new day
    (the date they were moved from kept as `nominal_date`), cancelled ones gone, added ones
    in; one per day, by due date, windows kept apart."""
    moved = dict(adjustments.moved)
    cancelled = set(adjustments.cancelled)
    by_due: dict[date, PlannedCheckIn] = {}
    for p in planned:
        if p.due_date in cancelled:
            continue
        if p.due_date in moved:
            new = moved[p.due_date]
            p = replace(single_check_in(spec, new, MOVED_BY_OFFICER), nominal_date=p.due_date)
        by_due.setdefault(p.due_date, p)
    for d in adjustments.added:
        by_due.setdefault(d, single_check_in(spec, d, ADDED_BY_OFFICER))
    kept, _ = keep_windows_apart(sorted(by_due.values(), key=lambda p: p.due_date))
    return kept


def check_single_date(
    spec: PlanSpec,
    dates: Iterable[date],
    new: date,
    *,
    today: date,
    holidays_then: Mapping[date, str],
    ignoring: date | None = None,
) -> None:
    """Refuse a single check-in's new date that breaks a rule, naming `due_date`: in the past,
    not a working day (saying the next one), a day that already has one, or a window that
    would meet a neighbour's."""
    if new <= today:
        raise InvalidInput("due_date", "must be after today", "ต้องเป็นวันหลังจากวันนี้")
    if not is_working_day(new, holidays_then):
        after = next_working_day(new, holidays_then)
        why = holidays_then.get(new, WEEKEND)
        raise InvalidInput(
            "due_date",
            f"{new.isoformat()} is not a working day ({why}); the next is {after.isoformat()}",
            f"{format_thai_date(new)} ไม่ใช่วันทำการ วันทำการถัดไปคือ {format_thai_date(after)}",
        )
    others = [d for d in dates if d != ignoring]
    if new in others:
        raise InvalidInput(
            "due_date",
            f"there is a check-in on {new.isoformat()} already",
            f"มีการรายงานตัววันที่ {format_thai_date(new)} อยู่แล้ว",
        )
    span = spec.window_span_days
    near = [d for d in others if abs((d - new).days) <= span]
    if near:
        raise InvalidInput(
            "due_date",
            f"{new.isoformat()} is {abs((near[0] - new).days)} day(s) from the check-in of "
            f"{near[0].isoformat()}: their windows ({spec.window_opens_days_before} day(s) "
            f"before, {spec.grace_days} grace) would meet",
            f"{format_thai_date(new)} ใกล้การรายงานตัววันที่ {format_thai_date(near[0])} เกินไป "
            "ช่วงรายงานตัวจะซ้อนกัน",
        )
