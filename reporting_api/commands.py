"""What services take: the commands of each operation, as typed values that live with the
core, not with an edge.

The JSON API uses these Structs as request bodies (their constraints show in OpenAPI and are
checked as the body is decoded); the officers' pages read the same fields from their forms
(`admin_ui/forms.py`); services check the rules the types cannot express and raise
`reporting_api.errors` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

from reporting_api.statuses import (
    CaseStatusName,
    CheckInStatusName,
    ClosingStatus,
    FlagStateName,
    LanguageCode,
    PlanKindName,
    RoleName,
)

__all__ = [
    "CaseStatusName",
    "CheckInStatusName",
    "ClosingStatus",
    "FlagStateName",
    "LanguageCode",
    "PlanKindName",
    "RoleName",
]

ShortText = Annotated[str, Meta(min_length=1, max_length=200)]
Name = Annotated[str, Meta(min_length=1, max_length=100)]
Note = Annotated[str, Meta(max_length=2000)]
RequiredNote = Annotated[str, Meta(min_length=1, max_length=2000)]
Password = Annotated[str, Meta(min_length=1, max_length=200)]
NewPassword = Annotated[str, Meta(min_length=1, max_length=1000)]
"""A password being set: its rule (length 12 to 128, not easy to guess) is
`passwords.password_problem`, which names the reason in Thai and English."""
Id = Annotated[int, Meta(ge=1, le=2**31 - 1)]

# --- offices and staff ---------------------------------------------------------------


class OfficeCreate(Struct, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
    name_th: ShortText
    name_en: ShortText
    province_th: ShortText | None = None
    province_en: ShortText | None = None
    region: Annotated[str, Meta(max_length=16)] | None = None
    phone: Annotated[str, Meta(max_length=32)] | None = None


class OfficeUpdate(Struct, forbid_unknown_fields=True):
    name_th: ShortText | None = None
    name_en: ShortText | None = None
    phone: Annotated[str, Meta(max_length=32)] | None = None


class StaffCreate(Struct, forbid_unknown_fields=True):
    username: Annotated[str, Meta(min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$")]
    display_name: ShortText
    role: RoleName
    office_id: Id
    password: NewPassword
    phone: Annotated[str, Meta(max_length=32)] | None = None
    """Thai mobile number for SMS alerts about flags (optional)."""
    email: Annotated[str, Meta(max_length=254)] | None = None
    """An e-mail address for alerts about flags (optional; the member chooses the channel)."""


class StaffUpdate(Struct, forbid_unknown_fields=True):
    display_name: ShortText | None = None
    role: RoleName | None = None
    office_id: Id | None = None
    active: bool | None = None
    password: NewPassword | None = None
    phone: Annotated[str, Meta(max_length=32)] | None = None
    """A Thai mobile number for SMS alerts; an empty string removes it."""
    email: Annotated[str, Meta(max_length=254)] | None = None
    """An e-mail address for alerts; an empty string removes it."""


# --- people, cases and plans ------------------------------------------------------------


class DefendantUpdate(Struct, forbid_unknown_fields=True):
    title_th: Annotated[str, Meta(max_length=32)] | None = None
    first_name_th: Name | None = None
    last_name_th: Name | None = None
    first_name_en: Annotated[str, Meta(max_length=100)] | None = None
    last_name_en: Annotated[str, Meta(max_length=100)] | None = None
    date_of_birth: date | None = None
    phone: Annotated[str, Meta(min_length=1, max_length=32)] | None = None
    preferred_language: LanguageCode | None = None
    sms_opt_out: bool | None = None
    sex: Literal["male", "female", "not_stated"] | None = None


@dataclass(frozen=True, kw_only=True)
class NewDefendant:
    """A person to enrol, as the enrolment form gives them (the ID-card photo travels
    beside it as bytes)."""

    national_id: str
    first_name_th: str
    last_name_th: str
    date_of_birth: date
    phone: str
    consent: bool
    title_th: str = ""
    first_name_en: str | None = None
    last_name_en: str | None = None
    preferred_language: str = "th"
    office_id: Id | None = None
    sex: str | None = None
    """`male`, `female` or `not_stated`; empty: what the title says (`demographics`)."""


class CaseCreate(Struct, forbid_unknown_fields=True):
    defendant_id: Id
    court: ShortText
    black_case_number: Annotated[str, Meta(min_length=1, max_length=64)]
    charge: Annotated[str, Meta(min_length=1, max_length=2000)]
    bail_amount: Decimal
    release_date: date
    office_id: Id | None = None
    officer_id: Id | None = None
    red_case_number: Annotated[str, Meta(max_length=64)] | None = None
    fund_request_ref: Annotated[str, Meta(max_length=64)] | None = None
    conditions: Note = ""
    next_court_date: date | None = None


class CaseClose(Struct, forbid_unknown_fields=True):
    status: ClosingStatus
    outcome: RequiredNote


class PlanIn(Struct, forbid_unknown_fields=True):
    kind: PlanKindName
    start_date: date
    end_date: date
    every_days: Annotated[int, Meta(ge=1, le=365)] | None = None
    dates: Annotated[list[date], Meta(max_length=400)] = msgspec.field(default_factory=list)
    window_opens_days_before: Annotated[int, Meta(ge=0, le=60)] = 0
    grace_days: Annotated[int, Meta(ge=0, le=30)] = 0


# --- a person's record as a whole (docs/privacy.md) ----------------------------------------


ErasureMode = Literal["anonymise", "erase"]


class LegalHoldIn(Struct, forbid_unknown_fields=True):
    """Keep everything of the person (no purge, no erasure) until the hold is lifted."""

    reason: RequiredNote


class ErasureIn(Struct, forbid_unknown_fields=True):
    """Remove a person whose cases are all closed: `anonymise` keeps their cases' figures for
    statistics without anything that names them; `erase` deletes them and all of it."""

    mode: ErasureMode
    reason: RequiredNote


# --- queries --------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows to list; None matches any."""

    entity: str | None = None
    entity_id: str | None = None
    actor_id: int | None = None
    action: str | None = None


# --- holidays the cabinet declares (docs/planning.md) ------------------------------------


HolidayName = Annotated[str, Meta(min_length=1, max_length=200)]


class HolidayIn(Struct, forbid_unknown_fields=True):
    """A day the cabinet declared a public holiday, with its names."""

    day: date
    name_th: HolidayName
    name_en: HolidayName


# --- operations on a case after it is opened (docs/officers-guide.md) ----------------------


class CaseReopen(Struct, forbid_unknown_fields=True):
    """Open a closed case again: why (recorded)."""

    reason: RequiredNote


class CaseTransfer(Struct, forbid_unknown_fields=True):
    """Move a case to another office (its officer there, or the office's first officer)."""

    office_id: Annotated[int, Meta(ge=1, le=2_147_483_647)]
    reason: RequiredNote
    officer_id: Annotated[int, Meta(ge=1, le=2_147_483_647)] | None = None


class CaseReassign(Struct, forbid_unknown_fields=True):
    """Give a case to another officer of its office."""

    officer_id: Annotated[int, Meta(ge=1, le=2_147_483_647)]
    reason: Note = ""


class PhoneChange(Struct, forbid_unknown_fields=True):
    """The person's new mobile number (Thai mobile, any common spelling)."""

    phone: Annotated[str, Meta(min_length=1, max_length=32)]


# --- court hearings (docs/hearings.md) ------------------------------------------------------

HearingTime = Annotated[str, Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
HearingResultName = Literal["attended", "absent", "postponed"]


class HearingIn(Struct, forbid_unknown_fields=True):
    """A court hearing: the day and the time in Bangkok (HH:MM), the court, room, purpose."""

    day: date
    time: HearingTime
    court: ShortText
    room: Annotated[str, Meta(max_length=64)] | None = None
    purpose: Annotated[str, Meta(max_length=500)] = ""


class HearingResultIn(Struct, forbid_unknown_fields=True):
    """What happened at a hearing; a postponement gives the next hearing's day and time."""

    result: HearingResultName
    note: Note = ""
    next_day: date | None = None
    next_time: HearingTime | None = None


class CheckInMove(Struct, forbid_unknown_fields=True):
    """Move one check-in not yet opened to another working day."""

    due_date: date
    reason: RequiredNote


class CheckInAdd(Struct, forbid_unknown_fields=True):
    """Add one check-in to a case's plan."""

    due_date: date
    reason: RequiredNote


class CheckInCancel(Struct, forbid_unknown_fields=True):
    """Cancel one check-in not yet opened."""

    reason: RequiredNote


class NoteIn(Struct, forbid_unknown_fields=True):
    """An officer's note on a person, optionally about one of their cases."""

    text: RequiredNote
    case_id: Annotated[int, Meta(ge=1, le=2_147_483_647)] | None = None


class NoteStrike(Struct, forbid_unknown_fields=True):
    """Strike a note through: why (the note stays, as history)."""

    reason: RequiredNote
