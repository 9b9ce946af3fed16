"""Indexes Piccolo cannot declare for remote check-in.

- verification_attempt (check_in, idempotency_key) unique: a retried upload finds its first
  attempt, and two uploads racing with one key cannot both insert.
- verification_attempt needs_review partial index: the officers' review queue reads only the
  attempts still waiting, however many are stored.
- verification_attempt processing partial index: recovery finds attempts whose process died.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-26T09:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Remote check-in indexes"

BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS verification_attempt_check_in_key"
    " ON verification_attempt (check_in, idempotency_key)",
    "CREATE INDEX IF NOT EXISTS verification_attempt_waiting ON verification_attempt"
    " (office, created_at) WHERE needs_review AND reviewed_at IS NULL",
    "CREATE INDEX IF NOT EXISTS verification_attempt_processing ON verification_attempt"
    " (lease_until) WHERE state = 'processing'",
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
