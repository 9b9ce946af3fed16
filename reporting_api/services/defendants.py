"""Enrolling, reading, searching and updating defendants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from reporting_api.access import (
    ensure_can_change_office,
    ensure_can_read_office,
    office_scope,
)
from reporting_api.commands import NewDefendant, PhoneChange
from reporting_api.demographics import recorded_sex
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.masking import mask_phone
from reporting_api.national_id import normalise_national_id
from reporting_api.phones import parse_thai_mobile
from reporting_api.photos import check_photo
from reporting_api.services import audit as audit_service
from reporting_api.services import faces, notices
from reporting_api.services.context import Ctx
from reporting_api.store import defendants as store
from reporting_api.store import delivery as delivery_store
from reporting_api.store import offices, transaction
from reporting_api.store import outbox as outbox_store
from reporting_api.store.defendants import DefendantListRow
from reporting_api.store.rows import DefendantProfileRow
from reporting_api.thai_dates import bangkok_today

AUDITED_VALUES = ("sms_opt_out", "preferred_language")
"""Fields whose old and new values the audit row shows."""
OLDEST_AGE_YEARS = 120
YOUNGEST_AGE_YEARS = 7


def _name(value: str | None, field: str, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(field, "is required", "ต้องกรอก")
        return None
    if len(value) > 100:
        raise InvalidInput(field, "must be at most 100 characters", "ยาวเกิน 100 ตัวอักษร")
    return value


def check_date_of_birth(value: date, today: date, field: str = "date_of_birth") -> date:
    if value > today:
        raise InvalidInput(field, "is in the future", "เป็นวันในอนาคต")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age > OLDEST_AGE_YEARS or age < YOUNGEST_AGE_YEARS:
        raise InvalidInput(
            field,
            f"gives an age of {age}; check the year (Christian era, not Buddhist era)",
            f"คำนวณอายุได้ {age} ปี โปรดตรวจสอบปี (ใช้ปี ค.ศ.)",
        )
    return value


def _language(value: str, field: str = "preferred_language") -> str:
    if value not in ("th", "en"):
        raise InvalidInput(field, "must be th or en", "ต้องเป็น th หรือ en")
    return value


REPORTING_MODES = ("remote", "in_person")
REASON_MAX = 500
"""Why the card photo was not used: kept to this many characters."""


async def enrol(
    ctx: Ctx,
    data: NewDefendant,
    photo: bytes | None,
    *,
    reporting_mode: str = "remote",
    card_photo: bytes | None = None,
    reference_reason: str | None = None,
) -> DefendantProfileRow:
    """Enrol a person with their ID-card photo (its face template made before anything is
    stored), or with none: "no photo yet" (reminders and in-person reporting work; remote
    check-in waits for a photo) or, with ``reporting_mode`` `in_person`, reporting at the
    office only.

    With ``card_photo``, ``photo`` is a reference photo taken at the office because the card
    photo failed the face library's check (``reference_reason`` says why): the office photo
    is the face reference; the card photo is kept sealed for an officer to compare by eye."""
    office_id = data.office_id or ctx.principal.office_id
    if not await offices.office_exists(office_id):
        raise InvalidInput("office_id", "unknown office", "ไม่พบสำนักงานนี้")
    ensure_can_change_office(ctx.principal, office_id, "office")
    if not data.consent:
        raise InvalidInput(
            "consent",
            "the person's PDPA consent must be recorded before enrolment",
            "ต้องได้รับความยินยอมตาม PDPA ก่อนลงทะเบียน",
        )
    national_id = normalise_national_id(data.national_id)
    values: dict[str, Any] = {
        "national_id": national_id,
        "title_th": (data.title_th or "").strip()[:32],
        "sex": recorded_sex(data.sex, data.title_th).value,
        "first_name_th": _name(data.first_name_th, "first_name_th", True),
        "last_name_th": _name(data.last_name_th, "last_name_th", True),
        "first_name_en": _name(data.first_name_en, "first_name_en", False),
        "last_name_en": _name(data.last_name_en, "last_name_en", False),
        "date_of_birth": check_date_of_birth(data.date_of_birth, bangkok_today(ctx.now)),
        "phone": parse_thai_mobile(data.phone),
        "preferred_language": _language(data.preferred_language),
        "office": office_id,
        "consent_at": ctx.now,
        "consent_version": ctx.settings.consent_version,
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }
    if reporting_mode not in REPORTING_MODES:
        raise InvalidInput(
            "reporting_mode", "must be remote or in_person", "ต้องเป็น remote หรือ in_person"
        )
    values["reporting_mode"] = reporting_mode
    reason = (reference_reason or "").strip()[:REASON_MAX] or None
    card = None
    if card_photo is not None:
        card = check_photo(
            card_photo,
            max_bytes=ctx.settings.max_photo_bytes,
            max_pixels=ctx.settings.max_photo_pixels,
            field="card_photo",
        )
        values["card_photo_mime"] = card.mime
    if (card is not None and photo is not None) or reporting_mode == "in_person":
        if reason is None:
            raise InvalidInput("reference_reason", "is required", "ต้องกรอก")
        values["reference_reason"] = reason
    if card is not None and photo is not None:
        values["reference_source"] = "office_camera"
    checked = None
    if photo is not None:
        checked = check_photo(
            photo, max_bytes=ctx.settings.max_photo_bytes, max_pixels=ctx.settings.max_photo_pixels
        )
        values |= {
            "id_photo_mime": checked.mime,
            "id_photo_width": checked.width,
            "id_photo_height": checked.height,
        }
    if await store.national_id_taken(national_id):
        raise Conflict(
            "national_id",
            "a defendant with this national ID is already enrolled",
            "มีผู้ลงทะเบียนด้วยเลขประจำตัวประชาชนนี้แล้ว",
        )
    # The face template is made before anything is stored: a photo the face library
    # refuses is refused with its reason, and no half-enrolled person is left behind.
    encoded = None if checked is None else await faces.encode(ctx.rt, checked.data)
    async with transaction():
        defendant_id = await store.insert_defendant(values)
        if checked is not None and encoded is not None:
            # Sealed under the new row's id (bound to this person), in the same transaction.
            sealed = faces.seal_photo(ctx.rt, defendant_id, checked.data)
            await store.save_sealed_photo(defendant_id, sealed, only_if_clear=False)
            await faces.store_template(ctx.rt, defendant_id, encoded, ctx.now)
        if card is not None:
            await store.update_defendant(
                defendant_id,
                {"card_photo_sealed": faces.seal_card_photo(ctx.rt, defendant_id, card.data)},
            )
    detail: dict[str, Any] | None = (
        None if checked is not None else {"photo": "none", "reporting_mode": reporting_mode}
    )
    if reason is not None:
        # The officer's choice and reason (never the photos themselves).
        detail = (detail or {}) | {
            "reference": values.get("reference_source", "none"),
            "reporting_mode": reporting_mode,
            "reason": reason,
            "card_photo_kept": card is not None,
        }
    await ctx.audit("defendant.create", "defendant", defendant_id, detail)
    return await _read(defendant_id)


async def _read(defendant_id: int) -> DefendantProfileRow:
    row = await store.get_defendant(defendant_id)
    if row is None:
        raise NotFound("defendant")
    return row


async def read(ctx: Ctx, defendant_id: int) -> DefendantProfileRow:
    row = await _read(defendant_id)
    ensure_can_read_office(ctx.principal, row["office"], "defendant")
    await ctx.audit("defendant.read", "defendant", defendant_id)
    return row


async def read_photo(ctx: Ctx, defendant_id: int) -> tuple[bytes, str]:
    row = await store.get_photo(defendant_id)
    if row is None:
        raise NotFound("defendant")
    ensure_can_read_office(ctx.principal, row["office"], "defendant")
    photo = await faces.stored_photo(ctx.rt, row)
    if photo is None:
        raise NotFound(
            "defendant", "this defendant has no ID-card photo yet", "ยังไม่มีรูปถ่ายจากบัตรประชาชน"
        )
    await ctx.audit("defendant.photo.read", "defendant", defendant_id)
    return photo, row["id_photo_mime"] or "application/octet-stream"


async def update(ctx: Ctx, defendant_id: int, changes: dict[str, Any]) -> DefendantProfileRow:
    current = await _read(defendant_id)
    ensure_can_change_office(ctx.principal, current["office"], "defendant")
    if "phone" in changes:
        # A new number is its own operation (its confirmation SMS, the old number's queue).
        changes = dict(changes)
        phone = parse_thai_mobile(changes.pop("phone"))
        if phone != current["phone"]:
            await change_phone(ctx, defendant_id, PhoneChange(phone=phone))
    values: dict[str, Any] = {}
    for field, value in changes.items():
        if field in ("first_name_th", "last_name_th"):
            values[field] = _name(value, field, True)
        elif field in ("first_name_en", "last_name_en"):
            values[field] = _name(value, field, False)
        elif field == "title_th":
            values[field] = (value or "").strip()
        elif field == "date_of_birth":
            values[field] = check_date_of_birth(value, bangkok_today(ctx.now))
        elif field == "phone":
            values[field] = parse_thai_mobile(value)
        elif field == "preferred_language":
            values[field] = _language(value)
        elif field == "sms_opt_out":
            values[field] = bool(value)
        elif field == "sex":
            values[field] = recorded_sex(value, current["title_th"]).value
    if values:
        values["updated_at"] = ctx.now
        await store.update_defendant(defendant_id, values)
        changed = sorted(k for k in values if k != "updated_at")
        detail: dict[str, Any] = {"fields": changed}
        # SMS settings decide whether a person hears about a check-in: officers see each
        # change as old -> new. (Names and numbers are personal data: the field name only.)
        before = {
            "sms_opt_out": current["sms_opt_out"],
            "preferred_language": current["preferred_language"],
        }
        shown = {
            f: {"from": before[f], "to": values[f]}
            for f in AUDITED_VALUES
            if f in values and values[f] != before[f]
        }
        if shown:
            detail["changes"] = shown
        await ctx.audit("defendant.update", "defendant", defendant_id, detail)
    return await _read(defendant_id)


async def replace_photo(ctx: Ctx, defendant_id: int, photo: bytes) -> DefendantProfileRow:
    current = await _read(defendant_id)
    ensure_can_change_office(ctx.principal, current["office"], "defendant")
    checked = check_photo(
        photo, max_bytes=ctx.settings.max_photo_bytes, max_pixels=ctx.settings.max_photo_pixels
    )
    encoded = await faces.encode(ctx.rt, checked.data)
    async with transaction():
        await store.update_defendant(
            defendant_id,
            {
                "id_photo": None,
                "id_photo_sealed": faces.seal_photo(ctx.rt, defendant_id, checked.data),
                "id_photo_mime": checked.mime,
                "id_photo_width": checked.width,
                "id_photo_height": checked.height,
                "updated_at": ctx.now,
            },
        )
        await faces.store_template(ctx.rt, defendant_id, encoded, ctx.now)
    await ctx.audit("defendant.photo.replace", "defendant", defendant_id)
    return await _read(defendant_id)


def _reason(text: str | None) -> str:
    reason = (text or "").strip()[:REASON_MAX]
    if not reason:
        raise InvalidInput("reference_reason", "is required", "ต้องกรอก")
    return reason


async def use_office_photo(
    ctx: Ctx, defendant_id: int, photo: bytes, reason: str | None
) -> DefendantProfileRow:
    """Make a photo taken at the office the person's face reference (the same checks as an
    ID-card photo), because the card photo fails the face library's check (``reason``). The
    card photo on file, if any and not kept already, is kept sealed for comparison by eye."""
    current = await _read(defendant_id)
    ensure_can_change_office(ctx.principal, current["office"], "defendant")
    why = _reason(reason)
    checked = check_photo(
        photo, max_bytes=ctx.settings.max_photo_bytes, max_pixels=ctx.settings.max_photo_pixels
    )
    encoded = await faces.encode(ctx.rt, checked.data)
    card = None
    if current["reference_source"] == "id_card" and current["card_photo_mime"] is None:
        photo_row = await store.get_photo(defendant_id)
        card = None if photo_row is None else await faces.stored_photo(ctx.rt, photo_row)
    values: dict[str, Any] = {
        "id_photo": None,
        "id_photo_sealed": faces.seal_photo(ctx.rt, defendant_id, checked.data),
        "id_photo_mime": checked.mime,
        "id_photo_width": checked.width,
        "id_photo_height": checked.height,
        "reference_source": "office_camera",
        "reference_reason": why,
        "reporting_mode": "remote",
        "updated_at": ctx.now,
    }
    if card is not None:
        values["card_photo_sealed"] = faces.seal_card_photo(ctx.rt, defendant_id, card)
        values["card_photo_mime"] = current["id_photo_mime"]
    async with transaction():
        await store.update_defendant(defendant_id, values)
        await faces.store_template(ctx.rt, defendant_id, encoded, ctx.now)
    await ctx.audit(
        "defendant.photo.office",
        "defendant",
        defendant_id,
        {"reference": "office_camera", "reason": why, "card_photo_kept": card is not None},
    )
    return await _read(defendant_id)


async def report_in_person_only(
    ctx: Ctx, defendant_id: int, reason: str | None
) -> DefendantProfileRow:
    """The person reports at the office only (no remote check-in), for ``reason``."""
    current = await _read(defendant_id)
    ensure_can_change_office(ctx.principal, current["office"], "defendant")
    why = _reason(reason)
    await store.update_defendant(
        defendant_id,
        {"reporting_mode": "in_person", "reference_reason": why, "updated_at": ctx.now},
    )
    await ctx.audit(
        "defendant.reporting_mode",
        "defendant",
        defendant_id,
        {"from": current["reporting_mode"], "to": "in_person", "reason": why},
    )
    return await _read(defendant_id)


async def read_card_photo(ctx: Ctx, defendant_id: int) -> tuple[bytes, str]:
    """The ID-card photo kept beside an office photo (for an officer's comparison by eye)."""
    row = await store.get_card_photo(defendant_id)
    if row is None:
        raise NotFound("defendant")
    ensure_can_read_office(ctx.principal, row["office"], "defendant")
    if row["card_photo_sealed"] is None:
        raise NotFound("card_photo", "no ID-card photo is kept", "ไม่มีรูปถ่ายบัตรประชาชนที่เก็บไว้")
    photo = faces.open_card_photo(ctx.rt, defendant_id, row["card_photo_sealed"])
    await ctx.audit("defendant.card_photo.read", "defendant", defendant_id)
    return photo, row["card_photo_mime"] or "application/octet-stream"


_WILDCARDS = re.compile(r"[%_\\]")


async def search(
    ctx: Ctx, q: str | None, office_id: int | None, offset: int, limit: int
) -> tuple[list[DefendantListRow], int]:
    """Search by 13-digit ID, ID prefix (4+ digits), mobile number, or name prefix."""
    scope = office_scope(ctx.principal, office_id)
    criteria = _criteria(q)
    rows, total = await store.search_defendants(
        **criteria, office_id=scope, offset=offset, limit=limit
    )
    await ctx.audit(
        "defendant.search",
        "defendant",
        None,
        search_terms(ctx, q) | {"office_id": scope, "returned": [r["id"] for r in rows]},
    )
    return rows, total


def _criteria(q: str | None) -> dict[str, Any]:
    """What ``q`` asks for: a whole ID number, its leading digits, a phone number, or names."""
    text = _WILDCARDS.sub("", (q or "").strip())
    criteria: dict[str, Any] = {}
    digits = re.sub(r"[\s-]", "", text)
    if text and (digits.isdigit() or digits.startswith("+")):
        plain = digits.lstrip("+")
        if len(plain) == 13:
            criteria["national_id"] = normalise_national_id(plain, field="q")
        elif plain.startswith(("0", "66")) and 9 <= len(plain) <= 11:
            criteria["phone"] = parse_thai_mobile(digits, field="q")
        elif len(plain) >= 4:
            criteria["national_id_prefix"] = plain
        else:
            raise InvalidInput(
                "q", "give at least 4 digits of a national ID", "กรอกเลขประจำตัวอย่างน้อย 4 หลัก"
            )
    elif text:
        criteria["name_words"] = text.split()
    return criteria


def search_terms(ctx: Ctx, q: str | None) -> dict[str, Any]:
    """What the audit log keeps of a search for ``q`` (a search already run: its terms
    are valid): a name as typed, an ID or phone number masked (`services.audit`)."""
    criteria = _criteria(q)
    for kind in ("national_id", "national_id_prefix", "phone"):
        if kind in criteria:
            return audit_service.search_terms(ctx, q or "", kind, str(criteria[kind]))
    return audit_service.search_terms(ctx, q or "", "name" if criteria else None, "")


async def any_enrolled() -> bool:
    """Whether anyone is enrolled yet (the demo loader fills only an empty database)."""
    return await store.any_defendants()


@dataclass(frozen=True)
class PhoneChanged:
    """The person after a change of number, and what it did to their messages."""

    person: DefendantProfileRow
    cancelled: int
    """Messages tried on the old number and waiting to retry, cancelled."""
    notified: bool
    """Whether the new number was sent its confirmation SMS."""
    blocked: bool
    """The new number is on the blocked list (Twilio refused it for good before)."""


async def change_phone(ctx: Ctx, defendant_id: int, data: PhoneChange) -> PhoneChanged:
    """Give the person a new mobile number. The new number gets a confirmation SMS (whom to
    call if it is not theirs); messages already tried on the old number and waiting to retry
    are cancelled; untried ones take the person's number when they are sent, so they go to the
    new one. Audited with both numbers masked."""
    current = await _read(defendant_id)
    ensure_can_change_office(ctx.principal, current["office"], "defendant")
    phone = parse_thai_mobile(data.phone)
    old = current["phone"]
    if phone == old:
        raise InvalidInput("phone", "is the person's number already", "เป็นเบอร์เดิมของผู้ถูกปล่อยตัว")
    blocked = bool(await delivery_store.blocked_among([phone]))
    async with transaction(immediate=True):
        await store.update_defendant(defendant_id, {"phone": phone, "updated_at": ctx.now})
        cancelled = await outbox_store.cancel_queued_to(
            defendant_id, old, ctx.now, "number changed"
        )
        notice = await notices.phone_changed(ctx, defendant_id, phone)
    await ctx.audit(
        "defendant.phone_changed",
        "defendant",
        defendant_id,
        {
            "from": mask_phone(old),
            "to": mask_phone(phone),
            "cancelled": cancelled,
            "notified": notice is not None,
            "blocked_number": blocked,
        },
    )
    return PhoneChanged(await _read(defendant_id), cancelled, notice is not None, blocked)
