"""The vocabularies of the service, and the one table of allowed check-in status changes."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from reporting_api.errors import TransitionNotAllowed

# The same vocabularies as Literal types, for typed rows and the API's schemas.
RoleName = Literal["officer", "manager", "admin"]
LanguageCode = Literal["th", "en"]
CaseStatusName = Literal["active", "concluded", "absconded", "revoked"]
ClosingStatus = Literal["concluded", "absconded", "revoked"]
CheckInStatusName = Literal[
    "upcoming", "open", "verified", "pending_review", "late", "missed", "excused", "held"
]
CheckInMethodName = Literal["remote", "in_person", "video_call"]
PlanKindName = Literal["interval", "dates"]
FlagStateName = Literal["open", "acknowledged", "resolved", "all"]
ReminderStatusName = Literal[
    "queued", "sending", "sent", "delivered", "undelivered", "failed", "cancelled", "skipped"
]


class CheckInStatus(StrEnum):
    """Where one dated check-in stands."""

    UPCOMING = "upcoming"  # the window has not opened yet
    OPEN = "open"  # the window is open and no verified check-in yet
    VERIFIED = "verified"  # checked in: remotely verified or recorded in person
    PENDING_REVIEW = "pending_review"  # a remote attempt waits for an officer
    LATE = "late"  # the due date has passed, still inside the grace days, not checked in
    MISSED = "missed"  # the window closed without a verified check-in
    EXCUSED = "excused"  # an officer excused it
    HELD = "held"  # the window closed while the person's request waited for an officer


_S = CheckInStatus

ALLOWED_TRANSITIONS: Mapping[CheckInStatus, frozenset[CheckInStatus]] = MappingProxyType(
    {
        # An officer may record an early in-person check-in before the window opens.
        _S.UPCOMING: frozenset({_S.OPEN, _S.EXCUSED, _S.VERIFIED}),
        _S.OPEN: frozenset(
            {_S.VERIFIED, _S.PENDING_REVIEW, _S.LATE, _S.MISSED, _S.EXCUSED, _S.HELD}
        ),
        # Back to open: the officer rejected the attempt and the person has retries left.
        _S.PENDING_REVIEW: frozenset({_S.VERIFIED, _S.OPEN, _S.LATE, _S.MISSED, _S.EXCUSED}),
        _S.LATE: frozenset({_S.VERIFIED, _S.PENDING_REVIEW, _S.MISSED, _S.EXCUSED, _S.HELD}),
        # A request held it out of "missed": the officer's decision excuses it (or moves it:
        # excused here, a new check-in on the new date), or releases it to be judged (late,
        # then missed by the sweep); a late in-person check-in can still be recorded.
        _S.HELD: frozenset({_S.VERIFIED, _S.EXCUSED, _S.LATE}),
        # A wrong "missed" can send someone back to custody, so an officer can always
        # overturn it after review or record a late in-person check-in.
        _S.MISSED: frozenset({_S.VERIFIED, _S.EXCUSED}),
        _S.VERIFIED: frozenset(),
        _S.EXCUSED: frozenset(),
    }
)

COMPLETED: frozenset[CheckInStatus] = frozenset({_S.VERIFIED, _S.EXCUSED})
OUTSTANDING: frozenset[CheckInStatus] = frozenset({_S.OPEN, _S.PENDING_REVIEW, _S.LATE})


def status_name(status: CheckInStatus) -> CheckInStatusName:
    """The status as its Literal name (the enum's values are exactly those names)."""
    return status.value


def can_transition(current: CheckInStatus, target: CheckInStatus) -> bool:
    """Say whether a check-in may move from ``current`` to ``target``."""
    return CheckInStatus(target) in ALLOWED_TRANSITIONS[CheckInStatus(current)]


def ensure_transition(current: CheckInStatus, target: CheckInStatus) -> None:
    """Raise TransitionNotAllowed unless a check-in may move from ``current`` to ``target``."""
    if not can_transition(current, target):
        raise TransitionNotAllowed(str(current), str(target))


class CaseStatus(StrEnum):
    """Where a bail case stands."""

    ACTIVE = "active"
    CONCLUDED = "concluded"
    ABSCONDED = "absconded"
    REVOKED = "revoked"


class FlagKind(StrEnum):
    """Why a flag was raised for an officer."""

    MISSED_CHECKIN = "missed_checkin"
    FAILED_VERIFICATION = "failed_verification"
    UNREACHABLE_PHONE = "unreachable_phone"
    IDENTITY_LOCKOUT = "identity_lockout"
    HEARING_ABSENT = "hearing_absent"
    REVIEW_OVERDUE = "review_overdue"  # a recording waited for review past its deadline
    REQUEST_OVERDUE = "request_overdue"  # a person's request waited past its deadline
    OTHER = "other"


def flag_detail(th: str, en: str) -> str:
    """A flag's detail as officers read it: Thai first, then English on a line of its own."""
    return f"{th}\n{en}"


class Severity(StrEnum):
    """How urgently a flag needs attention."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Role(StrEnum):
    """What a staff account may do."""

    OFFICER = "officer"
    MANAGER = "manager"
    ADMIN = "admin"


class CheckInMethod(StrEnum):
    """How a check-in was made."""

    REMOTE = "remote"
    IN_PERSON = "in_person"
    VIDEO_CALL = "video_call"  # an officer saw the person on a video call


class PlanKind(StrEnum):
    """How a reporting plan sets its dates."""

    INTERVAL = "interval"  # every N days after the start date
    DATES = "dates"  # explicit dates, e.g. court appearances


class Language(StrEnum):
    """The language a person reads messages in."""

    TH = "th"
    EN = "en"
