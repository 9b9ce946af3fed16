"""Who holds a recording being verified (`verification_attempt.lease_owner`, issue 15): the
heartbeat renews only its own hold, and a late finisher whose hold was taken cannot write."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The owner of a verification attempt's lease"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_column(
        table_class_name="VerificationAttempt",
        tablename="verification_attempt",
        column_name="lease_owner",
        db_column_name="lease_owner",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
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
