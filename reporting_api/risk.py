"""The absconding-risk score: documented points for a case's facts, and why each was given.

A starting point to be calibrated on the backtest (docs/reports.md), not a validated model.
A score orders an officer's attention; it never sanctions anyone by itself.

Every rule reads facts the store gathered as of one instant (now for active cases, the day a
case closed for the backtest); counts cover the last ``LOOKBACK_DAYS`` days before it. The
store ranks all active cases with the same rules written as SQL
(reporting_api/store/risk_scoring.py builds that SQL from the constants below, and tests check
both give the same points).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from reporting_api.thai_dates import bangkok_today, format_english_date, format_thai_date

LOOKBACK_DAYS = 180
"""Missed and late check-ins and verification flags count when due (raised) this recently."""

MISSED_POINTS = 15
"""Each check-in missed (window closed without a verified check-in) in the lookback."""
MISSED_CAP = 45
LATE_POINTS = 5
"""Each check-in verified after its due time (inside the grace days) in the lookback."""
LATE_CAP = 15
FAILED_VERIFICATION_POINTS = 10
"""Each failed remote verification flag whose check-in was not then verified or excused."""
FAILED_VERIFICATION_CAP = 20
SUSPICIOUS_VERIFICATION_POINTS = 15
"""Each high-severity verification flag (attack cues: replay, screen, print, impostor)."""
SUSPICIOUS_VERIFICATION_CAP = 30
IDENTITY_LOCKOUT_POINTS = 10
"""A check-in link locked after wrong identity answers, unless that check-in was then met."""
IDENTITY_LOCKOUT_CAP = 10
UNREACHABLE_PHONE_POINTS = 10
"""An open unreachable-phone flag, or the person's number blocked for SMS."""

QUIET_LONG_DAYS = 60
"""More than this many days since the last verified check-in (or since release, if none)..."""
QUIET_LONG_POINTS = 10
QUIET_DAYS = 30
"""... or more than this many days."""
QUIET_POINTS = 5

COURT_SOON_DAYS = 14
"""The next court date is today or within this many days..."""
COURT_SOON_POINTS = 10
COURT_NEAR_DAYS = 30
"""... or within this many days."""
COURT_NEAR_POINTS = 5

BAIL_HIGH_THB = 200_000
"""Bail paid by the fund of at least this many baht..."""
BAIL_HIGH_POINTS = 10
BAIL_LARGE_THB = 100_000
"""... or at least this many."""
BAIL_LARGE_POINTS = 5

MEDIUM_FROM = 20
"""A score of at least this is medium risk..."""
HIGH_FROM = 40
"""... and at least this, high risk."""

MISSED_COUNTED = MISSED_CAP // MISSED_POINTS
"""Missed check-ins beyond this many add nothing (the cap, as a count)."""
LATE_COUNTED = LATE_CAP // LATE_POINTS
FAILED_VERIFICATION_COUNTED = FAILED_VERIFICATION_CAP // FAILED_VERIFICATION_POINTS
SUSPICIOUS_VERIFICATION_COUNTED = SUSPICIOUS_VERIFICATION_CAP // SUSPICIOUS_VERIFICATION_POINTS
IDENTITY_LOCKOUT_COUNTED = IDENTITY_LOCKOUT_CAP // IDENTITY_LOCKOUT_POINTS


class Band(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


BANDS_LOW_TO_HIGH = (Band.LOW, Band.MEDIUM, Band.HIGH)
BAND_FROM = {Band.LOW: 0, Band.MEDIUM: MEDIUM_FROM, Band.HIGH: HIGH_FROM}


class Units(NamedTuple):
    """How much of each point-earning fact a case has, each count capped at its ``*_COUNTED``
    and each band 0 or 1: the factors both the hand-set points and a fitted model weigh
    (reporting_api/risk_model.py). A score is the sum of each unit times its weight."""

    missed: int
    late: int
    failed: int
    suspicious: int
    lockout: int
    unreachable: int
    quiet: int
    """More than ``QUIET_DAYS`` but at most ``QUIET_LONG_DAYS`` days without a verified check-in."""
    quiet_long: int
    court_soon: int
    court_near: int
    """A court date within ``COURT_NEAR_DAYS`` days but not within ``COURT_SOON_DAYS``."""
    bail_large: int
    """Bail of at least ``BAIL_LARGE_THB`` but under ``BAIL_HIGH_THB``."""
    bail_high: int


UNIT_NAMES: tuple[str, ...] = Units._fields
COUNTED = Units(
    missed=MISSED_COUNTED,
    late=LATE_COUNTED,
    failed=FAILED_VERIFICATION_COUNTED,
    suspicious=SUSPICIOUS_VERIFICATION_COUNTED,
    lockout=IDENTITY_LOCKOUT_COUNTED,
    unreachable=1,
    quiet=1,
    quiet_long=1,
    court_soon=1,
    court_near=1,
    bail_large=1,
    bail_high=1,
)
"""The most of each unit a case can have."""


class Weights(NamedTuple):
    """A version of the points: per unit of each fact (``Units``), and the bands' thresholds.
    ``HAND_SET`` is version 1; a manager may adopt fitted ones (docs/reports.md)."""

    missed: int
    late: int
    failed: int
    suspicious: int
    lockout: int
    unreachable: int
    quiet: int
    quiet_long: int
    court_soon: int
    court_near: int
    bail_large: int
    bail_high: int
    medium_from: int
    high_from: int

    def per_unit(self) -> Units:
        return Units(*self[: len(UNIT_NAMES)])


HAND_SET = Weights(
    missed=MISSED_POINTS,
    late=LATE_POINTS,
    failed=FAILED_VERIFICATION_POINTS,
    suspicious=SUSPICIOUS_VERIFICATION_POINTS,
    lockout=IDENTITY_LOCKOUT_POINTS,
    unreachable=UNREACHABLE_PHONE_POINTS,
    quiet=QUIET_POINTS,
    quiet_long=QUIET_LONG_POINTS,
    court_soon=COURT_SOON_POINTS,
    court_near=COURT_NEAR_POINTS,
    bail_large=BAIL_LARGE_POINTS,
    bail_high=BAIL_HIGH_POINTS,
    medium_from=MEDIUM_FROM,
    high_from=HIGH_FROM,
)
"""The hand-set points above: version 1."""


def band_of(points: int, weights: Weights = HAND_SET) -> Band:
    if points >= weights.high_from:
        return Band.HIGH
    if points >= weights.medium_from:
        return Band.MEDIUM
    return Band.LOW


def band_from(weights: Weights) -> dict[Band, int]:
    """The lowest score of each band under ``weights``."""
    return {Band.LOW: 0, Band.MEDIUM: weights.medium_from, Band.HIGH: weights.high_from}


@dataclass(frozen=True)
class CaseFacts:
    """What the score reads about one case, as of one instant."""

    release_date: date
    bail_amount: Decimal
    missed: int = 0
    last_missed_due: date | None = None
    late: int = 0
    last_late_due: date | None = None
    failed_verifications: int = 0
    suspicious_verifications: int = 0
    identity_lockouts: int = 0
    unreachable_phone: bool = False
    last_verified_on: date | None = None
    """The Bangkok day of the last verified check-in in the lookback (None: none)."""
    next_court_date: date | None = None


class Factor(NamedTuple):
    """One reason for points: (factor, points, explanation_en, explanation_th)."""

    factor: str
    points: int
    explanation_en: str
    explanation_th: str


@dataclass(frozen=True)
class RiskScore:
    points: int
    band: Band
    factors: tuple[Factor, ...]


def _dates(day: date) -> tuple[str, str]:
    return format_english_date(day), format_thai_date(day)


def _cap_note(points: int, count: int, counted: int) -> tuple[str, str]:
    if count > counted:
        return f" (capped at {points})", f" (สูงสุด {points} คะแนน)"
    return "", ""


def units(f: CaseFacts, today: date) -> Units:
    """The case's units of each fact as of the Bangkok day ``today`` (see ``Units``)."""
    quiet_days = (today - (f.last_verified_on or f.release_date)).days
    court_days = (f.next_court_date - today).days if f.next_court_date is not None else -1
    soon = 0 <= court_days <= COURT_SOON_DAYS
    return Units(
        missed=min(max(f.missed, 0), MISSED_COUNTED),
        late=min(max(f.late, 0), LATE_COUNTED),
        failed=min(max(f.failed_verifications, 0), FAILED_VERIFICATION_COUNTED),
        suspicious=min(max(f.suspicious_verifications, 0), SUSPICIOUS_VERIFICATION_COUNTED),
        lockout=min(max(f.identity_lockouts, 0), IDENTITY_LOCKOUT_COUNTED),
        unreachable=int(f.unreachable_phone),
        quiet=int(QUIET_DAYS < quiet_days <= QUIET_LONG_DAYS),
        quiet_long=int(quiet_days > QUIET_LONG_DAYS),
        court_soon=int(soon),
        court_near=int(not soon and 0 <= court_days <= COURT_NEAR_DAYS),
        bail_large=int(BAIL_LARGE_THB <= f.bail_amount < BAIL_HIGH_THB),
        bail_high=int(f.bail_amount >= BAIL_HIGH_THB),
    )


def points_of(u: Units, weights: Weights = HAND_SET) -> int:
    """The score of a case with units ``u`` under ``weights``."""
    return sum(n * w for n, w in zip(u, weights.per_unit(), strict=True))


def _lapses(
    code: str,
    count: int,
    each: int,
    counted: int,
    last_due: date | None,
    one: tuple[str, str],
    many: tuple[str, str],
) -> Factor | None:
    """Points for missed or late check-ins; the words name the latest one's due date."""
    points = min(max(count, 0), counted) * each
    if not points:
        return None
    en_cap, th_cap = _cap_note(points, count, counted)
    due_en, due_th = _dates(last_due) if last_due else ("?", "?")
    en, th = one if count == 1 else many
    fill = {"n": count, "days": LOOKBACK_DAYS}
    return Factor(
        code,
        points,
        en.format(due=due_en, **fill) + en_cap,
        th.format(due=due_th, **fill) + th_cap,
    )


def _missed(f: CaseFacts, w: Weights) -> Factor | None:
    return _lapses(
        "missed_checkin",
        f.missed,
        w.missed,
        MISSED_COUNTED,
        f.last_missed_due,
        one=("missed check-in due {due}", "ไม่มารายงานตัวตามกำหนด {due}"),
        many=(
            "{n} missed check-ins in the last {days} days, latest due {due}",
            "ไม่มารายงานตัว {n} ครั้งใน {days} วัน ล่าสุดกำหนด {due}",
        ),
    )


def _late(f: CaseFacts, w: Weights) -> Factor | None:
    return _lapses(
        "late_checkin",
        f.late,
        w.late,
        LATE_COUNTED,
        f.last_late_due,
        one=("checked in late for the check-in due {due}", "รายงานตัวล่าช้า กำหนด {due}"),
        many=(
            "checked in late {n} times in the last {days} days, latest due {due}",
            "รายงานตัวล่าช้า {n} ครั้งใน {days} วัน ล่าสุดกำหนด {due}",
        ),
    )


def _failed(f: CaseFacts, w: Weights) -> Factor | None:
    n = f.failed_verifications
    points = min(max(n, 0), FAILED_VERIFICATION_COUNTED) * w.failed
    if not points:
        return None
    en_cap, th_cap = _cap_note(points, n, FAILED_VERIFICATION_COUNTED)
    return Factor(
        "failed_verification",
        points,
        f"{n} failed face verification{'s' if n > 1 else ''} not settled by a verified "
        f"check-in{en_cap}",
        f"ยืนยันใบหน้าไม่ผ่าน {n} ครั้ง และยังไม่ได้รายงานตัวที่ยืนยันแล้วแทน{th_cap}",
    )


def _suspicious(f: CaseFacts, w: Weights) -> Factor | None:
    n = f.suspicious_verifications
    points = min(max(n, 0), SUSPICIOUS_VERIFICATION_COUNTED) * w.suspicious
    if not points:
        return None
    en_cap, th_cap = _cap_note(points, n, SUSPICIOUS_VERIFICATION_COUNTED)
    return Factor(
        "suspicious_verification",
        points,
        f"{n} check-in recording{'s' if n > 1 else ''} with signs of spoofing "
        f"(replay, screen, print or another face){en_cap}",
        f"พบสัญญาณการปลอมแปลงในวิดีโอรายงานตัว {n} ครั้ง (วิดีโอซ้ำ หน้าจอ ภาพพิมพ์ หรือใบหน้าอื่น){th_cap}",
    )


def _lockout(f: CaseFacts, w: Weights) -> Factor | None:
    n = f.identity_lockouts
    points = min(max(n, 0), IDENTITY_LOCKOUT_COUNTED) * w.lockout
    if not points:
        return None
    return Factor(
        "identity_lockout",
        points,
        f"check-in link locked after wrong identity answers ({n} time{'s' if n > 1 else ''})",
        f"ลิงก์รายงานตัวถูกล็อกเพราะตอบข้อมูลยืนยันตัวตนผิด ({n} ครั้ง)",
    )


def _unreachable(f: CaseFacts, w: Weights) -> Factor | None:
    if not f.unreachable_phone or not w.unreachable:
        return None
    return Factor(
        "unreachable_phone",
        w.unreachable,
        "phone unreachable: SMS cannot be delivered or the number is someone else's",
        "ติดต่อทางโทรศัพท์ไม่ได้ ส่ง SMS ไม่ถึงหรือเป็นเบอร์ของผู้อื่น",
    )


def _quiet(f: CaseFacts, today: date, w: Weights) -> Factor | None:
    since = f.last_verified_on or f.release_date
    days = (today - since).days
    if days > QUIET_LONG_DAYS:
        points = w.quiet_long
    elif days > QUIET_DAYS:
        points = w.quiet
    else:
        return None
    if not points:
        return None
    day_en, day_th = _dates(since)
    if f.last_verified_on is not None:
        en = f"{days} days since the last verified check-in ({day_en})"
        th = f"ไม่ได้รายงานตัวที่ยืนยันแล้วมา {days} วัน (ครั้งล่าสุด {day_th})"
    elif days <= LOOKBACK_DAYS:
        en = f"no verified check-in since release on {day_en} ({days} days)"
        th = f"ยังไม่มีการรายงานตัวที่ยืนยันแล้วตั้งแต่ปล่อยตัว {day_th} ({days} วัน)"
    else:
        en = f"no verified check-in in the last {LOOKBACK_DAYS} days"
        th = f"ไม่มีการรายงานตัวที่ยืนยันแล้วใน {LOOKBACK_DAYS} วันที่ผ่านมา"
    return Factor("no_verified_checkin", points, en, th)


def _court(f: CaseFacts, today: date, w: Weights) -> Factor | None:
    if f.next_court_date is None:
        return None
    days = (f.next_court_date - today).days
    if 0 <= days <= COURT_SOON_DAYS:
        points = w.court_soon
    elif 0 <= days <= COURT_NEAR_DAYS:
        points = w.court_near
    else:
        return None
    if not points:
        return None
    day_en, day_th = _dates(f.next_court_date)
    if days == 0:
        en, th = f"court date today ({day_en})", f"นัดศาลวันนี้ ({day_th})"
    else:
        en = f"next court date {day_en}, in {days} days"
        th = f"นัดศาลครั้งถัดไป {day_th} (อีก {days} วัน)"
    return Factor("court_date", points, en, th)


def _bail(f: CaseFacts, w: Weights) -> Factor | None:
    if f.bail_amount >= BAIL_HIGH_THB:
        points = w.bail_high
    elif f.bail_amount >= BAIL_LARGE_THB:
        points = w.bail_large
    else:
        return None
    if not points:
        return None
    amount = f"{f.bail_amount:,.2f}"
    return Factor(
        "bail_amount",
        points,
        f"{amount} baht of the fund's bail at risk",
        f"เงินประกันของกองทุนที่เสี่ยงสูญเสีย {amount} บาท",
    )


def assess(facts: CaseFacts, as_of: datetime, weights: Weights = HAND_SET) -> RiskScore:
    """The case's score as of the aware instant ``as_of`` under ``weights`` (the hand-set
    points unless a manager adopted others), with one factor per reason."""
    today = bangkok_today(as_of)
    found = (
        _missed(facts, weights),
        _late(facts, weights),
        _failed(facts, weights),
        _suspicious(facts, weights),
        _lockout(facts, weights),
        _unreachable(facts, weights),
        _quiet(facts, today, weights),
        _court(facts, today, weights),
        _bail(facts, weights),
    )
    factors = tuple(f for f in found if f is not None)
    points = sum(f.points for f in factors)
    return RiskScore(points=points, band=band_of(points, weights), factors=factors)


def describe_rules(weights: Weights = HAND_SET) -> list[tuple[str, str, str]]:
    """The rules in words, from ``weights`` (the constants above unless a manager adopted
    others): (factor, English, Thai)."""
    r, w = LOOKBACK_DAYS, weights
    return [
        (
            "missed_checkin",
            f"{w.missed:+d} each missed check-in in the last {r} days "
            f"(at most {w.missed * MISSED_COUNTED})",
            f"{w.missed:+d} ต่อการไม่มารายงานตัวแต่ละครั้งใน {r} วัน (สูงสุด {w.missed * MISSED_COUNTED})",
        ),
        (
            "late_checkin",
            f"{w.late:+d} each check-in verified after its due time in the last {r} days "
            f"(at most {w.late * LATE_COUNTED})",
            f"{w.late:+d} ต่อการรายงานตัวหลังกำหนดแต่ละครั้งใน {r} วัน (สูงสุด {w.late * LATE_COUNTED})",
        ),
        (
            "failed_verification",
            f"{w.failed:+d} each failed face verification not followed by a "
            f"verified or excused check-in (at most {w.failed * FAILED_VERIFICATION_COUNTED})",
            f"{w.failed:+d} ต่อการยืนยันใบหน้าไม่ผ่านที่ยังไม่ได้รายงานตัวสำเร็จหรือได้รับการยกเว้น "
            f"(สูงสุด {w.failed * FAILED_VERIFICATION_COUNTED})",
        ),
        (
            "suspicious_verification",
            f"{w.suspicious:+d} each recording with signs of spoofing "
            f"(at most {w.suspicious * SUSPICIOUS_VERIFICATION_COUNTED})",
            f"{w.suspicious:+d} ต่อวิดีโอที่มีสัญญาณการปลอมแปลง "
            f"(สูงสุด {w.suspicious * SUSPICIOUS_VERIFICATION_COUNTED})",
        ),
        (
            "identity_lockout",
            f"{w.lockout:+d} a check-in link locked after wrong identity answers",
            f"{w.lockout:+d} ลิงก์รายงานตัวถูกล็อกเพราะตอบข้อมูลยืนยันตัวตนผิด",
        ),
        (
            "unreachable_phone",
            f"{w.unreachable:+d} phone unreachable (open flag or number blocked for SMS)",
            f"{w.unreachable:+d} ติดต่อทางโทรศัพท์ไม่ได้ (มีการแจ้งเตือนค้างอยู่หรือเบอร์ถูกระงับ SMS)",
        ),
        (
            "no_verified_checkin",
            f"{w.quiet:+d} more than {QUIET_DAYS} days, {w.quiet_long:+d} more than "
            f"{QUIET_LONG_DAYS} days since the last verified check-in (or release)",
            f"{w.quiet:+d} เกิน {QUIET_DAYS} วัน, {w.quiet_long:+d} เกิน {QUIET_LONG_DAYS} วัน "
            "นับจากการรายงานตัวที่ยืนยันแล้วครั้งล่าสุด (หรือวันปล่อยตัว)",
        ),
        (
            "court_date",
            f"{w.court_soon:+d} next court date within {COURT_SOON_DAYS} days, "
            f"{w.court_near:+d} within {COURT_NEAR_DAYS} days",
            f"{w.court_soon:+d} นัดศาลภายใน {COURT_SOON_DAYS} วัน, {w.court_near:+d} ภายใน "
            f"{COURT_NEAR_DAYS} วัน",
        ),
        (
            "bail_amount",
            f"{w.bail_large:+d} bail of {BAIL_LARGE_THB:,} baht or more, "
            f"{w.bail_high:+d} of {BAIL_HIGH_THB:,} or more",
            f"{w.bail_large:+d} เงินประกันตั้งแต่ {BAIL_LARGE_THB:,} บาท, {w.bail_high:+d} "
            f"ตั้งแต่ {BAIL_HIGH_THB:,} บาท",
        ),
        (
            "bands",
            f"medium from {w.medium_from} points, high from {w.high_from}",
            f"ปานกลางตั้งแต่ {w.medium_from} คะแนน สูงตั้งแต่ {w.high_from} คะแนน",
        ),
    ]
