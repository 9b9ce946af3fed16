"""An officer's single check-in changes kept with the plan (`reporting_plan.adjustments`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T20:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Single check-in adjustments of a plan"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_column(
        table_class_name="ReportingPlan",
        tablename="reporting_plan",
        column_name="adjustments",
        db_column_name="adjustments",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
