"""Officers' notes on a person (`case_note`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from reporting_api.store import row_as, rows_as
from reporting_api.tables import CaseNote


class NoteRow(TypedDict):
    """A note with its author's and striker's names."""

    id: int
    defendant: int
    case: int | None
    author: int | None
    author_name: str | None
    text: str
    created_at: datetime
    struck_at: datetime | None
    struck_by: int | None
    struck_by_name: str | None
    struck_reason: str | None


def _select() -> Any:
    return CaseNote.select(
        *CaseNote.all_columns(),
        CaseNote.author.display_name.as_alias("author_name"),
        CaseNote.struck_by.display_name.as_alias("struck_by_name"),
    )


async def insert(values: dict[str, Any]) -> int:
    rows = await CaseNote.insert(CaseNote(**values)).returning(CaseNote.id)
    return int(rows[0]["id"])


async def get(note_id: int) -> NoteRow | None:
    return row_as(NoteRow, await _select().where(CaseNote.id == note_id).first())


async def of_person(defendant_id: int) -> list[NoteRow]:
    query = _select().where(CaseNote.defendant == defendant_id).order_by(CaseNote.id)
    return rows_as(NoteRow, await query)


async def strike(note_id: int, by: int, reason: str, now: datetime) -> bool:
    """Strike a note through (once); False if it was struck already."""
    rows = (
        await CaseNote.update(
            {CaseNote.struck_at: now, CaseNote.struck_by: by, CaseNote.struck_reason: reason}
        )
        .where((CaseNote.id == note_id) & CaseNote.struck_at.is_null())
        .returning(CaseNote.id)
    )
    return bool(rows)
