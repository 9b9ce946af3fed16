"""Bulk import of a caseload through the service (the dry run, the write, re-import, photos),
on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from datetime import date
from typing import Any

import pytest

from reporting_api.caseload_sheet import COLUMNS
from reporting_api.errors import Conflict, InvalidInput
from reporting_api.national_id import synthetic_national_id
from reporting_api.services import caseload_import as service
from reporting_api.services.caseload_import import ImportUpload
from reporting_api.tables import BailCase, CheckIn, CourtHearing, Defendant, ImportRow
from tests.conftest import id_photo_bytes
from tests.scheduler.helpers import NOW, World, make_world, run

pytestmark = pytest.mark.usefixtures("database_url")
rng = random.Random(2569)


def person_row(**overrides: str) -> dict[str, str]:
    row = {
        "national_id": synthetic_national_id(rng),
        "title_th": "นาย",
        "first_name_th": "สมชาย",
        "last_name_th": "ใจดี",
        "date_of_birth": "17/05/2533",
        "phone": "08" + str(rng.randint(10_000_000, 99_999_999)),
        "consent": "ใช่",
        "court": "ศาลอาญา",
        "black_case_number": f"อ.{rng.randint(1, 9999)}/2569",
        "charge": "ลักทรัพย์",
        "bail_amount": "50,000",
        "release_date": "01/11/2569",
        "every_days": "30",
        "start_date": "15/12/2569",
        "end_date": "15/06/2570",
    }
    row.update(overrides)
    return row


def csv_file(rows: list[dict[str, str]], headers: str = "both") -> io.BytesIO:
    keys = [c.key for c in COLUMNS]
    names = {
        "both": [c.header for c in COLUMNS],
        "th": [c.th for c in COLUMNS],
        "en": [c.en for c in COLUMNS],
    }[headers]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(k, "") for k in keys])
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


def check(world: World, upload: ImportUpload) -> service.ImportView:
    return run(service.check(world.ctx(), upload))


def write(world: World, job_id: int) -> Any:
    async def go() -> Any:
        ctx = world.ctx()
        await service.start(ctx, job_id)
        return await service.run(ctx, job_id)

    return run(go())


def problems_by_line(view: service.ImportView) -> dict[int, set[str]]:
    return {line.line: {p.field for p in line.problems} for line in view.problem_lines}


def test_the_dry_run_names_every_problem_and_writes_nothing(database_url: str) -> None:
    world = make_world(database_url)
    good = person_row()
    rows = [
        good,
        person_row(national_id="1101700000014"),  # check digit wrong (…10 is right)
        person_row(phone="021234567"),  # a Bangkok landline
        person_row(office_code="NOPE"),
        person_row(office_code="TH-50"),  # another office
        person_row(national_id=good["national_id"], black_case_number="อ.2/2569"),
        person_row(release_date="01/11/2026", start_date="15/12/2569"),  # C.E. among B.E.
        person_row(consent="ไม่"),
        person_row(bail_amount="-5"),
        person_row(every_days="0"),
        person_row(date_of_birth=""),
        person_row(start_date="15/12/2569", end_date="15/12/2568"),  # ends before it starts
    ]
    people_before = run(Defendant.count())
    view = check(world, ImportUpload("caseload.csv", csv_file(rows)))
    assert view.job["rows_total"] == 12 and view.job["rows_valid"] == 1
    found = problems_by_line(view)
    assert found == {
        3: {"national_id"},
        4: {"phone"},
        5: {"office_code"},
        6: {"office_code"},
        7: {"national_id"},
        8: {"release_date"},
        9: {"consent"},
        10: {"bail_amount"},
        11: {"every_days"},
        12: {"date_of_birth"},
        13: {"end_date"},
    }
    by_line = {line.line: line for line in view.problem_lines}
    assert "line 2" in by_line[7].problems[0].reason
    assert "ไม่พบสำนักงานนี้" == by_line[5].problems[0].reason_th
    assert "era" in by_line[8].problems[0].reason
    assert all(p.reason_th for line in view.problem_lines for p in line.problems)
    # The page shows a masked ID, never the whole number.
    assert "x" in by_line[3].national_id
    assert run(Defendant.count()) == people_before


def test_the_valid_rows_are_written_once_and_a_second_import_creates_nothing(
    database_url: str,
) -> None:
    world = make_world(database_url)
    rows = [person_row(next_court_date="20/01/2570") for _ in range(5)]
    rows.append(person_row(phone="12345"))
    first = check(world, ImportUpload("caseload.csv", csv_file(rows, headers="th")))
    assert first.job["rows_valid"] == 5 and first.already_there == 0
    done = write(world, first.job["id"])
    assert done["state"] == "done"
    assert (done["created_count"], done["existing_count"], done["failed_count"]) == (5, 0, 0)
    people = run(
        Defendant.select(Defendant.id, Defendant.id_photo_mime, Defendant.reporting_mode).where(
            Defendant.national_id.is_in([r["national_id"] for r in rows[:5]])
        )
    )
    assert len(people) == 5
    # No photo yet: enrolled for reminders and in-person reporting.
    assert {p["id_photo_mime"] for p in people} == {None}
    assert {p["reporting_mode"] for p in people} == {"remote"}
    ids = [p["id"] for p in people]
    case_ids = [
        c["id"] for c in run(BailCase.select(BailCase.id).where(BailCase.defendant.is_in(ids)))
    ]
    assert len(case_ids) == 5
    # 15/12/2569 to 15/06/2570 every 30 days: six dates (the first 30 days after the start),
    # each moved off weekends and holidays as the plan rule moves them.
    assert run(CheckIn.count().where(CheckIn.case.is_in(case_ids))) == 30
    assert run(CourtHearing.count().where(CourtHearing.case.is_in(case_ids))) == 5

    again = check(world, ImportUpload("caseload.csv", csv_file(rows, headers="en")))
    assert again.already_there == 5
    second = write(world, again.job["id"])
    assert (second["created_count"], second["existing_count"]) == (0, 5)
    assert run(BailCase.count().where(BailCase.defendant.is_in(ids))) == 5

    report = b"".join(run(_collect(service.report_csv(world.ctx(), first.job["id"]))))
    text = report.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0] == "แถว / Line" and len(lines) == 7
    assert sum("created" in line[3] for line in lines) == 5
    assert any("skipped" in line[3] and "phone" in line[4].lower() for line in lines)


def test_writers_side_by_side_write_every_row_once_and_count_each(database_url: str) -> None:
    """Batches of three rows: on PostgreSQL two writers take turns on the job's rows (each
    batch its own transaction), on SQLite one; either way each valid row is written once,
    in its own case, and the job's counts are the rows' outcomes."""
    world = make_world(database_url)
    rows = [person_row() for _ in range(17)]
    rows[4] = person_row(phone="12345")
    view = check(world, ImportUpload("caseload.csv", csv_file(rows)))
    assert view.job["rows_valid"] == 16
    reports: list[int] = []

    async def go() -> Any:
        ctx = world.ctx()
        await service.start(ctx, view.job["id"])
        return await service.run(
            ctx, view.job["id"], lambda job: reports.append(job["processed"]), batch=3
        )

    done = run(go())
    assert (done["state"], done["processed"], done["created_count"]) == ("done", 16, 16)
    assert reports == sorted(reports) and reports[-1] == 16 and len(reports) == 6
    valid = [r["national_id"] for i, r in enumerate(rows) if i != 4]
    people = run(Defendant.select(Defendant.id).where(Defendant.national_id.is_in(valid)))
    assert len(people) == 16
    ids = [p["id"] for p in people]
    assert run(BailCase.count().where(BailCase.defendant.is_in(ids))) == 16
    outcomes = run(ImportRow.select(ImportRow.outcome).where(ImportRow.job == view.job["id"]))
    assert sorted(str(o["outcome"]) for o in outcomes) == ["None"] + ["created"] * 16


async def _collect(parts: Any) -> list[bytes]:
    return [chunk async for chunk in await parts]


def test_a_started_import_cannot_be_started_twice(database_url: str) -> None:
    world = make_world(database_url)
    view = check(world, ImportUpload("caseload.csv", csv_file([person_row()])))

    async def two_starts() -> list[Any]:
        import asyncio

        ctx = world.ctx()
        return await asyncio.gather(
            service.start(ctx, view.job["id"]),
            service.start(ctx, view.job["id"]),
            return_exceptions=True,
        )

    outcomes = run(two_starts())
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert sum(isinstance(o, dict) for o in outcomes) == 1


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data, compress_type=method)
    out.seek(0)
    return out


def test_photos_come_in_a_zip_named_by_national_id_each_checked(database_url: str) -> None:
    world = make_world(database_url)
    with_photo, blurred, without = person_row(), person_row(), person_row()
    from PIL import Image, ImageFilter

    blurry = io.BytesIO()
    Image.open(io.BytesIO(id_photo_bytes())).filter(ImageFilter.GaussianBlur(12)).save(
        blurry, "JPEG"
    )
    photos = _zip(
        {
            f"photos/{with_photo['national_id']}.jpg": id_photo_bytes(),
            f"{blurred['national_id']}.JPG": blurry.getvalue(),
            f"{without['national_id']}.jpg": b"this is a text file, not a photo",
            "notes.txt": b"hello",
            "1234567890121.jpg": id_photo_bytes(),  # nobody in the file has this ID
            f"bomb/{synthetic_national_id(rng)}.png": b"\0" * (20 * 1024 * 1024),
            "__MACOSX/._x": b"resource fork",
        },
        method=zipfile.ZIP_DEFLATED,
    )
    view = check(
        world,
        ImportUpload(
            "caseload.csv", csv_file([with_photo, blurred, without]), "photos.zip", photos
        ),
    )
    assert view.job["photos_total"] == 6 and view.job["photos_refused"] == 4
    refused = {name: reason for name, reason, _ in view.photo_problems}
    assert "not a readable JPEG or PNG" in refused[f"{without['national_id']}.jpg"]
    assert "13-digit national ID" in refused["notes.txt"]
    assert "no valid row" in refused["1234567890121.jpg"]
    assert any("expands" in r or "larger than" in r for n, r in refused.items() if "bomb" in n)
    write(world, view.job["id"])
    mimes = {
        r["national_id"]: r["id_photo_mime"]
        for r in run(Defendant.select(Defendant.national_id, Defendant.id_photo_mime))
    }
    assert mimes[with_photo["national_id"]] == "image/jpeg"
    assert mimes[blurred["national_id"]] is None  # the face library refused it: no photo yet
    assert mimes[without["national_id"]] is None
    report = b"".join(run(_collect(service.report_csv(world.ctx(), view.job["id"]))))
    assert "used" in report.decode("utf-8-sig")


def test_an_xlsx_file_with_real_date_cells_reads_as_the_csv_does(database_url: str) -> None:
    import openpyxl

    world = make_world(database_url)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([c.header for c in COLUMNS])
    row = person_row()
    values: list[Any] = []
    for column in COLUMNS:
        value: Any = row.get(column.key, "")
        if column.key == "release_date":
            value = date(2026, 11, 1)  # an Excel date cell: no era to guess
        if column.key in ("bail_amount", "every_days"):
            value = int(value.replace(",", ""))
        values.append(value)
    sheet.append(values)
    sheet.append([None] * len(COLUMNS))  # a blank line is no row
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    view = check(world, ImportUpload("caseload.xlsx", out))
    assert (view.job["rows_total"], view.job["rows_valid"]) == (1, 1), view.problem_lines


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("caseload.csv", "ชื่อเล่น,national_id\n".encode(), "unknown columns: ชื่อเล่น"),
        ("caseload.csv", b"national_id,phone\n", "missing columns"),
        ("caseload.csv", "เลขประจำตัวประชาชน\n".encode("cp874"), "not UTF-8"),
        ("caseload.xlsx", b"PK\x03\x04 not really", "not an Excel workbook"),
        ("caseload.pdf", b"%PDF-1.4", "must be a .csv"),
        ("caseload.csv", b"", "the file is empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(
    database_url: str, name: str, content: bytes, reason: str
) -> None:
    world = make_world(database_url)
    with pytest.raises(InvalidInput) as refused:
        check(world, ImportUpload(name, io.BytesIO(content)))
    assert refused.value.field == "file" and reason in refused.value.reason
    assert refused.value.reason_th


def test_a_photos_file_that_is_not_a_zip_is_refused(database_url: str) -> None:
    world = make_world(database_url)
    with pytest.raises(InvalidInput) as refused:
        check(
            world,
            ImportUpload(
                "caseload.csv", csv_file([person_row()]), "photos.zip", io.BytesIO(b"nope")
            ),
        )
    assert refused.value.field == "photos"


def test_another_offices_officer_cannot_see_or_start_the_import(database_url: str) -> None:
    from reporting_api.errors import NotFound

    world = make_world(database_url)
    view = check(world, ImportUpload("caseload.csv", csv_file([person_row()])))
    with pytest.raises(NotFound):
        run(service.view(world.ctx(NOW, "officer_cnx"), view.job["id"]))
    with pytest.raises(NotFound):
        run(service.start(world.ctx(NOW, "officer_cnx"), view.job["id"]))
    problems = json.dumps([p.__dict__ for line in view.problem_lines for p in line.problems])
    assert problems == "[]"


def _written(national_id: str) -> dict[str, Any]:
    """What the import wrote for one person, without ids, codes, numbers and write times."""
    from reporting_api.tables import AuditLog, Reminder, ReportingPlan

    def strip(row: dict[str, Any], *keys: str) -> dict[str, Any]:
        gone = {"id", "created_at", "updated_at", *keys}
        return {k: v for k, v in row.items() if k not in gone}

    person = run(Defendant.select().where(Defendant.national_id == national_id).first())
    (case,) = run(BailCase.select().where(BailCase.defendant == person["id"]))
    plan = run(ReportingPlan.select().where(ReportingPlan.case == case["id"]).first())
    check_ins = run(CheckIn.select().where(CheckIn.case == case["id"]).order_by(CheckIn.due_date))
    reminders = run(
        Reminder.select()
        .where(Reminder.case == case["id"])
        .order_by(Reminder.due_at)
        .order_by(Reminder.kind)
    )
    hearings = run(CourtHearing.select().where(CourtHearing.case == case["id"]))
    audit = run(
        AuditLog.select(AuditLog.action, AuditLog.entity, AuditLog.detail)
        .where(
            ((AuditLog.entity == "defendant") & (AuditLog.entity_id == str(person["id"])))
            | ((AuditLog.entity == "bail_case") & (AuditLog.entity_id == str(case["id"])))
        )
        .order_by(AuditLog.id)
    )
    for row in audit:
        detail = row["detail"] if isinstance(row["detail"], dict) else json.loads(row["detail"])
        detail.pop("defendant_id", None)
        row["detail"] = detail
    return {
        "person": strip(person, "national_id", "phone", "consent_at"),
        "case": strip(case, "defendant", "black_case_number"),
        "plan": strip(plan, "case"),
        "check_ins": [strip(c, "case", "code") for c in check_ins],
        "reminders": [
            strip(r, "check_in", "case", "defendant", "reference", "hearing") for r in reminders
        ],
        "hearings": [strip(h, "case", "created_by") for h in hearings],
        "audit": sorted(
            (a["action"], a["entity"], json.dumps(a["detail"], sort_keys=True)) for a in audit
        ),
    }


def test_the_bulk_write_writes_what_the_enrolment_services_write(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_world(database_url)
    shapes = [
        {},
        {"title_th": "นางสาว", "first_name_en": "Malee", "last_name_en": "Srisuk"},
        {"next_court_date": "20/01/2570", "red_case_number": "อ.99/2569"},
        {"every_days": "7", "window_opens_days_before": "0", "grace_days": "1"},
        {"start_date": "01/01/2570", "end_date": "30/04/2570", "preferred_language": "en"},
        {"conditions": "ห้ามออกนอกเขตจังหวัด", "bail_amount": "12345.50"},
        {"title_th": "นาย", "sex": "ไม่ระบุ"},
        {"title_th": "ร.ต.อ.", "sex": "Female"},
    ]
    by_service = [person_row(**shape) for shape in shapes]
    by_bulk = [person_row(**shape) for shape in shapes]

    def imported(rows: list[dict[str, str]], bulk: bool) -> None:
        view = check(world, ImportUpload("caseload.csv", csv_file(rows)))

        async def go() -> Any:
            ctx = world.ctx()
            await service.start(ctx, view.job["id"])
            return await service.run(ctx, view.job["id"], bulk=bulk)

        done = run(go())
        assert done["created_count"] == len(rows), done

    imported(by_service, bulk=False)
    imported(by_bulk, bulk=True)
    assert "row by row instead" not in caplog.text  # the bulk path itself wrote them
    for one, other in zip(by_service, by_bulk, strict=True):
        assert _written(other["national_id"]) == _written(one["national_id"])


def test_an_imports_kept_rows_and_photos_go_a_week_after(database_url: str) -> None:
    from datetime import timedelta

    from reporting_api.services.retention import purge
    from reporting_api.tables import ImportJob, ImportPhoto, ImportRow

    world = make_world(database_url)
    row = person_row()
    photos = _zip({f"{row['national_id']}.jpg": id_photo_bytes()})
    done = check(world, ImportUpload("a.csv", csv_file([row]), "p.zip", photos))
    write(world, done.job["id"])
    left = check(world, ImportUpload("b.csv", csv_file([person_row()])))  # never written
    jobs = [done.job["id"], left.job["id"]]
    (finished,) = run(ImportJob.select(ImportJob.finished_at).where(ImportJob.id == jobs[0]))
    assert run(ImportRow.count().where(ImportRow.job == jobs[0])) == 1
    assert run(ImportPhoto.count().where(ImportPhoto.job == jobs[0])) == 1
    six_days = max(finished["finished_at"], left.job["created_at"]) + timedelta(days=6)
    assert (
        run(purge(six_days - timedelta(days=6) + timedelta(days=1), world.settings)).import_jobs
        == 0
    )
    report = run(purge(six_days + timedelta(days=2), world.settings))
    assert report.import_jobs == 2
    assert run(ImportJob.count().where(ImportJob.id.is_in(jobs))) == 0
    assert run(ImportRow.count().where(ImportRow.job.is_in(jobs))) == 0
    assert run(ImportPhoto.count().where(ImportPhoto.job.is_in(jobs))) == 0


def test_the_sex_column_is_read_else_the_title_decides(database_url: str) -> None:
    world = make_world(database_url)
    rows = [
        person_row(title_th="นาย"),
        person_row(title_th="นาย", sex="หญิง"),
        person_row(title_th="Dr"),
        person_row(sex="x"),
    ]
    view = check(world, ImportUpload("caseload.csv", csv_file(rows)))
    assert problems_by_line(view) == {5: {"sex"}}
    write(world, view.job["id"])
    sexes = {
        r["national_id"]: r["sex"]
        for r in run(Defendant.select(Defendant.national_id, Defendant.sex))
    }
    assert [sexes[r["national_id"]] for r in rows[:3]] == ["male", "female", "not_stated"]
