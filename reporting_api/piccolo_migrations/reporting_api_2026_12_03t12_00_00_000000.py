"""An office's deadline for a recording waiting for review, in working hours
(`office_reminder_settings.review_deadline_hours`; None: the default, docs/deadlines.md)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "An office's review deadline in working hours"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_column(
        table_class_name="OfficeReminderSettings",
        tablename="office_reminder_settings",
        column_name="review_deadline_hours",
        db_column_name="review_deadline_hours",
        column_class_name="Integer",
        column_class=Integer,
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
