"""A recording from the check-in page once stored: verification off the event loop, and what
the verdict does to the check-in (how it is checked and accepted: services/uploads.py).

1. `process`: `liveness.verify` runs in the verifier's process pool; the verdict, scores,
   reasons, a few sealed evidence frames and the check-in's new status are written in one
   transaction. While it waits and runs, the process holds the attempt by a short lease
   (`VERIFY_LEASE_SECONDS`, 20) that a heartbeat renews (`VERIFY_HEARTBEAT_SECONDS`, 5) for as
   long as the process lives, however long the queue or the verification takes. A process that
   dies stops renewing; `recover` (every few seconds in every API process) hands the attempt
   to a live one within seconds. The verdict is stored only by the lease's holder (or after it
   was handed back), in one conditional update: a late finisher whose lease was taken over
   writes nothing. A run that ends without a verdict (its worker killed past the job's time or
   memory limit, or dead, or the lease lapsed in a process that died) counts a try; after
   `VERIFY_MAX_TRIES` the attempt stops being retried and goes to an officer as
   `analysis_failed` (`give_up`), with a flag, and the page tells the person so. On SIGTERM
   (`shut_down`) the process hands back the leases of the attempts still queued at once, lets
   the running ones finish within `SHUTDOWN_GRACE_SECONDS`, and hands back what is left.
2. `status`: what the page shows: verified (with the next due date and the receipt,
   services/receipts.py), try again (the reason, what to do, tries left), or passed to an
   officer.

An automated negative never closes a check-in: rejections leave it open while tries remain,
then pass it to an officer (`pending_review`); a cue of an attack raises a flag at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct

from liveness.reasons import reason
from liveness.types import Challenge
from reporting_api import metrics
from reporting_api.errors import Refused
from reporting_api.runtime import Runtime
from reporting_api.sealing import SealError
from reporting_api.services import alerts, faces, notices, receipts
from reporting_api.services.alerts import NewFlag
from reporting_api.services.checkins import effective_status
from reporting_api.services.links import Visit
from reporting_api.settings import Settings
from reporting_api.statuses import (
    CheckInStatus,
    FlagKind,
    Severity,
    can_transition,
)
from reporting_api.store import attempts as store
from reporting_api.store import audit, transaction
from reporting_api.store import checkins as checkin_store
from reporting_api.store import links as link_store
from reporting_api.store.links import LinkRow
from reporting_api.store.rows import CheckInRow
from reporting_api.thai_dates import format_english_date, format_thai_date
from reporting_api.verification import verify_upload
from reporting_api.worker_pool import JobFailed, PoolClosed

log = logging.getLogger(__name__)
# Reasons that suggest someone other than the person, or a picture of them: flag at once.
ATTACK_CUES = frozenset(
    {
        "face_mismatch",
        "face_changed",
        "no_motion",
        "flat_face",
        "screen_suspected",
        "border_suspected",
    }
)


def media_context(check_in_id: int, key: str) -> str:
    return f"check_in:{check_in_id}:upload:{key}"


def evidence_context(attempt_id: int, position: int) -> str:
    """What an evidence frame is sealed to: opened only as this frame of this attempt."""
    return f"attempt:{attempt_id}:evidence:{position}"


class ReasonText(Struct):
    code: str
    message: str
    message_th: str


class AttemptStatus(Struct, omit_defaults=True):
    """An attempt as the page polls it: still checking, or the outcome with its reasons
    (and what to do next); fields that do not apply are left out."""

    attempt_id: int
    state: str
    outcome: str | None = None
    reasons: list[ReasonText] | None = None
    message: str | None = None
    message_th: str | None = None
    retries_left: int | None = None
    next_due_text: str | None = None
    receipt: receipts.Receipt | None = None
    """Once the check-in is verified by this recording (or an officer accepted it)."""


# What stopped a run, as the officer's flag says it.
FAILURE_WORDS = {
    "time_limit": ("took longer than {seconds} seconds", "ใช้เวลาเกิน {seconds} วินาที"),
    "memory_limit": ("needed more than {memory} MB of memory", "ใช้หน่วยความจำเกิน {memory} MB"),
    "worker_died": ("stopped the verifying process", "ทำให้กระบวนการตรวจสอบหยุดทำงาน"),
    "lease_lapsed": (
        "was not finished by the process verifying it",
        "ไม่เสร็จในกระบวนการที่ตรวจสอบ",
    ),
}


def lease(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.checkin.verify_lease_seconds)


async def process(runtime: Runtime, settings: Settings, attempt_id: int) -> None:
    """Verify one stored upload and apply the verdict (run in the background), renewing this
    process's lease on it on a heartbeat meanwhile.

    A run whose worker was killed (past `VERIFY_JOB_SECONDS` or `VERIFY_JOB_MEMORY_MB`) or
    died counts a try and runs again at once, until `VERIFY_MAX_TRIES`: then `give_up`.
    """
    beat = asyncio.get_running_loop().create_task(_heartbeat(runtime, settings, attempt_id))
    try:
        while True:
            try:
                await _process(runtime, settings, attempt_id)
                return
            except JobFailed as failure:
                now = runtime.clock()
                tries = await store.count_failed_try(
                    attempt_id, runtime.instance_id, now + lease(settings)
                )
                log.warning("verifying attempt %s: %s (try %s)", attempt_id, failure, tries)
                if tries is None:
                    return  # finished meanwhile, or no longer ours
                await audit.record_system(
                    "checkin.verify_failed",
                    "verification_attempt",
                    attempt_id,
                    now,
                    {"failure": failure.kind, "tries": tries},
                    actor="verifier",
                )
                if tries >= settings.checkin.verify_max_tries:
                    await give_up(runtime, settings, attempt_id, failure.kind, tries)
                    return
            except (asyncio.CancelledError, PoolClosed):
                return  # handed back on shutdown: another process takes it over
            except Exception:
                # Counted as a try and let go: any process takes it over after a lease's
                # length (this one included), without counting it again. If even that fails,
                # the lease lapses and the taker counts the try; nothing is lost.
                log.exception("verifying attempt %s failed; it will be retried", attempt_id)
                try:
                    await store.count_failed_try_and_release(
                        attempt_id, runtime.instance_id, runtime.clock() + lease(settings)
                    )
                except Exception:
                    log.exception("attempt %s: the failed try was not recorded", attempt_id)
                return
    finally:
        beat.cancel()
        runtime.verifying.pop(attempt_id, None)


async def _heartbeat(runtime: Runtime, settings: Settings, attempt_id: int) -> None:
    """Renew this process's lease every `VERIFY_HEARTBEAT_SECONDS` until cancelled; stops
    when the attempt is no longer ours (finished, or taken over after a lapse)."""
    every = settings.checkin.verify_heartbeat_seconds
    while True:
        await asyncio.sleep(every)
        try:
            if not await store.renew(
                attempt_id, runtime.instance_id, runtime.clock() + lease(settings)
            ):
                return
        except Exception:
            # The database did not answer: try again at the next beat (the lease is three
            # beats long, so one missed renewal loses nothing).
            log.warning("renewing the lease of attempt %s failed", attempt_id, exc_info=True)


async def give_up(
    runtime: Runtime, settings: Settings, attempt_id: int, failure: str, tries: int
) -> None:
    """Stop retrying an attempt that no run could finish: it ends `done` with decision
    `review` and reason `analysis_failed`, the check-in waits for an officer, who is flagged.
    The upload is dropped like any other (it is what kept killing its workers)."""
    result = {
        "verdict": {
            "decision": "review",
            "reasons": [asdict(reason("analysis_failed"))],
            "scores": {},
            "timings_ms": {},
        },
        "evidence": [],
    }
    await apply_verdict(
        runtime, settings, attempt_id, result, runtime.clock(), gave_up=(failure, tries)
    )


async def _process(runtime: Runtime, settings: Settings, attempt_id: int) -> None:
    row = await store.load_media(attempt_id)
    if row is None or row["state"] != "processing" or row["media"] is None:
        return
    try:
        media = runtime.sealer.open(
            row["media"], media_context(row["check_in"], row["idempotency_key"])
        )
    except SealError:
        log.error("attempt %s: the upload cannot be opened (data key changed?)", attempt_id)
        media = b""
    challenge = Challenge.from_json(
        json.dumps({"id": row["challenge_token"] or "unknown", "steps": row["steps"] or []})
    )
    template = await faces.template_for(runtime, row["defendant_id"], runtime.clock())
    job = runtime.verifier.submit(
        verify_upload,
        template,
        row["media_kind"],
        media,
        challenge.to_json(),
        settings.checkin.max_upload_bytes,
        settings.checkin.max_upload_pixels,
    )
    runtime.verifying[attempt_id] = job
    result = await asyncio.wrap_future(job)
    await apply_verdict(runtime, settings, attempt_id, result, runtime.clock())


async def apply_verdict(
    runtime: Runtime,
    settings: Settings,
    attempt_id: int,
    result: dict[str, Any],
    now: datetime,
    gave_up: tuple[str, int] | None = None,
) -> None:
    """Store a verdict and what it does; ``gave_up`` (what stopped the runs, how many) when
    the verdict is `give_up`'s."""
    verdict = result["verdict"]
    codes = {r["code"] for r in verdict["reasons"]}
    async with transaction(immediate=True):
        attempt = await store.get_attempt(attempt_id)
        if attempt is None or attempt["state"] != "processing":
            return  # another process finished it
        check_in = await checkin_store.get_check_in(attempt["check_in"])
        assert check_in is not None
        current = effective_status(check_in, now)
        decision = verdict["decision"]
        rejected_before = await store.count_rejected(check_in["id"])
        outcome, target, needs_review = _outcome(
            decision, rejected_before, settings.checkin.max_tries
        )
        moved = target is not None and can_transition(current, target)
        if current in (CheckInStatus.VERIFIED, CheckInStatus.EXCUSED):
            # Settled meanwhile (in person, video call): nothing left for an officer to decide.
            needs_review = False
        finished = await store.finish_attempt(
            attempt_id,
            {
                "decision": decision,
                "outcome": outcome,
                "reasons": verdict["reasons"],
                "scores": verdict["scores"],
                "timings": verdict["timings_ms"],
                "needs_review": needs_review,
                "completed_at": now,
            },
            runtime.instance_id,
        )
        if not finished:
            return  # taken over after our lease lapsed: the new holder's verdict stands
        await store.insert_frames(
            [
                {
                    "attempt": attempt_id,
                    "position": position,
                    "t": frame["t"],
                    "image": runtime.sealer.seal(
                        frame["jpeg"], evidence_context(attempt_id, position)
                    ),
                    "width": frame["width"],
                    "height": frame["height"],
                    "created_at": now,
                }
                for position, frame in enumerate(result["evidence"])
            ]
        )
        if moved and target is not None:
            values: dict[str, Any] = {"status": target.value, "updated_at": now}
            if target == CheckInStatus.VERIFIED:
                values |= {"method": "remote", "completed_at": now}
            await checkin_store.update_check_in(check_in["id"], values)
            if target == CheckInStatus.VERIFIED:
                await notices.check_in_settled(settings, now, check_in)
        attack = sorted(codes & ATTACK_CUES)
        if attack or needs_review and decision == "rejected":
            await alerts.raise_flag(
                NewFlag(
                    kind=FlagKind.FAILED_VERIFICATION,
                    case_id=check_in["case"],
                    check_in_id=check_in["id"],
                    office_id=check_in["office"],
                    severity=Severity.HIGH if attack else Severity.MEDIUM,
                    detail_th=f"การรายงานตัวทางไกล (ครั้งที่บันทึก {attempt_id}) ไม่ผ่าน: "
                    + ", ".join(sorted(codes))
                    + ("" if attack else f" (วิดีโอถูกปฏิเสธ {rejected_before + 1} ครั้ง)"),
                    detail_en=f"remote check-in attempt {attempt_id}: "
                    + ", ".join(sorted(codes))
                    + ("" if attack else f" ({rejected_before + 1} rejected recordings)"),
                    dedupe_key=f"{FlagKind.FAILED_VERIFICATION.value}:{check_in['id']}",
                ),
                now,
            )
        if "analysis_failed" in codes:
            await alerts.raise_flag(
                _analysis_failed_flag(check_in, attempt_id, settings, gave_up), now
            )
        await audit.record_system(
            "checkin.verdict",
            "check_in",
            check_in["id"],
            now,
            {
                "attempt": attempt_id,
                "decision": decision,
                "outcome": outcome,
                "reasons": sorted(codes),
                "status": target.value if moved and target else current.value,
            }
            | ({"failure": gave_up[0], "tries": gave_up[1]} if gave_up else {}),
            actor="verifier",
        )
    metrics.verdict(decision, now - attempt["created_at"])


def _analysis_failed_flag(
    check_in: CheckInRow, attempt_id: int, settings: Settings, gave_up: tuple[str, int] | None
) -> NewFlag:
    """The officer's flag for a recording the machine could not judge: call the person."""
    why_en, why_th = "could not be analysed", "วิเคราะห์ไม่ได้"
    if gave_up is not None:
        failure, tries = gave_up
        en, th = FAILURE_WORDS.get(failure, FAILURE_WORDS["worker_died"])
        values = {
            "seconds": settings.checkin.verify_job_seconds,
            "memory": settings.checkin.verify_job_memory_mb,
        }
        why_en = f"{en.format(**values)}, {tries} times"
        why_th = f"{th.format(**values)} {tries} ครั้ง"
    return NewFlag(
        kind=FlagKind.FAILED_VERIFICATION,
        case_id=check_in["case"],
        check_in_id=check_in["id"],
        office_id=check_in["office"],
        severity=Severity.MEDIUM,
        detail_th=f"ระบบตรวจสอบการรายงานตัวทางไกล (ครั้งที่บันทึก {attempt_id}) ไม่ได้: "
        f"วิดีโอ{why_th} (analysis_failed) โปรดติดต่อผู้รายงานตัวเพื่อยืนยันตัวตนทางวิดีโอคอล"
        "หรือที่สำนักงาน",
        detail_en=f"remote check-in attempt {attempt_id} could not be verified: the recording "
        f"{why_en} (analysis_failed); contact the person to verify them by video call or at "
        "the office",
        dedupe_key=f"{FlagKind.FAILED_VERIFICATION.value}:{check_in['id']}:analysis_failed",
    )


def _outcome(
    decision: str, rejected_before: int, max_tries: int
) -> tuple[str, CheckInStatus | None, bool]:
    """(what the page says, the check-in's new status, whether an officer must decide)."""
    if decision == "verified":
        return "verified", CheckInStatus.VERIFIED, False
    if decision == "review":
        return "review", CheckInStatus.PENDING_REVIEW, True
    if rejected_before + 1 >= max_tries:
        return "review", CheckInStatus.PENDING_REVIEW, True
    return "retry", None, False


async def recover(runtime: Runtime, settings: Settings) -> int:
    """Take over attempts whose lease lapsed (their process died) or was handed back, and
    verify them here, unless they have had their tries: an upload that kills whatever runs it
    is not handed out again."""
    if runtime.stopping.is_set():
        return 0
    now = runtime.clock()
    taken = 0
    for attempt_id in await store.stale_processing(now):
        tries = await store.take_over(
            attempt_id, now, now + lease(settings), runtime.instance_id
        )
        if tries is None:
            continue
        taken += 1
        log.info("took over attempt %s (tries so far %s)", attempt_id, tries)
        if tries >= settings.checkin.verify_max_tries:
            await give_up(runtime, settings, attempt_id, "lease_lapsed", tries)
        else:
            runtime.spawn(process(runtime, settings, attempt_id))
    return taken


async def shut_down(runtime: Runtime, settings: Settings) -> None:
    """On SIGTERM: take nothing new, hand back at once the attempts still waiting for a worker
    (another replica starts them at its next look), let the running ones finish within
    `SHUTDOWN_GRACE_SECONDS`, and hand back whatever is left."""
    runtime.stopping.set()
    queued = [attempt for attempt, job in list(runtime.verifying.items()) if job.cancel()]
    owner = runtime.instance_id
    try:
        released = await store.hand_back(owner, runtime.clock(), queued)
        if released:
            log.info("handed back %s queued attempts on shutdown", released)
    except Exception:
        log.exception("handing back queued attempts failed; their leases will lapse")
    await runtime.close(settings.checkin.shutdown_grace_seconds)
    try:
        left = await store.hand_back(owner, runtime.clock())
        if left:
            log.info("handed back %s attempts unfinished at shutdown", left)
    except Exception:
        log.exception("handing back attempts failed; their leases will lapse")


async def status(visit: Visit, row: LinkRow, attempt_id: int, lang: str) -> AttemptStatus:
    """The attempt as the page shows it."""
    attempt = await store.get_attempt(attempt_id)
    if attempt is None or attempt["check_in"] != row["id"]:
        raise Refused(404, "attempt_id", "no such attempt on this link", "ไม่พบการส่งครั้งนี้")
    body = AttemptStatus(attempt_id=attempt_id, state=attempt["state"])
    if attempt["state"] != "done":
        return body
    if attempt["result_told_at"] is None:
        # The page shows it now: no SMS needed (services/notices.py untold_verdicts).
        await store.mark_told(attempt_id, visit.now)
    reasons = [r for r in attempt["reasons"] if r["code"] != "verified"]
    body.outcome = attempt["outcome"]
    body.reasons = [ReasonText(r["code"], r["en"], r["th"]) for r in reasons]
    if reasons:
        body.message, body.message_th = reasons[0]["en"], reasons[0]["th"]
    if attempt["outcome"] == "retry":
        used = await store.count_rejected(row["id"])
        body.retries_left = max(0, visit.settings.checkin.max_tries - used)
    if attempt["outcome"] == "verified":
        following = await link_store.next_due_after(row["case"], row["due_at"])
        if following is not None:
            day = following["due_date"]
            body.next_due_text = format_thai_date(day) if lang == "th" else format_english_date(day)
    if attempt["outcome"] == "verified" or attempt["review_decision"] == "accept":
        # The link's row was read before the attempt: a verdict landing in between left it
        # stale (not yet verified), so the receipt reads the check-in as it is now.
        fresh = await checkin_store.get_check_in(row["id"])
        body.receipt = await receipts.of_check_in(fresh or row, lang)
    return body
