"""Court hearings: a case has several, each with a court, a time and, afterwards, a result."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.cases import BailCase
from reporting_api.tables.people import Office, StaffUser


class CourtHearing(Table, tablename="court_hearing"):
    """One court appearance a case asks of the person. Not a check-in: it has no link; an
    officer records its result (`attended`, `absent`, `postponed` with the next hearing)."""

    id: Serial
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, index=True)
    # Copied from the case, like check_in.office, so the office's week needs no join.
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict, index=True)
    starts_at = Timestamptz()
    court = Varchar(length=200)
    room = Varchar(length=64, null=True, default=None)
    purpose = Text(default="")
    result = Varchar(length=16, null=True, default=None)
    result_note = Text(null=True, default=None)
    # The hearing a postponement set (an id of this table; kept plain: history, not a link).
    postponed_to = Integer(null=True, default=None)
    recorded_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    recorded_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    created_at = Timestamptz()
    updated_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)
