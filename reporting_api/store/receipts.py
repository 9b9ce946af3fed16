"""What a check-in receipt reads besides the check-in itself: the recording that was accepted."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from reporting_api.store import rows_as
from reporting_api.tables import VerificationAttempt

A = VerificationAttempt


class AcceptedRecording(TypedDict):
    """The recording that verified a remote check-in: when the person sent it, and whether an
    officer accepted it after review (when they did)."""

    id: int
    created_at: datetime
    review_decision: str | None
    reviewed_at: datetime | None


async def accepted_recording(check_in_id: int) -> AcceptedRecording | None:
    """The check-in's recording an officer accepted, else the last one the machine verified
    and no officer decided on; None when there is neither."""
    rows = rows_as(
        AcceptedRecording,
        await A.select(A.id, A.created_at, A.review_decision, A.reviewed_at)
        .where(
            (A.check_in == check_in_id)
            & (
                (A.review_decision == "accept")
                | ((A.outcome == "verified") & A.review_decision.is_null())
            )
        )
        .order_by(A.id, ascending=False),
    )
    # A check-in has a few recordings at most (its tries).
    accepted = [r for r in rows if r["review_decision"] == "accept"]
    chosen = accepted or rows
    return chosen[0] if chosen else None
