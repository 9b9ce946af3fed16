"""Officers' notes on a person: a timeline that is written to, never rewritten."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.cases import BailCase
from reporting_api.tables.people import Defendant, StaffUser


class CaseNote(Table, tablename="case_note"):
    """What an officer wrote about a person (optionally about one case). Never edited: a
    wrong note is struck through with a reason, and stays as history."""

    id: Serial
    defendant = ForeignKey[Defendant](
        references=Defendant, on_delete=OnDelete.cascade, index=True
    )
    case = ForeignKey[BailCase](
        references=BailCase, on_delete=OnDelete.set_null, null=True, default=None
    )
    author = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    text = Text()
    created_at = Timestamptz()
    struck_at = Timestamptz(null=True, default=None)
    struck_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    struck_reason = Text(null=True, default=None)
