"""Request and response types of the officers' review of remote check-ins (api/review.py);
an attempt itself is the service's own `AttemptSummary`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from msgspec import Struct

from reporting_api.commands import RequiredNote
from reporting_api.services.attempt_views import (
    AttemptSummary,
    ChallengeStep,
    ClientInfo,
    EvidenceFrame,
)
from reporting_api.statuses import CheckInMethodName, CheckInStatusName

ReviewDecision = Literal["accept", "reject", "someone_else"]


class ReviewIn(Struct, forbid_unknown_fields=True):
    decision: ReviewDecision
    note: RequiredNote


class OfficerNoteIn(Struct, forbid_unknown_fields=True):
    note: RequiredNote


class EvidenceFrameOut(EvidenceFrame):
    url: str
    """Where this API serves the frame (JPEG)."""


class AttemptDetailOut(AttemptSummary):
    """An attempt with its evidence."""

    media_kind: str
    media_bytes: int
    challenge_steps: list[ChallengeStep]
    challenge_left_out: dict[str, str]
    """Actions the challenge left out, each with its reason code: `{"blink": "glasses"}` when
    the camera picture before the recording showed glasses, `glasses_on_card` when there was
    no face on it to judge and the ID-card photo shows glasses, `missed_before` for an action
    two of the person's last three recordings stopped at."""
    timings_ms: dict[str, float]
    client: ClientInfo
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
    attempt: AttemptSummary
    check_in: CheckInDecisionOut
    resolved_flag_ids: list[int]


class VideoCallOut(Struct):
    check_in: CheckInDecisionOut
    superseded_attempt_ids: list[int]
    resolved_flag_ids: list[int]
