"""Bulk imports of an office's caseload: the job, its rows and its photos as they wait
between the dry run and the write (docs/import.md)."""

from __future__ import annotations

from piccolo.columns import Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.cases import BailCase
from reporting_api.tables.people import Defendant, Office, StaffUser


class ImportJob(Table, tablename="import_job"):
    """One uploaded file: checked (the dry run), then written in batches; its counts are
    the progress the page shows."""

    id: Serial
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.cascade, index=True)
    staff = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    file_name = Varchar(length=200)
    file_kind = Varchar(length=8)
    photos_name = Varchar(length=200, null=True, default=None)
    # checked -> running -> done (or failed: the error says why)
    state = Varchar(length=16, default="checked")
    rows_total = Integer(default=0)
    rows_valid = Integer(default=0)
    photos_total = Integer(default=0)
    photos_refused = Integer(default=0)
    processed = Integer(default=0)
    created_count = Integer(default=0)
    existing_count = Integer(default=0)
    failed_count = Integer(default=0)
    error = Text(null=True, default=None)
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    heartbeat_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class ImportRow(Table, tablename="import_row"):
    """A data row of the file: its cells sealed (personal data), the problems the dry run
    found, and what the write did with it."""

    id: Serial
    job = ForeignKey[ImportJob](references=ImportJob, on_delete=OnDelete.cascade, index=True)
    line = Integer()
    national_id = Varchar(length=13, null=True, default=None)
    # The black case number as typed (a court's public reference): with the national ID,
    # what makes a row the same case again when a file is imported twice.
    case_number = Varchar(length=64, null=True, default=None)
    cells = Bytea()
    problems = Text(default="[]")
    # None until written: created | existing | failed
    outcome = Varchar(length=16, null=True, default=None)
    outcome_detail = Text(null=True, default=None)
    defendant = ForeignKey[Defendant](
        references=Defendant, on_delete=OnDelete.set_null, null=True, default=None
    )
    case = ForeignKey[BailCase](
        references=BailCase, on_delete=OnDelete.set_null, null=True, default=None
    )


class ImportPhoto(Table, tablename="import_photo"):
    """A photo of the ZIP, sealed, by the national ID its file name gives; ``problem`` when
    the dry run refused it; ``outcome`` what the write did with it."""

    id: Serial
    job = ForeignKey[ImportJob](references=ImportJob, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200)
    national_id = Varchar(length=13, null=True, default=None)
    data = Bytea(null=True, default=None)
    problem = Text(null=True, default=None)
    outcome = Varchar(length=16, null=True, default=None)
    outcome_detail = Text(null=True, default=None)
