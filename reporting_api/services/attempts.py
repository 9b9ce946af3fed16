"""A recording from the check-in page: challenge, upload, verification off the event loop,
and what the verdict does to the check-in.

1. `issue_challenge`: a fresh random challenge, stored with an expiry, used at most once.
2. `submit`: the upload is checked (size, kind, idempotency key, the challenge), sealed and
   stored as an attempt in state `processing`, then verified in the background.
3. `process`: `liveness.verify` runs in the verifier's process pool; the verdict, scores,
   reasons, a few sealed evidence frames and the check-in's new status are written in one
   transaction. A process that dies mid-way leaves the attempt with a lease that lapses;
   `recover` hands such attempts to a live process.
4. `status`: what the page shows: verified (with the next due date), try again (the reason,
   what to do, tries left), or passed to an officer.

An automated negative never closes a check-in: rejections leave it open while tries remain,
then pass it to an officer (`pending_review`); a cue of an attack raises a flag at once.
"""

from __future__ import annotations

import json
import logging
import math
import re
from datetime import datetime, timedelta
from typing import Any, TypedDict

from msgspec import Struct

from liveness.challenge import new_challenge
from liveness.types import Challenge
from reporting_api.errors import InvalidInput, Refused
from reporting_api.runtime import Runtime
from reporting_api.sealing import SealError
from reporting_api.services import alerts, faces
from reporting_api.services.alerts import NewFlag
from reporting_api.services.checkins import effective_status
from reporting_api.services.links import LinkState, Visit, link_state, refusal
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
from reporting_api.store.rows import AttemptRow
from reporting_api.thai_dates import format_english_date, format_thai_date
from reporting_api.verification import pack_frames, verify_upload

log = logging.getLogger(__name__)

KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
LEASE = timedelta(minutes=5)
MAX_FRAMES = 450
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
WEBM_MAGIC = b"\x1a\x45\xdf\xa3"


def _media_context(check_in_id: int, key: str) -> str:
    return f"check_in:{check_in_id}:upload:{key}"


def evidence_context(attempt_id: int, position: int) -> str:
    """What an evidence frame is sealed to: opened only as this frame of this attempt."""
    return f"attempt:{attempt_id}:evidence:{position}"


class IssuedChallenge(TypedDict):
    """A challenge as the page receives it: its id, the steps to perform and their times."""

    id: str
    steps: list[dict[str, Any]]
    expires_in: int


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


async def issue_challenge(visit: Visit, row: LinkRow) -> IssuedChallenge:
    """A new challenge for an identified person whose window is open."""
    # Made (or checked) now, so a person with no usable photo hears it before recording.
    await faces.template_for(visit.runtime, row["defendant_id"], visit.now)
    challenge = new_challenge(visit.runtime.challenge_rng)
    steps = json.loads(challenge.to_json())["steps"]
    expires_in = visit.settings.checkin.challenge_seconds
    await link_store.create_challenge(
        {
            "token": challenge.id,
            "check_in": row["id"],
            "steps": steps,
            "issued_at": visit.now,
            "expires_at": visit.now + timedelta(seconds=expires_in),
        }
    )
    return IssuedChallenge(id=challenge.id, steps=steps, expires_in=expires_in)


def check_clip(data: bytes, limit: int) -> None:
    if not data:
        raise InvalidInput("clip", "the recording is empty", "ไม่มีข้อมูลวิดีโอ")
    if len(data) > limit:
        raise Refused(
            413,
            "clip",
            f"the recording is larger than {limit // (1024 * 1024)} MB; record a shorter clip",
            f"วิดีโอใหญ่เกิน {limit // (1024 * 1024)} MB โปรดถ่ายใหม่ให้สั้นลง",
        )
    if data[:4] != WEBM_MAGIC and data[4:8] != b"ftyp":
        raise InvalidInput("clip", "is not a WebM or MP4 video", "ไฟล์นี้ไม่ใช่วิดีโอ WebM หรือ MP4")


def check_frames(frames: list[tuple[str, bytes]], limit: int) -> bytes:
    """JPEG or PNG frames named `frame-<milliseconds>.jpg` (the page's canvas fallback)."""
    if not frames:
        raise InvalidInput("frames", "no frames were sent", "ไม่มีภาพที่ส่งมา")
    if len(frames) > MAX_FRAMES:
        raise InvalidInput("frames", f"more than {MAX_FRAMES} frames", f"ภาพเกิน {MAX_FRAMES} ภาพ")
    if sum(len(data) for _, data in frames) > limit:
        raise Refused(
            413,
            "frames",
            f"the frames are larger than {limit // (1024 * 1024)} MB in all",
            f"ภาพรวมกันใหญ่เกิน {limit // (1024 * 1024)} MB",
        )
    timed = []
    for index, (name, data) in enumerate(frames):
        if not (data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"):
            raise InvalidInput(
                "frames", f"frame {index + 1} is not a JPEG or PNG image", "ภาพไม่ใช่ JPEG หรือ PNG"
            )
        match = re.search(r"(\d+)", name or "")
        timed.append((int(match.group(1)) / 1000 if match else index / 12, data))
    return pack_frames(timed)


def clean_client(text: str | None) -> dict[str, Any]:
    """The page's own metadata: user agent, screen size, and a location given with consent."""
    if not text:
        return {}
    if len(text) > 4096:
        raise InvalidInput("client", "is longer than 4096 characters", "ข้อมูลยาวเกินไป")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise InvalidInput("client", "is not JSON", "ไม่ใช่ JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("client", "must be a JSON object", "ต้องเป็น JSON object")
    client: dict[str, Any] = {}
    if isinstance(data.get("user_agent"), str):
        client["user_agent"] = data["user_agent"][:300]
    screen = data.get("screen")
    if isinstance(screen, list) and len(screen) == 2 and all(isinstance(v, int) for v in screen):
        client["screen"] = screen
    where = data.get("location")
    if isinstance(where, dict):
        try:
            lat, lon = float(where["lat"]), float(where["lon"])
            accuracy = float(where.get("accuracy_m") or 0)
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                "client", "location needs lat and lon", "ตำแหน่งต้องมี lat และ lon"
            ) from None
        # json.loads takes NaN and Infinity, which PostgreSQL's json type refuses (a 500).
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= accuracy < math.inf):
            raise InvalidInput("client", "location is out of range", "ตำแหน่งไม่ถูกต้อง")
        client["location"] = {"lat": lat, "lon": lon, "accuracy_m": accuracy}
    return client


async def submit(
    visit: Visit,
    row: LinkRow,
    key: str | None,
    challenge_token: str,
    media_kind: str,
    media: bytes,
    client: dict[str, Any],
) -> tuple[AttemptRow, bool]:
    """Store one upload as an attempt and start verifying it; returns (attempt, created).

    The same idempotency key on the same link returns the first attempt, whatever happened
    since, so a retried upload never makes a second attempt.
    """
    if not key or not KEY.match(key):
        raise InvalidInput(
            "Idempotency-Key",
            "send a header Idempotency-Key of 8 to 64 letters, digits, - or _",
            "ต้องมี Idempotency-Key",
        )
    existing = await store.find_by_key(row["id"], key)
    if existing is not None:
        return existing, False
    # The page's own rule (a locked link takes nothing new either, even with a session
    # opened before the lock).
    state = link_state(row, visit.now)
    if state != LinkState.OPEN:
        raise refusal(row, state)
    challenge = await link_store.get_challenge(challenge_token or "", row["id"])
    if challenge is None:
        raise InvalidInput(
            "challenge_id", "no such challenge for this link; ask for a new one", "ไม่พบชุดคำสั่งนี้"
        )
    if challenge["expires_at"] <= visit.now:
        raise Refused(
            410,
            "challenge_id",
            "the challenge expired; record again with a new one",
            "ชุดคำสั่งหมดเวลาแล้ว โปรดถ่ายใหม่",
        )
    sealed = visit.runtime.sealer.seal(media, _media_context(row["id"], key))
    # Spending the challenge and storing the attempt commit together: a retry with the same
    # key arriving while the first request is between the two waits for it and then finds its
    # attempt (instead of a 409), and a failure between them does not burn the challenge.
    async with transaction(immediate=True):
        spent = await link_store.use_challenge(challenge["id"], visit.now)
        if spent:
            attempt_id = await store.insert_attempt(
                {
                    "check_in": row["id"],
                    "case": row["case"],
                    "office": row["office"],
                    "challenge": challenge["id"],
                    "idempotency_key": key,
                    "state": "processing",
                    "media_kind": media_kind,
                    "media": sealed,
                    "media_bytes": len(media),
                    "lease_until": visit.now + LEASE,
                    "client": client,
                    "client_address": visit.client_address,
                    "created_at": visit.now,
                }
            )
    if not spent:
        again = await store.find_by_key(row["id"], key)
        if again is not None:
            return again, False
        raise Refused(
            409,
            "challenge_id",
            "this challenge was already used; record again with a new one",
            "ชุดคำสั่งนี้ถูกใช้แล้ว โปรดถ่ายใหม่",
        )
    await visit.audit(
        "checkin.attempt",
        row["id"],
        {"attempt": attempt_id, "bytes": len(media), "kind": media_kind},
    )
    visit.runtime.spawn(process(visit.runtime, visit.settings, attempt_id))
    attempt = await store.get_attempt(attempt_id)
    assert attempt is not None
    return attempt, True


async def process(runtime: Runtime, settings: Settings, attempt_id: int) -> None:
    """Verify one stored upload and apply the verdict (run in the background)."""
    try:
        await _process(runtime, settings, attempt_id)
    except Exception:
        # The lease lapses and `recover` tries again; nothing is lost.
        log.exception("verifying attempt %s failed; it will be retried", attempt_id)


async def _process(runtime: Runtime, settings: Settings, attempt_id: int) -> None:
    row = await store.load_media(attempt_id)
    if row is None or row["state"] != "processing" or row["media"] is None:
        return
    try:
        media = runtime.sealer.open(
            row["media"], _media_context(row["check_in"], row["idempotency_key"])
        )
    except SealError:
        log.error("attempt %s: the upload cannot be opened (data key changed?)", attempt_id)
        media = b""
    challenge = Challenge.from_json(
        json.dumps({"id": row["challenge_token"] or "unknown", "steps": row["steps"] or []})
    )
    template = await faces.template_for(runtime, row["defendant_id"], runtime.clock())
    result = await runtime.verifier.run(
        verify_upload,
        template,
        row["media_kind"],
        media,
        challenge.to_json(),
        settings.checkin.max_upload_bytes,
    )
    await apply_verdict(runtime, settings, attempt_id, result, runtime.clock())


async def apply_verdict(
    runtime: Runtime,
    settings: Settings,
    attempt_id: int,
    result: dict[str, Any],
    now: datetime,
) -> None:
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
        await store.finish_attempt(
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
        )
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
            },
            actor="verifier",
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
    """Take over attempts whose process died (lease lapsed) and verify them here."""
    now = runtime.clock()
    taken = 0
    for attempt_id in await store.stale_processing(now):
        if await store.take_over(attempt_id, now, now + LEASE):
            runtime.spawn(process(runtime, settings, attempt_id))
            taken += 1
    return taken


async def status(visit: Visit, row: LinkRow, attempt_id: int, lang: str) -> AttemptStatus:
    """The attempt as the page shows it."""
    attempt = await store.get_attempt(attempt_id)
    if attempt is None or attempt["check_in"] != row["id"]:
        raise Refused(404, "attempt_id", "no such attempt on this link", "ไม่พบการส่งครั้งนี้")
    body = AttemptStatus(attempt_id=attempt_id, state=attempt["state"])
    if attempt["state"] != "done":
        return body
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
    return body
