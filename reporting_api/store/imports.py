"""Bulk imports: a job, its rows and photos between the dry run and the write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypedDict

from reporting_api.db import is_postgres
from reporting_api.store import columns, row_as, rows_as
from reporting_api.store.bulk_rows import insert_many, update_many
from reporting_api.tables import (
    BailCase,
    CheckIn,
    CourtHearing,
    Defendant,
    ImportJob,
    ImportPhoto,
    ImportRow,
    Reminder,
    ReportingPlan,
)

STALE_AFTER = timedelta(minutes=2)
"""A running job whose runner has not reported for this long is taken over by the next
start (its runner died); a live runner reports after every batch."""


class ImportJobRow(TypedDict):
    id: int
    office: int
    staff: int | None
    file_name: str
    file_kind: str
    photos_name: str | None
    state: str
    rows_total: int
    rows_valid: int
    photos_total: int
    photos_refused: int
    processed: int
    created_count: int
    existing_count: int
    failed_count: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None


class PendingRow(TypedDict):
    id: int
    line: int
    cells: bytes


class ProblemRow(TypedDict):
    id: int
    line: int
    national_id: str | None
    cells: bytes
    problems: str


class ReportRow(TypedDict):
    id: int
    line: int
    national_id: str | None
    cells: bytes
    problems: str
    outcome: str | None
    outcome_detail: str | None


class PhotoRow(TypedDict):
    id: int
    name: str
    national_id: str | None
    data: bytes | None
    problem: str | None
    outcome: str | None
    outcome_detail: str | None


async def insert_job(values: dict[str, Any]) -> int:
    rows = await ImportJob.insert(ImportJob(**values)).returning(ImportJob.id)
    return int(rows[0]["id"])


async def get_job(job_id: int) -> ImportJobRow | None:
    return row_as(ImportJobRow, await ImportJob.select().where(ImportJob.id == job_id).first())


async def list_jobs(office_ids: Sequence[int] | None, limit: int) -> list[ImportJobRow]:
    query = ImportJob.select().order_by(ImportJob.id, ascending=False).limit(limit)
    if office_ids is not None:
        query = query.where(ImportJob.office.is_in(list(office_ids)))
    return rows_as(ImportJobRow, await query)


async def delete_job(job_id: int) -> None:
    await ImportJob.delete().where(ImportJob.id == job_id)


async def update_job(job_id: int, values: dict[str, Any]) -> None:
    await ImportJob.update(columns(values)).where(ImportJob.id == job_id)


async def insert_rows(rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await ImportRow.insert(*(ImportRow(**r) for r in rows))


async def insert_photo(values: dict[str, Any]) -> None:
    await ImportPhoto.insert(ImportPhoto(**values))


async def duplicate_rows(job_id: int) -> list[tuple[ProblemRow, int]]:
    """Rows whose national ID an earlier line of the same file has, each with that first
    line."""
    twice = await ImportRow.raw(
        "SELECT national_id, MIN(line) AS first_line FROM import_row WHERE job = {} "
        "AND national_id IS NOT NULL GROUP BY national_id HAVING COUNT(*) > 1",
        job_id,
    )
    found: list[tuple[ProblemRow, int]] = []
    for group in twice:
        rows = await ImportRow.select(
            ImportRow.id, ImportRow.line, ImportRow.national_id, ImportRow.cells, ImportRow.problems
        ).where(
            (ImportRow.job == job_id)
            & (ImportRow.national_id == group["national_id"])
            & (ImportRow.line > group["first_line"])
        )
        found.extend((row, int(group["first_line"])) for row in rows_as(ProblemRow, rows))
    return found


async def set_problems(row_id: int, problems: str) -> None:
    await ImportRow.update({ImportRow.problems: problems}).where(ImportRow.id == row_id)


async def count_rows(job_id: int) -> tuple[int, int]:
    """(all rows, rows without problems) of the job."""
    total = await ImportRow.count().where(ImportRow.job == job_id)
    valid = await ImportRow.count().where((ImportRow.job == job_id) & (ImportRow.problems == "[]"))
    return total, valid


async def count_already_there(job_id: int) -> int:
    """Valid rows whose person and case number are in the service already (a re-import)."""
    rows = await ImportRow.raw(
        "SELECT COUNT(*) AS n FROM import_row r JOIN defendant d ON d.national_id = r.national_id "
        "JOIN bail_case c ON c.defendant = d.id AND c.black_case_number = r.case_number "
        "WHERE r.job = {} AND r.problems = '[]'",
        job_id,
    )
    return int(rows[0]["n"]) if rows else 0


async def national_ids_of_valid_rows(job_id: int, national_ids: Sequence[str]) -> set[str]:
    if not national_ids:
        return set()
    rows = await ImportRow.select(ImportRow.national_id).where(
        (ImportRow.job == job_id)
        & (ImportRow.problems == "[]")
        & ImportRow.national_id.is_in(list(national_ids))
    )
    return {r["national_id"] for r in rows}


async def problem_rows(job_id: int, offset: int, limit: int) -> tuple[list[ProblemRow], int]:
    where = (ImportRow.job == job_id) & (ImportRow.problems != "[]")
    rows = (
        await ImportRow.select(
            ImportRow.id, ImportRow.line, ImportRow.national_id, ImportRow.cells, ImportRow.problems
        )
        .where(where)
        .order_by(ImportRow.line)
        .offset(offset)
        .limit(limit)
    )
    return rows_as(ProblemRow, rows), await ImportRow.count().where(where)


async def pending_rows(job_id: int, after_id: int, limit: int) -> list[PendingRow]:
    """The next valid rows not yet written after row ``after_id``, in file order (a range of
    the index on (job, id): each batch reads its own rows, not the job's again)."""
    rows = (
        await ImportRow.select(ImportRow.id, ImportRow.line, ImportRow.cells)
        .where(
            (ImportRow.job == job_id)
            & (ImportRow.id > after_id)
            & (ImportRow.problems == "[]")
            & ImportRow.outcome.is_null()
        )
        .order_by(ImportRow.id)
        .limit(limit)
    )
    return rows_as(PendingRow, rows)


async def record_outcome(
    row_id: int, outcome: str, detail: str | None, defendant: int | None, case: int | None
) -> None:
    await ImportRow.update(
        {
            ImportRow.outcome: outcome,
            ImportRow.outcome_detail: detail,
            ImportRow.defendant: defendant,
            ImportRow.case: case,
        }
    ).where(ImportRow.id == row_id)


async def report_rows(job_id: int, after_id: int, limit: int) -> list[ReportRow]:
    rows = (
        await ImportRow.select(
            ImportRow.id,
            ImportRow.line,
            ImportRow.national_id,
            ImportRow.cells,
            ImportRow.problems,
            ImportRow.outcome,
            ImportRow.outcome_detail,
        )
        .where((ImportRow.job == job_id) & (ImportRow.id > after_id))
        .order_by(ImportRow.id)
        .limit(limit)
    )
    return rows_as(ReportRow, rows)


async def progress_counts(job_id: int) -> dict[str, int]:
    """How many valid rows each outcome has so far."""
    rows = await ImportRow.raw(
        "SELECT outcome, COUNT(*) AS n FROM import_row WHERE job = {} AND problems = '[]' "
        "AND outcome IS NOT NULL GROUP BY outcome",
        job_id,
    )
    return {r["outcome"]: int(r["n"]) for r in rows}


async def claim_job(job_id: int, now: datetime) -> bool:
    """Start the write, once: a checked job, or a running one whose runner stopped
    reporting (it died). One UPDATE ... WHERE, so two starts at once cannot both win."""
    rows = (
        await ImportJob.update(
            {ImportJob.state: "running", ImportJob.heartbeat_at: now, ImportJob.error: None}
        )
        .where(
            (ImportJob.id == job_id)
            & (
                (ImportJob.state == "checked")
                | ((ImportJob.state == "running") & (ImportJob.heartbeat_at < now - STALE_AFTER))
            )
        )
        .returning(ImportJob.id)
    )
    if rows:
        await ImportJob.update({ImportJob.started_at: now}).where(
            (ImportJob.id == job_id) & ImportJob.started_at.is_null()
        )
    return bool(rows)


async def national_ids_with_photo(job_id: int, national_ids: Sequence[str]) -> set[str]:
    """Which of these people the job's ZIP has a usable photo of, not yet used."""
    if not national_ids:
        return set()
    rows = await ImportPhoto.select(ImportPhoto.national_id).where(
        (ImportPhoto.job == job_id)
        & ImportPhoto.national_id.is_in(list(national_ids))
        & ImportPhoto.problem.is_null()
        & ImportPhoto.outcome.is_null()
    )
    return {r["national_id"] for r in rows}


async def photo_for(job_id: int, national_id: str) -> PhotoRow | None:
    """The job's usable photo of this person not yet used, if the ZIP had one."""
    row = (
        await ImportPhoto.select(
            ImportPhoto.id,
            ImportPhoto.name,
            ImportPhoto.national_id,
            ImportPhoto.data,
            ImportPhoto.problem,
            ImportPhoto.outcome,
            ImportPhoto.outcome_detail,
        )
        .where(
            (ImportPhoto.job == job_id)
            & (ImportPhoto.national_id == national_id)
            & ImportPhoto.problem.is_null()
            & ImportPhoto.outcome.is_null()
        )
        .first()
    )
    return row_as(PhotoRow, row)


async def photos(job_id: int) -> list[PhotoRow]:
    rows = await ImportPhoto.select(
        ImportPhoto.id,
        ImportPhoto.name,
        ImportPhoto.national_id,
        ImportPhoto.problem,
        ImportPhoto.outcome,
        ImportPhoto.outcome_detail,
        ImportPhoto.data,
    ).where(ImportPhoto.job == job_id)
    return rows_as(PhotoRow, rows)


async def photo_problem(photo_id: int, problem: str) -> None:
    await ImportPhoto.update({ImportPhoto.problem: problem, ImportPhoto.data: None}).where(
        ImportPhoto.id == photo_id
    )


async def photo_outcome(photo_id: int, outcome: str, detail: str | None) -> None:
    """What the write did with a photo; its bytes go (the person's record holds it now)."""
    await ImportPhoto.update(
        {ImportPhoto.outcome: outcome, ImportPhoto.outcome_detail: detail, ImportPhoto.data: None}
    ).where(ImportPhoto.id == photo_id)


async def defendant_by_national_id(national_id: str) -> tuple[int, int, bool] | None:
    """(id, office, has a photo) of the person with this national ID."""
    row = (
        await Defendant.select(
            Defendant.id, Defendant.office, Defendant.id_photo_mime, Defendant.reporting_mode
        )
        .where(Defendant.national_id == national_id)
        .first()
    )
    if row is None:
        return None
    return row["id"], row["office"], row["id_photo_mime"] is not None


async def offices_of_national_ids(national_ids: Sequence[str]) -> dict[str, int]:
    if not national_ids:
        return {}
    rows = await Defendant.select(Defendant.national_id, Defendant.office).where(
        Defendant.national_id.is_in(list(national_ids))
    )
    return {r["national_id"]: r["office"] for r in rows}


async def case_with_number(defendant_id: int, black_case_number: str) -> int | None:
    row = (
        await BailCase.select(BailCase.id)
        .where(
            (BailCase.defendant == defendant_id) & (BailCase.black_case_number == black_case_number)
        )
        .first()
    )
    return None if row is None else int(row["id"])


async def delete_finished_before(before: datetime) -> int:
    """Housekeeping: jobs finished (or abandoned after their dry run) before ``before`` go,
    with their rows and photos (personal data kept no longer than the import needs)."""
    rows = (
        await ImportJob.delete()
        .where(
            (ImportJob.finished_at < before)
            | (ImportJob.state.is_in(["checking", "checked"]) & (ImportJob.created_at < before))
        )
        .returning(ImportJob.id)
    )
    return len(rows)


# --- a batch of rows written at once (services.caseload_import.write_batch) ----------------


async def people_by_national_id(national_ids: Sequence[str]) -> dict[str, tuple[int, int, str]]:
    """(id, office, preferred language) of each person enrolled with one of these national
    IDs."""
    if not national_ids:
        return {}
    rows = await Defendant.select(
        Defendant.id, Defendant.national_id, Defendant.office, Defendant.preferred_language
    ).where(Defendant.national_id.is_in(list(national_ids)))
    return {r["national_id"]: (r["id"], r["office"], r["preferred_language"]) for r in rows}


async def case_numbers_of(defendant_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """The cases of these people by (person, black case number)."""
    if not defendant_ids:
        return {}
    rows = await BailCase.select(BailCase.id, BailCase.defendant, BailCase.black_case_number).where(
        BailCase.defendant.is_in(list(defendant_ids))
    )
    return {(r["defendant"], r["black_case_number"]): r["id"] for r in rows}


async def insert_people(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """New `defendant` rows; their ids by national ID."""
    found = await insert_many(Defendant, rows, returning=("id", "national_id"))
    return {national_id: new_id for new_id, national_id in found}


async def insert_cases(rows: Sequence[dict[str, Any]]) -> dict[int, int]:
    """New `bail_case` rows (at most one a person in a batch); their ids by person."""
    found = await insert_many(BailCase, rows, returning=("id", "defendant"))
    return {defendant: new_id for new_id, defendant in found}


async def insert_plans(rows: Sequence[dict[str, Any]]) -> None:
    await insert_many(ReportingPlan, rows)


async def insert_check_ins(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """New `check_in` rows; their ids by link code."""
    found = await insert_many(CheckIn, rows, returning=("id", "code"))
    return {code: new_id for new_id, code in found}


async def insert_reminder_rows(rows: Sequence[Mapping[str, Any]]) -> None:
    await insert_many(Reminder, rows)


async def insert_hearings(rows: Sequence[dict[str, Any]]) -> dict[int, int]:
    """New `court_hearing` rows (at most one a case in a batch); their ids by case."""
    found = await insert_many(CourtHearing, rows, returning=("id", "case"))
    return {case: new_id for new_id, case in found}


def writes_side_by_side() -> bool:
    """Whether two transactions may write at once (PostgreSQL); SQLite has one writer."""
    return is_postgres(Defendant._meta.db)


async def record_outcomes(rows: Sequence[dict[str, Any]]) -> None:
    """Each row's outcome (id, outcome, outcome_detail, defendant, case), one statement."""
    await update_many(ImportRow, "id", rows)
