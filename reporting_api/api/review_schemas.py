"""Request and response types of the officers' review of remote check-ins (api/review.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from msgspec import Struct

from reporting_api.commands import CheckInStatusName, RequiredNote

AttemptState = Literal["processing", "done"]
AttemptDecision = Literal["verified", "rejected", "review"]
AttemptOutcome = Literal["verified", "review", "retry"]
ReviewDecision = Literal["accept", "reject"]
ReviewDecisionOut = Literal["accept", "reject", "superseded"]
CheckInMethodName = Literal["remote", "in_person", "video_call"]


class ReviewIn(Struct, forbid_unknown_fields=True):
    decision: ReviewDecision
    note: RequiredNote


class OfficerNoteIn(Struct, forbid_unknown_fields=True):
    note: RequiredNote


class ReasonOut(Struct):
    code: str
    message: str
    message_th: str


class AttemptOut(Struct):
    """An attempt as the review queue lists it."""

    id: int
    check_in_id: int
    case_id: int
    office_id: int
    defendant_id: int
    defendant_title_th: str
    defendant_first_name_th: str
    defendant_last_name_th: str
    defendant_name_th: str
    due_date: date
    check_in_status: CheckInStatusName
    state: AttemptState
    decision: AttemptDecision | None
    outcome: AttemptOutcome | None
    needs_review: bool
    reasons: list[ReasonOut]
    match_distance: float | None
    scores: dict[str, float]
    created_at: datetime
    completed_at: datetime | None
    reviewed_by: int | None
    reviewed_by_username: str | None
    reviewed_at: datetime | None
    review_decision: ReviewDecisionOut | None
    review_note: str | None


class ChallengeStepOut(Struct):
    action: str
    start_s: float
    end_s: float


class LocationOut(Struct):
    lat: float
    lon: float
    accuracy_m: float


class ClientOut(Struct):
    """What the check-in page reported about itself; location only if the person allowed it."""

    user_agent: str | None
    screen: list[int] | None
    location: LocationOut | None
    address: str | None


class EvidenceFrameOut(Struct):
    position: int
    t: float
    width: int
    height: int
    url: str


class AttemptDetailOut(AttemptOut):
    """An attempt with its evidence."""

    media_kind: str
    media_bytes: int
    challenge_steps: list[ChallengeStepOut]
    timings_ms: dict[str, float]
    client: ClientOut
    frames: list[EvidenceFrameOut]


class CheckInDecisionOut(Struct):
    """A check-in after an officer's decision."""

    id: int
    case_id: int
    office_id: int
    due_date: date
    status: CheckInStatusName
    method: CheckInMethodName | None
    completed_at: datetime | None
    recorded_by: int | None
    note: str | None
    link_locked: bool
    identify_failures: int


class ReviewOut(Struct):
    attempt: AttemptOut
    check_in: CheckInDecisionOut
    resolved_flag_ids: list[int]


class VideoCallOut(Struct):
    check_in: CheckInDecisionOut
    superseded_attempt_ids: list[int]
    resolved_flag_ids: list[int]
