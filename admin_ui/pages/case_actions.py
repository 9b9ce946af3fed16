"""What an officer does to a case and its person after enrolment, from the person's page:
close or reopen a case, give it to another officer or office, change the person's mobile
number or ID photo, open a new case, settle a check-in after a video call or unlock its link.
Each form posts here and calls the service the JSON API calls; a refusal shows the person's
page again with the form open and its error beside the field (`checkin_actions.shown_again`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from admin_ui.i18n import N_, in_both
from admin_ui.pages import defendant
from admin_ui.pages.checkin_actions import shown_again, text
from admin_ui.web import date_field, field_errors
from reporting_api.commands import (
    CaseClose,
    CaseCreate,
    CaseReassign,
    CaseReopen,
    CaseTransfer,
    NoteIn,
    NoteStrike,
    PhoneChange,
)
from reporting_api.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import cases, check_in_decisions, defendants, notes, timeline
from reporting_api.services.context import Ctx

CLOSING = ("concluded", "absconded", "revoked")
MAX_ID = 2_147_483_647


async def _person_again(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    defendant_id: int,
    kind: str,
    error: InvalidInput | Conflict,
    values: dict[str, str],
    case_id: int | None = None,
) -> Template:
    """The person's page with the failed form (``kind``, of ``case_id``) open and its error."""
    data = await timeline.defendant_page(ctx, defendant_id)
    return defendant.page(
        request,
        data,
        status_code=409 if isinstance(error, Conflict) else 400,
        errors=field_errors(error),
        values=values,
        form_kind=kind,
        form_case=case_id,
    )


def _id(value: str, field: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise InvalidInput(field, *in_both(N_("is not one of the choices")))
    return int(value)


def _back(defendant_id: int, anchor: str) -> Redirect:
    return Redirect(f"/admin/defendants/{defendant_id}#{anchor}", status_code=303)


class CaseActions(Controller):
    path = "/admin"
    include_in_schema = False

    async def _case_person(self, ctx: Ctx, case_id: int) -> int:
        return (await cases.read(ctx, case_id))["defendant"]

    @post("/cases/{case_id:int}/close")
    async def close(
        self, request: Request[Any, Any, Any], ctx: CtxDep, case_id: PathId
    ) -> Redirect | Template:
        """Close the case as concluded, absconded or revoked, with the reason."""
        person = await self._case_person(ctx, case_id)
        form = await request.form()
        values = {"status": text(form, "status"), "outcome": text(form, "outcome")}
        try:
            if values["status"] not in CLOSING:
                raise InvalidInput("status", *in_both(N_("is not one of the choices")))
            if not values["outcome"].strip():
                raise InvalidInput("outcome", *in_both(N_("write the reason")))
            await cases.close_case(ctx, case_id, CaseClose(values["status"], values["outcome"]))  # type: ignore[arg-type]
        except (InvalidInput, Conflict) as error:
            return await _person_again(request, ctx, person, "close", error, values, case_id)
        return _back(person, f"case-{case_id}")

    @post("/cases/{case_id:int}/reopen")
    async def reopen(
        self, request: Request[Any, Any, Any], ctx: CtxDep, case_id: PathId
    ) -> Redirect | Template:
        person = await self._case_person(ctx, case_id)
        values = {"reason": text(await request.form(), "reason")}
        try:
            if not values["reason"].strip():
                raise InvalidInput("reason", *in_both(N_("write the reason")))
            await cases.reopen_case(ctx, case_id, CaseReopen(values["reason"]))
        except (InvalidInput, Conflict) as error:
            return await _person_again(request, ctx, person, "reopen", error, values, case_id)
        return _back(person, f"case-{case_id}")

    @post("/cases/{case_id:int}/reassign")
    async def reassign(
        self, request: Request[Any, Any, Any], ctx: CtxDep, case_id: PathId
    ) -> Redirect | Template:
        person = await self._case_person(ctx, case_id)
        form = await request.form()
        values = {"officer_id": text(form, "officer_id"), "reason": text(form, "reason")}
        try:
            officer = _id(values["officer_id"], "officer_id")
            await cases.reassign(ctx, case_id, CaseReassign(officer, values["reason"]))
        except (InvalidInput, Conflict) as error:
            return await _person_again(request, ctx, person, "reassign", error, values, case_id)
        return _back(person, f"case-{case_id}")

    @post("/cases/{case_id:int}/transfer")
    async def transfer(
        self, request: Request[Any, Any, Any], ctx: CtxDep, case_id: PathId
    ) -> Redirect | Template:
        """Move the case to another office: the officer lands on the caseload, since the
        person's page may now belong to the receiving office."""
        person = await self._case_person(ctx, case_id)
        form = await request.form()
        values = {"office_id": text(form, "office_id"), "reason": text(form, "reason")}
        try:
            office = _id(values["office_id"], "office_id")
            if not values["reason"].strip():
                raise InvalidInput("reason", *in_both(N_("write the reason")))
            await cases.transfer(ctx, case_id, CaseTransfer(office, values["reason"]))
        except (InvalidInput, Conflict) as error:
            return await _person_again(request, ctx, person, "transfer", error, values, case_id)
        try:
            await timeline.defendant_page(ctx, person)
        except NotFound:
            return Redirect(f"/admin/caseload?transferred={case_id}", status_code=303)
        return _back(person, f"case-{case_id}")

    @post("/defendants/{defendant_id:int}/phone")
    async def phone(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        """A new mobile number: it is sent a confirmation SMS."""
        values = {"phone": text(await request.form(), "phone")}
        try:
            changed = await defendants.change_phone(ctx, defendant_id, PhoneChange(values["phone"]))
        except (InvalidInput, Conflict) as error:
            return await _person_again(request, ctx, defendant_id, "phone", error, values)
        suffix = "?phone=blocked" if changed.blocked else ""
        return Redirect(f"/admin/defendants/{defendant_id}{suffix}#profile", status_code=303)

    @post("/defendants/{defendant_id:int}/photo")
    async def photo(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        """A new ID-card photo: checked as at enrolment, the face encoded again."""
        upload = (await request.form()).get("photo")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        try:
            if not data:
                raise InvalidInput("photo", *in_both(N_("choose the ID-card photo")))
            await defendants.replace_photo(ctx, defendant_id, data)
        except (InvalidInput, Conflict) as error:
            return await _person_again(request, ctx, defendant_id, "photo", error, {})
        return _back(defendant_id, "profile")

    @post("/defendants/{defendant_id:int}/cases")
    async def new_case(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        """A new case for a person already enrolled (its plan is set on the plan page)."""
        form = await request.form()
        names = (
            "court",
            "black_case_number",
            "red_case_number",
            "charge",
            "bail_amount",
            "release_date",
            "conditions",
            "next_court_date",
        )
        values = {name: text(form, name) for name in names}
        try:
            opened = await cases.open_case(ctx, _case_create(defendant_id, values))
        except (InvalidInput, Conflict) as error:
            return await _person_again(request, ctx, defendant_id, "new_case", error, values)
        return Redirect(f"/admin/cases/{opened['id']}/plan?new=1", status_code=303)

    @post("/checkins/{check_in_id:int}/video-call")
    async def video_call(
        self, request: Request[Any, Any, Any], ctx: CtxDep, check_in_id: PathId
    ) -> Redirect | Template:
        """The officer saw the person on a video call: the check-in is verified that way."""
        values = {"note": text(await request.form(), "note")}
        try:
            result = await check_in_decisions.verify_by_video_call(ctx, check_in_id, values["note"])
        except (InvalidInput, Conflict, TransitionNotAllowed) as error:
            return await shown_again(request, ctx, check_in_id, "video_call", error, values)
        page = await timeline.page_for_check_in(ctx, result.check_in["id"])
        return _back(page.person["id"], f"checkin-{check_in_id}")

    @post("/checkins/{check_in_id:int}/unlock")
    async def unlock(
        self, request: Request[Any, Any, Any], ctx: CtxDep, check_in_id: PathId
    ) -> Redirect | Template:
        """Open a link locked after wrong identity answers again, with what the officer saw."""
        values = {"note": text(await request.form(), "note")}
        try:
            row = await check_in_decisions.unlock_link(ctx, check_in_id, values["note"])
        except (InvalidInput, Conflict) as error:
            return await shown_again(request, ctx, check_in_id, "unlock", error, values)
        page = await timeline.page_for_check_in(ctx, row["id"])
        return _back(page.person["id"], f"checkin-{check_in_id}")


def _case_create(defendant_id: int, values: dict[str, str]) -> CaseCreate:
    """The new-case form as the service's command; the first field that cannot be read is
    refused by name."""
    for name in ("court", "black_case_number", "charge"):
        if not values[name].strip():
            raise InvalidInput(name, *in_both(N_("is required")))
    try:
        amount = Decimal(values["bail_amount"].replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput("bail_amount", *in_both(N_("must be an amount in baht"))) from None
    release = date_field(values, "release_date", required=True)
    assert release is not None
    return CaseCreate(
        defendant_id=defendant_id,
        court=values["court"][:200],
        black_case_number=values["black_case_number"][:64],
        red_case_number=values["red_case_number"][:64] or None,
        charge=values["charge"],
        bail_amount=amount,
        release_date=release,
        conditions=values["conditions"],
        next_court_date=date_field(values, "next_court_date", required=False),
    )


class NoteActions(Controller):
    """A note written on the person's page, or struck through."""

    path = "/admin"
    include_in_schema = False

    @post("/defendants/{defendant_id:int}/notes")
    async def add(
        self, request: Request[Any, Any, Any], ctx: CtxDep, defendant_id: PathId
    ) -> Redirect | Template:
        form = await request.form()
        values = {"text": text(form, "text"), "case_id": text(form, "case_id")}
        try:
            case_id = _id(values["case_id"], "case_id") if values["case_id"] else None
            if not values["text"].strip():
                raise InvalidInput("text", *in_both(N_("write the note")))
            await notes.add(ctx, defendant_id, NoteIn(values["text"], case_id))
        except (InvalidInput, Conflict) as error:
            return await _person_again(request, ctx, defendant_id, "note", error, values)
        return _back(defendant_id, "timeline")

    @post("/notes/{note_id:int}/strike")
    async def strike(
        self, request: Request[Any, Any, Any], ctx: CtxDep, note_id: PathId
    ) -> Redirect | Template:
        values = {"reason": text(await request.form(), "reason")}
        try:
            if not values["reason"].strip():
                raise InvalidInput("reason", *in_both(N_("write the reason")))
            row = await notes.strike(ctx, note_id, NoteStrike(values["reason"]))
        except (InvalidInput, Conflict) as error:
            person = (await notes.read(ctx, note_id))["defendant"]
            data = await timeline.defendant_page(ctx, person)
            return defendant.page(
                request,
                data,
                status_code=409 if isinstance(error, Conflict) else 400,
                errors=field_errors(error),
                values=values,
                form_kind="strike",
                form_check_in=note_id,
            )
        return _back(row["defendant"], f"note-{note_id}")
