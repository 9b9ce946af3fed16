"""Officers' notes on a person (`case_note`): written, struck through, never edited."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Officers' notes on a person"


def _id_only(name: str, tablename: str):
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
    return type(name, (Table,), {"id": column}, tablename=tablename, schema=None)


StaffUser = _id_only("StaffUser", "staff_user")
Defendant = _id_only("Defendant", "defendant")
BailCase = _id_only("BailCase", "bail_case")


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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_table(class_name="CaseNote", tablename="case_note", schema=None, columns=None)
    for name, column_class, params in (
        ("defendant", ForeignKey, _fk(Defendant, OnDelete.cascade, null=False, index=True)),
        ("case", ForeignKey, _fk(BailCase, OnDelete.set_null, null=True)),
        ("author", ForeignKey, _fk(StaffUser, OnDelete.set_null, null=True)),
        ("text", Text, _params(default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("struck_at", Timestamptz, _params(null=True, default=None)),
        ("struck_by", ForeignKey, _fk(StaffUser, OnDelete.set_null, null=True)),
        ("struck_reason", Text, _params(null=True, default=None)),
    ):
        manager.add_column(
            table_class_name="CaseNote",
            tablename="case_note",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
