"""A person's linked LINE account and the nonces of the account-link flow (`line_account`,
`line_link`, issue 17)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-09T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Linked LINE accounts and account-link nonces"


class Defendant(Table, tablename="defendant", schema=None):
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


def _person(**overrides):
    return _params(
        references=Defendant,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        default=None,
        **overrides,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    tables = {
        ("LineAccount", "line_account"): (
            ("defendant", ForeignKey, _person(unique=True)),
            ("user_id", Varchar, _params(default="", length=40, unique=True)),
            ("linked_at", Timestamptz, _params(default=TimestamptzNow())),
        ),
        ("LineLink", "line_link"): (
            ("nonce", Varchar, _params(default="", length=64, unique=True)),
            ("defendant", ForeignKey, _person(index=True)),
            ("created_at", Timestamptz, _params(default=TimestamptzNow())),
            ("expires_at", Timestamptz, _params(default=TimestamptzNow())),
            ("used_at", Timestamptz, _params(null=True, default=None)),
        ),
    }
    for (class_name, tablename), columns in tables.items():
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
