"""Where a person's face reference came from (`id_card` or `office_camera`), why the card
photo was not used, and the card photo kept sealed for comparison by a person (issue 13)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A face reference taken at the office, the card photo kept sealed"


def _params(**extra):
    return {
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    } | extra


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    columns = (
        ("reference_source", Varchar, _params(default="id_card", null=False, length=16)),
        ("reference_reason", Text, _params(default=None)),
        ("card_photo_sealed", Bytea, _params(default=None)),
        ("card_photo_mime", Varchar, _params(default=None, length=32)),
    )
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="Defendant",
            tablename="defendant",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
