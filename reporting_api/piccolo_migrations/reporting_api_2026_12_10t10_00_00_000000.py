"""Messages on LINE through the outbox (issue 17): the LINE user a row was pushed to
(`reminder.line_user`, the same on every try of the row, so its retry key finds the first
push) and what LINE last answered (`reminder.line_outcome`: `sent`, `refused`, `quota`,
`unavailable`; a row LINE refused or could not take for the month goes by SMS)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-10T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The LINE user and LINE's answer on outbox rows"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    for name, length in (("line_user", 40), ("line_outcome", 16)):
        manager.add_column(
            table_class_name="Reminder",
            tablename="reminder",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params={
                "length": length,
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
