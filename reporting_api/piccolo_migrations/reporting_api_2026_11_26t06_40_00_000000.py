"""Indexes Piccolo cannot declare: composite ones for the office's daily lists, and prefix
indexes for defendant search (PostgreSQL `varchar_pattern_ops`, so `LIKE 'x%'` uses them)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-26T06:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite and search indexes"

BOTH = [
    "CREATE INDEX IF NOT EXISTS check_in_office_due_date ON check_in (office, due_date)",
    "CREATE INDEX IF NOT EXISTS check_in_office_closes_at ON check_in (office, closes_at)",
    'CREATE INDEX IF NOT EXISTS check_in_case_due_date ON check_in ("case", due_date)',
    "CREATE INDEX IF NOT EXISTS bail_case_office_status ON bail_case (office, status)",
    "CREATE INDEX IF NOT EXISTS flag_office_raised_at ON flag (office, raised_at)",
]
POSTGRES_ONLY = [
    "CREATE INDEX IF NOT EXISTS defendant_first_name_th_prefix"
    " ON defendant (first_name_th varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS defendant_last_name_th_prefix"
    " ON defendant (last_name_th varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS defendant_first_name_en_prefix"
    " ON defendant (lower(first_name_en) varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS defendant_last_name_en_prefix"
    " ON defendant (lower(last_name_en) varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS defendant_national_id_prefix"
    " ON defendant (national_id varchar_pattern_ops)",
]
SQLITE_ONLY = [
    "CREATE INDEX IF NOT EXISTS defendant_first_name_th ON defendant (first_name_th)",
    "CREATE INDEX IF NOT EXISTS defendant_last_name_th ON defendant (last_name_th)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        extra = POSTGRES_ONLY if isinstance(engine, PostgresEngine) else SQLITE_ONLY
        for statement in BOTH + extra:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
