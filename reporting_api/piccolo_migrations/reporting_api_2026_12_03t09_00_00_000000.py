"""Bulk imports (`import_job`, `import_row`, `import_photo`) and how a person reports
(`defendant.reporting_mode`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Bytea,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Bulk imports of a caseload; a person's reporting mode"

_TABLES = {
    "StaffUser": "staff_user",
    "Office": "office",
    "BailCase": "bail_case",
    "Defendant": "defendant",
    "ImportJob": "import_job",
}


def _id_only(name: str):
    column = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )
    return type(name, (Table,), {"id": column}, tablename=_TABLES[name], schema=None)


StaffUser = _id_only("StaffUser")
Office = _id_only("Office")
BailCase = _id_only("BailCase")
Defendant = _id_only("Defendant")
ImportJob = _id_only("ImportJob")


def _params(**overrides):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **overrides,
    }


def _fk(references, on_delete, *, null: bool, index: bool = False):
    return _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        default=None,
        index=index,
    )


def _columns(manager, class_name: str, tablename: str, columns) -> None:
    manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    count = _params(default=0)
    _columns(
        manager,
        "ImportJob",
        "import_job",
        (
            ("office", ForeignKey, _fk(Office, OnDelete.cascade, null=False, index=True)),
            ("staff", ForeignKey, _fk(StaffUser, OnDelete.set_null, null=True)),
            ("file_name", Varchar, _params(length=200, default="")),
            ("file_kind", Varchar, _params(length=8, default="")),
            ("photos_name", Varchar, _params(length=200, null=True, default=None)),
            ("state", Varchar, _params(length=16, default="checked")),
            ("rows_total", Integer, count),
            ("rows_valid", Integer, count),
            ("photos_total", Integer, count),
            ("photos_refused", Integer, count),
            ("processed", Integer, count),
            ("created_count", Integer, count),
            ("existing_count", Integer, count),
            ("failed_count", Integer, count),
            ("error", Text, _params(null=True, default=None)),
            ("created_at", Timestamptz, _params(default=TimestamptzNow())),
            ("started_at", Timestamptz, _params(null=True, default=None)),
            ("heartbeat_at", Timestamptz, _params(null=True, default=None)),
            ("finished_at", Timestamptz, _params(null=True, default=None)),
        ),
    )
    _columns(
        manager,
        "ImportRow",
        "import_row",
        (
            ("job", ForeignKey, _fk(ImportJob, OnDelete.cascade, null=False, index=True)),
            ("line", Integer, count),
            ("national_id", Varchar, _params(length=13, null=True, default=None)),
            ("case_number", Varchar, _params(length=64, null=True, default=None)),
            ("cells", Bytea, _params(default=b"")),
            ("problems", Text, _params(default="[]")),
            ("outcome", Varchar, _params(length=16, null=True, default=None)),
            ("outcome_detail", Text, _params(null=True, default=None)),
            ("defendant", ForeignKey, _fk(Defendant, OnDelete.set_null, null=True)),
            ("case", ForeignKey, _fk(BailCase, OnDelete.set_null, null=True)),
        ),
    )
    _columns(
        manager,
        "ImportPhoto",
        "import_photo",
        (
            ("job", ForeignKey, _fk(ImportJob, OnDelete.cascade, null=False, index=True)),
            ("name", Varchar, _params(length=200, default="")),
            ("national_id", Varchar, _params(length=13, null=True, default=None)),
            ("data", Bytea, _params(null=True, default=None)),
            ("problem", Text, _params(null=True, default=None)),
            ("outcome", Varchar, _params(length=16, null=True, default=None)),
            ("outcome_detail", Text, _params(null=True, default=None)),
        ),
    )
    manager.add_column(
        table_class_name="Defendant",
        tablename="defendant",
        column_name="reporting_mode",
        db_column_name="reporting_mode",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=16, default="remote"),
        schema=None,
    )
    return manager
