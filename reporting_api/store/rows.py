"""Row types of the service's tables: what a whole-row query returns, as a TypedDict each.

A store module that selects a whole table returns its row type; a query that joins or picks
columns declares its own TypedDict (usually extending one of these) beside the query. Every
store function hands its rows out through `row_as` / `rows_as` (`reporting_api.store`),
which checks the columns against the type's keys. JSON columns are read with
`.output(load_json=True)`, so they arrive decoded.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict

from reporting_api.statuses import (
    CaseStatusName,
    CheckInMethodName,
    CheckInStatusName,
    LanguageCode,
    PlanKindName,
    ReminderStatusName,
    RoleName,
)


class OfficeRow(TypedDict):
    """A whole `office` row."""

    id: int
    code: str
    name_th: str
    name_en: str
    province_th: str | None
    province_en: str | None
    region: str | None
    phone: str | None
    is_central: bool


class StaffUserRow(TypedDict):
    """A whole `staff_user` row."""

    id: int
    username: str
    display_name: str
    role: RoleName
    office: int
    password_hash: str
    active: bool
    created_at: datetime
    phone: str | None
    totp_secret: bytes | None
    totp_pending: bytes | None
    totp_enabled_at: datetime | None
    totp_last_step: int | None
    email: str | None
    alert_channel: str
    alert_digest: bool


class AuthTokenRow(TypedDict):
    """A whole `auth_token` row."""

    id: int
    token_hash: str
    staff: int
    kind: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None
    client_address: str | None
    user_agent: str | None


class RecoveryCodeRow(TypedDict):
    """A whole `recovery_code` row."""

    id: int
    staff: int
    code_hash: str
    created_at: datetime
    used_at: datetime | None


class LoginThrottleRow(TypedDict):
    """A whole `login_throttle` row."""

    id: int
    key: str
    failures: int
    last_failure_at: datetime | None
    next_attempt_at: datetime | None
    locked_until: datetime | None


class DefendantProfileRow(TypedDict):
    """A `defendant` row without the photo bytes (which only the photo endpoint opens)."""

    id: int
    national_id: str
    title_th: str
    sex: str
    first_name_th: str
    last_name_th: str
    first_name_en: str | None
    last_name_en: str | None
    date_of_birth: date
    phone: str
    preferred_language: LanguageCode
    sms_opt_out: bool
    office: int
    id_photo_mime: str | None
    id_photo_width: int | None
    id_photo_height: int | None
    consent_at: datetime
    consent_version: str
    created_at: datetime
    updated_at: datetime
    face_template: bytes | None
    face_quality: dict[str, Any]
    face_encoded_at: datetime | None
    legal_hold_reason: str | None
    legal_hold_at: datetime | None
    legal_hold_by: str | None
    anonymised_at: datetime | None
    reporting_mode: str
    reference_source: str
    reference_reason: str | None
    card_photo_mime: str | None


class DefendantRow(DefendantProfileRow):
    """A whole `defendant` row."""

    id_photo: bytes | None
    id_photo_sealed: bytes | None
    card_photo_sealed: bytes | None


class BailCaseRow(TypedDict):
    """A whole `bail_case` row."""

    id: int
    defendant: int
    office: int
    officer: int | None
    court: str
    black_case_number: str
    red_case_number: str | None
    charge: str
    bail_amount: Decimal
    fund_request_ref: str | None
    release_date: date
    conditions: str
    next_court_date: date | None
    status: CaseStatusName
    closing_outcome: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ReportingPlanRow(TypedDict):
    """A whole `reporting_plan` row."""

    id: int
    case: int
    kind: PlanKindName
    every_days: int | None
    dates: list[str]
    start_date: date
    end_date: date
    window_opens_days_before: int
    grace_days: int
    adjustments: dict[str, list[Any]] | None
    updated_by: int | None
    updated_at: datetime


class CheckInFields(TypedDict):
    """A `check_in` row without the link code (pages that list check-ins have no use for it)."""

    id: int
    case: int
    office: int
    due_date: date
    nominal_date: date | None
    moved_reason: str | None
    opens_at: datetime
    due_at: datetime
    closes_at: datetime
    status: CheckInStatusName
    method: CheckInMethodName | None
    completed_at: datetime | None
    recorded_by: int | None
    note: str | None
    created_at: datetime
    updated_at: datetime
    identify_failures: int
    link_locked_at: datetime | None


class CheckInRow(CheckInFields):
    """A whole `check_in` row."""

    code: str | None


class FlagRow(TypedDict):
    """A whole `flag` row."""

    id: int
    kind: str
    case: int
    check_in: int | None
    office: int
    severity: str
    detail: str
    dedupe_key: str | None
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    acknowledge_note: str | None
    resolved_at: datetime | None
    resolved_by: int | None
    resolution_note: str | None
    escalated_at: datetime | None
    escalated_to: int | None


class AuditLogRow(TypedDict):
    """A whole `audit_log` row."""

    id: int
    actor: int | None
    actor_username: str | None
    action: str
    entity: str
    entity_id: str | None
    at: datetime
    client_address: str | None
    detail: dict[str, Any]


class OfficeReminderSettingsRow(TypedDict):
    """A whole `office_reminder_settings` row."""

    id: int
    office: int
    offsets_days: list[int]
    send_hour: int
    follow_up_missed: bool
    updated_at: datetime
    hearing_offsets_days: list[int] | None
    review_deadline_hours: int | None
    request_deadline_hours: int | None
    reschedule_max_days: int | None


class ReminderRow(TypedDict):
    """A whole `reminder` row."""

    id: int
    check_in: int | None
    case: int
    office: int
    defendant: int | None
    staff: int | None
    flag: int | None
    hearing: int | None
    kind: str
    due_at: datetime
    expires_at: datetime
    status: ReminderStatusName
    attempts: int
    next_attempt_at: datetime
    lease_until: datetime | None
    claimed_by: str | None
    first_attempt_at: datetime | None
    message_sid: str | None
    reference: str
    to_phone: str | None
    body: str | None
    language: str | None
    error_code: int | None
    error_message: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime
    channel: str
    digest: bool
    to_email: str | None
    line_user: str | None
    line_outcome: str | None


class SmsBlockedNumberRow(TypedDict):
    """A whole `sms_blocked_number` row."""

    id: int
    phone: str
    error_code: int
    error_message: str
    reminder: int | None
    blocked_at: datetime


class CheckInSessionRow(TypedDict):
    """A whole `checkin_session` row."""

    id: int
    token_hash: str
    check_in: int
    client_address: str | None
    created_at: datetime
    expires_at: datetime


class IdentifyAttemptRow(TypedDict):
    """A whole `identify_attempt` row."""

    id: int
    check_in: int
    client_address: str | None
    ok: bool
    at: datetime


class LivenessChallengeRow(TypedDict):
    """A whole `liveness_challenge` row."""

    id: int
    token: str
    check_in: int
    steps: list[dict[str, Any]]
    left_out: dict[str, str]
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None


class AttemptRow(TypedDict):
    """A `verification_attempt` row without the sealed upload (which only the verifier reads)."""

    id: int
    check_in: int
    case: int
    office: int
    challenge: int | None
    idempotency_key: str
    state: str
    media_kind: str
    media_bytes: int
    lease_until: datetime | None
    lease_owner: str | None
    tries: int
    decision: str | None
    outcome: str | None
    reasons: list[dict[str, str]]
    scores: dict[str, Any]
    timings: dict[str, Any]
    client: dict[str, Any]
    client_address: str | None
    needs_review: bool
    created_at: datetime
    completed_at: datetime | None
    result_told_at: datetime | None
    reviewed_by: int | None
    reviewed_at: datetime | None
    review_decision: str | None
    review_note: str | None


class VerificationAttemptRow(AttemptRow):
    """A whole `verification_attempt` row."""

    media: bytes | None


class EvidenceFrameRow(TypedDict):
    """A whole `evidence_frame` row."""

    id: int
    attempt: int
    position: int
    t: float
    image: bytes
    width: int
    height: int
    created_at: datetime


class RiskSnapshotRow(TypedDict):
    """A whole `risk_snapshot` row."""

    id: int
    case_id: int
    defendant_id: int
    office_id: int
    officer_id: int | None
    court: str
    bail_amount: Decimal
    release_date: date
    next_court_date: date | None
    missed: int
    last_missed_due: date | None
    late: int
    last_late_due: date | None
    failed: int
    suspicious: int
    lockouts: int
    unreachable: int
    last_verified_on: date | None
    score: int
    computed_at: datetime
    weights_version: int


class RiskSnapshotDayRow(TypedDict):
    """A whole `risk_snapshot_day` row."""

    id: int
    office_id: int
    due_date: date
    on_time: int
    late: int
    missed: int
    excused: int
    computed_at: datetime
