"""An index for the office's overdue list: check-ins whose due time has passed and whose window
is still open (`store.checkins.overdue`). The range on due_at bounds the scan; closes_at is
checked inside the index, so only rows actually in their grace days are read from the table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-26T06:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index for overdue check-ins"

BOTH = [
    "CREATE INDEX IF NOT EXISTS check_in_office_due_at_closes_at"
    " ON check_in (office, due_at, closes_at)",
]


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="reporting_api", description=DESCRIPTION
    )

    async def create_indexes():
        engine = engine_finder()
        for statement in BOTH:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
