"""`/c/<code>/uploads`: files the identified person attaches to a request, sent in chunks
that survive a dropped connection (`services/attachments.py`).

- `POST /c/<code>/uploads` with `{"name", "size"}`: a new upload; its `id`, the offset it
  waits for (0) and the chunk size to send.
- `PATCH /c/<code>/uploads/<id>`: one chunk as the body, with `Upload-Offset` (where it
  starts) and `Chunk-SHA256` (its SHA-256 in hexadecimal). 409 when the upload waits for
  another offset; 400 when the chunk arrived damaged. The chunk that completes the file
  answers with the check's result (`ready` with the type found, or `refused` and why).
- `GET /c/<code>/uploads/<id>`: where the upload stands (the page asks after a reconnect).

The same session cookie as the check-in and the requests: the person confirmed who they are
on this link.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import HeaderParameter, JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from reporting_api.api.checkin_link import COOKIE, NO_STORE, Code, _visit
from reporting_api.errors import InvalidInput
from reporting_api.services import attachments, links
from reporting_api.services.attachments import CHUNK_BYTES, MAX_CHUNK, UploadView

Token = Annotated[str, Parameter(max_length=64)]


class UploadIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=1000)]
    size: int


class UploadOut(msgspec.Struct):
    id: str
    name: str
    size: int
    offset: int
    """The offset the next chunk must start at (the size once complete)."""
    status: str
    """receiving, checking, ready or refused."""
    chunk_size: int
    kind: str | None
    reason: str | None
    reason_th: str | None


def _out(view: UploadView) -> UploadOut:
    return UploadOut(
        id=view.id,
        name=view.name,
        size=view.size,
        offset=view.received,
        status=view.status,
        chunk_size=CHUNK_BYTES,
        kind=view.kind,
        reason=view.reason,
        reason_th=view.reason_th,
    )


def _offset(value: str | None) -> int:
    if value is None or not value.isdigit() or len(value) > 12:
        raise InvalidInput(
            "Upload-Offset",
            "send the header Upload-Offset: where this chunk starts, in bytes",
            "ต้องส่ง Upload-Offset: ตำแหน่งเริ่มของข้อมูลส่วนนี้ (ไบต์)",
        )
    return int(value)


class PersonUploadController(Controller):
    path = "/c/{code:str}/uploads"
    tags = ["check-in link"]
    opt = {"exclude_from_auth": True}

    @post("/", status_code=HTTP_201_CREATED)
    async def start(
        self, request: Request[Any, Any, Any], code: Code, data: JSONBody[UploadIn]
    ) -> Response[UploadOut]:
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        view = await attachments.start(visit, row, data.name, data.size)
        return Response(_out(view), status_code=HTTP_201_CREATED, headers=NO_STORE)

    @get("/{upload_id:str}")
    async def state(
        self, request: Request[Any, Any, Any], code: Code, upload_id: Token
    ) -> Response[UploadOut]:
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        view = await attachments.state(visit, row, upload_id)
        return Response(_out(view), status_code=HTTP_200_OK, headers=NO_STORE)

    @patch("/{upload_id:str}", request_max_body_size=MAX_CHUNK)
    async def chunk(
        self,
        request: Request[Any, Any, Any],
        code: Code,
        upload_id: Token,
        upload_offset: Annotated[
            str | None, HeaderParameter(name="Upload-Offset", max_length=16)
        ] = None,
        chunk_sha256: Annotated[
            str | None, HeaderParameter(name="Chunk-SHA256", max_length=64)
        ] = None,
    ) -> Response[UploadOut]:
        """One chunk: the body, where it starts (Upload-Offset) and its SHA-256 in hex."""
        visit = _visit(request, code)
        row = await links.identified(visit, request.cookies.get(COOKIE))
        offset = _offset(upload_offset)
        body = await request.body()
        view = await attachments.receive(visit, row, upload_id, offset, chunk_sha256, body)
        return Response(_out(view), status_code=HTTP_200_OK, headers=NO_STORE)
