"""A staff alert is unique by (flag, kind, channel): one SMS and one e-mail at most for a
flag and kind (the index on (flag, kind) allowed only one of them). Its own migration because
a migration's raw statements run before its added columns."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T11:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Staff alerts unique by flag, kind and channel"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS reminder_flag_kind_channel"
    " ON reminder (flag, kind, channel)",
    "DROP INDEX IF EXISTS reminder_flag_kind",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)

    async def replace_index():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(replace_index)
    return manager
