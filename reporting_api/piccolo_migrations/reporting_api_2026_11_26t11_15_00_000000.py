"""The risk report's snapshot tables (docs/reports.md): their indexes, and unlogged.

- risk_snapshot in ranking order, for all offices and for one: a page of the ranking is read
  in order from the index, not sorted out of 100,000 rows.
- risk_snapshot_day by due day: a year of compliance is a range of the index.
- Both UNLOGGED on PostgreSQL: derived data, rebuilt whole every few minutes; writing them to
  the WAL made each rebuild about a second slower. After a crash PostgreSQL empties them, and
  the report rebuilds them on its next view.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-26T11:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Risk snapshot indexes, unlogged"

BOTH = [
    "CREATE INDEX IF NOT EXISTS risk_snapshot_ranking"
    " ON risk_snapshot (score DESC, bail_amount DESC, case_id)",
    "CREATE INDEX IF NOT EXISTS risk_snapshot_office_ranking"
    " ON risk_snapshot (office_id, score DESC, bail_amount DESC, case_id)",
    "CREATE INDEX IF NOT EXISTS risk_snapshot_day_due_date"
    " ON risk_snapshot_day (due_date, office_id)",
]
POSTGRES_ONLY = [
    "ALTER TABLE risk_snapshot SET UNLOGGED",
    "ALTER TABLE risk_snapshot_day SET UNLOGGED",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        extra = POSTGRES_ONLY if isinstance(engine, PostgresEngine) else []
        for statement in extra + BOTH:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
