"""Versions of the risk score's points (issue 18): `risk_weights_version` (a manager's
adoption of fitted points, and its rollback), and `risk_snapshot.weights_version` (the
version a snapshot's scores were computed with; 1, the hand-set points, before)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-13T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Versions of the risk score's points"


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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reporting_api", description=DESCRIPTION)
    manager.add_column(
        table_class_name="RiskSnapshot",
        tablename="risk_snapshot",
        column_name="weights_version",
        db_column_name="weights_version",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(default=1),
        schema=None,
    )
    class_name, tablename = "RiskWeightsVersion", "risk_weights_version"
    columns = (
        ("version", Integer, _params(default=0, unique=True)),
        ("weights", Text, _params(default="")),
        ("figures", Text, _params(default="")),
        ("note", Text, _params(default="")),
        ("adopted_by_id", Integer, _params(default=0)),
        ("adopted_by", Varchar, _params(default="", length=64)),
        ("adopted_at", Timestamptz, _params(default=TimestamptzNow())),
        ("rolled_back_at", Timestamptz, _params(default=None, null=True)),
        ("rolled_back_by", Varchar, _params(default=None, null=True, length=64)),
        ("rollback_note", Text, _params(default=None, null=True)),
    )
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
