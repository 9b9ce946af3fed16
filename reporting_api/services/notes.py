"""Officers' notes on a person: a timeline that is written to and struck through, never edited
(what an officer knew and when stays as it was). Officers of the person's office write and
strike; managers read; each is audited (the text itself stays out of the audit log)."""

from __future__ import annotations

from reporting_api.access import ensure_can_change_office, ensure_can_read_office
from reporting_api.commands import NoteIn, NoteStrike
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.services.context import Ctx
from reporting_api.store import cases as case_store
from reporting_api.store import defendants as defendant_store
from reporting_api.store import notes as store
from reporting_api.store.notes import NoteRow

MAX_TEXT = 2000


async def _office_of(defendant_id: int) -> int:
    office = await defendant_store.get_defendant_office(defendant_id)
    if office is None:
        raise NotFound("defendant")
    return office


async def read(ctx: Ctx, note_id: int) -> NoteRow:
    row = await store.get(note_id)
    if row is None:
        raise NotFound("note")
    ensure_can_read_office(ctx.principal, await _office_of(row["defendant"]), "note")
    return row


async def list_notes(ctx: Ctx, defendant_id: int) -> list[NoteRow]:
    ensure_can_read_office(ctx.principal, await _office_of(defendant_id), "defendant")
    return await store.of_person(defendant_id)


async def add(ctx: Ctx, defendant_id: int, data: NoteIn) -> NoteRow:
    """Write a note on the person (about one of their cases, if ``data.case_id``)."""
    ensure_can_change_office(ctx.principal, await _office_of(defendant_id), "defendant")
    text = data.text.strip()
    if not text:
        raise InvalidInput("text", "is required", "ต้องกรอกบันทึก")
    if len(text) > MAX_TEXT:
        raise InvalidInput("text", "must be at most 2,000 characters", "ยาวเกิน 2,000 ตัวอักษร")
    if data.case_id is not None:
        case = await case_store.get_case(data.case_id)
        if case is None or case["defendant"] != defendant_id:
            raise InvalidInput("case_id", "is not one of this person's cases", "ไม่ใช่คดีของบุคคลนี้")
    note_id = await store.insert(
        {
            "defendant": defendant_id,
            "case": data.case_id,
            "author": ctx.principal.id,
            "text": text,
            "created_at": ctx.now,
        }
    )
    await ctx.audit("note.create", "case_note", note_id, {"defendant": defendant_id})
    row = await store.get(note_id)
    assert row is not None
    return row


async def strike(ctx: Ctx, note_id: int, data: NoteStrike) -> NoteRow:
    """Strike a note through with the reason; it stays in the timeline, marked."""
    row = await store.get(note_id)
    if row is None:
        raise NotFound("note")
    ensure_can_change_office(ctx.principal, await _office_of(row["defendant"]), "note")
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput("reason", "is required", "ต้องระบุเหตุผล")
    if not await store.strike(note_id, ctx.principal.id, reason[:MAX_TEXT], ctx.now):
        raise Conflict("note", "the note is struck through already", "บันทึกนี้ถูกขีดฆ่าแล้ว")
    await ctx.audit("note.strike", "case_note", note_id, {"defendant": row["defendant"]})
    struck = await store.get(note_id)
    assert struck is not None
    return struck
