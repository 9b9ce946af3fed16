"""When a person's ID-card photo fails the face library's check, after enrolment, from the
person's page: a reference photo taken at the office with the browser camera, or reporting in
person only, each with its reason; and the card photo kept beside an office photo, for an
officer to compare by eye (issue 13; docs/officers-guide.md)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Response, Template

from admin_ui.i18n import N_, in_both
from admin_ui.pages import defendant
from admin_ui.web import field_errors
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import defendants, timeline
from reporting_api.services.context import Ctx

REASON_MAX = 500


def _reason(form: Any) -> str:
    value = form.get("reference_reason")
    return value[:REASON_MAX] if isinstance(value, str) else ""


async def _again(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    defendant_id: int,
    kind: str,
    error: InvalidInput | Conflict,
    values: dict[str, str],
) -> Template:
    data = await timeline.defendant_page(ctx, defendant_id)
    return defendant.page(
        request,
        data,
        status_code=409 if isinstance(error, Conflict) else 400,
        errors=field_errors(error),
        values=values,
        form_kind=kind,
    )


class ReferencePhotoActions(Controller):
    path = "/admin/defendants"
    include_in_schema = False

    @post("/{defendant_id:int}/office-photo")
    async def office_photo(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        """A photo taken at the office becomes the face reference (checked as an ID photo)."""
        form = await request.form()
        values = {"reference_reason": _reason(form)}
        upload = form.get("office_photo")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        try:
            if not data:
                raise InvalidInput(
                    "office_photo", *in_both(N_("take the photo at the office with the camera"))
                )
            await defendants.use_office_photo(ctx, defendant_id, data, values["reference_reason"])
        except (InvalidInput, Conflict) as error:
            return await _again(request, ctx, defendant_id, "office_photo", error, values)
        return Redirect(f"/admin/defendants/{defendant_id}#profile", status_code=303)

    @post("/{defendant_id:int}/in-person-only")
    async def in_person_only(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        """The person reports at the office only, for the reason given."""
        values = {"reference_reason": _reason(await request.form())}
        try:
            await defendants.report_in_person_only(ctx, defendant_id, values["reference_reason"])
        except (InvalidInput, Conflict) as error:
            return await _again(request, ctx, defendant_id, "in_person", error, values)
        return Redirect(f"/admin/defendants/{defendant_id}#profile", status_code=303)

    @get("/{defendant_id:int}/card-photo")
    async def card_photo(self, ctx: CtxDep, defendant_id: PathId) -> Response[bytes]:
        """The ID-card photo kept beside an office photo; audited as defendant.card_photo.read."""
        photo, mime = await defendants.read_card_photo(ctx, defendant_id)
        return Response(
            content=photo,
            media_type=mime,
            headers={"Cache-Control": "private, no-store"},
        )
