"""The check-in link's rate counters (`link_limit`): per link code and per client address, an
hour at a time, each key a SHA-256 (docs/checkin.md, "Limits")."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T14:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Check-in link rate counters"


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
    manager.add_table(class_name="LinkLimit", tablename="link_limit", schema=None, columns=None)
    for name, column_class, params in (
        ("key", Varchar, _params(length=64, default="", unique=True)),
        ("window_start", Timestamptz, _params(default=TimestamptzNow())),
        ("hits", Integer, _params(default=0)),
    ):
        manager.add_column(
            table_class_name="LinkLimit",
            tablename="link_limit",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
