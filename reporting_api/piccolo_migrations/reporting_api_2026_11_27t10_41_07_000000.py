"""Personal data at rest (docs/privacy.md): the ID-card photo sealed, a legal hold, erasure.

- defendant.id_photo_sealed: the photo sealed like the face template. Photos stored before
  this column are sealed at their first read or by the nightly housekeeping (the key is not
  the migration's to hold), each moving out of the clear `id_photo`.
- defendant.legal_hold_reason / legal_hold_at / legal_hold_by: while a hold is set, neither
  the retention purge nor an officer's erasure touches the person.
- defendant.anonymised_at: when the person's identity was removed.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T10:41:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "Sealed ID photo, legal hold and anonymisation on defendant"


def _params(**extra):
    return {
        "default": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


COLUMNS = [
    ("id_photo_sealed", "Bytea", Bytea, _params()),
    ("legal_hold_reason", "Text", Text, _params()),
    ("legal_hold_at", "Timestamptz", Timestamptz, _params()),
    ("legal_hold_by", "Varchar", Varchar, _params(length=64)),
    ("anonymised_at", "Timestamptz", Timestamptz, _params()),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    for name, class_name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="Defendant",
            tablename="defendant",
            column_name=name,
            db_column_name=name,
            column_class_name=class_name,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
