"""Piccolo tables of the service core.

Times are ``Timestamptz`` (UTC); money is ``Numeric`` (exact THB with satang); the ID-card photo
lives in the database so every API replica sees the same bytes.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Office(Table, tablename="office"):
    """The central Justice Fund office or one provincial Justice office."""

    id: Serial
    code = Varchar(length=16, unique=True)
    name_th = Varchar(length=200)
    name_en = Varchar(length=200)
    province_th = Varchar(length=100, null=True, default=None)
    province_en = Varchar(length=100, null=True, default=None)
    region = Varchar(length=16, null=True, default=None)
    phone = Varchar(length=32, null=True, default=None)
    is_central = Boolean(default=False)


class StaffUser(Table, tablename="staff_user"):
    """An officer, manager or administrator who logs in."""

    id: Serial
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=200)
    role = Varchar(length=16)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    password_hash = Varchar(length=255)
    active = Boolean(default=True)
    created_at = Timestamptz()
    # Optional: where missed-check-in alerts and escalations go by SMS (E.164).
    phone = Varchar(length=16, null=True, default=None)


class AuthToken(Table, tablename="auth_token"):
    """A login session (browser cookie) or an API bearer token; only its SHA-256 is kept."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    staff = ForeignKey[StaffUser](references=StaffUser, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class Defendant(Table, tablename="defendant"):
    """A person released on bail paid by the fund."""

    id: Serial
    national_id = Varchar(length=13, unique=True)
    title_th = Varchar(length=32, default="")
    first_name_th = Varchar(length=100)
    last_name_th = Varchar(length=100)
    first_name_en = Varchar(length=100, null=True, default=None)
    last_name_en = Varchar(length=100, null=True, default=None)
    date_of_birth = Date()
    phone = Varchar(length=16, index=True)
    preferred_language = Varchar(length=2, default="th")
    sms_opt_out = Boolean(default=False)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict, index=True)
    id_photo = Bytea(null=True, default=None)
    id_photo_mime = Varchar(length=32, null=True, default=None)
    id_photo_width = Integer(null=True, default=None)
    id_photo_height = Integer(null=True, default=None)
    consent_at = Timestamptz()
    consent_version = Varchar(length=32)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # The ID photo's 128-d face template, sealed (reporting_api.sealing); made from the photo
    # at enrolment, or at the first remote check-in for photos stored before templates were.
    face_template = Bytea(null=True, default=None)
    face_quality = JSON(default={})
    face_encoded_at = Timestamptz(null=True, default=None)


class BailCase(Table, tablename="bail_case"):
    """One bail release the fund paid for, and the duty to report that comes with it."""

    id: Serial
    defendant = ForeignKey[Defendant](references=Defendant, on_delete=OnDelete.restrict, index=True)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict, index=True)
    officer = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    court = Varchar(length=200)
    black_case_number = Varchar(length=64)
    red_case_number = Varchar(length=64, null=True, default=None)
    charge = Text()
    bail_amount = Numeric(digits=(14, 2))
    fund_request_ref = Varchar(length=64, null=True, default=None)
    release_date = Date()
    conditions = Text(default="")
    next_court_date = Date(null=True, default=None)
    status = Varchar(length=16, default="active", index=True)
    closing_outcome = Text(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReportingPlan(Table, tablename="reporting_plan"):
    """How often a case reports: every N days or on listed dates, with its window."""

    id: Serial
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, unique=True)
    kind = Varchar(length=16)
    every_days = Integer(null=True, default=None)
    dates = JSON(default=[])
    start_date = Date()
    end_date = Date()
    window_opens_days_before = Integer(default=0)
    grace_days = Integer(default=0)
    updated_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    updated_at = Timestamptz()


class CheckIn(Table, tablename="check_in"):
    """One dated duty to report, with its window and how it was met."""

    id: Serial
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, index=True)
    # Copied from the case so the office's daily lists need no join.
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    due_date = Date()
    nominal_date = Date(null=True, default=None)
    moved_reason = Varchar(length=200, null=True, default=None)
    opens_at = Timestamptz()
    due_at = Timestamptz()
    closes_at = Timestamptz()
    status = Varchar(length=16, default="upcoming")
    method = Varchar(length=16, null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    recorded_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    note = Text(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # The unguessable part of the SMS link PUBLIC_BASE_URL/c/<code> (72 random bits). Unique
    # through an index in a raw migration: SQLite cannot add a UNIQUE column to a table.
    code = Varchar(length=24, null=True, default=None)
    # Wrong date of birth / ID digits on the link page; at the limit the link locks.
    identify_failures = Integer(default=0)
    link_locked_at = Timestamptz(null=True, default=None)


class Flag(Table, tablename="flag"):
    """Something an officer must look at: a missed check-in, a failed verification, ..."""

    id: Serial
    kind = Varchar(length=32)
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, index=True)
    check_in = ForeignKey[CheckIn](
        references=CheckIn, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    severity = Varchar(length=8, default="medium")
    detail = Text(default="")
    # "kind:check-in id" (or similar): a repeated sweep finds the row instead of adding one.
    dedupe_key = Varchar(length=128, null=True, default=None, unique=True)
    raised_at = Timestamptz()
    acknowledged_at = Timestamptz(null=True, default=None)
    acknowledged_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    acknowledge_note = Text(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    resolution_note = Text(null=True, default=None)
    # Set once by the sweep when nobody acknowledged the flag in time.
    escalated_at = Timestamptz(null=True, default=None)
    escalated_to = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )


class AuditLog(Table, tablename="audit_log"):
    """Who did or saw what, when, and from where."""

    id: Serial
    actor = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    actor_username = Varchar(length=64, null=True, default=None)
    action = Varchar(length=64)
    entity = Varchar(length=32)
    entity_id = Varchar(length=64, null=True, default=None)
    at = Timestamptz(index=True)
    client_address = Varchar(length=64, null=True, default=None)
    detail = JSON(default={})


class OfficeReminderSettings(Table, tablename="office_reminder_settings"):
    """An office's own reminder offsets; offices without a row use the defaults."""

    id: Serial
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.cascade, unique=True)
    # Days before the due date, e.g. [3, 1, 0] (0 = on the due day), each sent at send_hour.
    offsets_days = JSON(default=[3, 1, 0])
    send_hour = Integer(default=9)
    follow_up_missed = Boolean(default=True)
    updated_at = Timestamptz()


class Reminder(Table, tablename="reminder"):
    """One SMS in the outbox: planned with its check-in, claimed, sent once, tracked.

    A defendant's reminders are unique by (check_in, kind), staff alerts by (flag, kind); both
    through indexes in a raw migration, as is the partial index the dispatcher claims with.
    """

    id: Serial
    check_in = ForeignKey[CheckIn](
        references=CheckIn, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, index=True)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    # The person the message is for: a defendant, or a staff member for alerts.
    defendant = ForeignKey[Defendant](
        references=Defendant, on_delete=OnDelete.cascade, null=True, default=None, index=True
    )
    staff = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    flag = ForeignKey[Flag](references=Flag, on_delete=OnDelete.set_null, null=True, default=None)
    kind = Varchar(length=32)
    due_at = Timestamptz()
    # After this instant the text would be wrong ("tomorrow" on the day itself): skipped.
    expires_at = Timestamptz()
    status = Varchar(length=16, default="queued")
    attempts = Integer(default=0)
    # When the dispatcher may next take the row: the due time, a retry time, or the lease end.
    next_attempt_at = Timestamptz()
    lease_until = Timestamptz(null=True, default=None)
    claimed_by = Varchar(length=64, null=True, default=None)
    first_attempt_at = Timestamptz(null=True, default=None)
    message_sid = Varchar(length=64, null=True, default=None, index=True)
    reference = Varchar(length=40, unique=True)
    to_phone = Varchar(length=16, null=True, default=None)
    body = Text(null=True, default=None)
    language = Varchar(length=2, null=True, default=None)
    error_code = Integer(null=True, default=None)
    error_message = Text(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class SmsBlockedNumber(Table, tablename="sms_blocked_number"):
    """A number Twilio refused for good (invalid, unsubscribed, not a mobile): never sent to."""

    id: Serial
    phone = Varchar(length=16, unique=True)
    error_code = Integer()
    error_message = Text(default="")
    reminder = ForeignKey[Reminder](
        references=Reminder, on_delete=OnDelete.set_null, null=True, default=None
    )
    blocked_at = Timestamptz()


class CheckInSession(Table, tablename="checkin_session"):
    """A person who confirmed who they are on a check-in link; only the cookie's SHA-256."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    client_address = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class IdentifyAttempt(Table, tablename="identify_attempt"):
    """One try at the link page's identity question, counted per code and per client."""

    id: Serial
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    client_address = Varchar(length=64, null=True, default=None, index=True)
    ok = Boolean()
    at = Timestamptz(index=True)


class LivenessChallenge(Table, tablename="liveness_challenge"):
    """A challenge the server issued for one recording: single use, with an expiry."""

    id: Serial
    token = Varchar(length=32, unique=True)
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    steps = JSON(default=[])
    issued_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class VerificationAttempt(Table, tablename="verification_attempt"):
    """One uploaded recording, its verdict with every score, and an officer's review of it.

    Unique by (check_in, idempotency_key) through an index in a raw migration, so a retried
    upload finds its first attempt instead of making a second.
    """

    id: Serial
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    challenge = ForeignKey[LivenessChallenge](
        references=LivenessChallenge, on_delete=OnDelete.set_null, null=True, default=None
    )
    idempotency_key = Varchar(length=64)
    # processing -> done. While processing, the sealed upload waits in `media`; a process
    # that died holding it lets go when `lease_until` passes and another one takes it.
    state = Varchar(length=16, default="processing")
    media_kind = Varchar(length=8)
    media = Bytea(null=True, default=None)
    media_bytes = Integer(default=0)
    lease_until = Timestamptz(null=True, default=None)
    decision = Varchar(length=16, null=True, default=None)
    outcome = Varchar(length=16, null=True, default=None)
    reasons = JSON(default=[])
    scores = JSON(default={})
    timings = JSON(default={})
    client = JSON(default={})
    client_address = Varchar(length=64, null=True, default=None)
    needs_review = Boolean(default=False)
    created_at = Timestamptz()
    completed_at = Timestamptz(null=True, default=None)
    reviewed_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    reviewed_at = Timestamptz(null=True, default=None)
    review_decision = Varchar(length=16, null=True, default=None)
    review_note = Text(null=True, default=None)


class EvidenceFrame(Table, tablename="evidence_frame"):
    """A frame kept from an attempt for the officer (sealed JPEG), purged after retention."""

    id: Serial
    attempt = ForeignKey[VerificationAttempt](
        references=VerificationAttempt, on_delete=OnDelete.cascade, index=True
    )
    position = Integer()
    t = DoublePrecision(default=0.0)
    image = Bytea()
    width = Integer()
    height = Integer()
    created_at = Timestamptz(index=True)


class RiskSnapshot(Table, tablename="risk_snapshot"):
    """Each active case's absconding-risk facts and score as of ``computed_at``, so the
    managers' report reads ranked rows instead of scoring 100,000 cases on every request.

    Derived data, rebuilt whole (reporting_api.store.risk_snapshot.refresh_risk_snapshot) by the
    scheduler every `RISK_REFRESH_MINUTES`, by the nightly housekeeping, and by the report when
    it finds the snapshot missing or older than that. Every row of one rebuild has the same
    ``computed_at``. Plain ids, no foreign keys and no unique index: the rows are replaced
    together, one per case by construction, and each index costs the rebuild time. The fact
    columns are those of reporting_api.risk.CaseFacts, so the report explains each score from
    them. Its indexes (ranking order) are in a raw migration.
    """

    id: Serial
    case_id = Integer()
    defendant_id = Integer()
    office_id = Integer()
    officer_id = Integer(null=True, default=None)
    court = Varchar(length=200)
    bail_amount = Numeric(digits=(14, 2))
    release_date = Date()
    next_court_date = Date(null=True, default=None)
    missed = Integer(default=0)
    last_missed_due = Date(null=True, default=None)
    late = Integer(default=0)
    last_late_due = Date(null=True, default=None)
    failed = Integer(default=0)
    suspicious = Integer(default=0)
    lockouts = Integer(default=0)
    unreachable = Integer(default=0)
    last_verified_on = Date(null=True, default=None)
    score = Integer(default=0)
    computed_at = Timestamptz()


class RiskSnapshotDay(Table, tablename="risk_snapshot_day"):
    """Check-in outcomes by office and due day as of ``computed_at`` (due by then): the risk
    report's compliance per month adds up a year of these few rows instead of reading half a
    million check-ins. Rebuilt in the same transaction as RiskSnapshot, with the same time."""

    id: Serial
    office_id = Integer()
    due_date = Date()
    on_time = Integer(default=0)
    late = Integer(default=0)
    missed = Integer(default=0)
    excused = Integer(default=0)
    computed_at = Timestamptz()


ALL_TABLES: tuple[type[Table], ...] = (
    Office,
    StaffUser,
    AuthToken,
    Defendant,
    BailCase,
    ReportingPlan,
    CheckIn,
    Flag,
    AuditLog,
    OfficeReminderSettings,
    Reminder,
    SmsBlockedNumber,
    CheckInSession,
    IdentifyAttempt,
    LivenessChallenge,
    VerificationAttempt,
    EvidenceFrame,
    RiskSnapshot,
    RiskSnapshotDay,
)
