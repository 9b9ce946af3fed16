"""The person's answers to a check-in's reminder that are not requests (`check_in_answer`:
"I'll come" pressed on LINE, issue 17)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-11T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A person's answers to a check-in's reminder (I'll come, on LINE)"


def _id_column() -> Serial:
    return Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Defendant(Table, tablename="defendant", schema=None):
    id = _id_column()


class CheckIn(Table, tablename="check_in", schema=None):
    id = _id_column()


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


def _reference(table, **overrides):
    return _params(
        references=table,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        default=None,
        **overrides,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    class_name, tablename = "CheckInAnswer", "check_in_answer"
    columns = (
        ("check_in", ForeignKey, _reference(CheckIn, index=True)),
        ("defendant", ForeignKey, _reference(Defendant, index=True)),
        ("answer", Varchar, _params(default="", length=16)),
        ("via", Varchar, _params(default="", length=8)),
        ("at", Timestamptz, _params(default=TimestamptzNow())),
    )
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
    return manager
