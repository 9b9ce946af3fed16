"""Piccolo tables of the service core.

Times are ``Timestamptz`` (UTC); money is ``Numeric`` (exact THB with satang); the ID-card photo
lives in the database so every API replica sees the same bytes.

One module a family of tables; `ALL_TABLES` is the one list of them (Piccolo's app, the tests
and `db.bind_tables` read it).
"""

from __future__ import annotations

from piccolo.table import Table

from reporting_api.tables.attachments import AttachmentChunk, RequestAttachment
from reporting_api.tables.cases import AuditLog, BailCase, CheckIn, Flag, ReportingPlan
from reporting_api.tables.contacts import TrustedContact
from reporting_api.tables.hearings import CourtHearing
from reporting_api.tables.holidays import DeclaredHoliday
from reporting_api.tables.imports import ImportJob, ImportPhoto, ImportRow
from reporting_api.tables.messages import (
    LineAccount,
    LineEvent,
    LineLink,
    OfficeReminderSettings,
    Reminder,
    SmsBlockedNumber,
)
from reporting_api.tables.notes import CaseNote
from reporting_api.tables.people import (
    AuthToken,
    Defendant,
    LoginThrottle,
    Office,
    RecoveryCode,
    StaffUser,
)
from reporting_api.tables.remote_checkin import (
    CheckInSession,
    EvidenceFrame,
    IdentifyAttempt,
    LinkLimit,
    LivenessChallenge,
    VerificationAttempt,
)
from reporting_api.tables.requests import CheckInAnswer, PersonRequest, RequestTransition
from reporting_api.tables.risk import RiskSnapshot, RiskSnapshotDay, RiskWeightsVersion

ALL_TABLES: tuple[type[Table], ...] = (
    Office,
    StaffUser,
    AuthToken,
    RecoveryCode,
    LoginThrottle,
    Defendant,
    BailCase,
    ReportingPlan,
    CheckIn,
    Flag,
    AuditLog,
    CourtHearing,
    CaseNote,
    OfficeReminderSettings,
    Reminder,
    SmsBlockedNumber,
    CheckInSession,
    IdentifyAttempt,
    LivenessChallenge,
    VerificationAttempt,
    EvidenceFrame,
    LinkLimit,
    RiskSnapshot,
    RiskSnapshotDay,
    DeclaredHoliday,
    ImportJob,
    ImportRow,
    ImportPhoto,
    PersonRequest,
    RequestTransition,
    TrustedContact,
    RequestAttachment,
    AttachmentChunk,
    LineEvent,
    LineAccount,
    LineLink,
    CheckInAnswer,
    RiskWeightsVersion,
)

__all__ = [
    "CheckInAnswer",
    "LineAccount",
    "LineEvent",
    "LineLink",
    "RequestAttachment",
    "AttachmentChunk",
    "TrustedContact",
    "PersonRequest",
    "RequestTransition",
    "ImportJob",
    "ImportPhoto",
    "ImportRow",
    "Office",
    "StaffUser",
    "AuthToken",
    "RecoveryCode",
    "LoginThrottle",
    "Defendant",
    "BailCase",
    "ReportingPlan",
    "CheckIn",
    "Flag",
    "AuditLog",
    "OfficeReminderSettings",
    "Reminder",
    "SmsBlockedNumber",
    "CheckInSession",
    "IdentifyAttempt",
    "LivenessChallenge",
    "VerificationAttempt",
    "EvidenceFrame",
    "LinkLimit",
    "RiskSnapshot",
    "RiskSnapshotDay",
    "RiskWeightsVersion",
    "DeclaredHoliday",
    "CourtHearing",
    "CaseNote",
    "ALL_TABLES",
]
