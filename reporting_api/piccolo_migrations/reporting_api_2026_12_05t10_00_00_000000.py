"""A person's trusted contact and their consent (`trusted_contact`, issue 14)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-05T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A person's trusted contact and consent"


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


Defendant = _id_only("Defendant", "defendant")


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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_table(
        class_name="TrustedContact", tablename="trusted_contact", schema=None, columns=None
    )
    defendant = _params(
        references=Defendant,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        default=None,
        unique=True,
        index=True,
    )
    for name, column_class, params in (
        ("defendant", ForeignKey, defendant),
        ("name", Varchar, _params(default="", length=100)),
        ("relationship", Varchar, _params(default="", length=16)),
        ("phone", Varchar, _params(default="", length=16)),
        ("consent_version", Varchar, _params(default="", length=16)),
        ("consented_at", Timestamptz, _params(default=TimestamptzNow())),
        ("withdrawn_at", Timestamptz, _params(null=True, default=None)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(
            table_class_name="TrustedContact",
            tablename="trusted_contact",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
