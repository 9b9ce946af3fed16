"""Court hearings (`court_hearing`) and their reminders' rows in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypedDict

from reporting_api.store import columns, row_as, rows_as
from reporting_api.tables import BailCase, CourtHearing, Defendant, Reminder


class HearingRow(TypedDict):
    """A whole `court_hearing` row."""

    id: int
    case: int
    office: int
    starts_at: datetime
    court: str
    room: str | None
    purpose: str
    result: str | None
    result_note: str | None
    postponed_to: int | None
    recorded_by: int | None
    recorded_at: datetime | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None


class WeekHearing(HearingRow):
    """A hearing on an office's week, with its person."""

    defendant_id: int
    defendant_name_th: str
    black_case_number: str


async def insert(values: dict[str, Any]) -> int:
    rows = await CourtHearing.insert(CourtHearing(**values)).returning(CourtHearing.id)
    return int(rows[0]["id"])


async def get(hearing_id: int) -> HearingRow | None:
    return row_as(
        HearingRow, await CourtHearing.select().where(CourtHearing.id == hearing_id).first()
    )


async def update(hearing_id: int, values: dict[str, Any]) -> None:
    await CourtHearing.update(columns(values)).where(CourtHearing.id == hearing_id)


async def of_case(case_id: int) -> list[HearingRow]:
    return rows_as(
        HearingRow,
        await CourtHearing.select()
        .where(CourtHearing.case == case_id)
        .order_by(CourtHearing.starts_at),
    )


async def of_cases(case_ids: Sequence[int]) -> list[HearingRow]:
    if not case_ids:
        return []
    return rows_as(
        HearingRow,
        await CourtHearing.select()
        .where(CourtHearing.case.is_in(list(case_ids)))
        .order_by(CourtHearing.starts_at),
    )


async def next_upcoming(case_id: int, now: datetime) -> HearingRow | None:
    """The case's next hearing still ahead (not cancelled, no result)."""
    return row_as(
        HearingRow,
        await CourtHearing.select()
        .where(
            (CourtHearing.case == case_id)
            & (CourtHearing.starts_at > now)
            & CourtHearing.cancelled_at.is_null()
            & CourtHearing.result.is_null()
        )
        .order_by(CourtHearing.starts_at)
        .first(),
    )


async def set_next_court_date(case_id: int, day: date | None, now: datetime) -> None:
    await BailCase.update({BailCase.next_court_date: day, BailCase.updated_at: now}).where(
        BailCase.id == case_id
    )


_WEEK = """
SELECT h.*, bc.defendant AS defendant_id, d.title_th, d.first_name_th, d.last_name_th,
       bc.black_case_number
FROM court_hearing h
JOIN bail_case bc ON bc.id = h."case"
JOIN defendant d ON d.id = bc.defendant
WHERE h.office = {} AND h.starts_at >= {} AND h.starts_at <= {} AND h.cancelled_at IS NULL
ORDER BY h.starts_at
"""


async def of_office_between(office_id: int, first: datetime, last: datetime) -> list[WeekHearing]:
    """The office's hearings (not cancelled) from ``first`` to ``last``, with their person."""
    rows = await CourtHearing.raw(_WEEK, office_id, first, last)
    for row in rows:
        title = row.pop("title_th") or ""
        row["defendant_name_th"] = f"{title}{row.pop('first_name_th')} {row.pop('last_name_th')}"
    return rows_as(WeekHearing, rows)


async def move_case_office(case_id: int, office_id: int) -> int:
    """A transferred case's hearings go to the receiving office's week."""
    rows = (
        await CourtHearing.update({CourtHearing.office: office_id})
        .where(CourtHearing.case == case_id)
        .returning(CourtHearing.id)
    )
    return len(rows)


class HearingReminder(TypedDict):
    id: int
    kind: str
    status: str
    attempts: int


async def reminders_of(hearing_id: int) -> list[HearingReminder]:
    return rows_as(
        HearingReminder,
        await Reminder.select(Reminder.id, Reminder.kind, Reminder.status, Reminder.attempts).where(
            Reminder.hearing == hearing_id
        ),
    )


async def reword_unsent(
    reminder_id: int, *, body: str, language: str, due_at: datetime, expires_at: datetime,
    now: datetime,
) -> None:  # fmt: skip
    await Reminder.update(
        {
            Reminder.body: body,
            Reminder.language: language,
            Reminder.due_at: due_at,
            Reminder.next_attempt_at: due_at,
            Reminder.expires_at: expires_at,
            Reminder.updated_at: now,
        }
    ).where((Reminder.id == reminder_id) & (Reminder.status == "queued") & (Reminder.attempts == 0))


class CasePerson(TypedDict):
    """What a hearing reminder needs of its person: the language to word it in."""

    id: int
    preferred_language: str
    sms_opt_out: bool


async def person_of_case(case_id: int) -> CasePerson | None:
    people = BailCase.select(BailCase.defendant).where(BailCase.id == case_id)
    return row_as(
        CasePerson,
        await Defendant.select(Defendant.id, Defendant.preferred_language, Defendant.sms_opt_out)
        .where(Defendant.id.is_in(people))
        .first(),
    )


BACKFILL_BATCH = 1000
"""Hearings a backfill inserts a statement: PostgreSQL takes at most 32,767 parameters a
statement, one a column of each row (a demo of 10,000 people failed in one statement)."""


async def backfill_from_court_dates(now: datetime) -> int:
    """A hearing record (09:00 Bangkok, the case's court) for each active case whose next
    court date is ahead and has none yet: what the migration did for cases stored before
    hearings were records, for data loaded in bulk (the demo)."""
    from datetime import UTC, time
    from datetime import date as date_type

    from reporting_api.thai_dates import BANGKOK, bangkok_today

    today = bangkok_today(now)
    rows = await BailCase.select(
        BailCase.id, BailCase.office, BailCase.court, BailCase.next_court_date
    ).where(
        (BailCase.status == "active")
        & (BailCase.next_court_date > today)
        & BailCase.id.not_in(CourtHearing.select(CourtHearing.case))
    )
    hearings = []
    for row in rows:
        day = row["next_court_date"]
        if not isinstance(day, date_type):
            day = date_type.fromisoformat(str(day)[:10])
        starts = datetime.combine(day, time(9, 0), tzinfo=BANGKOK).astimezone(UTC)
        hearings.append(
            CourtHearing(
                case=row["id"],
                office=row["office"],
                starts_at=starts,
                court=row["court"],
                purpose="",
                created_at=now,
                updated_at=now,
            )
        )
    for start in range(0, len(hearings), BACKFILL_BATCH):
        await CourtHearing.insert(*hearings[start : start + BACKFILL_BATCH])
    return len(hearings)
