"""Enrolling a person in one step: the defendant, the bail case and the reporting plan.

Two checks store nothing: the ID-card photo through the face library (so an officer knows at
once whether the photo will do), and the plan's dates with the weekends and Thai holidays they
were moved from. `enrol` checks everything it can first, reporting every problem at once, then
calls the defendant, case and plan services in one transaction: a step that still fails leaves
nothing half-made behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import holidays

from liveness.occlusion import GLASSES_MIN
from liveness.reference import MAX_PITCH_DEG, MAX_YAW_DEG, MIN_FACE_PX, MIN_SHARPNESS
from reporting_api.access import OFFICER, ensure_can_change_office, ensure_role
from reporting_api.commands import CaseCreate, NewDefendant, PlanIn
from reporting_api.contact_consent import CONSENT_VERSION
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.national_id import normalise_national_id
from reporting_api.phones import parse_thai_mobile
from reporting_api.photos import check_photo
from reporting_api.planning import HOLIDAY_CATEGORIES, WEEKEND, expand_plan
from reporting_api.services import cases, defendants, faces, plans, trusted_contacts
from reporting_api.services.context import Ctx
from reporting_api.services.defendants import check_date_of_birth
from reporting_api.services.plans import PlanChange
from reporting_api.services.trusted_contacts import ContactIn
from reporting_api.store import transaction
from reporting_api.store.cases import CaseRow
from reporting_api.store.rows import DefendantProfileRow
from reporting_api.thai_dates import bangkok_today

WEEKEND_TH = "วันหยุดสุดสัปดาห์"


class EnrolmentRefused(Exception):
    """The enrolment broke one or more rules; ``errors`` names each field with its reason."""

    def __init__(self, errors: list[InvalidInput | Conflict]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class NewEnrolment:
    """What the enrolment form gives: the person as `services.defendants.enrol` takes them,
    the case as `CaseCreate`'s fields but `defendant_id` (the new person's, filled in here),
    the plan as `PUT /cases/{id}/plan` takes it, and the ID-card photo.

    When the card photo fails the face library's check, ``route`` is the officer's way on,
    with ``reason``: `office_camera` (``office_photo``, taken at the office, becomes the face
    reference; the card photo is kept sealed for comparison by eye) or `in_person` (reporting
    at the office only; no photo needed)."""

    defendant: NewDefendant
    case: Mapping[str, Any]
    plan: PlanIn
    photo: bytes
    route: str = "card"
    office_photo: bytes | None = None
    reason: str = ""
    contact: ContactIn | None = None
    """A trusted contact the person names at enrolment, with the consent they gave to the
    officer on the words shown (`contact_consent.py`)."""


ROUTES = ("card", "office_camera", "in_person")
"""How a person's face reference is made: the card photo, a photo taken at the office, or
none (reporting in person only)."""


@dataclass(frozen=True)
class PhotoLimits:
    """What a usable ID-card face must have (liveness.reference's edges)."""

    min_face_width_px: float
    min_sharpness: float
    max_yaw_deg: float
    max_pitch_deg: float
    glasses_min: float
    """The glasses score from which the face counts as wearing clear glasses."""


@dataclass(frozen=True)
class PhotoCheck:
    """An ID-card photo the face library accepts: its size and face quality, and the limits
    it was judged by."""

    width: int
    height: int
    quality: dict[str, Any]
    limits: PhotoLimits


@dataclass(frozen=True)
class PreviewDate:
    """A check-in date of a plan being written, and the day it was moved from and why."""

    due_date: date
    nominal_date: date | None
    moved: bool
    moved_reason: str | None
    moved_reason_th: str | None
    opens_at: datetime
    closes_at: datetime


def form_defaults(ctx: Ctx) -> dict[str, str]:
    """What a new enrolment form starts with (officers only: they enrol in their office)."""
    ensure_role(ctx.principal, OFFICER)
    today = bangkok_today(ctx.now)
    return {
        "preferred_language": "th",
        "release_date": today.isoformat(),
        "kind": "interval",
        "every_days": "30",
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=365)).isoformat(),
        "window_opens_days_before": "2",
        "grace_days": "2",
    }


async def check_id_photo(ctx: Ctx, photo: bytes) -> PhotoCheck:
    """The same photo check as enrolment (format, size, then the face library in the verifier
    pool), storing nothing: the photo's size and face quality with the limits it was judged
    by, or InvalidInput("photo") with the library's reason."""
    ensure_role(ctx.principal, OFFICER)
    checked = check_photo(
        photo, max_bytes=ctx.settings.max_photo_bytes, max_pixels=ctx.settings.max_photo_pixels
    )
    encoded = await faces.encode(ctx.rt, checked.data)
    return PhotoCheck(
        width=checked.width,
        height=checked.height,
        quality=encoded["quality"],
        limits=PhotoLimits(MIN_FACE_PX, MIN_SHARPNESS, MAX_YAW_DEG, MAX_PITCH_DEG, GLASSES_MIN),
    )


@lru_cache(maxsize=16)
def _thai_holiday_names(years: tuple[int, ...]) -> Mapping[date, str]:
    found = holidays.country_holidays(
        "TH", years=years, categories=HOLIDAY_CATEGORIES, language="th"
    )
    return MappingProxyType(dict(found))


def reason_in_thai(moved_reason: str | None, nominal_date: date | None) -> str | None:
    """Why a date moved, in Thai: the holiday's Thai name, or "weekend" in Thai (a declared
    day, which the package does not know, keeps the name it was declared with)."""
    if moved_reason is None or nominal_date is None:
        return None
    if moved_reason == WEEKEND:
        return WEEKEND_TH
    names = _thai_holiday_names((nominal_date.year,))
    return names.get(nominal_date, moved_reason)


def preview_plan(ctx: Ctx, plan: PlanIn) -> list[PreviewDate]:
    """The plan's check-ins as `set_plan` would make them (nothing stored), each with the date
    it was moved from and why, in English and Thai; InvalidInput for a plan that breaks a rule."""
    ensure_role(ctx.principal, OFFICER)
    planned = expand_plan(plans.spec_from(plan))
    years = tuple(range(plan.start_date.year, plan.end_date.year + 2))
    thai_names = _thai_holiday_names(years)
    rows = []
    for p in planned:
        reason_th = None
        if p.moved_reason is not None:
            reason_th = (
                WEEKEND_TH
                if p.moved_reason == WEEKEND
                else thai_names.get(p.nominal_date, p.moved_reason)
            )
        rows.append(
            PreviewDate(
                due_date=p.due_date,
                nominal_date=p.nominal_date,
                moved=p.moved_reason is not None,
                moved_reason=p.moved_reason,
                moved_reason_th=reason_th,
                opens_at=p.opens_at,
                closes_at=p.closes_at,
            )
        )
    return rows


async def _problems(ctx: Ctx, new: NewEnrolment) -> list[InvalidInput | Conflict]:
    """Every rule the form breaks that can be told before anything is stored."""
    errors: list[InvalidInput | Conflict] = []

    def check(rule: Any, *args: Any) -> None:
        try:
            rule(*args)
        except (InvalidInput, Conflict) as error:
            errors.append(error)

    person = new.defendant
    if not person.consent:
        errors.append(
            InvalidInput(
                "consent",
                "the person's PDPA consent must be recorded before enrolment",
                "ต้องได้รับความยินยอมตาม PDPA ก่อนลงทะเบียน",
            )
        )
    check(normalise_national_id, person.national_id)
    for field in ("first_name_th", "last_name_th"):
        if not (getattr(person, field) or "").strip():
            errors.append(InvalidInput(field, "is required", "ต้องกรอก"))
    check(check_date_of_birth, person.date_of_birth, bangkok_today(ctx.now))
    check(parse_thai_mobile, person.phone)
    if new.contact is not None:
        try:
            own = parse_thai_mobile(person.phone)
        except InvalidInput:
            own = ""
        check(trusted_contacts.check_contact, new.contact, own, "contact_")
    check(cases.check_bail_amount, new.case["bail_amount"])
    check(lambda: expand_plan(plans.spec_from(new.plan)))
    if new.route not in ROUTES:
        errors.append(InvalidInput("route", "is not one of the choices", "ไม่ใช่ตัวเลือกที่มี"))
        return errors
    if new.route != "card" and not new.reason.strip():
        errors.append(InvalidInput("reference_reason", "is required", "ต้องกรอก"))
    if new.route == "office_camera" and not new.office_photo:
        errors.append(
            InvalidInput(
                "office_photo",
                "take the photo at the office with the camera",
                "ถ่ายรูปที่สำนักงานด้วยกล้อง",
            )
        )
    # The face library's verdict now, outside any transaction; the verifier remembers it,
    # so enrolment below does not compute it again. For a photo taken at the office, the
    # same check as an ID-card photo (the card photo need only be a real image).
    checked = new.office_photo if new.route == "office_camera" else new.photo
    field = "office_photo" if new.route == "office_camera" else "photo"
    if new.route != "in_person" and checked:
        try:
            await check_id_photo(ctx, checked)
        except InvalidInput as error:
            errors.append(InvalidInput(field, error.reason, error.reason_th))
    if new.route != "card" and new.photo:
        check(
            lambda: check_photo(
                new.photo,
                max_bytes=ctx.settings.max_photo_bytes,
                max_pixels=ctx.settings.max_photo_pixels,
            )
        )
    return errors


@dataclass(frozen=True)
class Enrolled:
    defendant: DefendantProfileRow
    case: CaseRow
    plan: PlanChange


async def enrol(ctx: Ctx, new: NewEnrolment) -> Enrolled:
    """Enrol the person, open the case and set its plan; all three or none.

    Raises EnrolmentRefused with every problem found up front; a step that fails after that
    (a rule only its service knows, or the same person enrolled a moment ago) raises its own
    InvalidInput or Conflict, and the transaction takes back the steps before it."""
    ensure_can_change_office(
        ctx.principal, new.defendant.office_id or ctx.principal.office_id, "office"
    )
    errors = await _problems(ctx, new)
    if errors:
        raise EnrolmentRefused(errors)
    # Immediate: on SQLite the write lock is taken at BEGIN, so a concurrent writer waits
    # instead of failing half-way through the three steps.
    async with transaction(immediate=True):
        if new.route == "card":
            person = await defendants.enrol(ctx, new.defendant, new.photo)
        else:
            person = await defendants.enrol(
                ctx,
                new.defendant,
                new.office_photo if new.route == "office_camera" else None,
                reporting_mode="in_person" if new.route == "in_person" else "remote",
                card_photo=new.photo or None,
                reference_reason=new.reason,
            )
        case = await cases.open_case(ctx, CaseCreate(defendant_id=person["id"], **new.case))
        plan = await plans.set_plan(ctx, case["id"], new.plan)
        if new.contact is not None:
            name, phone = trusted_contacts.check_contact(new.contact, person["phone"], "contact_")
            await trusted_contacts.save(
                person["id"], name, new.contact.relationship, phone, ctx.now
            )
            await ctx.audit(
                "contact.consent",
                "defendant",
                person["id"],
                {
                    "version": CONSENT_VERSION,
                    "relationship": new.contact.relationship,
                    "given": "at enrolment",
                },
            )
    return Enrolled(person, case, plan)
