"""A remote check-in attempt as officers read it, whichever edge shows it: the verdict's
reasons in Thai and English, the scores as numbers, the challenge it answered, what the phone
said about itself, and the evidence frames kept."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from msgspec import Struct

from reporting_api.statuses import CheckInStatusName
from reporting_api.store.attempts import FrameInfoRow, ReviewerRow

AttemptState = Literal["processing", "done"]
AttemptDecision = Literal["verified", "rejected", "review"]
AttemptOutcome = Literal["verified", "review", "retry"]
ReviewDecisionName = Literal["accept", "reject", "superseded", "someone_else"]


class Reason(Struct):
    code: str
    message: str
    message_th: str


class AttemptSummary(Struct):
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
    reasons: list[Reason]
    match_distance: float | None
    scores: dict[str, float]
    created_at: datetime
    completed_at: datetime | None
    reviewed_by: int | None
    reviewed_by_username: str | None
    reviewed_at: datetime | None
    review_decision: ReviewDecisionName | None
    review_note: str | None


class ChallengeStep(Struct):
    action: str
    start_s: float
    end_s: float


class Location(Struct):
    lat: float
    lon: float
    accuracy_m: float


class ClientInfo(Struct):
    """What the check-in page reported about itself; location only if the person allowed it."""

    user_agent: str | None
    screen: list[int] | None
    location: Location | None
    address: str | None


class EvidenceFrame(Struct):
    position: int
    t: float
    width: int
    height: int


class AttemptDetail(AttemptSummary):
    """An attempt with its evidence."""

    media_kind: str
    media_bytes: int
    challenge_steps: list[ChallengeStep]
    challenge_left_out: dict[str, str]
    """Actions the challenge left out, each with its reason code (`glasses`,
    `glasses_on_card`, `missed_before`)."""
    timings_ms: dict[str, float]
    client: ClientInfo
    frames: list[EvidenceFrame]


def _numbers(values: dict[str, Any]) -> dict[str, float]:
    return {
        str(k): float(v)
        for k, v in values.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def _summary_fields(row: ReviewerRow) -> dict[str, Any]:
    scores = _numbers(row["scores"] or {})
    title, first, last = (
        row["defendant_title_th"] or "",
        row["defendant_first_name_th"],
        row["defendant_last_name_th"],
    )
    return {
        "id": row["id"],
        "check_in_id": row["check_in"],
        "case_id": row["case"],
        "office_id": row["office"],
        "defendant_id": row["defendant_id"],
        "defendant_title_th": title,
        "defendant_first_name_th": first,
        "defendant_last_name_th": last,
        "defendant_name_th": " ".join(p for p in (f"{title}{first}", last) if p),
        "due_date": row["due_date"],
        "check_in_status": row["check_in_status"],
        "state": row["state"],
        "decision": row["decision"],
        "outcome": row["outcome"],
        "needs_review": row["needs_review"],
        "reasons": [
            Reason(code=r["code"], message=r["en"], message_th=r["th"])
            for r in row["reasons"] or []
        ],
        "match_distance": scores.get("match_distance"),
        "scores": scores,
        "created_at": row["created_at"],
        "completed_at": row["completed_at"],
        "reviewed_by": row["reviewed_by"],
        "reviewed_by_username": row["reviewed_by_username"],
        "reviewed_at": row["reviewed_at"],
        "review_decision": row["review_decision"],
        "review_note": row["review_note"],
    }


def attempt_summary(row: ReviewerRow) -> AttemptSummary:
    return AttemptSummary(**_summary_fields(row))


def _client(row: ReviewerRow) -> ClientInfo:
    client = row["client"] or {}
    where = client.get("location")
    screen = client.get("screen")
    return ClientInfo(
        user_agent=client.get("user_agent"),
        screen=[int(v) for v in screen] if isinstance(screen, list) else None,
        location=(
            Location(
                lat=float(where["lat"]),
                lon=float(where["lon"]),
                accuracy_m=float(where.get("accuracy_m") or 0),
            )
            if isinstance(where, dict)
            else None
        ),
        address=row["client_address"],
    )


def attempt_detail(row: ReviewerRow, frames: list[FrameInfoRow]) -> AttemptDetail:
    return AttemptDetail(
        **_summary_fields(row),
        media_kind=row["media_kind"],
        media_bytes=row["media_bytes"],
        challenge_steps=[
            ChallengeStep(action=s["action"], start_s=s["start_s"], end_s=s["end_s"])
            for s in row["challenge_steps"] or []
        ],
        challenge_left_out={
            str(action): str(why) for action, why in (row["challenge_left_out"] or {}).items()
        },
        timings_ms=_numbers(row["timings"] or {}),
        client=_client(row),
        frames=[
            EvidenceFrame(position=f["position"], t=f["t"], width=f["width"], height=f["height"])
            for f in frames
        ],
    )
