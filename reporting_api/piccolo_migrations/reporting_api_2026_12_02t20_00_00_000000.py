"""Holidays the cabinet declares (`declared_holiday`); its partial unique index comes in the
next migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Declared holidays"


class StaffUser(Table, tablename="staff_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


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


def _staff():
    return _params(
        references=StaffUser,
        on_delete=OnDelete.set_null,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=True,
        default=None,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_table(
        class_name="DeclaredHoliday", tablename="declared_holiday", schema=None, columns=None
    )
    for name, column_class, params in (
        ("day", Date, _params()),
        ("name_th", Varchar, _params(length=200, default="")),
        ("name_en", Varchar, _params(length=200, default="")),
        ("declared_by", ForeignKey, _staff()),
        ("declared_at", Timestamptz, _params(default=TimestamptzNow())),
        ("removed_by", ForeignKey, _staff()),
        ("removed_at", Timestamptz, _params(null=True, default=None)),
    ):
        manager.add_column(
            table_class_name="DeclaredHoliday",
            tablename="declared_holiday",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
