"""How one demo case unfolds: its check-ins one after another, the person's phone, its true
court hearings, and whether it ends concluded, revoked or absconded (the hidden hazard of
`hidden.py`). Pure: everything comes from the case's random stream."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from reporting_api.demo.catalog import Profile
from reporting_api.demo.hidden import RECENT_DAYS, HazardFacts, Person, chance_within, hazard
from reporting_api.demo.world import between
from reporting_api.planning import PlannedCheckIn
from reporting_api.statuses import CaseStatus, CheckInStatus
from reporting_api.thai_dates import local_midnight_utc

RECENT = timedelta(days=RECENT_DAYS)
"""The hazard's window for missed and late check-ins."""
BANGKOK_OFFSET = timedelta(hours=7)
"""Bangkok keeps UTC+7 all year: a UTC instant plus this is its Bangkok wall time."""
HEARING_GAP_DAYS = (45, 120)
"""Days between a case's true court hearings (interval plans; date plans are the hearings)."""
NOTICED_DAYS = (5, 40)
"""A case is closed as absconded this many days after the person went (warrant, report)."""
CONCLUDED_PER_MONTH = 0.016
"""The monthly chance a case is concluded by the court, from its fourth check-in on."""
REVOKED_AFTER_MISSES = 0.12
"""The chance bail is revoked after a check-in that leaves two or more recent misses."""
PHONE_LOST_PER_MONTH = 0.01
"""The monthly chance the person's phone becomes unreachable (once per case)."""
PHONE_FOUND_PER_MONTH = 0.5
"""The monthly chance an officer reaches the person again once it is."""


@dataclass
class Fate:
    """How the case stands at ``now``: status, when it closed, the check-ins it kept with
    their outcomes (status, when completed), and the phone's unreachable spell, if any."""

    status: CaseStatus = CaseStatus.ACTIVE
    closed_at: datetime | None = None
    kept: list[PlannedCheckIn] = field(default_factory=list)
    outcomes: list[tuple[CheckInStatus, datetime | None]] = field(default_factory=list)
    phone_lost_at: datetime | None = None
    phone_found_at: datetime | None = None
    gone_at: datetime | None = None
    """When the person absconded (a case still active if nobody noticed yet)."""


class Period(NamedTuple):
    """One stretch of a case between two check-ins' closes: the facts as it began, its
    length in days, and whether the person absconded in it."""

    facts: HazardFacts
    days: float
    went: bool


def hearings(
    rng: random.Random, release: date, court_dates: tuple[date, ...], until: date
) -> list[date]:
    """The case's true court hearings up to ``until``: a date plan's dates, or a hearing
    every few weeks to months from release."""
    if court_dates:
        return sorted(court_dates)
    found, day = [], release
    while day <= until:
        day += timedelta(days=rng.randint(*HEARING_GAP_DAYS))
        found.append(day)
    return found


def _outcome(
    rng: random.Random, p: PlannedCheckIn, now: datetime, profile: Profile, gone: bool
) -> tuple[CheckInStatus, datetime | None]:
    """The check-in's status at ``now``, and when it was completed (verified or excused)."""
    if now < p.opens_at:
        return CheckInStatus.UPCOMING, None
    roll = rng.random()
    if p.closes_at <= now:
        if gone or roll < profile.missed:
            return CheckInStatus.MISSED, None
        if roll < profile.missed + 0.02:
            return CheckInStatus.EXCUSED, between(rng, p.opens_at, p.due_at)
        if roll < profile.missed + 0.02 + profile.late:
            return CheckInStatus.VERIFIED, between(rng, p.due_at, p.closes_at)
        return CheckInStatus.VERIFIED, between(rng, p.opens_at, p.due_at)
    if gone:
        return (CheckInStatus.OPEN if now < p.due_at else CheckInStatus.LATE), None
    if now < p.due_at:  # the window is open
        if roll < 0.45:
            return CheckInStatus.VERIFIED, between(rng, p.opens_at, now)
        return (CheckInStatus.PENDING_REVIEW if roll < 0.5 else CheckInStatus.OPEN), None
    if roll < 0.55:  # past the due day, inside the grace days
        return CheckInStatus.VERIFIED, between(rng, p.opens_at, p.due_at)
    if roll < 0.65:
        return CheckInStatus.VERIFIED, between(rng, p.due_at, now)
    return (CheckInStatus.PENDING_REVIEW if roll < 0.7 else CheckInStatus.LATE), None


def _since(dues: list[datetime], at: datetime) -> int:
    """How many of the ascending ``dues`` fall in the ``RECENT`` window before ``at``."""
    return len(dues) - bisect.bisect_right(dues, at - RECENT)


def unfold(
    rng: random.Random,
    person: Person,
    profile: Profile,
    release: date,
    planned: list[PlannedCheckIn],
    court: list[date],
    now: datetime,
    *,
    sms: bool,
    trace: list[Period] | None = None,
) -> Fate:
    """Walk the case's check-ins in order. Between one check-in's close and the next one's,
    the person may lose their phone, the court may conclude the case, and the person may
    abscond with the chance `hidden.hazard` gives for that stretch; once gone, every check-in
    is missed until the case is closed as absconded, ``NOTICED_DAYS`` later. ``trace``, if
    given, receives each stretch the hazard was drawn for (a person-period table to fit)."""
    fate = Fate()
    start = local_midnight_utc(release)
    missed_dues: list[datetime] = []
    late_dues: list[datetime] = []
    missed = late = 0  # recent, as of ``start``
    for n, p in enumerate(planned):
        if p.closes_at > now or (fate.closed_at is not None and p.closes_at > fate.closed_at):
            break
        days = (p.closes_at - start).total_seconds() / 86_400
        if fate.phone_lost_at is None:
            if sms and rng.random() < chance_within(PHONE_LOST_PER_MONTH, days):
                fate.phone_lost_at = between(rng, start, p.closes_at)
        elif fate.phone_found_at is None:
            if rng.random() < chance_within(PHONE_FOUND_PER_MONTH, days):
                fate.phone_found_at = between(rng, max(start, fate.phone_lost_at), p.closes_at)
        if fate.gone_at is None and fate.closed_at is None:
            if n >= 3 and rng.random() < chance_within(CONCLUDED_PER_MONTH, days):
                fate.status, fate.closed_at = CaseStatus.CONCLUDED, between(rng, start, p.closes_at)
                break
            today = (start + BANGKOK_OFFSET).date()
            soon = bisect.bisect_left(court, today)
            facts = HazardFacts(
                person,
                missed=missed,
                late=late,
                unreachable_phone=fate.phone_lost_at is not None and fate.phone_found_at is None,
                days_to_court=(court[soon] - today).days if soon < len(court) else None,
            )
            went = rng.random() < chance_within(hazard(facts), days)
            if trace is not None:
                trace.append(Period(facts, days, went))
            if went:
                fate.gone_at = between(rng, start, p.closes_at)
                noticed = fate.gone_at + timedelta(days=rng.uniform(*NOTICED_DAYS))
                if noticed <= now:
                    fate.status, fate.closed_at = CaseStatus.ABSCONDED, noticed
                    if p.closes_at > noticed:
                        break
        status, completed = _outcome(rng, p, now, profile, fate.gone_at is not None)
        fate.kept.append(p)
        fate.outcomes.append((status, completed))
        if status == CheckInStatus.MISSED:
            missed_dues.append(p.due_at)
        elif completed is not None and completed > p.due_at and status == CheckInStatus.VERIFIED:
            late_dues.append(p.due_at)
        start = p.closes_at
        missed, late = _since(missed_dues, start), _since(late_dues, start)
        if fate.closed_at is None and fate.gone_at is None and missed >= 2:
            if rng.random() < REVOKED_AFTER_MISSES:
                closes = min(now, p.closes_at + timedelta(days=21))
                fate.status, fate.closed_at = CaseStatus.REVOKED, between(rng, p.closes_at, closes)
    if fate.closed_at is None:  # the check-ins not yet closed
        for p in planned[len(fate.kept) :]:
            fate.kept.append(p)
            fate.outcomes.append(_outcome(rng, p, now, profile, fate.gone_at is not None))
    return fate
