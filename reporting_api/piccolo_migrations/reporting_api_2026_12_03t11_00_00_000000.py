"""Flag alerts by e-mail: a staff member's address, channel and digest choice
(`staff_user.email`, `alert_channel`, `alert_digest`); an outbox row's channel, digest mark
and e-mail address (`reminder.channel`, `digest`, `to_email`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Staff alerts by e-mail: address, channel, digest; the outbox row's channel"


def _params(**overrides):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **overrides,
    }


COLUMNS = (
    ("StaffUser", "staff_user", "email", Varchar, _params(length=254, null=True, default=None)),
    ("StaffUser", "staff_user", "alert_channel", Varchar, _params(length=8, default="sms")),
    ("StaffUser", "staff_user", "alert_digest", Boolean, _params(default=False)),
    ("Reminder", "reminder", "channel", Varchar, _params(length=8, default="sms")),
    ("Reminder", "reminder", "digest", Boolean, _params(default=False)),
    ("Reminder", "reminder", "to_email", Varchar, _params(length=254, null=True, default=None)),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    for class_name, tablename, name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
