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


class Band(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


BANDS_LOW_TO_HIGH = (Band.LOW, Band.MEDIUM, Band.HIGH)
BAND_FROM = {Band.LOW: 0, Band.MEDIUM: MEDIUM_FROM, Band.HIGH: HIGH_FROM}


def band_of(points: int) -> Band:
    if points >= HIGH_FROM:
        return Band.HIGH
    if points >= MEDIUM_FROM:
        return Band.MEDIUM
    return Band.LOW


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


def _capped(count: int, each: int, cap: int) -> int:
    return min(max(count, 0) * each, cap)


def _dates(day: date) -> tuple[str, str]:
    return format_english_date(day), format_thai_date(day)


def _cap_note(points: int, count: int, each: int, cap: int) -> tuple[str, str]:
    if count * each > cap:
        return f" (capped at {points})", f" (สูงสุด {points} คะแนน)"
    return "", ""


def _lapses(
    code: str,
    count: int,
    each: int,
    cap: int,
    last_due: date | None,
    one: tuple[str, str],
    many: tuple[str, str],
) -> Factor | None:
    """Points for missed or late check-ins; the words name the latest one's due date."""
    points = _capped(count, each, cap)
    if not points:
        return None
    en_cap, th_cap = _cap_note(points, count, each, cap)
    due_en, due_th = _dates(last_due) if last_due else ("?", "?")
    en, th = one if count == 1 else many
    fill = {"n": count, "days": LOOKBACK_DAYS}
    return Factor(
        code,
        points,
        en.format(due=due_en, **fill) + en_cap,
        th.format(due=due_th, **fill) + th_cap,
    )


def _missed(f: CaseFacts) -> Factor | None:
    return _lapses(
        "missed_checkin",
        f.missed,
        MISSED_POINTS,
        MISSED_CAP,
        f.last_missed_due,
        one=("missed check-in due {due}", "ไม่มารายงานตัวตามกำหนด {due}"),
        many=(
            "{n} missed check-ins in the last {days} days, latest due {due}",
            "ไม่มารายงานตัว {n} ครั้งใน {days} วัน ล่าสุดกำหนด {due}",
        ),
    )


def _late(f: CaseFacts) -> Factor | None:
    return _lapses(
        "late_checkin",
        f.late,
        LATE_POINTS,
        LATE_CAP,
        f.last_late_due,
        one=("checked in late for the check-in due {due}", "รายงานตัวล่าช้า กำหนด {due}"),
        many=(
            "checked in late {n} times in the last {days} days, latest due {due}",
            "รายงานตัวล่าช้า {n} ครั้งใน {days} วัน ล่าสุดกำหนด {due}",
        ),
    )


def _failed(f: CaseFacts) -> Factor | None:
    n = f.failed_verifications
    points = _capped(n, FAILED_VERIFICATION_POINTS, FAILED_VERIFICATION_CAP)
    if not points:
        return None
    en_cap, th_cap = _cap_note(points, n, FAILED_VERIFICATION_POINTS, FAILED_VERIFICATION_CAP)
    return Factor(
        "failed_verification",
        points,
        f"{n} failed face verification{'s' if n > 1 else ''} not settled by a verified "
        f"check-in{en_cap}",
        f"ยืนยันใบหน้าไม่ผ่าน {n} ครั้ง และยังไม่ได้รายงานตัวที่ยืนยันแล้วแทน{th_cap}",
    )


def _suspicious(f: CaseFacts) -> Factor | None:
    n = f.suspicious_verifications
    points = _capped(n, SUSPICIOUS_VERIFICATION_POINTS, SUSPICIOUS_VERIFICATION_CAP)
    if not points:
        return None
    en_cap, th_cap = _cap_note(
        points, n, SUSPICIOUS_VERIFICATION_POINTS, SUSPICIOUS_VERIFICATION_CAP
    )
    return Factor(
        "suspicious_verification",
        points,
        f"{n} check-in recording{'s' if n > 1 else ''} with signs of spoofing "
        f"(replay, screen, print or another face){en_cap}",
        f"พบสัญญาณการปลอมแปลงในวิดีโอรายงานตัว {n} ครั้ง (วิดีโอซ้ำ หน้าจอ ภาพพิมพ์ หรือใบหน้าอื่น){th_cap}",
    )


def _lockout(f: CaseFacts) -> Factor | None:
    n = f.identity_lockouts
    points = _capped(n, IDENTITY_LOCKOUT_POINTS, IDENTITY_LOCKOUT_CAP)
    if not points:
        return None
    return Factor(
        "identity_lockout",
        points,
        f"check-in link locked after wrong identity answers ({n} time{'s' if n > 1 else ''})",
        f"ลิงก์รายงานตัวถูกล็อกเพราะตอบข้อมูลยืนยันตัวตนผิด ({n} ครั้ง)",
    )


def _unreachable(f: CaseFacts) -> Factor | None:
    if not f.unreachable_phone:
        return None
    return Factor(
        "unreachable_phone",
        UNREACHABLE_PHONE_POINTS,
        "phone unreachable: SMS cannot be delivered or the number is someone else's",
        "ติดต่อทางโทรศัพท์ไม่ได้ ส่ง SMS ไม่ถึงหรือเป็นเบอร์ของผู้อื่น",
    )


def _quiet(f: CaseFacts, today: date) -> Factor | None:
    since = f.last_verified_on or f.release_date
    days = (today - since).days
    if days > QUIET_LONG_DAYS:
        points = QUIET_LONG_POINTS
    elif days > QUIET_DAYS:
        points = QUIET_POINTS
    else:
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


def _court(f: CaseFacts, today: date) -> Factor | None:
    if f.next_court_date is None:
        return None
    days = (f.next_court_date - today).days
    if 0 <= days <= COURT_SOON_DAYS:
        points = COURT_SOON_POINTS
    elif 0 <= days <= COURT_NEAR_DAYS:
        points = COURT_NEAR_POINTS
    else:
        return None
    day_en, day_th = _dates(f.next_court_date)
    if days == 0:
        en, th = f"court date today ({day_en})", f"นัดศาลวันนี้ ({day_th})"
    else:
        en = f"next court date {day_en}, in {days} days"
        th = f"นัดศาลครั้งถัดไป {day_th} (อีก {days} วัน)"
    return Factor("court_date", points, en, th)


def _bail(f: CaseFacts) -> Factor | None:
    if f.bail_amount >= BAIL_HIGH_THB:
        points = BAIL_HIGH_POINTS
    elif f.bail_amount >= BAIL_LARGE_THB:
        points = BAIL_LARGE_POINTS
    else:
        return None
    amount = f"{f.bail_amount:,.2f}"
    return Factor(
        "bail_amount",
        points,
        f"{amount} baht of the fund's bail at risk",
        f"เงินประกันของกองทุนที่เสี่ยงสูญเสีย {amount} บาท",
    )


def assess(facts: CaseFacts, as_of: datetime) -> RiskScore:
    """The case's score as of the aware instant ``as_of``, with one factor per reason."""
    today = bangkok_today(as_of)
    found = (
        _missed(facts),
        _late(facts),
        _failed(facts),
        _suspicious(facts),
        _lockout(facts),
        _unreachable(facts),
        _quiet(facts, today),
        _court(facts, today),
        _bail(facts),
    )
    factors = tuple(f for f in found if f is not None)
    points = sum(f.points for f in factors)
    return RiskScore(points=points, band=band_of(points), factors=factors)


def describe_rules() -> list[tuple[str, str, str]]:
    """The rules in words, from the constants above: (factor, English, Thai)."""
    r = LOOKBACK_DAYS
    return [
        (
            "missed_checkin",
            f"+{MISSED_POINTS} each missed check-in in the last {r} days (at most {MISSED_CAP})",
            f"+{MISSED_POINTS} ต่อการไม่มารายงานตัวแต่ละครั้งใน {r} วัน (สูงสุด {MISSED_CAP})",
        ),
        (
            "late_checkin",
            f"+{LATE_POINTS} each check-in verified after its due time in the last {r} days "
            f"(at most {LATE_CAP})",
            f"+{LATE_POINTS} ต่อการรายงานตัวหลังกำหนดแต่ละครั้งใน {r} วัน (สูงสุด {LATE_CAP})",
        ),
        (
            "failed_verification",
            f"+{FAILED_VERIFICATION_POINTS} each failed face verification not followed by a "
            f"verified or excused check-in (at most {FAILED_VERIFICATION_CAP})",
            f"+{FAILED_VERIFICATION_POINTS} ต่อการยืนยันใบหน้าไม่ผ่านที่ยังไม่ได้รายงานตัวสำเร็จหรือได้รับการยกเว้น "
            f"(สูงสุด {FAILED_VERIFICATION_CAP})",
        ),
        (
            "suspicious_verification",
            f"+{SUSPICIOUS_VERIFICATION_POINTS} each recording with signs of spoofing "
            f"(at most {SUSPICIOUS_VERIFICATION_CAP})",
            f"+{SUSPICIOUS_VERIFICATION_POINTS} ต่อวิดีโอที่มีสัญญาณการปลอมแปลง "
            f"(สูงสุด {SUSPICIOUS_VERIFICATION_CAP})",
        ),
        (
            "identity_lockout",
            f"+{IDENTITY_LOCKOUT_POINTS} a check-in link locked after wrong identity answers",
            f"+{IDENTITY_LOCKOUT_POINTS} ลิงก์รายงานตัวถูกล็อกเพราะตอบข้อมูลยืนยันตัวตนผิด",
        ),
        (
            "unreachable_phone",
            f"+{UNREACHABLE_PHONE_POINTS} phone unreachable (open flag or number blocked for SMS)",
            f"+{UNREACHABLE_PHONE_POINTS} ติดต่อทางโทรศัพท์ไม่ได้ (มีการแจ้งเตือนค้างอยู่หรือเบอร์ถูกระงับ SMS)",
        ),
        (
            "no_verified_checkin",
            f"+{QUIET_POINTS} more than {QUIET_DAYS} days, +{QUIET_LONG_POINTS} more than "
            f"{QUIET_LONG_DAYS} days since the last verified check-in (or release)",
            f"+{QUIET_POINTS} เกิน {QUIET_DAYS} วัน, +{QUIET_LONG_POINTS} เกิน {QUIET_LONG_DAYS} วัน "
            "นับจากการรายงานตัวที่ยืนยันแล้วครั้งล่าสุด (หรือวันปล่อยตัว)",
        ),
        (
            "court_date",
            f"+{COURT_SOON_POINTS} next court date within {COURT_SOON_DAYS} days, "
            f"+{COURT_NEAR_POINTS} within {COURT_NEAR_DAYS} days",
            f"+{COURT_SOON_POINTS} นัดศาลภายใน {COURT_SOON_DAYS} วัน, +{COURT_NEAR_POINTS} ภายใน "
            f"{COURT_NEAR_DAYS} วัน",
        ),
        (
            "bail_amount",
            f"+{BAIL_LARGE_POINTS} bail of {BAIL_LARGE_THB:,} baht or more, "
            f"+{BAIL_HIGH_POINTS} of {BAIL_HIGH_THB:,} or more",
            f"+{BAIL_LARGE_POINTS} เงินประกันตั้งแต่ {BAIL_LARGE_THB:,} บาท, +{BAIL_HIGH_POINTS} "
            f"ตั้งแต่ {BAIL_HIGH_THB:,} บาท",
        ),
        (
            "bands",
            f"medium from {MEDIUM_FROM} points, high from {HIGH_FROM}",
            f"ปานกลางตั้งแต่ {MEDIUM_FROM} คะแนน สูงตั้งแต่ {HIGH_FROM} คะแนน",
        ),
    ]
