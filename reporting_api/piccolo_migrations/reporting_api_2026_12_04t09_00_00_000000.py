"""A person's requests to their officer (`person_request`, `request_transition`) and an
office's limits for them (issue 14)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Bytea,
    Date,
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

ID = "2026-12-04T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A person's requests to their officer, with their status history"

_TABLES = {
    "StaffUser": "staff_user",
    "Office": "office",
    "BailCase": "bail_case",
    "Defendant": "defendant",
    "CheckIn": "check_in",
    "PersonRequest": "person_request",
}


def _id_only(name: str):
    column = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )
    return type(name, (Table,), {"id": column}, tablename=_TABLES[name], schema=None)


StaffUser = _id_only("StaffUser")
Office = _id_only("Office")
BailCase = _id_only("BailCase")
Defendant = _id_only("Defendant")
CheckIn = _id_only("CheckIn")
PersonRequest = _id_only("PersonRequest")


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


def _columns(manager, class_name: str, tablename: str, columns) -> None:
    manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
    for name, column_class, params in columns:
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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    _columns(
        manager,
        "PersonRequest",
        "person_request",
        (
            ("defendant", ForeignKey, _fk(Defendant, OnDelete.cascade, null=False, index=True)),
            ("case", ForeignKey, _fk(BailCase, OnDelete.cascade, null=False, index=True)),
            ("check_in", ForeignKey, _fk(CheckIn, OnDelete.set_null, null=True, index=True)),
            ("office", ForeignKey, _fk(Office, OnDelete.cascade, null=False, index=True)),
            ("kind", Varchar, _params(length=24, default="")),
            ("reason", Varchar, _params(length=24, null=True, default=None)),
            ("help_kind", Varchar, _params(length=24, null=True, default=None)),
            ("proposed_date", Date, _params(null=True, default=None)),
            ("away_from", Date, _params(null=True, default=None)),
            ("away_to", Date, _params(null=True, default=None)),
            ("province", Varchar, _params(length=60, null=True, default=None)),
            ("new_phone_sealed", Bytea, _params(null=True, default=None)),
            ("text_sealed", Bytea, _params(null=True, default=None)),
            ("status", Varchar, _params(length=24, default="submitted", index=True)),
            ("created_at", Timestamptz, _params(default=TimestamptzNow())),
            ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
            ("due_at", Timestamptz, _params(null=True, default=None)),
            ("escalated_at", Timestamptz, _params(null=True, default=None)),
            ("decided_at", Timestamptz, _params(null=True, default=None)),
            ("decided_by", ForeignKey, _fk(StaffUser, OnDelete.set_null, null=True)),
            ("new_date", Date, _params(null=True, default=None)),
            ("outcome_note", Text, _params(null=True, default=None)),
        ),
    )
    _columns(
        manager,
        "RequestTransition",
        "request_transition",
        (
            ("request", ForeignKey, _fk(PersonRequest, OnDelete.cascade, null=False, index=True)),
            ("from_status", Varchar, _params(length=24, null=True, default=None)),
            ("to_status", Varchar, _params(length=24, default="")),
            ("at", Timestamptz, _params(default=TimestamptzNow())),
            ("actor", ForeignKey, _fk(StaffUser, OnDelete.set_null, null=True)),
            ("actor_kind", Varchar, _params(length=12, default="")),
            ("note", Text, _params(null=True, default=None)),
        ),
    )
    for name in ("request_deadline_hours", "reschedule_max_days"):
        manager.add_column(
            table_class_name="OfficeReminderSettings",
            tablename="office_reminder_settings",
            column_name=name,
            db_column_name=name,
            column_class_name="Integer",
            column_class=Integer,
            params=_params(null=True, default=None),
            schema=None,
        )
    return manager
