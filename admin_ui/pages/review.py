"""The review queue: remote check-ins the machine could not decide, oldest first, and one
attempt's evidence (the ID photo beside the best frames, the scores in plain words, the
challenge, the client) with the officer's accept or reject and its required note.

Officers see and decide their own office's attempts; managers read every office's and decide
nothing (the service refuses them; the page shows them no form).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from admin_ui.web import field_errors, render
from liveness.types import Thresholds
from reporting_api.access import OFFICER
from reporting_api.errors import Conflict, InvalidInput, TransitionNotAllowed
from reporting_api.http.context import CtxDep, PagingDep, PathId
from reporting_api.services import review as service
from reporting_api.services.attempt_views import AttemptDetail
from reporting_api.services.review import SOMEONE_ELSE

# The verifier judges with the library's default edges (reporting_api.verification).
EDGES = Thresholds()
Decided = Literal["accept", "reject", "someone_else"]


@dataclass(frozen=True)
class Reading:
    """One liveness score as a person reads it: what, the value, the edge, and the verdict."""

    key: str
    value: str
    edge: str
    verdict_key: str
    ok: bool | None


def match_reading(distance: float | None) -> str:
    """The words key for a match distance (same person, officer decides, different)."""
    if distance is None:
        return "match_missing"
    if distance <= EDGES.match_accept:
        return "match_same"
    if distance <= EDGES.match_review:
        return "match_unsure"
    return "match_different"


def liveness_readings(scores: dict[str, float], steps: int) -> list[Reading]:
    """The liveness scores an officer can weigh, each against the edge it was judged by."""
    readings = []

    def add(key: str, score: str, edge: str, bad_when: Any, fmt: str = "{:.2f}") -> None:
        value = scores.get(score)
        if value is None:
            readings.append(Reading(key, "", edge, "not_measured", None))
            return
        bad = bool(bad_when(value))
        readings.append(
            Reading(key, fmt.format(value), edge, f"{key}_{'bad' if bad else 'ok'}", not bad)
        )

    done = scores.get("steps_completed")
    if done is None:
        readings.append(Reading("steps_done", "", "", "not_measured", None))
    else:
        ok = int(done) >= steps
        readings.append(
            Reading(
                "steps_done", f"{int(done)}/{steps}", "", "steps_ok" if ok else "steps_short", ok
            )
        )
    add("motion", "motion", f"≥ {EDGES.min_motion}", lambda v: v < EDGES.min_motion)
    if scores.get("planar_yaw", 0.0) >= EDGES.planar_min_yaw_deg:
        add(
            "depth",
            "planar_residual",
            f"> {EDGES.planar_residual_max}",
            lambda v: v <= EDGES.planar_residual_max,
        )
    else:
        readings.append(Reading("depth", "", "", "depth_unjudged", None))
    add("screen", "moire", f"≤ {EDGES.moire_max}", lambda v: v > EDGES.moire_max)
    add("border", "edges", f"≤ {EDGES.edge_max}", lambda v: v > EDGES.edge_max)
    add(
        "brightness",
        "brightness",
        f"≥ {EDGES.min_brightness:.0f}",
        lambda v: v < EDGES.min_brightness,
        "{:.0f}",
    )
    return readings


def frame_url(attempt_id: int, position: int) -> str:
    """Where an evidence frame is served (the API's route, which the session cookie opens)."""
    return f"/api/v1/verification-attempts/{attempt_id}/frames/{position}"


def _item_context(attempt: AttemptDetail) -> dict[str, Any]:
    return {
        "a": attempt,
        "frame_url": frame_url,
        "match_key": match_reading(attempt.match_distance),
        "edges": EDGES,
        "readings": liveness_readings(attempt.scores, len(attempt.challenge_steps)),
        "waiting": attempt.needs_review and attempt.reviewed_at is None and attempt.state == "done",
    }


class ReviewPages(Controller):
    path = "/admin/review"
    include_in_schema = False

    @get("/")
    async def queue(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        paging: PagingDep,
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        decided: Annotated[Decided | None, QueryParameter()] = None,
    ) -> Template:
        rows, total = await service.list_attempts(
            ctx,
            office_id=office_id,
            waiting=True,
            check_in_id=None,
            offset=paging.offset,
            limit=paging.page_size,
        )
        return render(
            request,
            "admin/review.html",
            rows=rows,
            total=total,
            page=paging.page,
            pages=paging.pages(total),
            decided=decided,
            match_reading=match_reading,
        )

    @get("/next")
    async def next_item(
        self, ctx: CtxDep, decided: Annotated[Decided | None, QueryParameter()] = None
    ) -> Redirect:
        """After a decision: the next attempt waiting, or the queue when none is left."""
        rows, _ = await service.list_attempts(
            ctx, office_id=None, waiting=True, check_in_id=None, offset=0, limit=1
        )
        notice = f"?decided={decided}" if decided else ""
        target = f"/admin/review/{rows[0].id}" if rows else "/admin/review"
        return Redirect(target + notice, status_code=303)

    @get("/{attempt_id:int}")
    async def item(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        attempt_id: PathId,
        decided: Annotated[Decided | None, QueryParameter()] = None,
    ) -> Template:
        attempt = await service.read_attempt(ctx, attempt_id)
        return render(
            request,
            "admin/review_item.html",
            decided=decided,
            can_decide=ctx.principal.role == OFFICER,
            values={},
            errors={},
            **_item_context(attempt),
        )

    @post("/{attempt_id:int}")
    async def decide(
        self, request: Request[Any, Any, Any], ctx: CtxDep, attempt_id: PathId
    ) -> Template | Redirect:
        form = await request.form()
        decision = str(form.get("decision") or "")
        note = str(form.get("note") or "")
        try:
            await service.review(ctx, attempt_id, decision, note)
        except TransitionNotAllowed as error:
            problem: InvalidInput | Conflict = Conflict(
                "decision",
                f"the check-in is {error.current} and cannot become {error.target}",
                "สถานะการรายงานตัวตอนนี้เปลี่ยนตามการตัดสินนี้ไม่ได้",
            )
            status = 409
        except (InvalidInput, Conflict) as error:
            problem = error
            status = 409 if isinstance(error, Conflict) else 400
        else:
            if decision == SOMEONE_ELSE:  # marked from the person's timeline: stay on it
                return Redirect(f"/admin/review/{attempt_id}?decided={decision}", status_code=303)
            return Redirect(f"/admin/review/next?decided={decision}", status_code=303)
        attempt = await service.read_attempt(ctx, attempt_id)
        return render(
            request,
            "admin/review_item.html",
            status_code=status,
            decided=None,
            can_decide=ctx.principal.role == OFFICER,
            values={"note": note, "decision": decision},
            errors=field_errors(problem),
            **_item_context(attempt),
        )
