"""A data subject's rights over their whole record (PDPA sections 30-33; docs/privacy.md):
the export of everything held about them, a legal hold that keeps it, and its erasure or
anonymisation once their cases are over.

- Export: officers of the person's office and managers; one `SubjectRecord`
  (`subject_record.py`; the JSON API returns it, the officers' page adds a Thai PDF beside
  it), with the ID-card photo, the face template, every case, plan, check-in, recording
  (and its evidence frames still kept), message, flag and identification try.
- Legal hold: an officer of the person's office sets it with a reason and lifts it; while it
  is set the retention purge leaves the person alone and erasure is refused.
- Erasure: an officer of the person's office, once no case of theirs is active and no hold
  is set (the purpose of the data, the bail duty, has ended). `anonymise` keeps the cases'
  figures (court, amount, dates, statuses, scores) for statistics and removes everything
  that names the person; `erase` deletes it all.

Each is audited; the audit row carries counts, never the data.
"""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator

from reporting_api.access import ensure_can_change_office, ensure_can_read_office
from reporting_api.commands import ErasureIn, LegalHoldIn
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.sealing import SealError
from reporting_api.services import attachments, faces
from reporting_api.services.attempts import evidence_context
from reporting_api.services.context import Ctx
from reporting_api.services.subject_record import (
    NOT_INCLUDED,
    SCHEMA,
    AnswerRecord,
    AttachmentRecord,
    AttemptRecord,
    CheckInRecord,
    ContactRecord,
    ErasureDone,
    ExportImage,
    FaceTemplateRecord,
    FlagRecord,
    HearingRecord,
    IdentifyRecord,
    LegalHold,
    LineAccountRecord,
    NoteRecord,
    PersonRecord,
    RequestRecord,
    RequestStepRecord,
    SubjectRecord,
    case_records,
    image,
    message_records,
    records,
)
from reporting_api.store import attachments as attachment_store
from reporting_api.store import contacts as contact_store
from reporting_api.store import defendants as defendant_store
from reporting_api.store import line_events as line_store
from reporting_api.store import offices, privacy
from reporting_api.store import requests as request_store
from reporting_api.store import timeline as timeline_store
from reporting_api.store.defendants import PhotoRow
from reporting_api.store.rows import DefendantProfileRow, DefendantRow


async def _photo(ctx: Ctx, row: DefendantRow) -> ExportImage | None:
    photo_row = PhotoRow(
        id=row["id"],
        id_photo=row["id_photo"],
        id_photo_sealed=row["id_photo_sealed"],
        id_photo_mime=row["id_photo_mime"],
        office=row["office"],
    )
    try:
        photo = await faces.stored_photo(ctx.rt, photo_row)
    except Conflict:
        return None  # sealed with a key that is gone: nothing to show
    if photo is None:
        return None
    mime = row["id_photo_mime"] or "image/jpeg"
    stem = (
        "office-reference-photo" if row["reference_source"] == "office_camera" else "id-card-photo"
    )
    name = f"{stem}.png" if mime == "image/png" else f"{stem}.jpg"
    return image(name, mime, row["id_photo_width"], row["id_photo_height"], photo)


def _card_photo(ctx: Ctx, row: DefendantRow) -> ExportImage | None:
    """The ID-card photo kept beside an office photo (personal data: exported too)."""
    if row["card_photo_sealed"] is None:
        return None
    try:
        photo = faces.open_card_photo(ctx.rt, row["id"], row["card_photo_sealed"])
    except Conflict:
        return None
    mime = row["card_photo_mime"] or "image/jpeg"
    name = "id-card-photo-kept.png" if mime == "image/png" else "id-card-photo-kept.jpg"
    return image(name, mime, None, None, photo)


async def _frames(ctx: Ctx, defendant_id: int) -> tuple[list[ExportImage], dict[int, list[str]]]:
    """The evidence frames still kept, opened, and their names by attempt."""
    images: list[ExportImage] = []
    names: dict[int, list[str]] = {}
    for frame in await privacy.evidence_frames(defendant_id):
        context = evidence_context(frame["attempt"], frame["position"])
        try:
            jpeg = ctx.rt.sealer.open(frame["image"], context)
        except SealError:
            continue
        name = f"attempt-{frame['attempt']}-frame-{frame['position']}.jpg"
        images.append(image(name, "image/jpeg", frame["width"], frame["height"], jpeg))
        names.setdefault(frame["attempt"], []).append(name)
    return images, names


async def _person(
    row: DefendantRow, photo: ExportImage | None, card: ExportImage | None = None
) -> PersonRecord:
    office = await offices.get_office(row["office"])
    hold = None
    if row["legal_hold_at"] is not None:
        hold = LegalHold(row["legal_hold_reason"] or "", row["legal_hold_at"], row["legal_hold_by"])
    return PersonRecord(
        id=row["id"],
        national_id=row["national_id"],
        title_th=row["title_th"],
        sex=row["sex"],
        first_name_th=row["first_name_th"],
        last_name_th=row["last_name_th"],
        first_name_en=row["first_name_en"],
        last_name_en=row["last_name_en"],
        date_of_birth=row["date_of_birth"],
        phone=row["phone"],
        preferred_language=row["preferred_language"],
        sms_opt_out=row["sms_opt_out"],
        office=row["office"],
        office_th=office["name_th"] if office else "",
        office_en=office["name_en"] if office else "",
        consent_at=row["consent_at"],
        consent_version=row["consent_version"],
        enrolled_at=row["created_at"],
        updated_at=row["updated_at"],
        id_card_photo=photo.name if photo else None,
        legal_hold=hold,
        anonymised_at=row["anonymised_at"],
        reporting_mode=row["reporting_mode"],
        reference_source=row["reference_source"],
        reference_reason=row["reference_reason"],
        kept_card_photo=card.name if card else None,
    )


def _template(ctx: Ctx, row: DefendantRow) -> FaceTemplateRecord | None:
    if row["face_template"] is None:
        return None
    try:
        raw = ctx.rt.sealer.open(row["face_template"], faces.template_context(row["id"]))
        encoding = list(struct.unpack(f"<{len(raw) // 8}d", raw))
    except SealError:
        encoding = []
    return FaceTemplateRecord(row["face_encoded_at"], row["face_quality"], encoding)


async def _requests(ctx: Ctx, defendant_id: int) -> list[RequestRecord]:
    """The person's requests with their own words unsealed, and each status change."""
    rows = await request_store.for_defendant(defendant_id)
    steps = await request_store.transitions_of([r["id"] for r in rows])
    files = await attachment_store.for_requests([r["id"] for r in rows])
    context = f"person_request:{defendant_id}"

    def words(sealed: bytes | None) -> str | None:
        return None if sealed is None else ctx.rt.sealer.open(sealed, context).decode()

    return [
        RequestRecord(
            id=r["id"],
            case=r["case"],
            check_in=r["check_in"],
            kind=r["kind"],
            reason=r["reason"],
            help_kind=r["help_kind"],
            status=r["status"],
            created_at=r["created_at"],
            proposed_date=r["proposed_date"],
            away_from=r["away_from"],
            away_to=r["away_to"],
            province=r["province"],
            text=words(r["text_sealed"]),
            new_phone=words(r["new_phone_sealed"]),
            new_date=r["new_date"],
            outcome_note=r["outcome_note"],
            history=[
                RequestStepRecord(
                    t["to_status"],
                    t["at"],
                    (t["actor_name"] or "") if t["actor_kind"] == "staff" else t["actor_kind"],
                    t["note"],
                )
                for t in steps
                if t["request"] == r["id"]
            ],
            attachments=[
                AttachmentRecord(
                    id=f["id"],
                    name=f["name"],
                    kind=f["kind"],
                    size=f["stored_size"],
                    sha256=f["sha256"],
                    created_at=f["created_at"],
                    file=f"attachments/{f['id']}-{attachments.file_name(f)}",
                )
                for f in files
                if f["request"] == r["id"] and f["status"] == "ready"
            ],
        )
        for r in rows
    ]


async def _contact(defendant_id: int) -> ContactRecord | None:
    row = await contact_store.for_defendant(defendant_id)
    if row is None:
        return None
    return ContactRecord(
        name=row["name"],
        relationship=row["relationship"],
        phone=row["phone"],
        consent_version=row["consent_version"],
        consented_at=row["consented_at"],
        withdrawn_at=row["withdrawn_at"],
    )


async def _line_account(defendant_id: int) -> LineAccountRecord | None:
    row = await line_store.line_account_of(defendant_id)
    return None if row is None else LineAccountRecord(row["user_id"], row["linked_at"])


async def attachment_files(
    ctx: Ctx, record: SubjectRecord
) -> AsyncIterator[tuple[str, AsyncIterator[bytes]]]:
    """The files of an exported record's requests, as (path in the ZIP, content)."""
    for request in record.requests:
        for attached in request.attachments:
            yield attached.file, attachments.content(ctx.rt.sealer, attached.id)


async def export_record(ctx: Ctx, defendant_id: int) -> SubjectRecord:
    """The person's complete record (officers of their office, managers); audited."""
    row = await privacy.person(defendant_id)
    if row is None:
        raise NotFound("defendant")
    ensure_can_read_office(ctx.principal, row["office"], "defendant")
    photo = await _photo(ctx, row)
    card = _card_photo(ctx, row)
    frames, frame_names = await _frames(ctx, defendant_id)
    plans = {p["case"]: p for p in await privacy.plans(defendant_id)}
    record = SubjectRecord(
        schema=SCHEMA,
        produced_at=ctx.now,
        produced_by=ctx.principal.username,
        person=await _person(row, photo, card),
        face_template=_template(ctx, row),
        cases=case_records(await privacy.cases(defendant_id), plans),
        hearings=records(HearingRecord, await privacy.hearings(defendant_id)),
        notes=records(NoteRecord, await privacy.notes(defendant_id)),
        check_ins=records(CheckInRecord, await privacy.check_ins(defendant_id)),
        attempts=records(
            AttemptRecord,
            await privacy.attempts(defendant_id),
            evidence_frames=lambda a: frame_names.get(a["id"], []),
        ),
        messages=message_records(await privacy.messages(defendant_id)),
        flags=records(FlagRecord, await privacy.flags(defendant_id)),
        identification_tries=records(IdentifyRecord, await privacy.identify_attempts(defendant_id)),
        images=([photo] if photo else []) + ([card] if card else []) + frames,
        not_included=list(NOT_INCLUDED),
        requests=await _requests(ctx, defendant_id),
        trusted_contact=await _contact(defendant_id),
        line_account=await _line_account(defendant_id),
        answers=records(AnswerRecord, await timeline_store.answers_of(defendant_id)),
    )
    counts = {
        "cases": len(record.cases),
        "check_ins": len(record.check_ins),
        "attempts": len(record.attempts),
        "messages": len(record.messages),
        "flags": len(record.flags),
        "identify_attempts": len(record.identification_tries),
        "images": len(record.images),
        "requests": len(record.requests),
        "attachments": sum(len(r.attachments) for r in record.requests),
        "answers": len(record.answers),
    }
    await ctx.audit("defendant.export", "defendant", defendant_id, {"counts": counts})
    return record


# --- legal hold ---------------------------------------------------------------------------


async def _for_change(ctx: Ctx, defendant_id: int) -> privacy.HoldRow:
    row = await privacy.hold_state(defendant_id)
    if row is None:
        raise NotFound("defendant")
    ensure_can_change_office(ctx.principal, row["office"], "defendant")
    return row


async def _profile(defendant_id: int) -> DefendantProfileRow:
    row = await defendant_store.get_defendant(defendant_id)
    if row is None:
        raise NotFound("defendant")
    return row


async def set_legal_hold(ctx: Ctx, defendant_id: int, data: LegalHoldIn) -> DefendantProfileRow:
    """Keep everything of the person until the hold is lifted (a new reason replaces the
    old one); audited."""
    await _for_change(ctx, defendant_id)
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput("reason", "give the reason for the hold", "โปรดระบุเหตุผลของการระงับ")
    await privacy.set_legal_hold(defendant_id, reason, ctx.now, ctx.principal.username)
    await ctx.audit("defendant.legal_hold.set", "defendant", defendant_id, {"reason": reason})
    return await _profile(defendant_id)


async def lift_legal_hold(ctx: Ctx, defendant_id: int) -> DefendantProfileRow:
    row = await _for_change(ctx, defendant_id)
    if row["legal_hold_at"] is None:
        raise Conflict(
            "legal_hold",
            "this person is not on legal hold",
            "บุคคลนี้ไม่ได้อยู่ระหว่างการระงับการลบข้อมูล",
        )
    await privacy.set_legal_hold(defendant_id, None, None, None)
    await ctx.audit("defendant.legal_hold.lift", "defendant", defendant_id)
    return await _profile(defendant_id)


# --- erasure ------------------------------------------------------------------------------


async def erase(ctx: Ctx, defendant_id: int, data: ErasureIn) -> ErasureDone:
    """Anonymise or erase the person (see the module's docstring); refused while a case of
    theirs is active or a legal hold is set; audited with what was removed."""
    row = await _for_change(ctx, defendant_id)
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput("reason", "give the reason for the erasure", "โปรดระบุเหตุผลของการลบข้อมูล")
    if row["legal_hold_at"] is not None:
        raise Conflict(
            "legal_hold",
            "this person is on legal hold: nothing of theirs may be removed until it is lifted",
            "บุคคลนี้อยู่ระหว่างการระงับการลบข้อมูลตามกฎหมาย จะลบข้อมูลได้เมื่อยกเลิกการระงับแล้ว",
        )
    active = await privacy.active_cases(defendant_id)
    if active:
        raise Conflict(
            "cases",
            f"{active} case(s) of this person are still active: close them first",
            f"ยังมีคดีที่ดำเนินอยู่ {active} คดี โปรดปิดคดีก่อน",
        )
    if data.mode == "anonymise" and row["anonymised_at"] is not None:
        raise Conflict(
            "mode",
            "this person is anonymised already",
            "ข้อมูลของบุคคลนี้ถูกทำให้ไม่ระบุตัวตนแล้ว",
        )
    removed = await privacy.counts(defendant_id)
    if data.mode == "erase":
        await privacy.erase(defendant_id)
    else:
        await privacy.anonymise(defendant_id, ctx.now)
    await ctx.audit(
        f"defendant.{data.mode}",
        "defendant",
        defendant_id,
        {"mode": data.mode, "counts": removed, "reason": reason},
    )
    return ErasureDone(defendant_id, data.mode, ctx.now, removed)
