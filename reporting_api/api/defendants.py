"""Defendants: enrol with the ID-card photo, read, search, update; the person's record as a
whole (export, legal hold, erasure: docs/privacy.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.params import JSONBody, MultipartBody, QueryParameter

from reporting_api.api.convert import defendant_out, defendant_summary, page_of
from reporting_api.api.schemas import DefendantOut, DefendantSummary, Page
from reporting_api.commands import DefendantUpdate, ErasureIn, LegalHoldIn, NewDefendant
from reporting_api.http.context import CtxDep, PagingDep, PathId
from reporting_api.services import defendants as service
from reporting_api.services import subject_rights
from reporting_api.services.subject_record import ErasureDone, SubjectRecord


@dataclass(frozen=True, kw_only=True)
class DefendantForm(NewDefendant):
    """Enrolment form (multipart/form-data): the person's fields, and the ID-card photo as
    `photo`."""

    photo: UploadFile


@dataclass
class PhotoForm:
    photo: UploadFile


class DefendantController(Controller):
    path = "/defendants"
    tags = ["defendants"]

    @post("/")
    async def enrol(self, data: MultipartBody[DefendantForm], ctx: CtxDep) -> DefendantOut:
        """Enrol a person (officers, their own office); PDPA consent is required."""
        return defendant_out(await service.enrol(ctx, data, await data.photo.read()), ctx.now)

    @get("/")
    async def search(
        self,
        ctx: CtxDep,
        paging: PagingDep,
        q: Annotated[
            str | None,
            QueryParameter(
                max_length=100,
                description="13-digit national ID, 4+ leading ID digits, a mobile number, or a name",
            ),
        ] = None,
        office_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Page[DefendantSummary]:
        rows, total = await service.search(ctx, q, office_id, paging.offset, paging.page_size)
        return page_of(paging, rows, total, defendant_summary)

    @get("/{defendant_id:int}")
    async def read(self, defendant_id: PathId, ctx: CtxDep) -> DefendantOut:
        return defendant_out(await service.read(ctx, defendant_id), ctx.now)

    @get("/{defendant_id:int}/photo")
    async def photo(self, defendant_id: PathId, ctx: CtxDep) -> Response[bytes]:
        """The ID-card photo as stored (JPEG or PNG)."""
        data, mime = await service.read_photo(ctx, defendant_id)
        return Response(data, media_type=mime, headers={"Cache-Control": "private, no-store"})

    @patch("/{defendant_id:int}")
    async def update(
        self, defendant_id: PathId, data: JSONBody[DefendantUpdate], ctx: CtxDep
    ) -> DefendantOut:
        changes = {
            f: getattr(data, f)
            for f in data.__struct_fields__
            if getattr(data, f) is not msgspec.UNSET and getattr(data, f) is not None
        }
        return defendant_out(await service.update(ctx, defendant_id, changes), ctx.now)

    @put("/{defendant_id:int}/photo")
    async def replace_photo(
        self, defendant_id: PathId, data: MultipartBody[PhotoForm], ctx: CtxDep
    ) -> DefendantOut:
        return defendant_out(
            await service.replace_photo(ctx, defendant_id, await data.photo.read()), ctx.now
        )

    @get("/{defendant_id:int}/export")
    async def export(self, defendant_id: PathId, ctx: CtxDep) -> Response[SubjectRecord]:
        """Everything held about the person (PDPA right of access), photos included as
        base64; officers of the person's office and managers; audited."""
        record = await subject_rights.export_record(ctx, defendant_id)
        return Response(
            record,
            headers={
                "Cache-Control": "private, no-store",
                "Content-Disposition": f'attachment; filename="person-{defendant_id}.json"',
            },
        )

    @put("/{defendant_id:int}/legal-hold")
    async def set_legal_hold(
        self, defendant_id: PathId, data: JSONBody[LegalHoldIn], ctx: CtxDep
    ) -> DefendantOut:
        """Keep everything of the person from the retention purge and from erasure until the
        hold is lifted (officers, their own office); audited."""
        return defendant_out(await subject_rights.set_legal_hold(ctx, defendant_id, data), ctx.now)

    @delete("/{defendant_id:int}/legal-hold", status_code=200)
    async def lift_legal_hold(self, defendant_id: PathId, ctx: CtxDep) -> DefendantOut:
        return defendant_out(await subject_rights.lift_legal_hold(ctx, defendant_id), ctx.now)

    @post("/{defendant_id:int}/erasure", status_code=200)
    async def erase(
        self, defendant_id: PathId, data: JSONBody[ErasureIn], ctx: CtxDep
    ) -> ErasureDone:
        """Anonymise or erase a person none of whose cases is active and who is not on legal
        hold (officers, their own office; 409 otherwise); audited."""
        return await subject_rights.erase(ctx, defendant_id, data)
