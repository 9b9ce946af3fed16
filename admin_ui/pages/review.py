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
from reporting_api.api.review import attempt_detail_out, attempt_out
from reporting_api.api.review_schemas import AttemptDetailOut
from reporting_api.errors import Conflict, InvalidInput, TransitionNotAllowed
from reporting_api.http.context import CtxDep, PagingDep, PathId
from reporting_api.services import review as service

# The verifier judges with the library's default edges (reporting_api.verification).
EDGES = Thresholds()
Decided = Literal["accept", "reject"]

WORDS = {
    "th": {
        "review_title": "รอเจ้าหน้าที่ตรวจสอบ",
        "review_intro": "การรายงานตัวทางไกลที่ระบบตัดสินเองไม่ได้ เรียงจากที่รอนานที่สุด",
        "name": "ชื่อ",
        "due": "กำหนดรายงานตัว",
        "received": "ส่งเมื่อ",
        "reasons": "เหตุผล",
        "match": "การเทียบใบหน้า",
        "status": "สถานะการรายงานตัว",
        "action": "ดำเนินการ",
        "review_now": "ตรวจสอบ",
        "total": "ทั้งหมด",
        "queue_empty": "ไม่มีรายการรอตรวจสอบ",
        "decided_accept": "บันทึกแล้ว: ยอมรับการรายงานตัว",
        "decided_reject": "บันทึกแล้ว: ไม่ยอมรับการรายงานตัว",
        "queue_done": "ตรวจสอบครบทุกรายการแล้ว",
        "back_to_queue": "กลับไปที่รายการรอตรวจสอบ",
        "attempt": "การส่งวิดีโอ",
        "id_photo": "รูปถ่ายจากบัตรประชาชน",
        "frames": "ภาพจากวิดีโอ",
        "second": "วินาทีที่",
        "no_frames": "ไม่มีภาพหลักฐาน (อาจถูกลบตามระยะเวลาการเก็บข้อมูล)",
        "distance": "ระยะห่างของใบหน้า",
        "match_same": "เป็นคนเดียวกัน",
        "match_unsure": "ไม่แน่ชัด เจ้าหน้าที่ต้องตัดสิน",
        "match_different": "คนละคน",
        "match_missing": "ไม่ได้วัด (การตรวจหยุดก่อนถึงขั้นเทียบใบหน้า)",
        "match_edges": "ไม่เกิน {accept} = คนเดียวกัน, ไม่เกิน {review} = เจ้าหน้าที่ตัดสิน, มากกว่านั้น = คนละคน",
        "liveness": "การตรวจว่าเป็นคนจริง",
        "check": "รายการ",
        "measured": "ค่าที่วัดได้",
        "reading": "ผล",
        "steps_done": "ทำตามคำสั่ง",
        "steps_of": "จาก",
        "steps_ok": "ทำครบทุกขั้น",
        "steps_short": "ทำไม่ครบ",
        "motion": "การเคลื่อนไหว",
        "motion_ok": "มีการเคลื่อนไหวแบบคนจริง",
        "motion_bad": "แทบไม่ขยับ (อาจเป็นภาพนิ่ง)",
        "depth": "ความลึกของใบหน้าเมื่อหัน",
        "depth_ok": "ใบหน้ามีมิติ",
        "depth_bad": "แบนเหมือนภาพพิมพ์",
        "depth_unjudged": "หันไม่มากพอที่จะวัด",
        "screen": "ลายจอภาพ",
        "screen_ok": "ไม่พบลายจอภาพ",
        "screen_bad": "อาจถ่ายจากหน้าจอ",
        "border": "ขอบกรอบที่ขยับตามใบหน้า",
        "border_ok": "ไม่พบ",
        "border_bad": "พบขอบกรอบ (อาจเป็นภาพถือไว้)",
        "brightness": "ความสว่างของใบหน้า",
        "brightness_ok": "แสงพอ",
        "brightness_bad": "มืดเกินไป",
        "not_measured": "ไม่ได้วัด",
        "edge": "เกณฑ์",
        "challenge": "คำสั่งที่ให้ทำ",
        "step_window": "ช่วงวินาทีที่",
        "turn_left": "หันศีรษะไปทางซ้าย",
        "turn_right": "หันศีรษะไปทางขวา",
        "blink": "กะพริบตา",
        "open_mouth": "อ้าปาก",
        "client": "ข้อมูลอุปกรณ์",
        "device": "อุปกรณ์/เบราว์เซอร์",
        "screen_size": "ขนาดจอ",
        "location": "ตำแหน่ง",
        "location_not_shared": "ไม่ได้แชร์ตำแหน่ง",
        "accuracy": "คลาดเคลื่อนประมาณ",
        "metres": "เมตร",
        "address": "หมายเลข IP",
        "decision": "การตัดสิน",
        "note": "บันทึกของเจ้าหน้าที่ (จำเป็น: เห็นอะไรและตัดสินอย่างไร)",
        "accept": "ยอมรับ: เป็นบุคคลนี้จริง",
        "reject": "ไม่ยอมรับ: ให้รายงานตัวใหม่",
        "read_only": "ผู้บริหารดูได้อย่างเดียว การตัดสินเป็นของเจ้าหน้าที่สำนักงาน",
        "reviewed": "ตรวจสอบแล้ว",
        "reviewed_by": "โดย",
        "review_accept": "ยอมรับ",
        "review_reject": "ไม่ยอมรับ",
        "review_superseded": "ปิดเพราะยืนยันทางวิดีโอคอลแล้ว",
        "not_waiting": "การส่งครั้งนี้ไม่ได้รอการตรวจสอบ",
        "open_person": "ข้อมูลบุคคล",
        "st_upcoming": "ยังไม่ถึงช่วง",
        "st_open": "เปิดรับ",
        "st_verified": "ยืนยันแล้ว",
        "st_pending_review": "รอตรวจสอบ",
        "st_late": "เลยกำหนด",
        "st_missed": "ไม่มารายงานตัว",
        "st_excused": "ได้รับการยกเว้น",
    },
    "en": {
        "review_title": "Review queue",
        "review_intro": "Remote check-ins the machine could not decide, longest waiting first",
        "name": "Name",
        "due": "Due",
        "received": "Received",
        "reasons": "Reasons",
        "match": "Face match",
        "status": "Check-in status",
        "action": "Action",
        "review_now": "Review",
        "total": "Total",
        "queue_empty": "Nothing is waiting for review",
        "decided_accept": "Saved: the check-in was accepted",
        "decided_reject": "Saved: the check-in was rejected",
        "queue_done": "Every waiting item has been reviewed",
        "back_to_queue": "Back to the review queue",
        "attempt": "Recording",
        "id_photo": "ID-card photo",
        "frames": "Frames from the recording",
        "second": "at second",
        "no_frames": "No evidence frames (they may have been deleted after the retention period)",
        "distance": "Face distance",
        "match_same": "same person",
        "match_unsure": "uncertain: the officer decides",
        "match_different": "a different person",
        "match_missing": "not measured (the check stopped before comparing faces)",
        "match_edges": "up to {accept} = same person, up to {review} = officer decides, above = different",
        "liveness": "Liveness",
        "check": "Check",
        "measured": "Measured",
        "reading": "Reading",
        "steps_done": "Challenge steps done",
        "steps_of": "of",
        "steps_ok": "all steps done",
        "steps_short": "steps missing",
        "motion": "Motion",
        "motion_ok": "moves like a live person",
        "motion_bad": "hardly moves (a still picture?)",
        "depth": "Face depth when turning",
        "depth_ok": "the face has depth",
        "depth_bad": "flat like a printed photo",
        "depth_unjudged": "not turned far enough to judge",
        "screen": "Screen pattern",
        "screen_ok": "no screen pattern",
        "screen_bad": "may be filmed from a screen",
        "border": "Border moving with the face",
        "border_ok": "none",
        "border_bad": "a border was seen (a held-up picture?)",
        "brightness": "Face brightness",
        "brightness_ok": "light enough",
        "brightness_bad": "too dark",
        "not_measured": "not measured",
        "edge": "edge",
        "challenge": "Challenge",
        "step_window": "seconds",
        "turn_left": "turn the head left",
        "turn_right": "turn the head right",
        "blink": "blink",
        "open_mouth": "open the mouth",
        "client": "Device",
        "device": "Device / browser",
        "screen_size": "Screen",
        "location": "Location",
        "location_not_shared": "not shared",
        "accuracy": "within about",
        "metres": "m",
        "address": "IP address",
        "decision": "Decision",
        "note": "Officer's note (required: what you saw and why you decided)",
        "accept": "Accept: this is the person",
        "reject": "Reject: the person must check in again",
        "read_only": "Managers read only; officers of the office decide",
        "reviewed": "Reviewed",
        "reviewed_by": "by",
        "review_accept": "accepted",
        "review_reject": "rejected",
        "review_superseded": "closed: verified on a video call",
        "not_waiting": "This recording is not waiting for review",
        "open_person": "The person",
        "st_upcoming": "upcoming",
        "st_open": "open",
        "st_verified": "verified",
        "st_pending_review": "waiting for review",
        "st_late": "late",
        "st_missed": "missed",
        "st_excused": "excused",
    },
}


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


def _item_context(attempt: AttemptDetailOut) -> dict[str, Any]:
    return {
        "a": attempt,
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
            WORDS,
            rows=[attempt_out(r) for r in rows],
            total=total,
            page=paging.page,
            pages=max(1, -(-total // paging.page_size)),
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
        target = f"/admin/review/{rows[0]['id']}" if rows else "/admin/review"
        return Redirect(target + notice, status_code=303)

    @get("/{attempt_id:int}")
    async def item(
        self,
        request: Request[Any, Any, Any],
        ctx: CtxDep,
        attempt_id: PathId,
        decided: Annotated[Decided | None, QueryParameter()] = None,
    ) -> Template:
        attempt = attempt_detail_out(await service.read_attempt(ctx, attempt_id))
        return render(
            request,
            "admin/review_item.html",
            WORDS,
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
            return Redirect(f"/admin/review/next?decided={decision}", status_code=303)
        attempt = attempt_detail_out(await service.read_attempt(ctx, attempt_id))
        return render(
            request,
            "admin/review_item.html",
            WORDS,
            status_code=status,
            decided=None,
            can_decide=ctx.principal.role == OFFICER,
            values={"note": note, "decision": decision},
            errors=field_errors(problem),
            **_item_context(attempt),
        )
