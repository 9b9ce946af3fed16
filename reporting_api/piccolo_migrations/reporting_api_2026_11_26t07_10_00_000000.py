"""Indexes Piccolo cannot declare for the reminder outbox and the sweep.

- Uniqueness on two columns: a defendant's reminder by (check_in, kind), a staff alert by
  (flag, kind), so planning and the sweep are idempotent (NULLs never collide).
- check_in.code unique: SQLite cannot add a UNIQUE column to an existing table.
- Partial indexes: the dispatcher claims `status IN ('queued', 'sending') AND next_attempt_at
  <= now` in next_attempt_at order; the sweep moves check-ins whose window opened, whose due
  time passed or whose window closed; escalation reads flags nobody acknowledged. Each reads
  only the handful of rows that crossed a boundary, however many check-ins are stored.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-26T07:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Reminder uniqueness, claim and sweep indexes"

BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS reminder_check_in_kind ON reminder (check_in, kind)",
    "CREATE UNIQUE INDEX IF NOT EXISTS reminder_flag_kind ON reminder (flag, kind)",
    "CREATE UNIQUE INDEX IF NOT EXISTS check_in_code ON check_in (code)",
    "CREATE INDEX IF NOT EXISTS reminder_claimable ON reminder (next_attempt_at)"
    " WHERE status IN ('queued', 'sending')",
    "CREATE INDEX IF NOT EXISTS reminder_to_phone ON reminder (to_phone)",
    "CREATE INDEX IF NOT EXISTS check_in_upcoming_opens_at ON check_in (opens_at)"
    " WHERE status = 'upcoming'",
    "CREATE INDEX IF NOT EXISTS check_in_open_due_at ON check_in (due_at)"
    " WHERE status = 'open'",
    "CREATE INDEX IF NOT EXISTS check_in_open_or_late_closes_at ON check_in (closes_at)"
    " WHERE status IN ('open', 'late')",
    "CREATE INDEX IF NOT EXISTS flag_unacknowledged_raised_at ON flag (raised_at)"
    " WHERE acknowledged_at IS NULL AND resolved_at IS NULL AND escalated_at IS NULL",
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
