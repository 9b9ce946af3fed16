"""A person's requests to their officer, and every change of their status."""

from __future__ import annotations

from piccolo.columns import Bytea, Date, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.cases import BailCase, CheckIn
from reporting_api.tables.people import Defendant, Office, StaffUser


class PersonRequest(Table, tablename="person_request"):
    """What a person asked (`request_rules`), where it stands and when it is due.

    The free text and a new phone number are sealed (AES-GCM, like the ID photos): they are
    the person's own words. `check_in` is the check-in whose link the person used."""

    id: Serial
    defendant = ForeignKey[Defendant](references=Defendant, on_delete=OnDelete.cascade, index=True)
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, index=True)
    check_in = ForeignKey[CheckIn](
        references=CheckIn, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=24)
    reason = Varchar(length=24, null=True, default=None)
    help_kind = Varchar(length=24, null=True, default=None)
    proposed_date = Date(null=True, default=None)
    away_from = Date(null=True, default=None)
    away_to = Date(null=True, default=None)
    province = Varchar(length=60, null=True, default=None)
    new_phone_sealed = Bytea(null=True, default=None)
    text_sealed = Bytea(null=True, default=None)
    status = Varchar(length=24, default="submitted", index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    due_at = Timestamptz(null=True, default=None)
    """The officer's deadline, in working hours from `created_at`."""
    escalated_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    """When it stopped being open (approved or rejected): the backtest's "as of"."""
    decided_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    new_date = Date(null=True, default=None)
    """The reporting date an officer approved instead of the check-in's."""
    outcome_note = Text(null=True, default=None)
    """What the officer decided and why, or the help given (shown to the person)."""


class RequestTransition(Table, tablename="request_transition"):
    """One change of a request's status: from, to, who (a staff member, the person, the
    system) and when. Written to, never rewritten."""

    id: Serial
    request = ForeignKey[PersonRequest](
        references=PersonRequest, on_delete=OnDelete.cascade, index=True
    )
    from_status = Varchar(length=24, null=True, default=None)
    to_status = Varchar(length=24)
    at = Timestamptz()
    actor = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    actor_kind = Varchar(length=12)  # person, staff, system
    note = Text(null=True, default=None)


class CheckInAnswer(Table, tablename="check_in_answer"):
    """The person's answer to a check-in's reminder that is not a request: "I'll come",
    pressed on LINE (issue 17). Shown on the person's timeline; a request ("can't come",
    "call me") is a `person_request` instead. Written to, never rewritten."""

    id: Serial
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    defendant = ForeignKey[Defendant](references=Defendant, on_delete=OnDelete.cascade, index=True)
    answer = Varchar(length=16)  # will_come
    via = Varchar(length=8)  # line
    at = Timestamptz()
