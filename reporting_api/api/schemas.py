"""Request and response types of the JSON API (msgspec Structs, so OpenAPI shows them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from msgspec import Meta, Struct

from reporting_api.commands import (
    CaseStatusName,
    CheckInStatusName,
    LanguageCode,
    NewPassword,
    Note,
    Password,
    PlanKindName,
    RequiredNote,
    RoleName,
)

T = TypeVar("T")


class Page(Struct, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


# --- auth -------------------------------------------------------------------------------


OneTimeCode = Annotated[str, Meta(min_length=1, max_length=32)]


class LoginRequest(Struct, forbid_unknown_fields=True):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Password
    code: OneTimeCode | None = None
    """The authenticator app's 6-digit code, or a recovery code, for an account with
    two-factor sign-in (without it such an account answers 401 naming `code`)."""


class PasswordChange(Struct, forbid_unknown_fields=True):
    current_password: Password
    new_password: NewPassword
    """12 to 128 characters, not a common or easily guessed password."""


class StaffOut(Struct):
    id: int
    username: str
    display_name: str
    role: RoleName
    office_id: int
    active: bool
    phone: str | None = None
    email: str | None = None
    """Where flag alerts go by e-mail."""
    alert_channel: str = "sms"
    """How flag alerts reach the member: sms, email, both or none (their own choice)."""
    alert_digest: bool = False
    """E-mail alerts come as one daily digest rather than one by one."""


class LoginResponse(Struct):
    token: str
    expires_at: datetime
    user: StaffOut


class TwoFactorSetupOut(Struct):
    """A new two-factor secret for an authenticator app: scan `qr_svg` or type `secret`, then
    confirm with the first code (`POST /auth/two-factor/confirm`)."""

    secret: str
    otpauth_uri: str
    qr_svg: str
    enrolment_token: str | None = None
    """At first sign-in (managers and administrators): send it back with the first code."""
    expires_at: datetime | None = None


class TwoFactorConfirm(Struct, forbid_unknown_fields=True):
    code: OneTimeCode
    enrolment_token: Annotated[str, Meta(min_length=1, max_length=100)] | None = None
    """The token the login answered 202 with; absent when a signed-in user sets it up."""


class EnrolledResponse(Struct):
    """Signed in with two-factor set up: a new session, and recovery codes shown this once."""

    token: str
    expires_at: datetime
    user: StaffOut
    recovery_codes: list[str]


class CodeRequest(Struct, forbid_unknown_fields=True):
    code: OneTimeCode


class RecoveryCodesOut(Struct):
    recovery_codes: list[str]


class SessionOut(Struct):
    """One of your sessions (`current`: the one this request uses)."""

    id: int
    kind: str
    created_at: datetime
    last_seen_at: datetime | None
    expires_at: datetime
    client_address: str | None
    user_agent: str | None
    current: bool


class SignInStateOut(Struct):
    """An account's sign-in standing, as administrators see it."""

    two_factor: bool
    failures: int
    locked_until: datetime | None
    wait_until: datetime | None


# --- offices and staff --------------------------------------------------------------------


class OfficeOut(Struct):
    id: int
    code: str
    name_th: str
    name_en: str
    province_th: str | None
    province_en: str | None
    region: str | None
    phone: str | None
    is_central: bool


# --- defendants ---------------------------------------------------------------------------


class DefendantOut(Struct):
    id: int
    national_id: str
    title_th: str
    first_name_th: str
    last_name_th: str
    first_name_en: str | None
    last_name_en: str | None
    date_of_birth: date
    phone: str
    preferred_language: LanguageCode
    sms_opt_out: bool
    office_id: int
    has_photo: bool
    photo_width: int | None
    photo_height: int | None
    consent_at: datetime
    consent_version: str
    created_at: datetime
    updated_at: datetime
    legal_hold_reason: str | None = None
    """Set while a legal hold keeps the person's data from the purge and from erasure."""
    legal_hold_at: datetime | None = None
    anonymised_at: datetime | None = None
    """When the person's identity was removed (docs/privacy.md)."""
    sex: str = "not_stated"
    """`male`, `female` or `not_stated`: recorded to measure the face match by group."""
    age_group: str = ""
    """The person's age group today (`18-24`, `25-34`, ...), from the date of birth."""


class DefendantSummary(Struct):
    id: int
    national_id_masked: str
    title_th: str
    first_name_th: str
    last_name_th: str
    first_name_en: str | None
    last_name_en: str | None
    phone: str
    office_id: int


# --- cases and plans ---------------------------------------------------------------------


class CaseOut(Struct):
    id: int
    defendant_id: int
    defendant_name_th: str
    office_id: int
    officer_id: int | None
    court: str
    black_case_number: str
    red_case_number: str | None
    charge: str
    bail_amount: Annotated[
        str, Meta(pattern=r"^[0-9]+\.[0-9]{2}$", description="Exact THB, two decimals")
    ]
    fund_request_ref: str | None
    release_date: date
    conditions: str
    next_court_date: date | None
    status: CaseStatusName
    closing_outcome: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CheckInOut(Struct):
    id: int
    case_id: int
    office_id: int
    due_date: date
    due_date_th: str
    nominal_date: date | None
    moved_reason: str | None
    opens_at: datetime
    due_at: datetime
    closes_at: datetime
    status: CheckInStatusName
    method: Literal["remote", "in_person", "video_call"] | None
    completed_at: datetime | None
    recorded_by: int | None
    note: str | None


class PlanOut(Struct):
    case_id: int
    kind: PlanKindName
    every_days: int | None
    dates: list[date]
    start_date: date
    end_date: date
    window_opens_days_before: int
    grace_days: int
    updated_at: datetime


class PlanNoteOut(Struct):
    """Something to know about a plan: `warning` (an empty plan, a date dropped at the end) or
    `info` (a window shortened after a holiday move, where reporting ends)."""

    level: Literal["warning", "info"]
    code: str
    message: str
    message_th: str


class PlanChange(Struct):
    plan: PlanOut
    created: int
    updated: int
    deleted: int
    kept: int
    check_ins: list[CheckInOut]
    notes: list[PlanNoteOut]
    notified: bool
    """Whether the person was sent an SMS about the changed dates."""


class HolidayOut(Struct):
    """A day off: the `holidays` package's public or government holiday, or one declared."""

    day: date
    name_en: str
    name_th: str | None
    source: Literal["package", "declared"]
    id: int | None


class HolidayChangeOut(Struct):
    """A declared day and what declaring or removing it did."""

    id: int
    day: date
    name_th: str
    name_en: str
    removed_at: datetime | None
    cases_replanned: int
    check_ins_moved: int
    people_notified: int
    cases_failed: list[int]


class TodayRow(Struct):
    check_in: CheckInOut
    defendant_id: int
    defendant_name_th: str
    phone: str


class TodayOut(Struct):
    office_id: int
    today: date
    today_th: str
    due_today: list[TodayRow]
    overdue: list[TodayRow]
    missed: list[TodayRow]
    due_today_total: int
    overdue_total: int
    missed_total: int


class InPersonRequest(Struct, forbid_unknown_fields=True):
    note: Note = ""


class ExcuseRequest(Struct, forbid_unknown_fields=True):
    reason: Literal["illness", "appointment", "travel", "other"]
    """Why the person need not report this time; "other" needs the note to say why."""
    note: Note = ""


# --- flags and audit ----------------------------------------------------------------------


class FlagOut(Struct):
    id: int
    kind: str
    case_id: int
    check_in_id: int | None
    office_id: int
    severity: str
    detail: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    acknowledge_note: str | None
    resolved_at: datetime | None
    resolved_by: int | None
    resolution_note: str | None


class FlagNote(Struct, forbid_unknown_fields=True):
    note: Note = ""


class FlagResolve(Struct, forbid_unknown_fields=True):
    note: RequiredNote


class AuditOut(Struct):
    id: int
    actor_id: int | None
    actor_username: str | None
    action: str
    entity: str
    entity_id: str | None
    at: datetime
    client_address: str | None
    detail: dict


class Health(Struct):
    status: Literal["ok", "unavailable"]
    database: str


class HearingOut(Struct):
    """A court hearing of a case; `result` is null until an officer records it."""

    id: int
    case_id: int
    office_id: int
    starts_at: datetime
    court: str
    room: str | None
    purpose: str
    result: Literal["attended", "absent", "postponed"] | None
    result_note: str | None
    postponed_to: int | None
    recorded_at: datetime | None
    cancelled_at: datetime | None


class HearingResultOut(Struct):
    hearing: HearingOut
    next_hearing: HearingOut | None
    flag_id: int | None


class NoteOut(Struct):
    """An officer's note on a person; a struck one keeps its text, marked with why."""

    id: int
    defendant_id: int
    case_id: int | None
    author_name: str | None
    text: str
    created_at: datetime
    struck_at: datetime | None
    struck_by_name: str | None
    struck_reason: str | None
