"""Bringing an office's caseload in from a spreadsheet (docs/import.md).

Two steps. `check` (the dry run) reads the file row by row, applies to each row the rules of
the enrolment form, and keeps every row (its cells sealed) with the problems found, in the
database; nothing else is written. `run` then writes the valid rows in batches through the
same services as the enrolment form (person, case, plan, first hearing), one transaction a
row, recording on the row what was done: a file imported twice creates nothing twice (a
person is found by national ID, a case by the person and its black case number), and a run
that stops half-way is taken up again where it stopped. A person with no usable photo is
enrolled in "no photo yet" mode; photos come in a ZIP named by national ID.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import IO, Any

from reporting_api.access import OFFICER, Principal, ensure_can_change_office, ensure_role
from reporting_api.caseload_sheet import (
    COLUMN_BY_KEY,
    SheetRefused,
    SheetRow,
    amount,
    date_cell,
    kind_of,
    read_sheet,
    required,
    text,
    whole_number,
    year_era,
    yes_no,
)
from reporting_api.commands import CaseCreate, NewDefendant, PlanIn
from reporting_api.demographics import recorded_sex, sex_from_cell
from reporting_api.errors import Conflict, InvalidInput, NotFound
from reporting_api.hearing_rules import (
    HearingText,
    hearing_days,
    plan_hearing_reminders,
    render_hearing_reminder,
)
from reporting_api.masking import mask_digits
from reporting_api.national_id import mask_national_id, normalise_national_id
from reporting_api.phones import parse_thai_mobile
from reporting_api.photo_zip import PhotoEntry, ZipRefused, read_photos
from reporting_api.photos import check_photo
from reporting_api.planning import PlannedCheckIn, PlanSpec, expand_plan
from reporting_api.reminder_schedule import QuietHours, ReminderPolicy
from reporting_api.runtime import Runtime
from reporting_api.services import cases, defendants, hearings, plans
from reporting_api.services import reminders as reminder_service
from reporting_api.services.context import Ctx
from reporting_api.settings import Settings
from reporting_api.store import audit as audit_store
from reporting_api.store import imports as store
from reporting_api.store import offices as office_store
from reporting_api.store import staff as staff_store
from reporting_api.store import transaction
from reporting_api.store.imports import ImportJobRow, PendingRow
from reporting_api.store.outbox import QUEUED, NewReminder
from reporting_api.store.rows import OfficeRow
from reporting_api.thai_dates import bangkok_today

log = logging.getLogger(__name__)

CHECK_BATCH = 500
"""Rows the dry run reads and checks in one go (in a thread), then keeps in one insert."""
PHOTO_BATCH = 20
"""ZIP entries the dry run reads and decodes in one go (in a thread)."""
WRITE_BATCH = 200
"""Rows written in one transaction, between two progress reports."""
WRITERS = 2
"""Batches written at the same time on PostgreSQL, each in its own transaction on its own
connection: while one batch is in the database, the other's rows are built (SQLite writes
one transaction at a time: one writer there)."""
FIRST_HEARING_TIME = cases.FIRST_HEARING_TIME
PAGE_ROWS = 100
_DAY_FIRST = re.compile(r"[0-9๐-๙]{1,2}[/.-][0-9๐-๙]{1,2}[/.-][0-9๐-๙]{4}")
DATE_KEYS = ("date_of_birth", "release_date", "start_date", "end_date", "next_court_date")


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str
    reason_th: str

    @property
    def column(self) -> str:
        """The column's header as the template names it (the field for a file-wide one)."""
        column = COLUMN_BY_KEY.get(self.field)
        return column.header if column else self.field


@dataclass(frozen=True)
class RowValues:
    """A valid row as the enrolment services take it."""

    defendant: NewDefendant
    case: dict[str, Any]
    plan: PlanIn


@dataclass(frozen=True)
class ImportUpload:
    """What the officer sends: the caseload file and, optionally, a ZIP of ID photos."""

    file_name: str
    sheet: IO[bytes]
    photos_name: str | None = None
    photos: IO[bytes] | None = None


@dataclass(frozen=True)
class ProblemLine:
    line: int
    national_id: str
    name: str
    problems: list[Problem]


@dataclass(frozen=True)
class ImportView:
    """A job as its page shows it: the counts, a page of the rows with problems, the
    photos that cannot be used."""

    job: ImportJobRow
    already_there: int
    problem_lines: list[ProblemLine]
    problem_total: int
    photo_problems: list[tuple[str, str, str]]

    @property
    def to_write(self) -> int:
        return self.job["rows_valid"]

    @property
    def percent(self) -> int:
        valid = self.job["rows_valid"]
        return 100 if valid == 0 else min(100, self.job["processed"] * 100 // valid)


def _problem(error: InvalidInput | Conflict) -> Problem:
    return Problem(error.field, error.reason, error.reason_th)


def _context(job_id: int) -> str:
    return f"import:{job_id}:row"


def _photo_context(job_id: int) -> str:
    return f"import:{job_id}:photo"


# --- one row ------------------------------------------------------------------------------


def _era_problems(cells: dict[str, str]) -> list[Problem]:
    """Dates of one row written in both eras: the ones in the minority era are named (a
    date typed as day/month/year; yyyy-mm-dd, as a spreadsheet's own date cells come, is
    not counted)."""
    typed = {
        key: era
        for key in DATE_KEYS
        if _DAY_FIRST.fullmatch(cells.get(key, "").strip())
        and (era := year_era(cells[key])) is not None
    }
    if len(set(typed.values())) < 2:
        return []
    be = [k for k, e in typed.items() if e == "be"]
    ce = [k for k, e in typed.items() if e == "ce"]
    odd, other = (ce, "Buddhist") if len(be) >= len(ce) else (be, "Christian")
    other_th = "พ.ศ." if other == "Buddhist" else "ค.ศ."
    return [
        Problem(
            key,
            f"this date's year is in one era while the row's other dates are in the {other} "
            "era: write every date of a row in one era",
            f"ปีของวันที่นี้ใช้ศักราชต่างจากวันที่อื่นในแถวเดียวกัน (ซึ่งใช้ {other_th}) โปรดใช้ศักราชเดียวกันทั้งแถว",
        )
        for key in odd
    ]


@lru_cache(maxsize=256)
def _check_plan(spec: PlanSpec) -> None:
    """InvalidInput when the plan breaks a rule of the planning (a file's rows mostly share a
    few plans: each is expanded once, not once a row)."""
    expand_plan(spec)


def parse_row(cells: dict[str, str], today: date) -> tuple[RowValues | None, list[Problem]]:
    """A row's values, or every problem it has, by the enrolment form's rules (those that
    need no database: the office and people already enrolled are checked by the caller)."""
    problems: list[Problem] = []

    def take(rule: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return rule(*args, **kwargs)
        except (InvalidInput, Conflict) as error:
            problems.append(_problem(error))
            return None

    national_id = take(normalise_national_id, cells.get("national_id", ""))
    first = take(required, cells, "first_name_th", limit=100)
    last = take(required, cells, "last_name_th", limit=100)
    title = take(text, cells, "title_th", limit=32)
    sex = take(sex_from_cell, cells.get("sex"))
    first_en = take(text, cells, "first_name_en", limit=100)
    last_en = take(text, cells, "last_name_en", limit=100)
    born = take(date_cell, cells, "date_of_birth")
    if born is None and not any(p.field == "date_of_birth" for p in problems):
        problems.append(Problem("date_of_birth", "is required", "ต้องกรอก"))
    elif born is not None:
        take(defendants.check_date_of_birth, born, today)
    phone = take(parse_thai_mobile, cells.get("phone", ""))
    language = (cells.get("preferred_language") or "th").strip().lower()
    if language not in ("th", "en"):
        problems.append(Problem("preferred_language", "must be th or en", "ต้องเป็น th หรือ en"))
    consent = take(yes_no, cells, "consent")
    if consent is False:
        problems.append(
            Problem(
                "consent",
                "the person's PDPA consent must be recorded before enrolment",
                "ต้องได้รับความยินยอมตาม PDPA ก่อนลงทะเบียน",
            )
        )
    court = take(required, cells, "court")
    number = take(required, cells, "black_case_number", limit=64)
    red = take(text, cells, "red_case_number", limit=64)
    charge = take(required, cells, "charge", limit=2000)
    conditions = take(text, cells, "conditions", limit=2000)
    bail = take(amount, cells, "bail_amount")
    if bail is not None:
        bail = take(cases.check_bail_amount, bail)
    released = take(date_cell, cells, "release_date")
    if released is None and not any(p.field == "release_date" for p in problems):
        problems.append(Problem("release_date", "is required", "ต้องกรอก"))
    court_date = take(date_cell, cells, "next_court_date")
    if released is not None:
        take(cases.check_case_dates, released, court_date, today)
    every = take(whole_number, cells, "every_days", None, 1, 365)
    start = take(date_cell, cells, "start_date")
    end = take(date_cell, cells, "end_date")
    for key, value in (("start_date", start), ("end_date", end)):
        if value is None and not any(p.field == key for p in problems):
            problems.append(Problem(key, "is required", "ต้องกรอก"))
    opens = take(whole_number, cells, "window_opens_days_before", 2, 0, 60)
    grace = take(whole_number, cells, "grace_days", 2, 0, 30)
    problems.extend(_era_problems(cells))
    plan = None
    if None not in (every, start, end, opens, grace):
        plan = PlanIn(
            kind="interval",
            start_date=start,
            end_date=end,
            every_days=every,
            window_opens_days_before=opens,
            grace_days=grace,
        )
        take(_check_plan, plans.spec_from(plan))
    if problems or plan is None:
        return None, problems
    person = NewDefendant(
        national_id=national_id,
        first_name_th=first,
        last_name_th=last,
        date_of_birth=born,
        phone=phone,
        consent=True,
        title_th=title or "",
        first_name_en=first_en or None,
        last_name_en=last_en or None,
        preferred_language=language,
        sex=sex.value if sex else None,
    )
    case = {
        "court": court,
        "black_case_number": number,
        "red_case_number": red or None,
        "charge": charge,
        "bail_amount": bail,
        "release_date": released,
        "conditions": conditions or "",
        "next_court_date": court_date,
    }
    return RowValues(person, case, plan), problems


# --- the dry run --------------------------------------------------------------------------


class _OfficeCodes:
    """The office a row names (its code), checked against the officer's own."""

    def __init__(self, own_office: int) -> None:
        self.own = own_office
        self.known: dict[str, int | None] = {}

    async def problem(self, code: str) -> Problem | None:
        code = code.strip()
        if not code:
            return None
        if code not in self.known:
            office = await office_store.get_office_by_code(code)
            self.known[code] = office["id"] if office else None
        office_id = self.known[code]
        if office_id is None:
            return Problem("office_code", "unknown office", "ไม่พบสำนักงานนี้")
        if office_id != self.own:
            return Problem(
                "office_code",
                "is another office: an officer imports only into their own office",
                "เป็นสำนักงานอื่น เจ้าหน้าที่นำเข้าได้เฉพาะสำนักงานของตน",
            )
        return None


def ensure_can_import(ctx: Ctx) -> None:
    """Officers import, into their own office."""
    ensure_role(ctx.principal, OFFICER)


async def check(ctx: Ctx, upload: ImportUpload) -> ImportView:
    """The dry run: every row read and checked, kept with its problems; nothing enrolled.
    InvalidInput("file" or "photos") when a file as a whole cannot be read."""
    ensure_role(ctx.principal, OFFICER)
    office_id = ctx.principal.office_id
    ensure_can_change_office(ctx.principal, office_id, "office")
    head = upload.sheet.read(8)
    upload.sheet.seek(0)
    try:
        kind = kind_of(upload.file_name, head)
    except SheetRefused as refused:
        raise InvalidInput("file", refused.reason, refused.reason_th) from None
    job_id = await store.insert_job(
        {
            "office": office_id,
            "staff": ctx.principal.id,
            "file_name": (upload.file_name or "")[-200:],
            "file_kind": kind,
            "photos_name": (upload.photos_name or "")[-200:] or None,
            "state": "checking",
            "created_at": ctx.now,
        }
    )
    try:
        await _check_rows(ctx, job_id, office_id, read_sheet(upload.sheet, kind))
        if upload.photos is not None:
            await _check_photos(ctx, job_id, upload.photos)
    except (SheetRefused, ZipRefused) as refused:
        await store.delete_job(job_id)
        field = "photos" if isinstance(refused, ZipRefused) else "file"
        raise InvalidInput(field, refused.reason, refused.reason_th) from None
    total, valid = await store.count_rows(job_id)
    await store.update_job(job_id, {"state": "checked", "rows_total": total, "rows_valid": valid})
    await ctx.audit(
        "import.check",
        "import_job",
        job_id,
        {"file_kind": kind, "rows": total, "valid": valid},
    )
    return await view(ctx, job_id)


@dataclass
class _CheckedRow:
    """A row as the dry run keeps it, read and checked off the event loop."""

    line: int
    national_id: str | None
    case_number: str | None
    office_code: str
    cells: bytes
    problems: list[Problem]


def _read_and_check(
    ctx: Ctx, job_id: int, rows: Iterator[SheetRow], today: date, limit: int
) -> list[_CheckedRow]:
    """The next ``limit`` rows of the file read, checked by the rules that need no database
    and sealed: the CPU work of the dry run, run in a thread (`asyncio.to_thread`) so the
    event loop keeps serving while a large file is read."""
    found: list[_CheckedRow] = []
    for row in islice(rows, limit):
        _, problems = parse_row(row.cells, today)
        try:
            nid: str | None = normalise_national_id(row.cells.get("national_id", ""))
        except InvalidInput:
            nid = None
        found.append(
            _CheckedRow(
                line=row.line,
                national_id=nid,
                case_number=(row.cells.get("black_case_number") or "").strip()[:64] or None,
                office_code=row.cells.get("office_code", ""),
                cells=ctx.rt.sealer.seal(
                    json.dumps(row.cells, ensure_ascii=False).encode(), _context(job_id)
                ),
                problems=problems,
            )
        )
    return found


async def _check_rows(ctx: Ctx, job_id: int, office_id: int, rows: Iterator[SheetRow]) -> None:
    today = bangkok_today(ctx.now)
    offices = _OfficeCodes(office_id)
    while batch := await asyncio.to_thread(_read_and_check, ctx, job_id, rows, today, CHECK_BATCH):
        elsewhere = await store.offices_of_national_ids(
            [row.national_id for row in batch if row.national_id]
        )
        values = []
        for row in batch:
            office_problem = await offices.problem(row.office_code)
            if office_problem:
                row.problems.append(office_problem)
            nid = row.national_id
            if nid and elsewhere.get(nid, office_id) != office_id:
                row.problems.append(
                    Problem(
                        "national_id",
                        "this person is enrolled by another office: ask that office to "
                        "transfer the case",
                        "บุคคลนี้ลงทะเบียนไว้กับสำนักงานอื่น โปรดขอให้สำนักงานนั้นโอนคดี",
                    )
                )
            values.append(
                {
                    "job": job_id,
                    "line": row.line,
                    "national_id": nid,
                    "case_number": row.case_number,
                    "cells": row.cells,
                    "problems": json.dumps([p.__dict__ for p in row.problems], ensure_ascii=False),
                }
            )
        await store.insert_rows(values)
    for twice, first_line in await store.duplicate_rows(job_id):
        problems = json.loads(twice["problems"])
        problems.append(
            Problem(
                "national_id",
                f"the same national ID is on line {first_line} of this file: import a "
                "person's second case in a later file, or add it on their page",
                f"เลขประจำตัวประชาชนเดียวกันอยู่ในแถวที่ {first_line} ของไฟล์นี้แล้ว "
                "คดีที่สองของบุคคลเดียวกันให้นำเข้าในไฟล์ถัดไปหรือเพิ่มที่หน้าของบุคคลนั้น",
            ).__dict__
        )
        await store.set_problems(twice["id"], json.dumps(problems, ensure_ascii=False))


@dataclass(frozen=True)
class _CheckedPhoto:
    name: str
    national_id: str | None
    data: bytes | None
    problem: InvalidInput | None


def _read_photos(
    entries: Iterator[PhotoEntry], limit: int, max_bytes: int, max_pixels: int
) -> list[_CheckedPhoto]:
    """The next ``limit`` entries of the ZIP read and decoded (`check_photo`): in a thread,
    like the rows, so a ZIP of large photos does not hold the event loop."""
    found: list[_CheckedPhoto] = []
    for entry in islice(entries, limit):
        problem = entry.problem
        if problem is None and entry.data is not None:
            try:
                check_photo(entry.data, max_bytes=max_bytes, max_pixels=max_pixels)
            except InvalidInput as error:
                problem = InvalidInput(
                    "photos", f"{entry.name}: {error.reason}", f"{entry.name}: {error.reason_th}"
                )
        found.append(_CheckedPhoto(entry.name, entry.national_id, entry.data, problem))
    return found


async def _check_photos(ctx: Ctx, job_id: int, stream: IO[bytes]) -> None:
    limit = ctx.settings.max_photo_bytes
    total = refused = 0
    entries = read_photos(stream, limit)
    while batch := await asyncio.to_thread(
        _read_photos, entries, PHOTO_BATCH, limit, ctx.settings.max_photo_pixels
    ):
        named = [e.national_id for e in batch if e.problem is None and e.national_id]
        valid = await store.national_ids_of_valid_rows(job_id, named)
        for entry in batch:
            total += 1
            problem = entry.problem
            if problem is None and entry.national_id is not None and entry.national_id not in valid:
                problem = InvalidInput(
                    "photos",
                    f"{entry.name}: no valid row of the file has this national ID",
                    f"{entry.name}: ไม่มีแถวที่ถูกต้องในไฟล์ที่มีเลขประจำตัวประชาชนนี้",
                )
            refused += problem is not None
            await store.insert_photo(
                {
                    "job": job_id,
                    "name": entry.name,
                    "national_id": entry.national_id,
                    "data": (
                        None
                        if problem is not None or entry.data is None
                        else ctx.rt.sealer.seal(entry.data, _photo_context(job_id))
                    ),
                    "problem": (
                        None
                        if problem is None
                        else json.dumps(_problem(problem).__dict__, ensure_ascii=False)
                    ),
                }
            )
    await store.update_job(job_id, {"photos_total": total, "photos_refused": refused})


# --- from a shell -------------------------------------------------------------------------


async def officer_principal(username: str) -> Principal | None:
    """The active officer ``username`` as the shell's import acts for them."""
    row = await staff_store.get_staff_for_login(username)
    if row is None or not row["active"] or row["role"] != OFFICER:
        return None
    return Principal(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        office_id=row["office"],
    )


def shell_ctx(principal: Principal, settings: Settings, runtime: Runtime, now: datetime) -> Ctx:
    return Ctx(
        principal=principal, client_address=None, now=now, settings=settings, runtime=runtime
    )


# --- reading a job ------------------------------------------------------------------------


async def _job(ctx: Ctx, job_id: int) -> ImportJobRow:
    ensure_role(ctx.principal, OFFICER)
    job = await store.get_job(job_id)
    if job is None or job["office"] != ctx.principal.office_id:
        raise NotFound(
            "import_job", "no such import in your office", "ไม่พบการนำเข้านี้ในสำนักงานของท่าน"
        )
    return job


def _cells(ctx: Ctx, job_id: int, sealed: bytes) -> dict[str, str]:
    return dict(json.loads(ctx.rt.sealer.open(sealed, _context(job_id))))


def _problems_of(raw: str) -> list[Problem]:
    return [Problem(**p) for p in json.loads(raw)]


async def view(ctx: Ctx, job_id: int, page: int = 1) -> ImportView:
    job = await _job(ctx, job_id)
    offset = max(0, page - 1) * PAGE_ROWS
    rows, total = await store.problem_rows(job_id, offset, PAGE_ROWS)
    lines = []
    for row in rows:
        cells = _cells(ctx, job_id, row["cells"])
        name = " ".join(filter(None, (cells.get("first_name_th"), cells.get("last_name_th"))))
        typed = row["national_id"] or "".join(
            c for c in cells.get("national_id", "") if c.isdigit()
        )
        shown = mask_national_id(typed) if len(typed) == 13 else mask_digits(typed)
        lines.append(ProblemLine(row["line"], shown, name, _problems_of(row["problems"])))
    photo_problems = []
    for photo in await store.photos(job_id):
        if photo["problem"]:
            p = json.loads(photo["problem"])
            photo_problems.append((photo["name"], p["reason"], p["reason_th"]))
    return ImportView(
        job=job,
        already_there=await store.count_already_there(job_id),
        problem_lines=lines,
        problem_total=total,
        photo_problems=photo_problems[:200],
    )


async def recent(ctx: Ctx, limit: int = 20) -> list[ImportJobRow]:
    ensure_role(ctx.principal, OFFICER)
    return await store.list_jobs([ctx.principal.office_id], limit)


# --- the write ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowOutcome:
    outcome: str
    detail: str | None = None
    defendant: int | None = None
    case: int | None = None


async def start(ctx: Ctx, job_id: int) -> ImportJobRow:
    """Claim the job for writing (once; or again after its runner died); Conflict when it
    is running or done."""
    job = await _job(ctx, job_id)
    ensure_can_change_office(ctx.principal, job["office"], "import_job")
    if not await store.claim_job(job_id, ctx.now):
        raise Conflict(
            "import_job",
            "this import is already being written, or is done",
            "การนำเข้านี้กำลังดำเนินการอยู่หรือเสร็จแล้ว",
        )
    await ctx.audit("import.start", "import_job", job_id, {"rows": job["rows_valid"]})
    started = await store.get_job(job_id)
    assert started is not None
    return started


async def run(
    ctx: Ctx,
    job_id: int,
    progress: Callable[[ImportJobRow], None] | None = None,
    *,
    bulk: bool = True,
    batch: int = WRITE_BATCH,
) -> ImportJobRow:
    """Write a started job's valid rows not yet written, in batches of ``batch`` rows,
    reporting progress after each; the job ends `done` (or `failed` with the error, if the
    service itself failed). ``bulk``: a batch in one transaction of a few statements
    (`write_batch`), on PostgreSQL two batches at a time (`WRITERS`); otherwise (and for a
    batch the bulk write refuses) row by row through the enrolment services."""
    job = await _job(ctx, job_id)
    photos = job["photos_total"] > job["photos_refused"]
    pending = _Pending(job_id, batch)
    tally = _Tally(job_id, await store.progress_counts(job_id), progress)

    async def writer() -> None:
        while rows := await pending.next():
            now = ctx.rt.clock() if ctx.runtime is not None else ctx.now
            batch_ctx = replace(ctx, now=now)
            outcomes = await _write_batch_or_rows(batch_ctx, job_id, rows, bulk)
            if photos:
                await _attach_photos(batch_ctx, job_id, rows, outcomes)
            await tally.add(outcomes.values(), now)

    writers = WRITERS if bulk and store.writes_side_by_side() else 1
    try:
        await _together([writer() for _ in range(writers)])
    except Exception as error:  # the job must not stay "running" for ever
        log.exception("import %s failed", job_id)
        await store.update_job(
            job_id, {"state": "failed", "error": f"{type(error).__name__}", "finished_at": ctx.now}
        )
        raise
    now = ctx.rt.clock() if ctx.runtime is not None else ctx.now
    # The counts from the rows themselves, once (a writer's tally is its own view).
    counts = await store.progress_counts(job_id)
    await store.update_job(job_id, _counts(counts) | {"heartbeat_at": now})
    await store.update_job(job_id, {"state": "done", "finished_at": now})
    await ctx.audit(
        "import.done",
        "import_job",
        job_id,
        {
            "created": counts.get("created", 0),
            "existing": counts.get("existing", 0),
            "failed": counts.get("failed", 0),
        },
    )
    done = await store.get_job(job_id)
    assert done is not None
    return done


async def _together(coroutines: list[Coroutine[Any, Any, None]]) -> None:
    """Run the writers side by side; the first failure stops the others (their open
    transactions roll back) and is raised."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _Pending:
    """The job's rows not written yet, handed to the writers a batch at a time in file order:
    each batch is the next range of the index on (job, id) after the last one handed out."""

    def __init__(self, job_id: int, size: int) -> None:
        self.job_id = job_id
        self.size = max(1, size)
        self.after = 0
        self.lock = asyncio.Lock()

    async def next(self) -> list[PendingRow]:
        async with self.lock:  # two writers never take the same rows
            rows = await store.pending_rows(self.job_id, self.after, self.size)
            if rows:
                self.after = rows[-1]["id"]
            return rows


def _counts(counts: Mapping[str, int]) -> dict[str, int]:
    return {
        "processed": sum(counts.values()),
        "created_count": counts.get("created", 0),
        "existing_count": counts.get("existing", 0),
        "failed_count": counts.get("failed", 0),
    }


class _Tally:
    """The job's counts as the page shows them: read from its rows once when the run starts
    (a resumed run counts what was written before), then added to after each batch and
    written with the heartbeat in one UPDATE (not a count over the job's rows each time)."""

    def __init__(
        self,
        job_id: int,
        counts: Mapping[str, int],
        progress: Callable[[ImportJobRow], None] | None,
    ) -> None:
        self.job_id = job_id
        self.counts = Counter(counts)
        self.progress = progress
        self.lock = asyncio.Lock()

    async def add(self, outcomes: Iterable[RowOutcome], now: datetime) -> None:
        async with self.lock:  # the page's counts never go back
            self.counts.update(o.outcome for o in outcomes)
            await store.update_job(self.job_id, _counts(self.counts) | {"heartbeat_at": now})
            if self.progress is not None:
                job = await store.get_job(self.job_id)
                assert job is not None
                self.progress(job)


async def _write_batch_or_rows(
    ctx: Ctx, job_id: int, rows: list[PendingRow], bulk: bool
) -> dict[int, RowOutcome]:
    if bulk:
        try:
            return await write_batch(ctx, job_id, rows)
        except Exception:  # a row the bulk path cannot take (a race with the enrolment form?)
            log.warning("import %s: a batch is written row by row instead", job_id, exc_info=True)
    return {row["id"]: await _write_row(ctx, job_id, row["id"], row["cells"]) for row in rows}


@dataclass
class _NewCase:
    row_id: int
    values: RowValues
    defendant_id: int | None
    language: str
    check_ins: list[PlannedCheckIn]
    notes: list[str]
    hearing_at: datetime | None


def _parse_batch(
    ctx: Ctx, job_id: int, rows: list[PendingRow], today: date
) -> tuple[dict[int, RowOutcome], list[tuple[int, RowValues]]]:
    """The batch's rows opened and checked again (a rule may depend on today): the CPU part
    of the write, run in a thread while the other writer's batch is in the database."""
    outcomes: dict[int, RowOutcome] = {}
    parsed: list[tuple[int, RowValues]] = []
    for row in rows:
        values, problems = parse_row(_cells(ctx, job_id, row["cells"]), today)
        if values is None:
            detail = "; ".join(f"{p.column}: {p.reason}" for p in problems)
            outcomes[row["id"]] = RowOutcome("failed", detail)
        else:
            parsed.append((row["id"], values))
    return outcomes, parsed


def _first_hearing_at(ctx: Ctx, day: date | None) -> datetime | None:
    """When the first hearing of a case opened with the court date ``day`` starts, as
    `cases.first_hearing` sets it (09:00 Bangkok), or None when it sets none (no date, today
    or past); InvalidInput as `hearings.add` refuses it."""
    today = bangkok_today(ctx.now)
    if day is None or day <= today:
        return None
    starts_at = hearings.starts_at_of(day, FIRST_HEARING_TIME, "day", today)
    if starts_at <= ctx.now:
        raise InvalidInput("time", "is in the past", "เวลานี้ผ่านมาแล้ว")
    return starts_at


async def write_batch(ctx: Ctx, job_id: int, rows: list[PendingRow]) -> dict[int, RowOutcome]:
    """Write a batch of rows as the enrolment services would write them one by one (the same
    rows, the same audit), but in one transaction of a few multi-row statements. Raises when
    any of it fails (nothing written): the caller then writes the batch row by row."""
    office_id = ctx.principal.office_id
    ensure_can_change_office(ctx.principal, office_id, "office")
    if not await staff_store.is_officer_of_office(ctx.principal.id, office_id):
        raise InvalidInput(
            "officer_id",
            "must be an active officer of the case's office",
            "ต้องเป็นเจ้าหน้าที่ของสำนักงานนี้",
        )
    today = bangkok_today(ctx.now)
    outcomes, parsed = await asyncio.to_thread(_parse_batch, ctx, job_id, rows, today)
    people = await store.people_by_national_id([v.defendant.national_id for _, v in parsed])
    numbers = await store.case_numbers_of([person[0] for person in people.values()])
    expansions: dict[PlanSpec, tuple[list[PlannedCheckIn], list[str]]] = {}
    new_cases: list[_NewCase] = []
    for row_id, values in parsed:
        found = people.get(values.defendant.national_id)
        if found is not None and found[1] != office_id:
            outcomes[row_id] = RowOutcome("failed", "national_id: enrolled by another office")
            continue
        number = values.case["black_case_number"]
        if found is not None and (found[0], number) in numbers:
            outcomes[row_id] = RowOutcome("existing", None, found[0], numbers[(found[0], number)])
            continue
        spec = plans.spec_from(values.plan)
        if spec not in expansions:
            try:
                expansion, planned = await plans.planned_check_ins(ctx, spec, fresh=True)
            except InvalidInput as error:
                outcomes[row_id] = RowOutcome("failed", f"{error.field}: {error.reason}")
                continue
            expansions[spec] = (planned, [n.code for n in expansion.notes])
        planned, notes = expansions[spec]
        new_cases.append(
            _NewCase(
                row_id,
                values,
                found[0] if found else None,
                found[2] if found else values.defendant.preferred_language,
                planned,
                notes,
                _first_hearing_at(ctx, values.case["next_court_date"]),
            )
        )
    policy = await reminder_service.office_policy(office_id)
    quiet = reminder_service.quiet_hours(ctx.settings)
    with_hearing = [c for c in new_cases if c.hearing_at is not None]
    office = await office_store.get_office(office_id) if with_hearing else None
    offsets = await hearings.hearing_offsets(office_id) if with_hearing else ()
    now = ctx.now
    async with transaction(immediate=True):
        person_ids = await store.insert_people(
            [_person_row(ctx, c.values) for c in new_cases if c.defendant_id is None]
        )
        for c in new_cases:
            if c.defendant_id is None:
                c.defendant_id = person_ids[c.values.defendant.national_id]
        case_ids = await store.insert_cases([_case_row(ctx, c) for c in new_cases])
        await store.insert_plans(
            [
                {"case": case_ids[c.defendant_id or 0]}
                | plans.plan_values(plans.spec_from(c.values.plan), plans.NO_ADJUSTMENTS, ctx)
                for c in new_cases
            ]
        )
        check_in_rows = [
            plans.new_check_in_row(case_ids[c.defendant_id or 0], office_id, p, now)
            | {"identify_failures": 0}
            for c in new_cases
            for p in c.check_ins
        ]
        code_ids = await store.insert_check_ins(check_in_rows)
        planner = reminder_service.ReminderPlanner(policy, quiet, now)
        reminders: list[NewReminder] = []
        by_case: dict[int, list[dict[str, Any]]] = {}
        for made in check_in_rows:
            by_case.setdefault(made["case"], []).append(made)
        for c in new_cases:
            case_id = case_ids[c.defendant_id or 0]
            reminders += planner.rows(
                {"id": case_id, "office": office_id, "defendant": c.defendant_id or 0},
                [
                    {
                        "id": code_ids[r["code"]],
                        "due_date": r["due_date"],
                        "closes_at": r["closes_at"],
                    }
                    for r in by_case.get(case_id, [])
                ],
            )
        await store.insert_reminder_rows([{**r, "attempts": 0} for r in reminders])
        hearing_ids: dict[int, int] = {}
        if with_hearing:
            assert office is not None
            hearing_ids = await store.insert_hearings(
                [_hearing_row(ctx, c, case_ids[c.defendant_id or 0]) for c in with_hearing]
            )
            await store.insert_reminder_rows(
                [
                    {**r, "attempts": 0}
                    for c in with_hearing
                    for r in _hearing_reminders(
                        ctx,
                        c,
                        case_ids[c.defendant_id or 0],
                        hearing_ids,
                        office,
                        policy,
                        offsets,
                        quiet,
                    )
                ]
            )
        audit: list[tuple[str, str, int | str | None, dict[str, Any] | None]] = []
        for c in new_cases:
            case_id = case_ids[c.defendant_id or 0]
            if c.values.defendant.national_id in person_ids:
                audit.append(
                    (
                        "defendant.create",
                        "defendant",
                        c.defendant_id,
                        {"photo": "none", "reporting_mode": "remote"},
                    )
                )
            audit.append(("case.create", "bail_case", case_id, {"defendant_id": c.defendant_id}))
            if case_id in hearing_ids:
                audit.append(
                    (
                        "hearing.create",
                        "court_hearing",
                        hearing_ids[case_id],
                        {"case": case_id, "day": str(c.values.case["next_court_date"])},
                    )
                )
            audit.append(
                (
                    "plan.set",
                    "bail_case",
                    case_id,
                    {
                        "kind": c.values.plan.kind,
                        "created": len(c.check_ins),
                        "updated": 0,
                        "deleted": 0,
                        "notes": c.notes,
                        "notice": None,
                    },
                )
            )
            outcomes[c.row_id] = RowOutcome("created", None, c.defendant_id, case_id)
        await audit_store.record_many(
            actor_id=ctx.principal.id,
            actor_username=ctx.principal.username,
            at=now,
            client_address=ctx.client_address,
            entries=audit,
        )
        await store.record_outcomes(
            [
                {
                    "id": row_id,
                    "outcome": o.outcome,
                    "outcome_detail": o.detail,
                    "defendant": o.defendant,
                    "case": o.case,
                }
                for row_id, o in outcomes.items()
            ]
        )
    return outcomes


def _hearing_row(ctx: Ctx, new: _NewCase, case_id: int) -> dict[str, Any]:
    """The `court_hearing` row `cases.first_hearing` adds (through `hearings.add`)."""
    return {
        "case": case_id,
        "office": ctx.principal.office_id,
        "starts_at": new.hearing_at,
        "court": new.values.case["court"].strip(),
        "room": None,
        "purpose": "",
        "created_by": ctx.principal.id,
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }


def _hearing_reminders(
    ctx: Ctx,
    new: _NewCase,
    case_id: int,
    hearing_ids: Mapping[int, int],
    office: OfficeRow,
    policy: ReminderPolicy,
    offsets: tuple[int, ...],
    quiet: QuietHours,
) -> list[NewReminder]:
    """The first hearing's SMS reminders, worded and planned as `hearings.add` plans them."""
    assert new.hearing_at is not None
    language = "en" if new.language == "en" else "th"
    court = new.values.case["court"].strip()
    rows: list[NewReminder] = []
    for p in plan_hearing_reminders(
        starts_at=new.hearing_at,
        now=ctx.now,
        offsets_days=offsets,
        send_hour=policy.send_hour,
        quiet=quiet,
    ):
        days = hearing_days(p.kind)
        assert days is not None
        rows.append(
            {
                "check_in": None,
                "hearing": hearing_ids[case_id],
                "case": case_id,
                "office": ctx.principal.office_id,
                "defendant": new.defendant_id or 0,
                "kind": p.kind,
                "body": render_hearing_reminder(
                    HearingText(
                        days=days,
                        language=language,
                        office_name_th=office["name_th"],
                        office_name_en=office["name_en"],
                        court=court,
                        starts_at=new.hearing_at,
                        room=None,
                    )
                ),
                "language": language,
                "due_at": p.due_at,
                "expires_at": p.expires_at,
                "next_attempt_at": p.due_at,
                "status": QUEUED,
                "reference": reminder_service.new_reference(),
                "created_at": ctx.now,
                "updated_at": ctx.now,
            }
        )
    return rows


def _person_row(ctx: Ctx, values: RowValues) -> dict[str, Any]:
    """A new `defendant` row as `services.defendants.enrol` makes it with no photo."""
    person = values.defendant
    return {
        "national_id": person.national_id,
        "title_th": (person.title_th or "").strip()[:32],
        "sex": recorded_sex(person.sex, person.title_th).value,
        "first_name_th": person.first_name_th.strip(),
        "last_name_th": person.last_name_th.strip(),
        "first_name_en": (person.first_name_en or "").strip() or None,
        "last_name_en": (person.last_name_en or "").strip() or None,
        "date_of_birth": person.date_of_birth,
        "phone": person.phone,
        "preferred_language": person.preferred_language,
        "sms_opt_out": False,
        "office": ctx.principal.office_id,
        "consent_at": ctx.now,
        "consent_version": ctx.settings.consent_version,
        "created_at": ctx.now,
        "updated_at": ctx.now,
        "face_quality": {},
        "reporting_mode": "remote",
    }


def _case_row(ctx: Ctx, new: _NewCase) -> dict[str, Any]:
    """A new `bail_case` row as `services.cases.open_case` makes it."""
    case = new.values.case
    return {
        "defendant": new.defendant_id,
        "office": ctx.principal.office_id,
        "officer": ctx.principal.id,
        "court": case["court"].strip(),
        "black_case_number": case["black_case_number"].strip(),
        "red_case_number": (case["red_case_number"] or "").strip() or None,
        "charge": case["charge"].strip(),
        "bail_amount": case["bail_amount"],
        "fund_request_ref": None,
        "release_date": case["release_date"],
        "conditions": (case["conditions"] or "").strip(),
        "next_court_date": case["next_court_date"],
        "status": "active",
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }


async def _write_row(ctx: Ctx, job_id: int, row_id: int, sealed: bytes) -> RowOutcome:
    cells = _cells(ctx, job_id, sealed)
    values, problems = parse_row(cells, bangkok_today(ctx.now))
    if values is None:
        # A rule that depends on today (a release date no longer within 30 days...).
        outcome = RowOutcome("failed", "; ".join(f"{p.column}: {p.reason}" for p in problems))
        await store.record_outcome(row_id, outcome.outcome, outcome.detail, None, None)
        return outcome
    try:
        # One transaction a row: the person, the case, the plan and the row's outcome
        # together, so a run that dies half-way never creates a row's case twice.
        async with transaction(immediate=True):
            outcome = await _enrol_row(ctx, values)
            await store.record_outcome(
                row_id, outcome.outcome, outcome.detail, outcome.defendant, outcome.case
            )
    except (InvalidInput, Conflict) as error:
        outcome = RowOutcome("failed", f"{error.field}: {error.reason}")
        await store.record_outcome(row_id, outcome.outcome, outcome.detail, None, None)
    return outcome


async def _enrol_row(ctx: Ctx, values: RowValues) -> RowOutcome:
    found = await store.defendant_by_national_id(values.defendant.national_id)
    if found is None:
        person = await defendants.enrol(ctx, values.defendant, None)
        defendant_id = person["id"]
    else:
        defendant_id, office_id, _ = found
        if office_id != ctx.principal.office_id:
            return RowOutcome("failed", "national_id: enrolled by another office")
    existing = await store.case_with_number(defendant_id, values.case["black_case_number"])
    if existing is not None:
        return RowOutcome("existing", None, defendant_id, existing)
    case = await cases.open_case(ctx, CaseCreate(defendant_id=defendant_id, **values.case))
    await plans.set_plan(ctx, case["id"], values.plan)
    return RowOutcome("created", None, defendant_id, case["id"])


async def _attach_photos(
    ctx: Ctx, job_id: int, rows: list[PendingRow], outcomes: Mapping[int, RowOutcome]
) -> None:
    """The ZIP's photos of the batch's people, in file order: one query finds who has one,
    then each of those is attached (`_attach_photo`)."""
    people: dict[str, int] = {}
    for row in rows:
        outcome = outcomes[row["id"]]
        if outcome.defendant is None or outcome.outcome == "failed":
            continue
        try:
            national_id = normalise_national_id(
                _cells(ctx, job_id, row["cells"]).get("national_id", "")
            )
        except InvalidInput:
            continue
        people[national_id] = outcome.defendant
    with_photo = await store.national_ids_with_photo(job_id, list(people))
    for national_id, defendant_id in people.items():
        if national_id in with_photo:
            await _attach_photo(ctx, job_id, defendant_id, national_id)


async def _attach_photo(ctx: Ctx, job_id: int, defendant_id: int, national_id: str) -> None:
    """The ZIP's photo of this person, if they have none yet: checked by the face library
    (outside any transaction), kept, or its refusal recorded (the person stays in "no photo
    yet" mode)."""
    found = await store.defendant_by_national_id(national_id)
    if found is None or found[2]:
        return  # no such person, or they have a photo already
    photo = await store.photo_for(job_id, national_id)
    if photo is None or photo["data"] is None:
        return
    data = ctx.rt.sealer.open(photo["data"], _photo_context(job_id))
    try:
        await defendants.replace_photo(ctx, defendant_id, data)
    except InvalidInput as refused:
        await store.photo_outcome(photo["id"], "refused", f"{refused.reason} | {refused.reason_th}")
        return
    await store.photo_outcome(photo["id"], "used", None)


# --- the report ---------------------------------------------------------------------------

REPORT_HEADER = [
    "แถว / Line",
    "เลขประจำตัวประชาชน / National ID",
    "ชื่อ / Name",
    "ผล / Result",
    "เหตุผล / Reason",
    "รูปถ่าย / Photo",
]
RESULTS = {
    "created": "สร้างแล้ว / created",
    "existing": "มีอยู่แล้ว / already there",
    "failed": "ไม่สำเร็จ / failed",
    "skipped": "ข้าม (ข้อมูลไม่ถูกต้อง) / skipped (invalid)",
    "waiting": "ยังไม่ได้นำเข้า / not written yet",
}


async def report_csv(ctx: Ctx, job_id: int) -> AsyncIterator[bytes]:
    """What was created, skipped and why, row by row, as CSV (UTF-8 with a byte-order mark
    for Excel); read from the database in batches, so a large file streams."""
    await _job(ctx, job_id)
    await ctx.audit("import.report", "import_job", job_id)
    photo_by_id: dict[str, str] = {}
    for photo in await store.photos(job_id):
        if photo["national_id"] is None:
            continue
        if photo["problem"]:
            p = json.loads(photo["problem"])
            photo_by_id[photo["national_id"]] = f"{p['reason_th']} / {p['reason']}"
        elif photo["outcome"] == "used":
            photo_by_id[photo["national_id"]] = "ใช้แล้ว / used"
        elif photo["outcome"] == "refused":
            photo_by_id[photo["national_id"]] = f"ใช้ไม่ได้ / refused: {photo['outcome_detail']}"
    return _report_lines(ctx, job_id, photo_by_id)


async def _report_lines(ctx: Ctx, job_id: int, photos: dict[str, str]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(REPORT_HEADER)
    after = 0
    while rows := await store.report_rows(job_id, after, 500):
        for row in rows:
            after = row["id"]
            cells = _cells(ctx, job_id, row["cells"])
            problems = _problems_of(row["problems"])
            if problems:
                result = RESULTS["skipped"]
                reason = "; ".join(f"{p.column}: {p.reason_th} / {p.reason}" for p in problems)
            else:
                result = RESULTS[row["outcome"] or "waiting"]
                reason = row["outcome_detail"] or ""
            name = " ".join(filter(None, (cells.get("first_name_th"), cells.get("last_name_th"))))
            nid = row["national_id"] or cells.get("national_id", "")
            # A cell starting with = + - @ would be a formula in Excel: quote it.
            writer.writerow(
                [_safe(v) for v in (row["line"], nid, name, result, reason, photos.get(nid, ""))]
            )
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _safe(value: Any) -> str:
    text_value = str(value)
    return "'" + text_value if text_value[:1] in ("=", "+", "-", "@", "\t", "\r") else text_value
