"""Officers' notes on a person: listed, written, struck through (never edited)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Controller, get, post
from litestar.params import JSONBody

from reporting_api.api.schemas import NoteOut
from reporting_api.commands import NoteIn, NoteStrike
from reporting_api.http.context import CtxDep, PathId
from reporting_api.services import notes as service

if TYPE_CHECKING:
    from reporting_api.store.notes import NoteRow


def note_out(row: NoteRow) -> NoteOut:
    return NoteOut(
        id=row["id"],
        defendant_id=row["defendant"],
        case_id=row["case"],
        author_name=row["author_name"],
        text=row["text"],
        created_at=row["created_at"],
        struck_at=row["struck_at"],
        struck_by_name=row["struck_by_name"],
        struck_reason=row["struck_reason"],
    )


class PersonNoteController(Controller):
    path = "/defendants/{defendant_id:int}/notes"
    tags = ["notes"]

    @get("/")
    async def list_notes(self, defendant_id: PathId, ctx: CtxDep) -> list[NoteOut]:
        """The person's notes, oldest first (struck ones too, marked)."""
        return [note_out(r) for r in await service.list_notes(ctx, defendant_id)]

    @post("/")
    async def add(self, defendant_id: PathId, data: JSONBody[NoteIn], ctx: CtxDep) -> NoteOut:
        """Write a note (officers of the person's office)."""
        return note_out(await service.add(ctx, defendant_id, data))


class NoteController(Controller):
    path = "/notes"
    tags = ["notes"]

    @post("/{note_id:int}/strike", status_code=200)
    async def strike(self, note_id: PathId, data: JSONBody[NoteStrike], ctx: CtxDep) -> NoteOut:
        """Strike a note through with the reason (it stays, as history)."""
        return note_out(await service.strike(ctx, note_id, data))
