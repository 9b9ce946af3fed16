"""A hearing's reminders are unique by (hearing, kind) (NULLs never collide), and each case's
`next_court_date` becomes its first hearing record: 09:00 Bangkok at the case's court."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-02T20:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Hearing reminders unique; next court dates as hearings"

BANGKOK = ZoneInfo("Asia/Bangkok")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS reminder_hearing_kind ON reminder (hearing, kind)"
        )
        cases = await engine.run_querystring(
            QueryString(
                "SELECT id, office, court, next_court_date FROM bail_case"
                " WHERE next_court_date IS NOT NULL"
                " AND id NOT IN (SELECT \"case\" FROM court_hearing)"
            )
        )
        now = datetime.now(UTC)
        for row in cases:
            day = row["next_court_date"]
            if not isinstance(day, date):
                day = date.fromisoformat(str(day)[:10])
            starts = datetime.combine(day, time(9, 0), tzinfo=BANGKOK).astimezone(UTC)
            await engine.run_querystring(
                QueryString(
                    'INSERT INTO court_hearing ("case", office, starts_at, court, purpose,'
                    " created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {})",
                    row["id"],
                    row["office"],
                    starts,
                    row["court"],
                    "",
                    now,
                    now,
                )
            )

    manager.add_raw(run)
    return manager
