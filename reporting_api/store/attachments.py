"""Attachments and their sealed chunks (`services/attachments.py` says what they are for)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, TypedDict

from reporting_api.store import row_as, rows_as, transaction
from reporting_api.tables import AttachmentChunk, RequestAttachment


class AttachmentRow(TypedDict):
    id: int
    token: str
    check_in: int
    defendant: int
    request: int | None
    name: str
    size: int
    received: int
    status: str
    kind: str | None
    stored_size: int | None
    sha256: str | None
    refusal: str | None
    refusal_text: str | None
    created_at: datetime
    updated_at: datetime


async def create(values: dict[str, Any]) -> AttachmentRow:
    rows = await RequestAttachment.insert(RequestAttachment(**values)).returning(
        *RequestAttachment.all_columns()
    )
    return rows_as(AttachmentRow, rows)[0]


async def by_token(token: str, check_in_id: int) -> AttachmentRow | None:
    return row_as(
        AttachmentRow,
        await RequestAttachment.select()
        .where((RequestAttachment.token == token) & (RequestAttachment.check_in == check_in_id))
        .first(),
    )


async def get(attachment_id: int) -> AttachmentRow | None:
    return row_as(
        AttachmentRow,
        await RequestAttachment.select().where(RequestAttachment.id == attachment_id).first(),
    )


async def append(
    attachment_id: int, offset: int, length: int, sealed: bytes, now: datetime
) -> str | None:
    """Store the chunk at ``offset`` if the upload is waiting for exactly that offset; the
    upload's new status (`checking` once complete), or None when it was not waiting for it
    (another copy of the chunk came first, or it is no longer receiving). One conditional
    update decides, so two copies of a chunk cannot both be stored."""
    async with transaction(immediate=True):
        moved = await RequestAttachment.raw(
            "UPDATE request_attachment SET received = received + {}, updated_at = {}, "
            "status = CASE WHEN received + {} = size THEN 'checking' ELSE status END "
            "WHERE id = {} AND status = 'receiving' AND received = {} AND received + {} <= size "
            "RETURNING status",
            length,
            now,
            length,
            attachment_id,
            offset,
            length,
        )
        if not moved:
            return None
        await AttachmentChunk.insert(
            AttachmentChunk(attachment=attachment_id, offset=offset, length=length, data=sealed)
        )
    return str(moved[0]["status"])


async def chunks(attachment_id: int, batch: int = 8) -> AsyncIterator[tuple[int, bytes]]:
    """The stored chunks as (offset, sealed data) in order, a few at a time."""
    after = -1
    while True:
        rows = (
            await AttachmentChunk.select(AttachmentChunk.offset, AttachmentChunk.data)
            .where((AttachmentChunk.attachment == attachment_id) & (AttachmentChunk.offset > after))
            .order_by(AttachmentChunk.offset)
            .limit(batch)
        )
        for row in rows:
            yield int(row["offset"]), bytes(row["data"])
        if len(rows) < batch:
            return
        after = int(rows[-1]["offset"])


async def replace_chunks(attachment_id: int, pieces: AsyncIterator[tuple[int, int, bytes]]) -> None:
    """Swap the upload's chunks for ``pieces`` (offset, length, sealed data: the file as
    written again), in one transaction."""
    async with transaction(immediate=True):
        await AttachmentChunk.delete().where(AttachmentChunk.attachment == attachment_id)
        async for offset, length, sealed in pieces:
            await AttachmentChunk.insert(
                AttachmentChunk(attachment=attachment_id, offset=offset, length=length, data=sealed)
            )


async def mark_ready(
    attachment_id: int, kind: str, stored_size: int, sha256: str, now: datetime
) -> None:
    await RequestAttachment.update(
        {
            RequestAttachment.status: "ready",
            RequestAttachment.kind: kind,
            RequestAttachment.stored_size: stored_size,
            RequestAttachment.sha256: sha256,
            RequestAttachment.updated_at: now,
        }
    ).where((RequestAttachment.id == attachment_id) & (RequestAttachment.status == "checking"))


async def mark_refused(attachment_id: int, code: str, text: str, now: datetime) -> None:
    """Refused: its content goes at once, the reason stays for the page."""
    async with transaction(immediate=True):
        await AttachmentChunk.delete().where(AttachmentChunk.attachment == attachment_id)
        await RequestAttachment.update(
            {
                RequestAttachment.status: "refused",
                RequestAttachment.refusal: code,
                RequestAttachment.refusal_text: text[:400],
                RequestAttachment.updated_at: now,
            }
        ).where(RequestAttachment.id == attachment_id)


async def attach(request_id: int, check_in_id: int, tokens: Sequence[str]) -> int:
    """Give the ready, unattached uploads ``tokens`` of this link to the request; how many.
    Run inside the transaction that makes the request."""
    if not tokens:
        return 0
    rows = (
        await RequestAttachment.update({RequestAttachment.request: request_id})
        .where(
            RequestAttachment.token.is_in(list(tokens))
            & (RequestAttachment.check_in == check_in_id)
            & (RequestAttachment.status == "ready")
            & RequestAttachment.request.is_null()
        )
        .returning(RequestAttachment.id)
    )
    return len(rows)


async def for_requests(request_ids: Sequence[int]) -> list[AttachmentRow]:
    if not request_ids:
        return []
    return rows_as(
        AttachmentRow,
        await RequestAttachment.select()
        .where(RequestAttachment.request.is_in(list(request_ids)))
        .order_by(RequestAttachment.id),
    )


async def for_defendant(defendant_id: int) -> list[AttachmentRow]:
    return rows_as(
        AttachmentRow,
        await RequestAttachment.select()
        .where(
            (RequestAttachment.defendant == defendant_id) & RequestAttachment.request.is_not_null()
        )
        .order_by(RequestAttachment.id),
    )


async def purge_unattached(before: datetime) -> int:
    """Uploads never attached to a request (or refused), started before ``before``."""
    rows = (
        await RequestAttachment.delete()
        .where(RequestAttachment.request.is_null() & (RequestAttachment.created_at < before))
        .returning(RequestAttachment.id)
    )
    return len(rows)


async def delete_for_defendant(defendant_id: int) -> int:
    rows = (
        await RequestAttachment.delete()
        .where(RequestAttachment.defendant == defendant_id)
        .returning(RequestAttachment.id)
    )
    return len(rows)
