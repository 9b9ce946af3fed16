"""The actions a challenge left out, each with its reason (`liveness_challenge.left_out`,
issue 16): the camera picture before the recording showed a face whose blink cannot be
measured reliably (glasses)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-08T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Actions a liveness challenge left out, and why"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_column(
        table_class_name="LivenessChallenge",
        tablename="liveness_challenge",
        column_name="left_out",
        db_column_name="left_out",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "{}",
            "null": False,
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
