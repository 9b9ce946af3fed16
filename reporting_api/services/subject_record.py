"""The shape of a person's exported record (`subject_rights.export_record`): what the JSON
API returns and what the officers' page puts in its ZIP beside the Thai PDF.

Fields carry the names of the columns they come from (`case`, `check_in` and `office` are
ids), so a row becomes its record through `msgspec.convert`, which leaves out the columns a
record does not list (a message's lease, an attempt's idempotency key).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import msgspec
from msgspec import Struct

from reporting_api.commands import ErasureMode
from reporting_api.store.privacy import RecordCounts

SCHEMA = "bail-checkin subject record 1"
NOT_INCLUDED = (
    "check-in link codes: live credentials, not facts about the person",
    "uploaded recordings: never kept, each is dropped when its verdict is stored",
    "evidence frames and identification records past EVIDENCE_RETENTION_DAYS: already purged",
    "the audit log of who read the record: kept for the fund's accountability, on request",
    "the contents of files attached to requests: listed under each request (name, type, size, "
    "SHA-256); the files themselves are in the officers' ZIP export, folder attachments/",
)
"""What the export leaves out, and why (the record says so itself)."""
CENTS = Decimal("0.01")


class ExportImage(Struct):
    """A picture in the record: the ID-card photo or an evidence frame, opened."""

    name: str
    mime: str
    width: int | None
    height: int | None
    sha256: str
    data: bytes
    """The image itself (base64 in JSON)."""


class LegalHold(Struct):
    reason: str
    since: datetime
    set_by: str | None


class PersonRecord(Struct):
    id: int
    national_id: str
    title_th: str
    first_name_th: str
    last_name_th: str
    first_name_en: str | None
    last_name_en: str | None
    date_of_birth: date
    phone: str
    preferred_language: str
    sms_opt_out: bool
    office: int
    office_th: str
    office_en: str
    consent_at: datetime
    consent_version: str
    enrolled_at: datetime
    updated_at: datetime
    id_card_photo: str | None
    """The name of the face reference photo in `images` (the ID card's, or one taken at the
    office: `reference_source`)."""
    legal_hold: LegalHold | None
    anonymised_at: datetime | None
    reporting_mode: str = "remote"
    """`remote`, or `in_person` (reporting at the office only)."""
    reference_source: str = "id_card"
    """Where the face reference came from: `id_card` or `office_camera`."""
    reference_reason: str | None = None
    """Why the card photo was not used (an office photo, or in-person reporting only)."""
    kept_card_photo: str | None = None
    """The name in `images` of the ID-card photo kept for comparison by eye."""
    sex: str = "not_stated"
    """`male`, `female` or `not_stated`, recorded to measure the face match by group."""


class FaceTemplateRecord(Struct):
    """The face encoding made from the ID-card photo (stored sealed)."""

    encoded_at: datetime | None
    quality: dict[str, Any]
    encoding: list[float]
    """128 numbers (dlib's face descriptor); empty when it cannot be opened."""


class PlanRecord(Struct):
    kind: str
    every_days: int | None
    dates: list[str]
    start_date: date
    end_date: date
    window_opens_days_before: int
    grace_days: int
    updated_at: datetime


class CaseRecord(Struct):
    id: int
    office: int
    court: str
    black_case_number: str
    red_case_number: str | None
    charge: str
    bail_amount: Decimal
    fund_request_ref: str | None
    release_date: date
    conditions: str
    next_court_date: date | None
    status: str
    closing_outcome: str | None
    closed_at: datetime | None
    created_at: datetime
    plan: PlanRecord | None = None


class HearingRecord(Struct):
    """A court hearing of one of the person's cases, with its result."""

    id: int
    case: int
    starts_at: datetime
    court: str
    room: str | None
    purpose: str
    result: str | None
    result_note: str | None
    postponed_to: int | None
    recorded_at: datetime | None
    created_at: datetime
    cancelled_at: datetime | None


class NoteRecord(Struct):
    """An officer's note on the person (a struck one with why)."""

    id: int
    case: int | None
    author_name: str | None
    text: str
    created_at: datetime
    struck_at: datetime | None
    struck_reason: str | None


class CheckInRecord(Struct):
    id: int
    case: int
    due_date: date
    nominal_date: date | None
    moved_reason: str | None
    opens_at: datetime
    due_at: datetime
    closes_at: datetime
    status: str
    method: str | None
    completed_at: datetime | None
    note: str | None
    identify_failures: int
    link_locked_at: datetime | None


class AttemptRecord(Struct):
    """One recording sent from the check-in link and what was decided about it."""

    id: int
    check_in: int
    created_at: datetime
    completed_at: datetime | None
    media_kind: str
    media_bytes: int
    decision: str | None
    outcome: str | None
    reasons: list[dict[str, str]]
    scores: dict[str, Any]
    client: dict[str, Any]
    client_address: str | None
    needs_review: bool
    reviewed_at: datetime | None
    review_decision: str | None
    review_note: str | None
    evidence_frames: list[str] = msgspec.field(default_factory=list)
    """Names of its frames in `images` (kept `EVIDENCE_RETENTION_DAYS`)."""


class MessageRecord(Struct):
    """An SMS to the person, or an alert about them to their officer (without the
    officer's number)."""

    id: int
    case: int
    check_in: int | None
    recipient: Literal["person", "staff"]
    kind: str
    status: str
    due_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    to_phone: str | None
    body: str | None
    language: str | None
    error_code: int | None
    error_message: str | None
    channel: str = "sms"
    """`sms`, `line` (pushed on LINE) or `email` (a staff alert)."""


class FlagRecord(Struct):
    id: int
    case: int
    check_in: int | None
    kind: str
    severity: str
    detail: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledge_note: str | None
    resolved_at: datetime | None
    resolution_note: str | None
    escalated_at: datetime | None


class IdentifyRecord(Struct):
    """A try at the check-in link's identity question (kept `EVIDENCE_RETENTION_DAYS`)."""

    check_in: int
    at: datetime
    ok: bool
    client_address: str | None


class RequestStepRecord(Struct):
    """One change of a request's status."""

    to_status: str
    at: datetime
    by: str
    """"person", "system", or the staff member's name."""
    note: str | None


class AttachmentRecord(Struct):
    """A file the person sent with a request, as stored (an image without its metadata)."""

    id: int
    name: str
    kind: str | None
    size: int | None
    sha256: str | None
    created_at: datetime
    file: str
    """Its path in the officers' ZIP export."""


class RequestRecord(Struct):
    """A request the person made to their officer, in their own words, and what came of it."""

    id: int
    case: int
    check_in: int | None
    kind: str
    reason: str | None
    help_kind: str | None
    status: str
    created_at: datetime
    proposed_date: date | None
    away_from: date | None
    away_to: date | None
    province: str | None
    text: str | None
    new_phone: str | None
    new_date: date | None
    outcome_note: str | None
    history: list[RequestStepRecord]
    attachments: list[AttachmentRecord] = msgspec.field(default_factory=list)


class ContactRecord(Struct):
    """The trusted contact the person named, and their consent (kept when withdrawn)."""

    name: str
    relationship: str
    phone: str
    consent_version: str
    consented_at: datetime
    withdrawn_at: datetime | None


class AnswerRecord(Struct):
    """The person's answer to a check-in's reminder that is not a request ("I'll come",
    pressed on LINE)."""

    check_in: int
    due_date: date
    answer: str
    via: str
    at: datetime


class LineAccountRecord(Struct):
    """The person's LINE account, linked through LINE's account-link flow."""

    user_id: str
    linked_at: datetime


class SubjectRecord(Struct):
    """Everything the service holds about one person, as of `produced_at`."""

    schema: str
    produced_at: datetime
    produced_by: str
    person: PersonRecord
    face_template: FaceTemplateRecord | None
    cases: list[CaseRecord]
    hearings: list[HearingRecord]
    notes: list[NoteRecord]
    check_ins: list[CheckInRecord]
    attempts: list[AttemptRecord]
    messages: list[MessageRecord]
    flags: list[FlagRecord]
    identification_tries: list[IdentifyRecord]
    images: list[ExportImage]
    not_included: list[str]
    requests: list[RequestRecord] = msgspec.field(default_factory=list)
    trusted_contact: ContactRecord | None = None
    line_account: LineAccountRecord | None = None
    answers: list[AnswerRecord] = msgspec.field(default_factory=list)


class ErasureDone(Struct):
    defendant_id: int
    mode: ErasureMode
    at: datetime
    removed: RecordCounts
    """What the person's record held when it was removed."""


def image(name: str, mime: str, width: int | None, height: int | None, data: bytes) -> ExportImage:
    return ExportImage(name, mime, width, height, hashlib.sha256(data).hexdigest(), data)


def records(kind: type[Any], rows: list[Any], **extra: Any) -> list[Any]:
    """Rows as records of ``kind`` (columns the record does not list are left out);
    ``extra`` values are callables of a row that add or replace a field."""
    made = []
    for row in rows:
        values = dict(row)
        for name, compute in extra.items():
            values[name] = compute(row)
        made.append(msgspec.convert(values, kind, strict=False))
    return made


def case_records(rows: list[Any], plans: dict[int, Any]) -> list[CaseRecord]:
    return records(
        CaseRecord,
        rows,
        bail_amount=lambda c: Decimal(str(c["bail_amount"])).quantize(CENTS),
        plan=lambda c: (
            None
            if c["id"] not in plans
            else plans[c["id"]] | {"dates": [str(d) for d in plans[c["id"]]["dates"]]}
        ),
    )


def message_records(rows: list[Any]) -> list[MessageRecord]:
    """A staff alert's number is the officer's, not the person's: left out."""
    return records(
        MessageRecord,
        rows,
        recipient=lambda m: "staff" if m["staff"] is not None else "person",
        to_phone=lambda m: None if m["staff"] is not None else m["to_phone"],
    )
