"""Court hearings (`court_hearing`), the hearing a reminder is about (`reminder.hearing`) and
an office's days before a hearing (`office_reminder_settings.hearing_offsets_days`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    JSON,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Court hearings and their reminders"


def _id_only(name: str):
    return type(
        name,
        (Table,),
        {
            "id": Serial(
                null=False,
                primary_key=True,
                unique=False,
                index=False,
                index_method=IndexMethod.btree,
                choices=None,
                db_column_name="id",
                secret=False,
            )
        },
        tablename={
            "StaffUser": "staff_user",
            "Office": "office",
            "BailCase": "bail_case",
            "CourtHearing": "court_hearing",
        }[name],
        schema=None,
    )


StaffUser = _id_only("StaffUser")
Office = _id_only("Office")
BailCase = _id_only("BailCase")
CourtHearing = _id_only("CourtHearing")


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


def _fk(references, on_delete, *, null: bool, index: bool = False):
    return _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        default=None,
        index=index,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_table(
        class_name="CourtHearing", tablename="court_hearing", schema=None, columns=None
    )
    for name, column_class, params in (
        ("case", ForeignKey, _fk(BailCase, OnDelete.cascade, null=False, index=True)),
        ("office", ForeignKey, _fk(Office, OnDelete.restrict, null=False, index=True)),
        ("starts_at", Timestamptz, _params(default=TimestamptzNow())),
        ("court", Varchar, _params(length=200, default="")),
        ("room", Varchar, _params(length=64, null=True, default=None)),
        ("purpose", Text, _params(default="")),
        ("result", Varchar, _params(length=16, null=True, default=None)),
        ("result_note", Text, _params(null=True, default=None)),
        ("postponed_to", Integer, _params(null=True, default=None)),
        ("recorded_by", ForeignKey, _fk(StaffUser, OnDelete.set_null, null=True)),
        ("recorded_at", Timestamptz, _params(null=True, default=None)),
        ("created_by", ForeignKey, _fk(StaffUser, OnDelete.set_null, null=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
        ("cancelled_at", Timestamptz, _params(null=True, default=None)),
    ):
        manager.add_column(
            table_class_name="CourtHearing",
            tablename="court_hearing",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    manager.add_column(
        table_class_name="Reminder",
        tablename="reminder",
        column_name="hearing",
        db_column_name="hearing",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params=_fk(CourtHearing, OnDelete.set_null, null=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="OfficeReminderSettings",
        tablename="office_reminder_settings",
        column_name="hearing_offsets_days",
        db_column_name="hearing_offsets_days",
        column_class_name="JSON",
        column_class=JSON,
        params=_params(null=True, default=None),
        schema=None,
    )
    return manager
