"""When the person was told a recording's verdict (`verification_attempt.result_told_at`,
issue 15): by their page, or, when they did not see it there, by SMS."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "When a recording's verdict was told to the person"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_column(
        table_class_name="VerificationAttempt",
        tablename="verification_attempt",
        column_name="result_told_at",
        db_column_name="result_told_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
