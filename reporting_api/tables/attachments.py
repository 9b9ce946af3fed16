"""Files a person attaches to a request, stored sealed in chunks (`services/attachments.py`)."""

from __future__ import annotations

from piccolo.columns import BigInt, Bytea, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.cases import CheckIn
from reporting_api.tables.people import Defendant
from reporting_api.tables.requests import PersonRequest


class RequestAttachment(Table, tablename="request_attachment"):
    """One upload: started on a check-in's link, received chunk by chunk (`received` is the
    offset the next chunk must start at), checked, then attached to one request.

    `token` is the upload's id on the link (random, 32 characters); the name is the one the
    person's phone gave, shown to officers, never used to decide the type (`kind` is decided
    from the content by `attachment_checks`). Deleted with its request (and so with the
    case's retention), or by the nightly purge when never attached."""

    id: Serial
    token = Varchar(length=32, unique=True)
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    defendant = ForeignKey[Defendant](references=Defendant, on_delete=OnDelete.cascade, index=True)
    request = ForeignKey[PersonRequest](
        references=PersonRequest, on_delete=OnDelete.cascade, null=True, default=None, index=True
    )
    name = Varchar(length=120)
    size = BigInt()
    """The size the page announced; the upload is complete when `received` reaches it."""
    received = BigInt(default=0)
    status = Varchar(length=12, default="receiving", index=True)
    """receiving, checking, ready or refused."""
    kind = Varchar(length=8, null=True, default=None)
    stored_size = BigInt(null=True, default=None)
    sha256 = Varchar(length=64, null=True, default=None)
    """Of the content as stored (after an image is written again), for the officer's record."""
    refusal = Varchar(length=24, null=True, default=None)
    refusal_text = Varchar(length=400, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AttachmentChunk(Table, tablename="attachment_chunk"):
    """A piece of an attachment, sealed (AES-GCM) with a context that names the attachment
    and the offset, so a chunk moved to another place or file does not open."""

    id: Serial
    attachment = ForeignKey[RequestAttachment](
        references=RequestAttachment, on_delete=OnDelete.cascade, index=True
    )
    offset = BigInt()
    length = Integer()
    data = Bytea()
