"""Bail cases, their reporting plans and check-ins, flags for officers, and the audit log."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.people import Defendant, Office, StaffUser


class BailCase(Table, tablename="bail_case"):
    """One bail release the fund paid for, and the duty to report that comes with it."""

    id: Serial
    defendant = ForeignKey[Defendant](references=Defendant, on_delete=OnDelete.restrict, index=True)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict, index=True)
    officer = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    court = Varchar(length=200)
    black_case_number = Varchar(length=64)
    red_case_number = Varchar(length=64, null=True, default=None)
    charge = Text()
    bail_amount = Numeric(digits=(14, 2))
    fund_request_ref = Varchar(length=64, null=True, default=None)
    release_date = Date()
    conditions = Text(default="")
    next_court_date = Date(null=True, default=None)
    status = Varchar(length=16, default="active", index=True)
    closing_outcome = Text(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReportingPlan(Table, tablename="reporting_plan"):
    """How often a case reports: every N days or on listed dates, with its window."""

    id: Serial
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, unique=True)
    kind = Varchar(length=16)
    every_days = Integer(null=True, default=None)
    dates = JSON(default=[])
    start_date = Date()
    end_date = Date()
    window_opens_days_before = Integer(default=0)
    grace_days = Integer(default=0)
    # An officer's single check-in changes (moved, cancelled, added): planning.Adjustments.
    adjustments = JSON(null=True, default=None)
    updated_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    updated_at = Timestamptz()


class CheckIn(Table, tablename="check_in"):
    """One dated duty to report, with its window and how it was met."""

    id: Serial
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, index=True)
    # Copied from the case so the office's daily lists need no join.
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    due_date = Date()
    nominal_date = Date(null=True, default=None)
    moved_reason = Varchar(length=200, null=True, default=None)
    opens_at = Timestamptz()
    due_at = Timestamptz()
    closes_at = Timestamptz()
    status = Varchar(length=16, default="upcoming")
    method = Varchar(length=16, null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    recorded_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    note = Text(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # The unguessable part of the SMS link PUBLIC_BASE_URL/c/<code> (72 random bits). Unique
    # through an index in a raw migration: SQLite cannot add a UNIQUE column to a table.
    code = Varchar(length=24, null=True, default=None)
    # Wrong date of birth / ID digits on the link page; at the limit the link locks.
    identify_failures = Integer(default=0)
    link_locked_at = Timestamptz(null=True, default=None)


class Flag(Table, tablename="flag"):
    """Something an officer must look at: a missed check-in, a failed verification, ..."""

    id: Serial
    kind = Varchar(length=32)
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, index=True)
    check_in = ForeignKey[CheckIn](
        references=CheckIn, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    severity = Varchar(length=8, default="medium")
    detail = Text(default="")
    # "kind:check-in id" (or similar): a repeated sweep finds the row instead of adding one.
    dedupe_key = Varchar(length=128, null=True, default=None, unique=True)
    raised_at = Timestamptz()
    acknowledged_at = Timestamptz(null=True, default=None)
    acknowledged_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    acknowledge_note = Text(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    resolution_note = Text(null=True, default=None)
    # Set once by the sweep when nobody acknowledged the flag in time.
    escalated_at = Timestamptz(null=True, default=None)
    escalated_to = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )


class AuditLog(Table, tablename="audit_log"):
    """Who did or saw what, when, and from where."""

    id: Serial
    actor = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    actor_username = Varchar(length=64, null=True, default=None)
    action = Varchar(length=64)
    entity = Varchar(length=32)
    entity_id = Varchar(length=64, null=True, default=None)
    at = Timestamptz(index=True)
    client_address = Varchar(length=64, null=True, default=None)
    detail = JSON(default={})
