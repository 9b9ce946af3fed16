"""When reminders go out: a pure rule from a check-in's dates and an office's policy.

By default a person gets an SMS 3 days and 1 day before the due date and on the due day, each at
09:00 Bangkok time, and a follow-up the morning after a check-in was missed. Nothing is sent in
the quiet hours (21:00 to 09:00 Bangkok); a message due then waits until 09:00. Each reminder
also has an instant after which its words would be wrong ("tomorrow" read on the day itself),
and is skipped rather than sent late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from reporting_api.errors import InvalidInput
from reporting_api.thai_dates import BANGKOK, bangkok_today, end_of_local_day_utc

DEFAULT_OFFSETS_DAYS: tuple[int, ...] = (3, 1, 0)
DEFAULT_SEND_HOUR = 9
QUIET_START_HOUR = 21
QUIET_END_HOUR = 9
MAX_OFFSET_DAYS = 30
MAX_OFFSETS = 5
PLANNING_HORIZON_DAYS = MAX_OFFSET_DAYS + 15
"""A new check-in's reminders are written when it is created only if it is due within this
many days (Bangkok); the nightly housekeeping writes the others' as they come within it. Past
the longest offset (30 days) with two weeks to spare for a scheduler that was down, so no
reminder is ever planned late; an office's outbox holds weeks of reminders, not a year's."""
FOLLOW_UP_VALID_DAYS = 2
"""A missed-check-in follow-up still makes sense this many days after its planned morning."""

DUE_DAY = "due_day"
MISSED_FOLLOW_UP = "missed_followup"
OFFICER_ALERT = "officer_alert"
MANAGER_ALERT = "manager_alert"
STAFF_KINDS = frozenset({OFFICER_ALERT, MANAGER_ALERT})


def before_kind(days: int) -> str:
    """The kind of the reminder ``days`` before the due date (0 is the due day itself)."""
    return DUE_DAY if days == 0 else f"before_{days}d"


def days_before(kind: str) -> int | None:
    """The offset a before-the-due-date kind stands for; None for other kinds."""
    if kind == DUE_DAY:
        return 0
    if kind.startswith("before_") and kind.endswith("d"):
        return int(kind.removeprefix("before_").removesuffix("d"))
    return None


@dataclass(frozen=True)
class QuietHours:
    """Hours of the Bangkok day in which no SMS goes out: [start, 24) and [0, end)."""

    start_hour: int = QUIET_START_HOUR
    end_hour: int = QUIET_END_HOUR

    @property
    def enabled(self) -> bool:
        return self.start_hour != self.end_hour

    def contains(self, instant: datetime) -> bool:
        """Say whether the aware ``instant`` falls in the quiet hours."""
        if not self.enabled:
            return False
        hour = instant.astimezone(BANGKOK).hour
        if self.start_hour > self.end_hour:  # the usual case: across midnight
            return hour >= self.start_hour or hour < self.end_hour
        return self.start_hour <= hour < self.end_hour

    def next_allowed(self, instant: datetime) -> datetime:
        """``instant`` itself, or the end of the quiet hours it falls in (aware, UTC)."""
        if not self.contains(instant):
            return instant
        local = instant.astimezone(BANGKOK)
        day = local.date()
        if self.start_hour > self.end_hour and local.hour >= self.start_hour:
            day += timedelta(days=1)
        return _local_instant(day, self.end_hour)


NO_QUIET_HOURS = QuietHours(0, 0)


@dataclass(frozen=True)
class ReminderPolicy:
    """An office's reminder settings."""

    offsets_days: tuple[int, ...] = DEFAULT_OFFSETS_DAYS
    send_hour: int = DEFAULT_SEND_HOUR
    follow_up_missed: bool = True

    def validate(self, quiet: QuietHours = QuietHours()) -> None:
        """Raise InvalidInput naming the first setting that breaks a rule."""
        if len(self.offsets_days) > MAX_OFFSETS:
            raise InvalidInput(
                "offsets_days", "give at most 5 reminders", "ตั้งการแจ้งเตือนได้ไม่เกิน 5 ครั้ง"
            )
        if len(set(self.offsets_days)) != len(self.offsets_days):
            raise InvalidInput("offsets_days", "repeats a day", "มีวันซ้ำกัน")
        if any(not 0 <= d <= MAX_OFFSET_DAYS for d in self.offsets_days):
            raise InvalidInput(
                "offsets_days",
                "each offset must be from 0 (the due day) to 30 days",
                "แต่ละค่าต้องอยู่ระหว่าง 0 (วันครบกำหนด) ถึง 30 วัน",
            )
        hour_ok = 0 <= self.send_hour <= 23
        if not hour_ok or quiet.contains(_local_instant(date(2000, 1, 3), self.send_hour)):
            raise InvalidInput(
                "send_hour",
                f"must be an hour outside the quiet hours ({quiet.start_hour}:00 to {quiet.end_hour}:00)",
                f"ต้องเป็นเวลานอกช่วงงดส่ง ({quiet.start_hour}:00 ถึง {quiet.end_hour}:00 น.)",
            )


DEFAULT_POLICY = ReminderPolicy()


@dataclass(frozen=True)
class PlannedReminder:
    """One SMS to plan for a check-in: what, when, and until when it still makes sense."""

    kind: str
    due_at: datetime
    expires_at: datetime


def _local_instant(day: date, hour: int) -> datetime:
    """The UTC instant of ``hour``:00 on ``day`` in Bangkok."""
    return datetime.combine(day, time(hour, 0), tzinfo=BANGKOK).astimezone(UTC)


def local_instant(day: date, hour: int) -> datetime:
    """The UTC instant of ``hour``:00 on ``day`` in Bangkok."""
    return _local_instant(day, hour)


def plan_reminders(
    *,
    due_date: date,
    closes_at: datetime,
    now: datetime,
    policy: ReminderPolicy = DEFAULT_POLICY,
    quiet: QuietHours = QuietHours(),
) -> list[PlannedReminder]:
    """The reminders a check-in due on ``due_date`` should still get, planned at ``now``.

    A reminder whose day has passed is left out; one whose hour has passed today is due now
    (or at the end of the quiet hours, if that is still the same day).
    """
    planned: list[PlannedReminder] = []
    for offset in sorted(set(policy.offsets_days), reverse=True):
        day = due_date - timedelta(days=offset)
        planned.append(
            PlannedReminder(
                kind=before_kind(offset),
                due_at=_local_instant(day, policy.send_hour),
                # On the due day itself the person can still report until the day ends.
                expires_at=end_of_local_day_utc(day),
            )
        )
    if policy.follow_up_missed:
        # closes_at is 00:00 Bangkok after the last grace day: the follow-up goes that morning.
        morning = bangkok_today(closes_at)
        planned.append(
            PlannedReminder(
                kind=MISSED_FOLLOW_UP,
                due_at=_local_instant(morning, policy.send_hour),
                expires_at=end_of_local_day_utc(morning + timedelta(days=FOLLOW_UP_VALID_DAYS)),
            )
        )
    return [p for p in (_shift(p, now, quiet) for p in planned) if p is not None]


def _shift(p: PlannedReminder, now: datetime, quiet: QuietHours) -> PlannedReminder | None:
    due_at = quiet.next_allowed(max(p.due_at, now))
    if due_at >= p.expires_at:
        return None
    return PlannedReminder(kind=p.kind, due_at=due_at, expires_at=p.expires_at)


def retry_at(
    *,
    attempts: int,
    now: datetime,
    base_seconds: float,
    max_seconds: float,
    quiet: QuietHours,
    jitter: float = 0.0,
) -> datetime:
    """When to try again after ``attempts`` failed tries: exponential backoff, then the quiet
    hours. ``jitter`` in [-1, 1] spreads retries of many rows by up to a fifth either way."""
    delay = min(max_seconds, base_seconds * 2 ** max(attempts - 1, 0))
    delay *= 1 + 0.2 * max(-1.0, min(1.0, jitter))
    return quiet.next_allowed(now + timedelta(seconds=delay))


def policy_from(
    offsets_days: Sequence[int], send_hour: int, follow_up_missed: bool
) -> ReminderPolicy:
    return ReminderPolicy(
        offsets_days=tuple(int(d) for d in offsets_days),
        send_hour=int(send_hour),
        follow_up_missed=bool(follow_up_missed),
    )
