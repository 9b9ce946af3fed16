"""A person's page: profile and ID photo, cases and plans, and one timeline of everything
that happened, with the check-in actions on the rows they apply to; and the person's record
as a whole (docs/privacy.md): its export as one ZIP (JSON and a Thai PDF), a legal hold,
and its anonymisation or erasure; while LINE is on, how messages reach the person and an
officer's unlinking of their LINE account."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from typing import IO, Any

import anyio.to_thread
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Stream, Template

from admin_ui.exports import ThaiFontMissing
from admin_ui.exports.court import court_pdf
from admin_ui.exports.person import add_file, person_zip
from admin_ui.i18n import N_, in_both
from admin_ui.pages.caseload import phone_text
from admin_ui.web import field_errors, fields_of, language, render
from reporting_api.commands import ErasureIn, ErasureMode, LegalHoldIn
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep, PathId
from reporting_api.receipt_codes import reference_for
from reporting_api.services import court_record, line_accounts, subject_rights, timeline
from reporting_api.services.context import Ctx
from reporting_api.services.timeline import PersonPage

FIELD_MAX = 2000
"""A reason is cut here (the service's own limit); the rest of a longer one is not read."""
ERASURE_MODES = ("anonymise", "erase")


def page(request: Request[Any, Any, Any], data: PersonPage, **extra: Any) -> Template:
    """The person's page (also shown again, with errors, by the check-in actions)."""
    status_code = extra.pop("status_code", 200)
    return render(
        request,
        "admin/defendant.html",
        status_code=status_code,
        phone_text=phone_text,
        receipt_reference=reference_for,
        query=dict(request.query_params),
        **(
            {
                "errors": None,
                "values": None,
                "form_check_in": None,
                "form_kind": None,
                "form_case": None,
                "form_hearing": None,
            }
            | fields_of(data)
            | extra
        ),
    )


async def _again(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    defendant_id: int,
    kind: str,
    error: InvalidInput | Conflict,
    values: dict[str, str],
) -> Template:
    """The person's page with the failed form open, its error and what was typed."""
    data = await timeline.defendant_page(ctx, defendant_id)
    status = 409 if isinstance(error, Conflict) else 400
    return page(
        request,
        data,
        status_code=status,
        errors=field_errors(error),
        values=values,
        form_kind=kind,
    )


async def _read_and_close(spool: IO[bytes]) -> AsyncIterator[bytes]:
    """The file from its start, a megabyte at a time; closed (and so gone) at the end."""
    try:
        spool.seek(0)
        while block := spool.read(1024 * 1024):
            yield block
    finally:
        spool.close()


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value[:FIELD_MAX] if isinstance(value, str) else ""


class DefendantPage(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/defendants/{defendant_id:int}")
    async def defendant(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Template:
        return page(request, await timeline.defendant_page(ctx, defendant_id))

    @get("/defendants/{defendant_id:int}/export.zip")
    async def export(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Stream | Template:
        """The person's whole record: record.json (as the API gives it) and record.pdf (in
        the page's language), in one ZIP; audited as defendant.export."""
        record = await subject_rights.export_record(ctx, defendant_id)
        # Written to an unnamed temporary file (attached files may be large), then streamed.
        spool = tempfile.TemporaryFile()
        try:
            # A PDF with photos takes a second of CPU: built in a worker thread.
            await anyio.to_thread.run_sync(person_zip, record, language(request), spool)
            async for path, content in subject_rights.attachment_files(ctx, record):
                await add_file(spool, record, path, content)
        except ThaiFontMissing:
            spool.close()
            return render(request, "admin/error.html", status_code=503, message_key="font_missing")
        except BaseException:
            spool.close()
            raise
        return Stream(
            _read_and_close(spool),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="person-{defendant_id}.zip"',
                "Cache-Control": "no-store",
            },
        )

    @get("/defendants/{defendant_id:int}/court-record.pdf")
    async def history_for_court(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Response[bytes] | Template:
        """The person's reporting history for a court (Thai, no biometric data); audited as
        defendant.court_record."""
        record = await court_record.court_record(ctx, defendant_id)
        try:
            body = await anyio.to_thread.run_sync(court_pdf, record)
        except ThaiFontMissing:
            return render(request, "admin/error.html", status_code=503, message_key="font_missing")
        return Response(
            content=body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": (f'attachment; filename="court-record-{defendant_id}.pdf"'),
                "Cache-Control": "no-store",
            },
        )

    @post("/defendants/{defendant_id:int}/legal-hold")
    async def legal_hold(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        """Set (`action=set`, with `reason`) or lift (`action=lift`) the person's legal hold."""
        form = await request.form()
        values = {"reason": _text(form, "reason")}
        try:
            if _text(form, "action") == "lift":
                await subject_rights.lift_legal_hold(ctx, defendant_id)
            else:
                hold = LegalHoldIn(reason=values["reason"])
                await subject_rights.set_legal_hold(ctx, defendant_id, hold)
        except (InvalidInput, Conflict) as error:
            return await _again(request, ctx, defendant_id, "legal_hold", error, values)
        return Redirect(f"/admin/defendants/{defendant_id}#privacy", status_code=303)

    @post("/defendants/{defendant_id:int}/line/unlink")
    async def unlink_line(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        """Unlink the person's LINE account (an officer of their office): their messages go
        by SMS from now on. A person with no linked account: the page again, saying so (409)."""
        try:
            await line_accounts.unlink_by_officer(ctx, defendant_id)
        except Conflict as error:
            return await _again(request, ctx, defendant_id, "line", error, {})
        return Redirect(f"/admin/defendants/{defendant_id}?line=unlinked#channel", status_code=303)

    @post("/defendants/{defendant_id:int}/erasure")
    async def erasure(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        """Anonymise or erase the person (`mode`, `reason`, `confirm`); the service refuses
        while a case is active or a hold is set."""
        form = await request.form()
        values = {"mode": _text(form, "mode"), "reason": _text(form, "reason")}
        try:
            if values["mode"] not in ERASURE_MODES:
                raise InvalidInput("mode", *in_both(N_("is not one of the choices")))
            if _text(form, "confirm") != "yes":
                raise InvalidInput("confirm", *in_both(N_("tick the box to confirm")))
            mode: ErasureMode = "erase" if values["mode"] == "erase" else "anonymise"
            await subject_rights.erase(ctx, defendant_id, ErasureIn(mode, values["reason"]))
        except (InvalidInput, Conflict) as error:
            return await _again(request, ctx, defendant_id, "erasure", error, values)
        if values["mode"] == "erase":
            return Redirect("/admin/caseload", status_code=303)
        return Redirect(f"/admin/defendants/{defendant_id}", status_code=303)
