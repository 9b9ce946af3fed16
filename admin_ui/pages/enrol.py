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
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from admin_ui.web import field_errors, render
from reporting_api.commands import CaseCreate, PlanIn
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.http.context import CtxDep
from reporting_api.services import enrolment
from reporting_api.services.context import Ctx
from reporting_api.services.defendants import NewDefendant
from reporting_api.services.plans import MAX_CHECK_INS

WORDS = {
    "th": {
        "enrol_title": "ลงทะเบียนผู้ได้รับการปล่อยชั่วคราว",
        "enrol_intro": "กรอกข้อมูลบุคคล คดี และแผนการรายงานตัวในแบบฟอร์มเดียว ช่องที่มี * ต้องกรอก",
        "person": "ข้อมูลบุคคล",
        "national_id": "เลขประจำตัวประชาชน 13 หลัก",
        "title_th": "คำนำหน้า",
        "first_name_th": "ชื่อ (ภาษาไทย)",
        "last_name_th": "นามสกุล (ภาษาไทย)",
        "first_name_en": "ชื่อ (ภาษาอังกฤษ)",
        "last_name_en": "นามสกุล (ภาษาอังกฤษ)",
        "date_of_birth": "วันเกิด (ปี ค.ศ.)",
        "phone": "เบอร์มือถือ (รับ SMS)",
        "preferred_language": "ภาษาของข้อความ SMS",
        "lang_th": "ไทย",
        "lang_en": "อังกฤษ",
        "consent": "บุคคลนี้ให้ความยินยอมตาม พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล (PDPA) แล้ว",
        "photo": "รูปถ่ายจากบัตรประชาชน (JPEG หรือ PNG)",
        "photo_again": "โปรดเลือกรูปถ่ายอีกครั้ง: ไฟล์ที่เลือกไว้จะไม่ถูกเก็บเมื่อแบบฟอร์มมีข้อผิดพลาด",
        "photo_checking": "กำลังตรวจรูปถ่าย…",
        "photo_ok": "รูปถ่ายใช้ได้",
        "photo_refused": "รูปถ่ายนี้ใช้ไม่ได้",
        "photo_size": "ขนาดภาพ",
        "face_size": "ความกว้างของใบหน้า",
        "sharpness": "ความคมชัด",
        "pose": "การหันหน้า",
        "pixels": "พิกเซล",
        "at_least": "ต้องไม่น้อยกว่า",
        "at_most": "ต้องไม่เกิน",
        "degrees": "องศา",
        "turned_sideways": "หันซ้าย/ขวา",
        "tilted": "ก้ม/เงย",
        "case": "คดี",
        "court": "ศาล",
        "black_case_number": "คดีหมายเลขดำ",
        "red_case_number": "คดีหมายเลขแดง",
        "charge": "ข้อหา",
        "bail_amount": "จำนวนเงินประกัน (บาท)",
        "release_date": "วันที่ได้รับการปล่อยชั่วคราว (ปี ค.ศ.)",
        "fund_request_ref": "เลขที่คำร้องกองทุนยุติธรรม",
        "conditions": "เงื่อนไขการปล่อยชั่วคราว",
        "next_court_date": "วันนัดศาลครั้งถัดไป (ปี ค.ศ.)",
        "plan": "แผนการรายงานตัว",
        "kind": "รูปแบบ",
        "kind_interval": "ทุก ๆ กี่วัน",
        "kind_dates": "ตามวันที่กำหนด",
        "every_days": "รายงานตัวทุก (วัน)",
        "dates": "วันที่ต้องรายงานตัว (ปี ค.ศ. ปปปป-ดด-วว หนึ่งวันต่อบรรทัด)",
        "start_date": "เริ่มแผน (ปี ค.ศ.)",
        "end_date": "สิ้นสุดแผน (ปี ค.ศ.)",
        "window_opens_days_before": "เปิดให้รายงานตัวล่วงหน้า (วัน)",
        "grace_days": "ผ่อนผันหลังวันกำหนด (วัน)",
        "preview": "ดูวันรายงานตัว",
        "preview_title": "วันรายงานตัวตามแผนนี้",
        "preview_count": "จำนวนครั้ง",
        "due": "วันกำหนด",
        "moved_from": "เลื่อนจาก",
        "moved_because": "เพราะเป็น",
        "more_rows": "และอีก",
        "times": "ครั้ง",
        "too_many": "แผนนี้มีการรายงานตัวมากเกินกว่าที่ระบบรับได้",
        "no_dates": "แผนนี้ยังไม่มีวันรายงานตัว",
        "submit": "ลงทะเบียน",
    },
    "en": {
        "enrol_title": "Enrol a person on bail",
        "enrol_intro": "The person, the case and the reporting plan in one form. Fields marked * are required.",
        "person": "The person",
        "national_id": "13-digit national ID",
        "title_th": "Title (Thai)",
        "first_name_th": "First name (Thai)",
        "last_name_th": "Last name (Thai)",
        "first_name_en": "First name (English)",
        "last_name_en": "Last name (English)",
        "date_of_birth": "Date of birth",
        "phone": "Mobile number (for SMS)",
        "preferred_language": "SMS language",
        "lang_th": "Thai",
        "lang_en": "English",
        "consent": "The person has given PDPA consent",
        "photo": "ID-card photo (JPEG or PNG)",
        "photo_again": "Please choose the photo again: a chosen file is not kept when the form has errors",
        "photo_checking": "Checking the photo…",
        "photo_ok": "The photo can be used",
        "photo_refused": "This photo cannot be used",
        "photo_size": "Image size",
        "face_size": "Face width",
        "sharpness": "Sharpness",
        "pose": "Head pose",
        "pixels": "px",
        "at_least": "at least",
        "at_most": "at most",
        "degrees": "degrees",
        "turned_sideways": "turned sideways",
        "tilted": "tilted up/down",
        "case": "The case",
        "court": "Court",
        "black_case_number": "Black case number",
        "red_case_number": "Red case number",
        "charge": "Charge",
        "bail_amount": "Bail amount (baht)",
        "release_date": "Release date",
        "fund_request_ref": "Justice Fund request number",
        "conditions": "Bail conditions",
        "next_court_date": "Next court date",
        "plan": "Reporting plan",
        "kind": "Kind",
        "kind_interval": "Every N days",
        "kind_dates": "On given dates",
        "every_days": "Report every (days)",
        "dates": "Reporting dates (YYYY-MM-DD, one a line)",
        "start_date": "Plan starts",
        "end_date": "Plan ends",
        "window_opens_days_before": "Window opens (days before)",
        "grace_days": "Grace after the due date (days)",
        "preview": "Show the dates",
        "preview_title": "The dates this plan gives",
        "preview_count": "Check-ins",
        "due": "Due",
        "moved_from": "moved from",
        "moved_because": "because of",
        "more_rows": "and",
        "times": "more",
        "too_many": "This plan has more check-ins than the service accepts",
        "no_dates": "This plan gives no reporting dates yet",
        "submit": "Enrol",
    },
}

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
PREVIEW_ROWS = 60
"""A plan of every few days over years is long: the preview shows its first rows and a count."""

# --- form text to typed fields ------------------------------------------------------------

_NUMBER = r"(-?[0-9.]+)"
_MESSAGES: tuple[tuple[str, str, str], ...] = (
    (r"of length >= " + _NUMBER, "must be at least {0} characters", "ต้องมีอย่างน้อย {0} ตัวอักษร"),
    (r"of length <= " + _NUMBER, "must be at most {0} characters", "ยาวเกิน {0} ตัวอักษร"),
    (r"matching regex", "has characters that are not allowed here", "มีตัวอักษรที่ใช้ในช่องนี้ไม่ได้"),
    (r"` >= " + _NUMBER, "must be at least {0}", "ต้องไม่น้อยกว่า {0}"),
    (r"` <= " + _NUMBER, "must be at most {0}", "ต้องไม่เกิน {0}"),
    (r"length <= " + _NUMBER, "has more than {0} entries", "มีเกิน {0} รายการ"),
    (r"date", "must be a date (YYYY-MM-DD, Christian era)", "ต้องเป็นวันที่ ปี ค.ศ. (ปปปป-ดด-วว)"),
    (r"`int", "must be a whole number", "ต้องเป็นตัวเลขจำนวนเต็ม"),
    (r"decimal", "must be a number", "ต้องเป็นตัวเลข"),
    (r"enum value|`bool`", "is not one of the choices", "ไม่ใช่ตัวเลือกที่มีให้"),
)


def _reason(field: str, error: msgspec.ValidationError) -> InvalidInput:
    text = str(error)
    for pattern, english, thai in _MESSAGES:
        match = re.search(pattern, text)
        if match:
            return InvalidInput(
                field, english.format(*match.groups()), thai.format(*match.groups())
            )
    return InvalidInput(field, "is not valid", "ค่าไม่ถูกต้อง")


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
                errors.append(InvalidInput(name, "is required", "ต้องกรอก"))
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


def _plan_raw(text: Mapping[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = dict(text)
    raw["dates"] = [d for d in re.split(r"[\s,]+", text.get("dates", "")) if d]
    return raw


def _read_plan(text: Mapping[str, str]) -> tuple[PlanIn | None, list[InvalidInput]]:
    values, errors = read_fields(_plan_raw(text), PlanIn)
    return (None, errors) if errors else (PlanIn(**values), [])


def _read_enrolment(
    text: Mapping[str, str], consent: bool, photo: bytes
) -> tuple[enrolment.NewEnrolment | None, list[InvalidInput]]:
    person, errors = read_fields(
        {**text, "consent": consent}, NewDefendant, only=(*PERSON_FIELDS, "consent")
    )
    case, case_errors = read_fields(text, CaseCreate, only=CASE_FIELDS)
    plan, plan_errors = _read_plan(text)
    errors += case_errors + plan_errors
    if not photo:
        errors.append(
            InvalidInput("photo", "choose the ID-card photo", "โปรดเลือกรูปถ่ายจากบัตรประชาชน")
        )
    if errors or plan is None:
        return None, errors
    return enrolment.NewEnrolment(
        defendant=NewDefendant(**person), case=case, plan=plan, photo=photo
    ), []


async def _upload(form: Mapping[str, Any], name: str) -> bytes:
    value = form.get(name)
    return await value.read() if isinstance(value, UploadFile) else b""


class EnrolPage(Controller):
    path = "/admin/enrol"
    include_in_schema = False

    @get("/")
    async def form(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        values = enrolment.form_defaults(ctx)
        return render(request, "admin/enrol.html", WORDS, values=values, errors={})

    @post("/")
    async def submit(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template | Redirect:
        form = await request.form()
        text = form_text(form, (*PERSON_FIELDS, *CASE_FIELDS, *PLAN_FIELDS))
        consent = form.get("consent") not in (None, "")
        photo = await _upload(form, "photo")
        new, errors = _read_enrolment(text, consent, photo)
        problems: list[InvalidInput | Conflict] = list(errors)
        if new is not None:
            try:
                made = await enrolment.enrol(ctx, new)
            except enrolment.EnrolmentRefused as refused:
                problems = refused.errors
            except (InvalidInput, Conflict) as error:
                problems = [error]
            else:
                return Redirect(f"/admin/defendants/{made['defendant']['id']}", status_code=303)
        conflict = all(isinstance(p, Conflict) for p in problems)
        return render(
            request,
            "admin/enrol.html",
            WORDS,
            status_code=409 if conflict else 400,
            values=text | ({"consent": "on"} if consent else {}),
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
            return render(request, "admin/enrol_photo.html", WORDS, result=None, refused=refused)
        return render(request, "admin/enrol_photo.html", WORDS, result=result, refused=None)

    @get("/plan-preview")
    async def plan_preview(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        return _preview(request, ctx, form_text(request.query_params, PLAN_FIELDS))

    @post("/plan-preview")
    async def plan_preview_posted(self, request: Request[Any, Any, Any], ctx: CtxDep) -> Template:
        return _preview(request, ctx, form_text(await request.form(), PLAN_FIELDS))


def _preview(request: Request[Any, Any, Any], ctx: Ctx, text: dict[str, str]) -> Template:
    """The plan's dates as a fragment, or what is wrong with the plan (nothing stored)."""
    plan, errors = _read_plan(text)
    rows: list[dict[str, Any]] = []
    problems: list[InvalidInput] = list(errors)
    if plan is not None:
        try:
            rows = enrolment.preview_plan(ctx, plan)
        except InvalidInput as error:
            problems = [error]
    return render(
        request,
        "admin/enrol_plan.html",
        WORDS,
        rows=rows[:PREVIEW_ROWS],
        total=len(rows),
        more=max(0, len(rows) - PREVIEW_ROWS),
        too_many=len(rows) > MAX_CHECK_INS,
        problems=problems,
    )
