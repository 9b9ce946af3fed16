"""Files a person attaches to a request: a resumable upload in checked chunks, the file's
type decided and checked from its content (`attachment_checks`), stored sealed, and opened
by officers with an audit row.

The page's side (static/upload.js):
1. `start`: the name and size announced; an upload id and the chunk size come back.
2. `receive`: one chunk at the offset the upload is waiting for, with its SHA-256. A chunk
   that arrives damaged, or at another offset, is refused and nothing is stored; the page
   asks `state` for the offset after a dropped connection and goes on from there.
3. The chunk that completes the file starts the check; a refused file's content goes at
   once and its reason (Thai and English) is what `state` shows.

Chunks are sealed one by one (AES-GCM, bound to the attachment and the offset), so no file
is ever held whole in memory: the check reads the file back into an unnamed temporary file
(gone when closed, even if the process dies) and a re-written image is stored the same way.
An upload not attached to a request within a day is purged nightly (`services/retention`); attached,
it lives and dies with its request (the case's retention, or the person's erasure).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import anyio

from reporting_api.access import ensure_can_read_office
from reporting_api.attachment_checks import (
    EXTENSIONS,
    MAX_BYTES,
    MEDIA_TYPES,
    AttachmentRefused,
    inspect,
)
from reporting_api.errors import Conflict, InvalidInput, NotFound, Refused
from reporting_api.services.context import Ctx
from reporting_api.services.links import Visit
from reporting_api.store import attachments as store
from reporting_api.store import cases as case_store
from reporting_api.store import links as link_store
from reporting_api.store import requests as request_store
from reporting_api.store.attachments import AttachmentRow
from reporting_api.store.links import LinkRow

log = logging.getLogger(__name__)

CHUNK_BYTES = 256 * 1024
"""The chunk size the page is told to send: about two seconds at 1 Mbit/s, so a dropped
connection loses little."""
MAX_CHUNK = 1024 * 1024
PERSON_HOURLY_UPLOADS = 20
CLIENT_HOURLY_UPLOADS = 60
MAX_PER_REQUEST = 5
CHECK_GIVEN_UP = timedelta(minutes=10)
CHECKSUM = re.compile(r"^[0-9a-fA-F]{64}$")
NAME_CHARS = 120


@dataclass(frozen=True)
class UploadView:
    """An upload as the page sees it."""

    id: str
    name: str
    size: int
    received: int
    status: str
    kind: str | None
    reason: str | None
    reason_th: str | None


def _view(row: AttachmentRow) -> UploadView:
    reason_th, _, reason = (row["refusal_text"] or "").partition("\n")
    return UploadView(
        id=row["token"],
        name=row["name"],
        size=row["size"],
        received=row["received"],
        status=row["status"],
        kind=row["kind"],
        reason=reason or None,
        reason_th=reason_th or None,
    )


def clean_name(name: str) -> str:
    """The name the phone gave, without a path or control characters, at most 120
    characters (its extension kept)."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(base) > NAME_CHARS:
        stem, dot, extension = base.rpartition(".")
        keep = extension[:10] if dot else ""
        base = base[: NAME_CHARS - len(keep) - 1] + ("." + keep if keep else "")
    return base or "file"


def _context(attachment_id: int, offset: int) -> str:
    return f"attachment:{attachment_id}:{offset}"


async def start(visit: Visit, row: LinkRow, name: str, size: int) -> UploadView:
    """A new upload on the identified person's link."""
    case = await case_store.get_case(row["case"])
    if case is None or case["status"] != "active":
        raise Conflict(
            "case",
            "your reporting has ended; call the office if you need anything",
            "การรายงานตัวของท่านสิ้นสุดแล้ว หากต้องการติดต่อ โปรดโทรหาสำนักงาน",
        )
    if size <= 0:
        raise InvalidInput("size", "the file is empty", "ไฟล์ว่างเปล่า")
    if size > MAX_BYTES:
        raise Refused(
            413,
            "size",
            "the file is larger than 50 MB; send a smaller file (a photo of each page will do)",
            "ไฟล์ใหญ่เกิน 50 MB โปรดส่งไฟล์ที่เล็กลง (ถ่ายภาพทีละหน้าก็ได้)",
        )
    client_key = None if visit.client_address is None else f"upload:client:{visit.client_address}"
    full = await link_store.take_press(
        f"upload:person:{row['defendant_id']}",
        PERSON_HOURLY_UPLOADS,
        client_key,
        CLIENT_HOURLY_UPLOADS,
        visit.now,
    )
    if full is not None:
        raise Refused(
            429,
            "size",
            "too many files in an hour; wait, or bring the papers to the office",
            "ส่งไฟล์หลายครั้งเกินไปในหนึ่งชั่วโมง โปรดรอ หรือนำเอกสารไปที่สำนักงาน",
        )
    made = await store.create(
        {
            "token": secrets.token_urlsafe(24),
            "check_in": row["id"],
            "defendant": row["defendant_id"],
            "name": clean_name(name),
            "size": size,
            "received": 0,
            "status": "receiving",
            "created_at": visit.now,
            "updated_at": visit.now,
        }
    )
    await visit.audit(
        "attachment.start", made["id"], {"size": size, "check_in": row["id"]}, "attachment"
    )
    return _view(made)


async def _mine(row: LinkRow, token: str) -> AttachmentRow:
    found = await store.by_token(token, row["id"])
    if found is None:
        raise NotFound("upload")
    return found


async def state(visit: Visit, row: LinkRow, token: str) -> UploadView:
    """Where an upload stands: the offset it waits for, or its result. A check that never
    finished (the server stopped during it) is given up after `CHECK_GIVEN_UP`."""
    found = await _mine(row, token)
    if found["status"] == "checking" and visit.now - found["updated_at"] > CHECK_GIVEN_UP:
        await _refuse(visit, found, _UNCHECKED)
        found = await _mine(row, token)
    return _view(found)


_UNCHECKED = AttachmentRefused(
    "unchecked",
    "the file could not be checked; send it again",
    "ตรวจไฟล์ไม่สำเร็จ โปรดส่งใหม่อีกครั้ง",
)


async def _refuse(visit: Visit, found: AttachmentRow, refused: AttachmentRefused) -> None:
    await store.mark_refused(
        found["id"], refused.code, f"{refused.reason_th}\n{refused.reason}", visit.now
    )
    await visit.audit("attachment.refused", found["id"], {"reason": refused.code}, "attachment")


async def receive(
    visit: Visit, row: LinkRow, token: str, offset: int, checksum: str | None, body: bytes
) -> UploadView:
    """Store one chunk; the last one starts the check (the answer then carries its result)."""
    found = await _mine(row, token)
    if found["status"] != "receiving":
        return _view(found)  # a retried last chunk: the result stands
    if offset != found["received"]:
        raise Conflict(
            "Upload-Offset",
            f"the upload is waiting for offset {found['received']}, not {offset}",
            f"ระบบรอข้อมูลตั้งแต่ตำแหน่ง {found['received']} ไม่ใช่ {offset}",
        )
    if not body:
        raise InvalidInput("body", "the chunk is empty", "ไม่มีข้อมูลในส่วนที่ส่งมา")
    if len(body) > MAX_CHUNK:
        raise Refused(413, "body", "a chunk may be at most 1 MB", "ข้อมูลแต่ละส่วนต้องไม่เกิน 1 MB")
    if offset + len(body) > found["size"]:
        raise InvalidInput(
            "body",
            f"the chunk goes past the announced size of {found['size']} bytes",
            f"ข้อมูลเกินขนาดไฟล์ที่แจ้งไว้ {found['size']} ไบต์",
        )
    if not checksum or not CHECKSUM.match(checksum):
        raise InvalidInput(
            "Chunk-SHA256",
            "send the chunk's SHA-256 as 64 hexadecimal digits",
            "ต้องส่งค่า SHA-256 ของข้อมูลเป็นเลขฐานสิบหก 64 หลัก",
        )
    if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), checksum.lower()):
        raise InvalidInput(
            "Chunk-SHA256",
            "the chunk arrived damaged (its SHA-256 differs); send it again",
            "ข้อมูลส่วนนี้เสียหายระหว่างส่ง (SHA-256 ไม่ตรง) โปรดส่งใหม่",
        )
    sealed = visit.runtime.sealer.seal(body, _context(found["id"], offset))
    status = await store.append(found["id"], offset, len(body), sealed, visit.now)
    if status is None:
        now_at = await _mine(row, token)
        if now_at["status"] != "receiving":
            return _view(now_at)
        raise Conflict(
            "Upload-Offset",
            f"the upload is waiting for offset {now_at['received']}, not {offset}",
            f"ระบบรอข้อมูลตั้งแต่ตำแหน่ง {now_at['received']} ไม่ใช่ {offset}",
        )
    if status == "checking":
        await _check(visit, found)
    return _view(await _mine(row, token))


async def content(sealer: Any, attachment_id: int) -> AsyncIterator[bytes]:
    """A stored attachment's content, chunk by chunk (for a reader who may see it)."""
    async for offset, sealed in store.chunks(attachment_id):
        yield sealer.open(sealed, _context(attachment_id, offset))


async def _check(visit: Visit, found: AttachmentRow) -> None:
    sealer = visit.runtime.sealer
    with tempfile.TemporaryFile() as plain, tempfile.TemporaryFile() as out:
        async for block in content(sealer, found["id"]):
            plain.write(block)
        try:
            checked = await anyio.to_thread.run_sync(inspect, plain, found["size"], out)
        except AttachmentRefused as refused:
            await _refuse(visit, found, refused)
            return
        except Exception:  # a reader's own bug must not leave the upload half-checked
            log.exception("attachment %s: the check failed", found["id"])
            await _refuse(visit, found, _UNCHECKED)
            return
        source = out if checked.rewritten else plain
        digest = hashlib.sha256()
        stored = 0

        async def pieces() -> AsyncIterator[tuple[int, int, bytes]]:
            nonlocal stored
            source.seek(0)
            while block := source.read(CHUNK_BYTES * 4):
                digest.update(block)
                yield stored, len(block), sealer.seal(block, _context(found["id"], stored))
                stored += len(block)

        if checked.rewritten:
            await store.replace_chunks(found["id"], pieces())
        else:
            async for _ in pieces():
                pass  # the chunks as sent are what is stored: only count and hash them
    await store.mark_ready(found["id"], checked.kind, stored, digest.hexdigest(), visit.now)
    await visit.audit(
        "attachment.ready",
        found["id"],
        {"kind": checked.kind, "size": stored, "rewritten": checked.rewritten},
        "attachment",
    )


def check_tokens(tokens: list[str] | None) -> list[str]:
    """The upload ids a request names: at most `MAX_PER_REQUEST`, each once."""
    tokens = list(dict.fromkeys(tokens or []))
    if len(tokens) > MAX_PER_REQUEST:
        raise InvalidInput(
            "attachment_ids",
            f"at most {MAX_PER_REQUEST} files a request",
            f"แนบไฟล์ได้ไม่เกิน {MAX_PER_REQUEST} ไฟล์ต่อคำร้อง",
        )
    if any(not isinstance(t, str) or not 8 <= len(t) <= 64 for t in tokens):
        raise InvalidInput("attachment_ids", "not an upload id", "รหัสไฟล์ไม่ถูกต้อง")
    return tokens


def file_name(row: AttachmentRow) -> str:
    """The name to save under: the person's, with the extension of the type found."""
    kind = row["kind"] or "bin"
    extension = EXTENSIONS.get(kind, kind)
    stem = row["name"].rsplit(".", 1)[0] if "." in row["name"] else row["name"]
    return f"{stem}.{extension}"


def content_disposition(name: str) -> str:
    """`attachment` with the name (RFC 6266): ASCII for old clients, UTF-8 for the rest."""
    stem, _, extension = name.rpartition(".")
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_") or "attachment"
    return (
        f"attachment; filename=\"{fallback}.{extension}\"; filename*=UTF-8''{quote(name, safe='')}"
    )


@dataclass(frozen=True)
class Download:
    row: AttachmentRow
    media_type: str
    file_name: str
    content: AsyncIterator[bytes]


async def open_for_officer(ctx: Ctx, request_id: int, attachment_id: int) -> Download:
    """An attachment of a request the officer may read, streamed as stored; audited."""
    request = await request_store.queue_row(request_id)
    if request is None:
        raise NotFound("request")
    ensure_can_read_office(ctx.principal, request["office"], "request")
    row = await store.get(attachment_id)
    if row is None or row["request"] != request_id or row["status"] != "ready":
        raise NotFound("attachment")
    await ctx.audit(
        "attachment.download",
        "attachment",
        attachment_id,
        {"request": request_id, "kind": row["kind"], "sha256": row["sha256"]},
    )
    return Download(
        row=row,
        media_type=MEDIA_TYPES[row["kind"] or "txt"],
        file_name=file_name(row),
        content=content(ctx.rt.sealer, attachment_id),
    )
