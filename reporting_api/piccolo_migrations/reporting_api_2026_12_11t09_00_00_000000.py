"""Messages tried on LINE, by the time they were sent (issue 17): the managers' report asks
whether any message of its date range went on LINE (while LINE is off it shows the channels
only then) and reads the texts of those that did, without reading every message of the
range. Partial: only rows LINE answered (`line_outcome` set) are in it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-11T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index of the messages tried on LINE by sent_at"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS reminder_line_tried_sent_at"
    " ON reminder (sent_at) WHERE line_outcome IS NOT NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)

    async def add_index():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(add_index)
    return manager
