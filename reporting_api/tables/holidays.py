"""Public holidays the cabinet declares at short notice, on top of the `holidays` package."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.people import StaffUser


class DeclaredHoliday(Table, tablename="declared_holiday"):
    """One day declared a holiday; a removed one stays as history (removed_at set). At most one
    day not removed per date: a partial unique index in a raw migration."""

    id: Serial
    day = Date()
    name_th = Varchar(length=200)
    name_en = Varchar(length=200)
    declared_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    declared_at = Timestamptz()
    removed_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    removed_at = Timestamptz(null=True, default=None)
