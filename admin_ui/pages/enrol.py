"""Enrol: one form for the person, the bail case and the reporting plan, with an immediate
check of the ID-card photo and a preview of the plan's dates (both HTMX, both storing nothing).

`read_fields` turns form text into the typed fields of an API schema (a msgspec Struct or a
dataclass), collecting an error in Thai and English for each field it cannot read; the admin
pages share it.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from admin_ui.i18n import N_, in_both
from admin_ui.web import field_errors, render
from reporting_api.commands import CaseCreate, NewDefendant, PlanIn
from reporting_api.contact_consent import CONSENT_VERSION, consent_text
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep
from reporting_api.services import enrolment
from reporting_api.services.context import Ctx
from reporting_api.services.plans import MAX_CHECK_INS
from reporting_api.services.trusted_contacts import ContactIn
from reporting_api.thai_dates import parse_date_input

PERSON_FIELDS = (
    "national_id",
    "title_th",
    "first_name_th",
    "last_name_th",
    "first_name_en",
    "last_name_en",
    "date_of_birth",
    "phone",
    "preferred_language",
    "sex",
)
CASE_FIELDS = (
    "court",
    "black_case_number",
    "red_case_number",
    "charge",
    "bail_amount",
    "release_date",
    "fund_request_ref",
    "conditions",
    "next_court_date",
)
PLAN_FIELDS = (
    "kind",
    "every_days",
    "dates",
    "start_date",
    "end_date",
    "window_opens_days_before",
    "grace_days",
)
ROUTE_FIELDS = ("route", "reference_reason")
"""When the card photo fails the check: the officer's way on (enrolment.ROUTES) and why."""
CONTACT_FIELDS = ("contact_name", "contact_relationship", "contact_phone")
"""A trusted contact named at enrolment (optional), with `contact_consent` ticked."""
CONTACT_WORDS = {
    "version": CONSENT_VERSION,
    "th": consent_text(CONSENT_VERSION, "th"),
    "en": consent_text(CONSENT_VERSION, "en"),
}
"""The consent the officer reads to the person, in Thai and English, and its version."""
REASON_MAX = 500
PREVIEW_ROWS = 60
"""A plan of every few days over years is long: the preview shows its first rows and a count."""

# --- form text to typed fields ------------------------------------------------------------

_NUMBER = r"(-?[0-9.]+)"
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"of length >= " + _NUMBER, N_("must be at least %(limit)s characters")),
    (r"of length <= " + _NUMBER, N_("must be at most %(limit)s characters")),
    (r"matching regex", N_("has characters that are not allowed here")),
    (r"` >= " + _NUMBER, N_("must be at least %(limit)s")),
    (r"` <= " + _NUMBER, N_("must be at most %(limit)s")),
    (r"length <= " + _NUMBER, N_("has more than %(limit)s entries")),
    (r"date", N_("must be a date (YYYY-MM-DD, Christian era)")),
    (r"`int", N_("must be a whole number")),
    (r"decimal", N_("must be a number")),
    (r"enum value|`bool`", N_("is not one of the choices")),
)
"""msgspec's validation messages, each as a reason a person can act on (admin_ui/locale)."""


def _reason(field: str, error: msgspec.ValidationError) -> InvalidInput:
    text = str(error)
    for pattern, message in _MESSAGES:
        match = re.search(pattern, text)
        if match:
            limit = match.group(1) if match.re.groups else ""
            return InvalidInput(field, *in_both(message, limit=limit))
    return InvalidInput(field, *in_both(N_("is not valid")))


def _specs(cls: type) -> list[tuple[str, Any, bool, Any]]:
    """(name, type, has a default, default) of each field of a Struct or a dataclass."""
    if isinstance(cls, type) and issubclass(cls, msgspec.Struct):
        return [
            (
                f.name,
                f.type,
                f.default is not msgspec.NODEFAULT or f.default_factory is not msgspec.NODEFAULT,
                f.default_factory() if f.default_factory is not msgspec.NODEFAULT else f.default,
            )
            for f in msgspec.structs.fields(cls)
        ]
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is neither a msgspec Struct nor a dataclass")
    hints = typing.get_type_hints(cls, include_extras=True)
    return [
        (
            f.name,
            hints[f.name],
            f.default is not dataclasses.MISSING,
            None if f.default is dataclasses.MISSING else f.default,
        )
        for f in dataclasses.fields(cls)
    ]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def read_fields(
    raw: Mapping[str, Any], cls: type, only: Iterable[str] | None = None
) -> tuple[dict[str, Any], list[InvalidInput]]:
    """The fields of ``cls`` (all, or ``only`` those) converted from form text, and an error
    for each one that is missing (with no default) or cannot be read as its type."""
    wanted = set(only) if only is not None else None
    values: dict[str, Any] = {}
    errors: list[InvalidInput] = []
    for name, kind, has_default, default in _specs(cls):
        if wanted is not None and name not in wanted:
            continue
        value = raw.get(name)
        if isinstance(value, str):
            value = value.strip()
        if _empty(value):
            if has_default:
                values[name] = default
            else:
                errors.append(InvalidInput(name, *in_both(N_("is required"))))
            continue
        if isinstance(value, str) and Decimal in _types_in(kind):
            value = value.replace(",", "").replace(" ", "")  # 50,000 as people write it
        try:
            values[name] = msgspec.convert(value, kind, strict=False)
        except msgspec.ValidationError as error:
            errors.append(_reason(name, error))
    return values, errors


def _types_in(kind: Any) -> set[Any]:
    if typing.get_origin(kind) is typing.Annotated:
        return _types_in(typing.get_args(kind)[0])
    args = typing.get_args(kind)
    return set().union(*(_types_in(a) for a in args)) if args else {kind}


def form_text(form: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """What was typed in each named field (for showing the form again)."""
    return {n: v for n in names if isinstance(v := form.get(n), str)}


# --- the enrolment form -------------------------------------------------------------------


DATE_FIELDS = ("date_of_birth", "release_date", "next_court_date", "start_date", "end_date")


def iso_dates(text: Mapping[str, str]) -> tuple[dict[str, str], list[InvalidInput]]:
    """The form's dates as typed by Thai officers (`15/01/2570`, Buddhist or Christian era,
    or ISO) turned ISO for reading; the listed plan dates each the same way. What cannot be
    read is refused by its field."""
    out, errors = dict(text), []
    for name in DATE_FIELDS:
        if out.get(name, "").strip():
            try:
                out[name] = parse_date_input(out[name][:40], name).isoformat()
            except InvalidInput as error:
                errors.append(error)
                out.pop(name)
    if out.get("dates", "").strip():
        try:
            out["dates"] = " ".join(
                parse_date_input(d, "dates").isoformat()
                for d in re.split(r"[\s,;]+", out["dates"])
                if d
            )
        except InvalidInput as error:
            errors.append(error)
            out.pop("dates")
    return out, errors


def shown_dates(values: Mapping[str, str]) -> dict[str, Any]:
    """Form values with ISO dates as dates, so the date inputs show them in the B.E."""
    shown: dict[str, Any] = dict(values)
    for name in DATE_FIELDS:
        try:
            shown[name] = date.fromisoformat(values.get(name, ""))
        except ValueError:
            pass
    return shown


def _plan_raw(text: Mapping[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = dict(text)
    raw["dates"] = [d for d in re.split(r"[\s,]+", text.get("dates", "")) if d]
    return raw


def _read_plan(text: Mapping[str, str]) -> tuple[PlanIn | None, list[InvalidInput]]:
    text, date_errors = iso_dates(text)
    values, errors = read_fields(_plan_raw(text), PlanIn)
    errors = date_errors + [e for e in errors if e.field not in {d.field for d in date_errors}]
    return (None, errors) if errors else (PlanIn(**values), [])


def _read_contact(text: Mapping[str, str], consent: bool) -> ContactIn | None:
    """The trusted contact, when the officer filled in any of it (None when left empty)."""
    if not consent and not any(text.get(name, "").strip() for name in CONTACT_FIELDS):
        return None
    return ContactIn(
        name=text.get("contact_name", ""),
        relationship=text.get("contact_relationship", ""),
        phone=text.get("contact_phone", ""),
        consent=consent,
    )


def _read_enrolment(
    text: Mapping[str, str],
    consent: bool,
    photo: bytes,
    office_photo: bytes = b"",
    contact_consent: bool = False,
) -> tuple[enrolment.NewEnrolment | None, list[InvalidInput]]:
    typed = text
    text, date_errors = iso_dates(typed)
    person, errors = read_fields(
        {**text, "consent": consent}, NewDefendant, only=(*PERSON_FIELDS, "consent")
    )
    case, case_errors = read_fields(text, CaseCreate, only=CASE_FIELDS)
    plan, plan_errors = _read_plan(typed)
    bad = {e.field for e in date_errors}
    errors = [e for e in errors + case_errors if e.field not in bad] + plan_errors
    errors += [e for e in date_errors if e.field not in {p.field for p in plan_errors}]
    route = text.get("route") or "card"
    if not photo and route != "in_person":
        errors.append(InvalidInput("photo", *in_both(N_("choose the ID-card photo"))))
    if errors or plan is None:
        return None, errors
    return enrolment.NewEnrolment(
        defendant=NewDefendant(**person),
        case=case,
        plan=plan,
        photo=photo,
        route=route,
        office_photo=office_photo or None,
        reason=text.get("reference_reason", "")[:REASON_MAX],
        contact=_read_contact(text, contact_consent),
    ), []


async def _upload(form: Mapping[str, Any], name: str) -> bytes:
    value = form.get(name)
    return await value.read() if isinstance(value, UploadFile) else b""


class EnrolPage(Controller):
    path = "/admin/enrol"
    include_in_schema = False

    @get("/")
    async def form(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        values = shown_dates(enrolment.form_defaults(ctx))
        return render(
            request, "admin/enrol.html", values=values, errors={}, contact_words=CONTACT_WORDS
        )

    @post("/")
    async def submit(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template | Redirect:
        form = await request.form()
        text = form_text(
            form, (*PERSON_FIELDS, *CASE_FIELDS, *PLAN_FIELDS, *ROUTE_FIELDS, *CONTACT_FIELDS)
        )
        consent = form.get("consent") not in (None, "")
        contact_consent = form.get("contact_consent") not in (None, "")
        photo = await _upload(form, "photo")
        office_photo = await _upload(form, "office_photo")
        new, errors = _read_enrolment(text, consent, photo, office_photo, contact_consent)
        problems: list[InvalidInput | Conflict] = list(errors)
        if new is not None:
            try:
                made = await enrolment.enrol(ctx, new)
            except enrolment.EnrolmentRefused as refused:
                problems = refused.errors
            except (InvalidInput, Conflict) as error:
                problems = [error]
            else:
                return Redirect(f"/admin/defendants/{made.defendant['id']}", status_code=303)
        conflict = all(isinstance(p, Conflict) for p in problems)
        return render(
            request,
            "admin/enrol.html",
            status_code=409 if conflict else 400,
            values=text
            | ({"consent": "on"} if consent else {})
            | ({"contact_consent": "on"} if contact_consent else {}),
            contact_words=CONTACT_WORDS,
            errors=field_errors(*problems),
            photo_again=bool(photo),
        )

    @post("/photo-check")
    async def photo_check(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        """The face-quality verdict on a chosen photo, as a fragment (nothing is stored)."""
        photo = await _upload(await request.form(), "photo")
        try:
            result = await enrolment.check_id_photo(ctx, photo)
        except InvalidInput as refused:
            return render(request, "admin/enrol_photo.html", result=None, refused=refused)
        return render(request, "admin/enrol_photo.html", result=result, refused=None)

    @get("/plan-preview")
    async def plan_preview(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        return _preview(request, ctx, form_text(request.query_params, PLAN_FIELDS))

    @post("/plan-preview")
    async def plan_preview_posted(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        return _preview(request, ctx, form_text(await request.form(), PLAN_FIELDS))


def _preview(request: Request[Any, Any, Any], ctx: Ctx, text: dict[str, str]) -> Template:
    """The plan's dates as a fragment, or what is wrong with the plan (nothing stored)."""
    plan, errors = _read_plan(text)
    rows: list[enrolment.PreviewDate] = []
    problems: list[InvalidInput] = list(errors)
    if plan is not None:
        try:
            rows = enrolment.preview_plan(ctx, plan)
        except InvalidInput as error:
            problems = [error]
    return render(
        request,
        "admin/enrol_plan.html",
        rows=rows[:PREVIEW_ROWS],
        total=len(rows),
        more=max(0, len(rows) - PREVIEW_ROWS),
        too_many=len(rows) > MAX_CHECK_INS,
        problems=problems,
    )
