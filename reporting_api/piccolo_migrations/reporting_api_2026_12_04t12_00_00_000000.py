"""The import's rows by job in file order (issue 13, the write's speed).

The write takes a job's rows not written yet a batch at a time, each batch the rows after the
last one handed out (`store.imports.pending_rows`): on an index of (job, id) that is a range
read of the batch's own rows. On the index of the job alone every batch read all the job's
rows and sorted them, so a 50,000-row import read its rows 250 times over.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "An index of import_row by job and id"

STATEMENTS = ["CREATE INDEX IF NOT EXISTS import_row_job_id ON import_row (job, id)"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_index)
    return manager
