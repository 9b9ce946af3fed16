"""Attachments to a person's requests, stored sealed in chunks (issue 14)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    BigInt,
    Bytea,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-06T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Attachments to requests and their sealed chunks"


def _id_only(name: str, tablename: str):
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
    return type(name, (Table,), {"id": column}, tablename=tablename, schema=None)


Defendant = _id_only("Defendant", "defendant")
CheckIn = _id_only("CheckIn", "check_in")
PersonRequest = _id_only("PersonRequest", "person_request")
RequestAttachment = _id_only("RequestAttachment", "request_attachment")


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


def _reference(table, null=False):
    return _params(
        references=table,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        default=None,
        null=null,
        index=True,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    tables = {
        ("RequestAttachment", "request_attachment"): (
            ("token", Varchar, _params(default="", length=32, unique=True)),
            ("check_in", ForeignKey, _reference(CheckIn)),
            ("defendant", ForeignKey, _reference(Defendant)),
            ("request", ForeignKey, _reference(PersonRequest, null=True)),
            ("name", Varchar, _params(default="", length=120)),
            ("size", BigInt, _params(default=0)),
            ("received", BigInt, _params(default=0)),
            ("status", Varchar, _params(default="receiving", length=12, index=True)),
            ("kind", Varchar, _params(null=True, default=None, length=8)),
            ("stored_size", BigInt, _params(null=True, default=None)),
            ("sha256", Varchar, _params(null=True, default=None, length=64)),
            ("refusal", Varchar, _params(null=True, default=None, length=24)),
            ("refusal_text", Varchar, _params(null=True, default=None, length=400)),
            ("created_at", Timestamptz, _params(default=TimestamptzNow())),
            ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
        ),
        ("AttachmentChunk", "attachment_chunk"): (
            ("attachment", ForeignKey, _reference(RequestAttachment)),
            ("offset", BigInt, _params(default=0)),
            ("length", Integer, _params(default=0)),
            ("data", Bytea, _params(default=b"")),
        ),
    }
    for (class_name, tablename), columns in tables.items():
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
    return manager
