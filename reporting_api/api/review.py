"""Officers reviewing remote check-ins: the queue of attempts, their evidence, the decision;
settling a check-in after a video call; unlocking a check-in link."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter

from reporting_api.api.convert import page_of
from reporting_api.api.review_schemas import (
    AttemptDetailOut,
    AttemptOut,
    ChallengeStepOut,
    CheckInDecisionOut,
    ClientOut,
    EvidenceFrameOut,
    LocationOut,
    OfficerNoteIn,
    ReasonOut,
    ReviewIn,
    ReviewOut,
    VideoCallOut,
)
from reporting_api.api.schemas import Page
from reporting_api.http.context import CtxDep, PagingDep, PathId
from reporting_api.services import review as service

FramePosition = Annotated[int, PathParameter(ge=0, le=1000)]
QueryId = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]


# --- conversions ------------------------------------------------------------------------


def _json(value: Any, empty: Any) -> Any:
    # Piccolo may hand JSON columns of joined tables back as text.
    if isinstance(value, (str, bytes)):
        return msgspec.json.decode(value)
    return empty if value is None else value


def _numbers(value: Any) -> dict[str, float]:
    return {
        str(k): float(v)
        for k, v in _json(value, {}).items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def frame_url(attempt_id: int, position: int) -> str:
    return f"/api/v1/verification-attempts/{attempt_id}/frames/{position}"


def _attempt_fields(row: dict[str, Any]) -> dict[str, Any]:
    scores = _numbers(row["scores"])
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
            ReasonOut(code=r["code"], message=r["en"], message_th=r["th"])
            for r in _json(row["reasons"], [])
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


def attempt_out(row: dict[str, Any]) -> AttemptOut:
    return AttemptOut(**_attempt_fields(row))


def _client(row: dict[str, Any]) -> ClientOut:
    client = _json(row["client"], {})
    where = client.get("location")
    screen = client.get("screen")
    return ClientOut(
        user_agent=client.get("user_agent"),
        screen=[int(v) for v in screen] if isinstance(screen, list) else None,
        location=(
            LocationOut(
                lat=float(where["lat"]),
                lon=float(where["lon"]),
                accuracy_m=float(where.get("accuracy_m") or 0),
            )
            if isinstance(where, dict)
            else None
        ),
        address=row["client_address"],
    )


def attempt_detail_out(row: dict[str, Any]) -> AttemptDetailOut:
    return AttemptDetailOut(
        **_attempt_fields(row),
        media_kind=row["media_kind"],
        media_bytes=row["media_bytes"],
        challenge_steps=[
            ChallengeStepOut(action=s["action"], start_s=s["start_s"], end_s=s["end_s"])
            for s in _json(row["challenge_steps"], [])
        ],
        timings_ms=_numbers(row["timings"]),
        client=_client(row),
        frames=[
            EvidenceFrameOut(
                position=f["position"],
                t=f["t"],
                width=f["width"],
                height=f["height"],
                url=frame_url(row["id"], f["position"]),
            )
            for f in row["frames"]
        ],
    )


def check_in_decision_out(row: dict[str, Any]) -> CheckInDecisionOut:
    return CheckInDecisionOut(
        id=row["id"],
        case_id=row["case"],
        office_id=row["office"],
        due_date=row["due_date"],
        status=row["status"],
        method=row["method"],
        completed_at=row["completed_at"],
        recorded_by=row["recorded_by"],
        note=row["note"],
        link_locked=row["link_locked_at"] is not None,
        identify_failures=row["identify_failures"],
    )


# --- controllers ------------------------------------------------------------------------


class VerificationAttemptController(Controller):
    path = "/verification-attempts"
    tags = ["review"]

    @get("/")
    async def list_attempts(
        self,
        ctx: CtxDep,
        paging: PagingDep,
        waiting: Annotated[
            bool,
            QueryParameter(
                description="true (default): only attempts waiting for an officer, oldest "
                "first; false: every attempt, newest first"
            ),
        ] = True,
        office_id: QueryId = None,
        check_in_id: QueryId = None,
    ) -> Page[AttemptOut]:
        """Remote check-in attempts with their scores and reasons (officers: their office)."""
        rows, total = await service.list_attempts(
            ctx,
            office_id=office_id,
            waiting=waiting,
            check_in_id=check_in_id,
            offset=paging.offset,
            limit=paging.page_size,
        )
        return page_of(paging, rows, total, attempt_out)

    @get("/{attempt_id:int}")
    async def read(self, attempt_id: PathId, ctx: CtxDep) -> AttemptDetailOut:
        """One attempt with its challenge, timings, client metadata and evidence frames."""
        return attempt_detail_out(await service.read_attempt(ctx, attempt_id))

    @get(
        "/{attempt_id:int}/frames/{position:int}",
        # No media_type here: errors (400, 404) must still answer as JSON.
        responses={
            200: ResponseSpec(
                data_container=bytes,
                media_type="image/jpeg",
                description="The evidence frame (JPEG)",
                generate_examples=False,
            )
        },
    )
    async def frame(
        self, attempt_id: PathId, position: FramePosition, ctx: CtxDep
    ) -> Response[bytes]:
        """One evidence frame; 404 once the retention period deleted it."""
        jpeg = await service.read_frame(ctx, attempt_id, position)
        return Response(
            jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"}
        )

    @post("/{attempt_id:int}/review", status_code=200)
    async def review(self, attempt_id: PathId, data: JSONBody[ReviewIn], ctx: CtxDep) -> ReviewOut:
        """Accept (the check-in becomes verified) or reject (it goes back to its window's
        status) a finished attempt; the note is required and kept."""
        result = await service.review(ctx, attempt_id, data.decision, data.note)
        return ReviewOut(
            attempt=attempt_out(result["attempt"]),
            check_in=check_in_decision_out(result["check_in"]),
            resolved_flag_ids=result["resolved_flags"],
        )


class CheckInReviewController(Controller):
    path = "/checkins"
    tags = ["review"]

    @post("/{check_in_id:int}/video-call", status_code=200)
    async def video_call(
        self, check_in_id: PathId, data: JSONBody[OfficerNoteIn], ctx: CtxDep
    ) -> VideoCallOut:
        """The officer saw the person on a video call: the check-in is verified that way and
        its attempts waiting for review are closed as superseded."""
        result = await service.verify_by_video_call(ctx, check_in_id, data.note)
        return VideoCallOut(
            check_in=check_in_decision_out(result["check_in"]),
            superseded_attempt_ids=result["superseded_attempts"],
            resolved_flag_ids=result["resolved_flags"],
        )

    @post("/{check_in_id:int}/unlock-link", status_code=200)
    async def unlock_link(
        self, check_in_id: PathId, data: JSONBody[OfficerNoteIn], ctx: CtxDep
    ) -> CheckInDecisionOut:
        """Open a link locked after wrong identity answers again; the note says why."""
        return check_in_decision_out(await service.unlock_link(ctx, check_in_id, data.note))
