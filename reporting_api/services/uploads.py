"""A recording from the check-in page, before it is verified: the challenge, and the upload
checked and accepted.

1. `issue_challenge`: a fresh random challenge, stored with an expiry, used at most once; with
   the camera's picture, a mask or dark glasses are asked off before the recording.
2. `submit`: the upload is checked (size, kind, idempotency key, the challenge), sealed and
   stored as an attempt in state `processing`, then verified in the background
   (services/attempts.py). `check_clip`, `check_frames` and `clean_client` check what the page
   sent before that; frames are measured from their headers, never decoded here: a frame
   whose size cannot be read is refused, and all of them together may decode to at most
   `MAX_UPLOAD_PIXELS`.
"""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta
from typing import Any, TypedDict

from liveness.challenge import (
    ACTIONS,
    RECENT_RECORDINGS,
    missed_step,
    new_challenge,
    struggled_with,
)
from liveness.occlusion import GLASSES_MIN
from liveness.reasons import reason
from liveness.types import Action
from liveness.video import image_size
from reporting_api.errors import InvalidInput, Refused
from reporting_api.services import faces
from reporting_api.services.attempts import lease, media_context, process
from reporting_api.services.links import LinkState, Visit, link_state, refusal
from reporting_api.store import attempts as store
from reporting_api.store import defendants as defendant_store
from reporting_api.store import links as link_store
from reporting_api.store import transaction
from reporting_api.store.links import LinkRow
from reporting_api.store.rows import AttemptRow
from reporting_api.verification import look_in_frame, pack_frames, unpack_frames
from reporting_api.worker_pool import JobFailed, PoolClosed

KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_FRAMES = 450
FRAME_TIME = re.compile(r"(?<![0-9])([0-9]{1,7})(?![0-9])")
"""A frame's time in milliseconds in its file name (`frame-1234.jpg`): a number on its own of
at most seven digits (under three hours); a name without one gets its place in the upload."""
WEBM_MAGIC = b"\x1a\x45\xdf\xa3"


class IssuedChallenge(TypedDict):
    """A challenge as the page receives it: its id, the steps to perform and their times."""

    id: str
    steps: list[dict[str, Any]]
    expires_in: int


async def issue_challenge(
    visit: Visit, row: LinkRow, frame: bytes | None = None
) -> IssuedChallenge:
    """A new challenge for an identified person whose window is open.

    With ``frame`` (the camera's picture as the person pressed "start"), a face wearing a
    mask or dark glasses is asked to take it off first (422, naming what), so nobody records
    a clip that cannot pass, and the challenge leaves out what this face does not let us
    measure reliably (a blink behind glasses), recording why. Without a face to judge (no
    frame, one that shows no face, or the workers busy or gone) the ID-card photo's judgement
    made at enrolment stands in: glasses there leave the blink out (`glasses_on_card`); the
    recording's own check still asks for a mask to come off. Otherwise an action the
    person's recordings stopped at twice of the last three is left out (`missed_before`).
    At most one action is left out: three remain, 42 sequences.
    """
    # Made (or checked) now, so a person with no usable photo hears it before recording.
    await faces.template_for(visit.runtime, row["defendant_id"], visit.now)
    seen: dict[str, Any] = {"face": False, "request": None, "left_out": {}}
    if frame is not None:
        check_frame(frame)
        try:
            seen = await visit.runtime.verifier.run(look_in_frame, frame)
        except (JobFailed, PoolClosed):
            pass
        if seen["request"] is not None:
            words = reason(seen["request"])
            raise Refused(422, "frame", words.en, words.th)
    left_out: dict[str, str] = seen["left_out"]
    if not seen["face"]:
        left_out = await _glasses_on_card(row["defendant_id"])
    if not left_out:
        left_out = await _struggled(row["defendant_id"])
    challenge = new_challenge(
        visit.runtime.challenge_rng, [a for a in ACTIONS if a not in left_out]
    )
    steps = json.loads(challenge.to_json())["steps"]
    expires_in = visit.settings.checkin.challenge_seconds
    await link_store.create_challenge(
        {
            "token": challenge.id,
            "check_in": row["id"],
            "steps": steps,
            "left_out": left_out,
            "issued_at": visit.now,
            "expires_at": visit.now + timedelta(seconds=expires_in),
        }
    )
    return IssuedChallenge(id=challenge.id, steps=steps, expires_in=expires_in)


async def _glasses_on_card(defendant_id: int) -> dict[str, str]:
    """`{"blink": "glasses_on_card"}` when the ID-card photo's face wears clear glasses (the
    score kept with the template's quality since enrolment), else nothing."""
    glasses = await defendant_store.face_glasses(defendant_id)
    if glasses is not None and glasses >= GLASSES_MIN:
        return {str(Action.BLINK): "glasses_on_card"}
    return {}


async def _struggled(defendant_id: int) -> dict[str, str]:
    """`{action: "missed_before"}` for an action the person's recent recordings kept missing."""
    missed = []
    for recording in await store.recent_recordings(defendant_id, RECENT_RECORDINGS):
        stopped = any(r.get("code") == "challenge_not_completed" for r in recording["reasons"])
        actions = [str(s.get("action")) for s in recording["steps"] or []]
        completed = recording["scores"].get("steps_completed")
        missed.append(
            missed_step(actions, int(completed))
            if stopped and isinstance(completed, (int, float)) and math.isfinite(completed)
            else None
        )
    action = struggled_with(missed)
    return {action: "missed_before"} if action else {}


MAX_FRAME_BYTES = 512 * 1024
MAX_FRAME_SIDE = 1920


def check_frame(data: bytes) -> None:
    """The camera picture sent with a challenge request: a JPEG or PNG of at most 512 KB and
    1920 px a side, measured from its header (never decoded here)."""
    if not data:
        raise InvalidInput("frame", "the camera picture is empty", "ไม่มีภาพจากกล้อง")
    if len(data) > MAX_FRAME_BYTES:
        raise InvalidInput(
            "frame",
            f"the camera picture is larger than {MAX_FRAME_BYTES // 1024} KB",
            f"ภาพจากกล้องใหญ่เกิน {MAX_FRAME_BYTES // 1024} KB",
        )
    if not (data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"):
        raise InvalidInput(
            "frame", "the camera picture is not a JPEG or PNG", "ภาพจากกล้องไม่ใช่ JPEG หรือ PNG"
        )
    size = image_size(data)
    if size is None or max(size) > MAX_FRAME_SIDE:
        raise InvalidInput(
            "frame",
            f"the camera picture's size cannot be read or is over {MAX_FRAME_SIDE} px a side",
            f"อ่านขนาดภาพจากกล้องไม่ได้ หรือใหญ่เกิน {MAX_FRAME_SIDE} พิกเซล",
        )


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
        if image_size(data) is None:
            # Never decoded: an image of unknown size could expand to anything.
            raise InvalidInput(
                "frames",
                f"the size of frame {index + 1} cannot be read from its header; record again",
                f"อ่านขนาดของภาพที่ {index + 1} จากส่วนหัวของไฟล์ไม่ได้ โปรดถ่ายใหม่",
            )
        match = FRAME_TIME.search(name or "")
        timed.append((int(match.group(1)) / 1000 if match else index / 12, data))
    return pack_frames(timed)


def check_frame_pixels(blob: bytes, limit: int) -> None:
    """The frames of a checked upload (`check_frames`) decode to at most ``limit`` pixels in
    all, by their headers."""
    pixels = 0
    for _, data in unpack_frames(blob):
        width, height = image_size(data) or (0, 0)  # check_frames refused unreadable ones
        pixels += width * height
    if pixels > limit:
        got, most = round(pixels / 1e6), round(limit / 1e6)
        raise Refused(
            413,
            "frames",
            f"the frames decode to {got} million pixels, more than {most} million; record again",
            f"ภาพทั้งหมดมีขนาดรวม {got} ล้านพิกเซล เกินกว่า {most} ล้านพิกเซลที่รับได้ โปรดถ่ายใหม่",
        )


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
    except RecursionError:  # nesting deeper than the interpreter's stack allows
        raise InvalidInput("client", "is nested too deeply", "ข้อมูลซ้อนกันลึกเกินไป") from None
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
    if media_kind == "frames":
        check_frame_pixels(media, visit.settings.checkin.max_upload_pixels)
    sealed = visit.runtime.sealer.seal(media, media_context(row["id"], key))
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
                    "lease_until": visit.now + lease(visit.settings),
                    "lease_owner": visit.runtime.instance_id,
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
