"""Court hearings: when their reminders go out and what they say (pure).

Reminders before a court date are what the evidence is about: in New York City, texts 7, 3 and
1 days before court cut failures to appear by about a fifth to a quarter (Fishbane, Ouss and
Shah, Science 2020). So a hearing gets an SMS 7, 3 and 1 days before (an office may set its
own days), at the office's send hour, never in the quiet hours and never after the hearing has
begun. A hearing is not a check-in: its SMS has no link, and names the court and the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from reporting_api.reminder_schedule import PlannedReminder, QuietHours, local_instant
from reporting_api.sms_templates import MAX_SEGMENTS, count_segments, english_due_date
from reporting_api.thai_dates import BANGKOK, end_of_local_day_utc, format_thai_date

DEFAULT_HEARING_OFFSETS: tuple[int, ...] = (7, 3, 1)
HEARING_PREFIX = "hearing_"
RESULTS = ("attended", "absent", "postponed")
ROOM_SHOWN = 10
"""A room is named in the SMS up to this many characters."""


def hearing_kind(days: int) -> str:
    """The kind of the reminder ``days`` before a hearing: `hearing_7d`."""
    return f"{HEARING_PREFIX}{days}d"


def hearing_days(kind: str) -> int | None:
    """The days before a hearing that ``kind`` stands for; None for other kinds."""
    if kind.startswith(HEARING_PREFIX) and kind.endswith("d"):
        digits = kind.removeprefix(HEARING_PREFIX).removesuffix("d")
        return int(digits) if digits.isdigit() else None
    return None


def plan_hearing_reminders(
    *,
    starts_at: datetime,
    now: datetime,
    offsets_days: Sequence[int] = DEFAULT_HEARING_OFFSETS,
    send_hour: int = 9,
    quiet: QuietHours = QuietHours(),
) -> list[PlannedReminder]:
    """The reminders a hearing at ``starts_at`` should still get, planned at ``now``: one per
    offset, at ``send_hour`` Bangkok that day (pushed out of the quiet hours), each valid to the
    end of its day and never past the hearing's start; those already too late are left out."""
    day_of_hearing = starts_at.astimezone(BANGKOK).date()
    planned: list[PlannedReminder] = []
    for days in sorted(set(offsets_days), reverse=True):
        day = day_of_hearing - timedelta(days=days)
        expires_at = min(end_of_local_day_utc(day), starts_at)
        due_at = quiet.next_allowed(max(local_instant(day, send_hour), now))
        if due_at < expires_at:
            planned.append(PlannedReminder(hearing_kind(days), due_at, expires_at))
    return planned


@dataclass(frozen=True)
class HearingText:
    """What a hearing reminder says, before it is put into words."""

    days: int
    language: str  # "th" or "en"
    office_name_th: str
    office_name_en: str
    court: str
    starts_at: datetime
    room: str | None = None


def render_hearing_reminder(h: HearingText) -> str:
    """The SMS for a hearing reminder, at most two segments: the court's name is cut (marked
    with an ellipsis) as far as needed, then the room left out; the office, the day and the
    time are never cut."""
    court = " ".join(h.court.split())
    more = "..." if h.language == "en" else "…"  # "…" is not GSM-7: English would turn UCS-2
    for room in (h.room, None):
        for n in range(len(court), 0, -1):
            shown = court if n == len(court) else court[:n].rstrip() + more
            text = _render(h, shown, room)
            if count_segments(text).segments <= MAX_SEGMENTS:
                return text
    return _render(h, more, None)


def _render(h: HearingText, court: str, room: str | None) -> str:
    return _english(h, court, room) if h.language == "en" else _thai(h, court, room)


def _when(days: int, thai: bool) -> str:
    if days == 1:
        return "พรุ่งนี้" if thai else "tomorrow"
    return f"อีก {days} วัน" if thai else f"in {days} days"


def _thai(h: HearingText, court: str, room_name: str | None) -> str:
    local = h.starts_at.astimezone(BANGKOK)
    room = f" ห้อง {room_name[:ROOM_SHOWN]}" if room_name else ""
    return (
        f"{h.office_name_th}: นัดศาล{_when(h.days, True)} {format_thai_date(local.date())} "
        f"{local:%H:%M} น. {court}{room} โปรดไปตามนัด"
    )


def _english(h: HearingText, court: str, room_name: str | None) -> str:
    local = h.starts_at.astimezone(BANGKOK)
    room = f", room {room_name[:ROOM_SHOWN]}" if room_name else ""
    return (
        f"{h.office_name_en}: your court hearing is {_when(h.days, False)}, "
        f"{english_due_date(local.date())} at {local:%H:%M}, {court}{room}. Please attend."
    )


def hearing_date(starts_at: datetime) -> date:
    """The Bangkok day of a hearing."""
    return starts_at.astimezone(BANGKOK).date()
