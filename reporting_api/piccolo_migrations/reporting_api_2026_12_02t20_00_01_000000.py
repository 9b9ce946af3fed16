"""At most one declared holiday not removed per date: a partial unique index, the same SQL on
SQLite and PostgreSQL (a removed day stays as history and can be declared again)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T20:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Declared holidays: one per day"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS declared_holiday_day ON declared_holiday (day)"
            " WHERE removed_at IS NULL"
        )

    manager.add_raw(create_index)
    return manager
