"""Officers reviewing remote check-ins: the queue of attempts, their evidence, the decision;
settling a check-in after a video call; unlocking a check-in link."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter

from reporting_api.api.review_schemas import (
    AttemptDetailOut,
    CheckInDecisionOut,
    EvidenceFrameOut,
    OfficerNoteIn,
    ReviewIn,
    ReviewOut,
    VideoCallOut,
)
from reporting_api.api.schemas import Page
from reporting_api.http.context import CtxDep, PagingDep, PathId
from reporting_api.services import check_in_decisions as decisions
from reporting_api.services import review as service
from reporting_api.services.attempt_views import AttemptDetail, AttemptSummary

if TYPE_CHECKING:
    from reporting_api.store.rows import CheckInRow

FramePosition = Annotated[int, PathParameter(ge=0, le=1000)]
QueryId = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]


# --- conversions ------------------------------------------------------------------------


def frame_url(attempt_id: int, position: int) -> str:
    return f"/api/v1/verification-attempts/{attempt_id}/frames/{position}"


def attempt_detail_out(detail: AttemptDetail) -> AttemptDetailOut:
    """The attempt with each evidence frame's address on this API."""
    fields = msgspec.structs.asdict(detail)
    fields["frames"] = [
        EvidenceFrameOut(**msgspec.structs.asdict(f), url=frame_url(detail.id, f.position))
        for f in detail.frames
    ]
    return AttemptDetailOut(**fields)


def check_in_decision_out(row: CheckInRow) -> CheckInDecisionOut:
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
    ) -> Page[AttemptSummary]:
        """Remote check-in attempts with their scores and reasons (officers: their office)."""
        rows, total = await service.list_attempts(
            ctx,
            office_id=office_id,
            waiting=waiting,
            check_in_id=check_in_id,
            offset=paging.offset,
            limit=paging.page_size,
        )
        return Page(items=rows, total=total, page=paging.page, page_size=paging.page_size)

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
        status) a finished attempt; on one the machine verified, only someone_else (a false
        acceptance: a high flag, the check-in unchanged). The note is required and kept."""
        result = await service.review(ctx, attempt_id, data.decision, data.note)
        return ReviewOut(
            attempt=result.attempt,
            check_in=check_in_decision_out(result.check_in),
            resolved_flag_ids=result.resolved_flags,
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
        result = await decisions.verify_by_video_call(ctx, check_in_id, data.note)
        return VideoCallOut(
            check_in=check_in_decision_out(result.check_in),
            superseded_attempt_ids=result.superseded_attempts,
            resolved_flag_ids=result.resolved_flags,
        )

    @post("/{check_in_id:int}/unlock-link", status_code=200)
    async def unlock_link(
        self, check_in_id: PathId, data: JSONBody[OfficerNoteIn], ctx: CtxDep
    ) -> CheckInDecisionOut:
        """Open a link locked after wrong identity answers again; the note says why."""
        return check_in_decision_out(await decisions.unlock_link(ctx, check_in_id, data.note))
