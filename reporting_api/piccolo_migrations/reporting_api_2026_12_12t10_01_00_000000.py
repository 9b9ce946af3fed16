"""People enrolled before `defendant.sex` existed: their sex as their ID card's title says
(นาย, เด็กชาย male; นาง, นางสาว, เด็กหญิง female; any other title stays not_stated), the
rule `reporting_api.demographics.sex_from_title` applies at enrolment."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-12T10:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A person's sex from their title, for those enrolled before"

# The titles as they were when this migration was written (a migration never changes).
MALE = ("นาย", "ด.ช.", "เด็กชาย", "mr", "mr.", "master")
FEMALE = ("นาง", "นางสาว", "น.ส.", "ด.ญ.", "เด็กหญิง", "mrs", "mrs.", "ms", "ms.", "miss")


def _quoted(titles: tuple[str, ...]) -> str:
    return ", ".join("'" + t.replace("'", "''") + "'" for t in titles)


def backfill_sql() -> str:
    """One statement, the same on SQLite and PostgreSQL."""
    title = "lower(trim(title_th))"
    return (
        f"UPDATE defendant SET sex = CASE WHEN {title} IN ({_quoted(MALE)}) THEN 'male'"
        f" WHEN {title} IN ({_quoted(FEMALE)}) THEN 'female' ELSE 'not_stated' END"
        " WHERE sex = 'not_stated'"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)

    async def backfill():
        await engine_finder().run_ddl(backfill_sql())

    manager.add_raw(backfill)
    return manager
