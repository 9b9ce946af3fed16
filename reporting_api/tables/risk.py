"""The risk report's snapshot: derived data, rebuilt whole."""

from __future__ import annotations

from piccolo.columns import (
    Date,
    Integer,
    Numeric,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class RiskSnapshot(Table, tablename="risk_snapshot"):
    """Each active case's absconding-risk facts and score as of ``computed_at``, so the
    managers' report reads ranked rows instead of scoring 100,000 cases on every request.

    Derived data, rebuilt whole (reporting_api.store.risk_snapshot.refresh_risk_snapshot) by the
    scheduler every `RISK_REFRESH_MINUTES`, by the nightly housekeeping, and by the report when
    it finds the snapshot missing or older than that. Every row of one rebuild has the same
    ``computed_at``. Plain ids, no foreign keys and no unique index: the rows are replaced
    together, one per case by construction, and each index costs the rebuild time. The fact
    columns are those of reporting_api.risk.CaseFacts, so the report explains each score from
    them. Its indexes (ranking order) are in a raw migration.
    """

    id: Serial
    case_id = Integer()
    defendant_id = Integer()
    office_id = Integer()
    officer_id = Integer(null=True, default=None)
    court = Varchar(length=200)
    bail_amount = Numeric(digits=(14, 2))
    release_date = Date()
    next_court_date = Date(null=True, default=None)
    missed = Integer(default=0)
    last_missed_due = Date(null=True, default=None)
    late = Integer(default=0)
    last_late_due = Date(null=True, default=None)
    failed = Integer(default=0)
    suspicious = Integer(default=0)
    lockouts = Integer(default=0)
    unreachable = Integer(default=0)
    last_verified_on = Date(null=True, default=None)
    score = Integer(default=0)
    computed_at = Timestamptz()
    weights_version = Integer(default=1)
    """The version of the points the scores were computed with (1: the hand-set points)."""


class RiskSnapshotDay(Table, tablename="risk_snapshot_day"):
    """Check-in outcomes by office and due day as of ``computed_at`` (due by then): the risk
    report's compliance per month adds up a year of these few rows instead of reading half a
    million check-ins. Rebuilt in the same transaction as RiskSnapshot, with the same time."""

    id: Serial
    office_id = Integer()
    due_date = Date()
    on_time = Integer(default=0)
    late = Integer(default=0)
    missed = Integer(default=0)
    excused = Integer(default=0)
    computed_at = Timestamptz()


class RiskWeightsVersion(Table, tablename="risk_weights_version"):
    """A version of the risk score's points a manager adopted (issue 18): the fitted
    scorecard's points per unit and bands (reporting_api.risk.Weights, as JSON), the fit's
    figures, who adopted it, when and why; and, once rolled back, who, when and why. The
    hand-set points are version 1 and have no row. The active version is the newest one not
    rolled back (none: version 1); nothing else changes the points. Plain staff ids and
    usernames (like the audit log): the record outlives a renamed or removed account."""

    id: Serial
    version = Integer(unique=True)
    weights = Text()
    figures = Text()
    note = Text()
    adopted_by_id = Integer()
    adopted_by = Varchar(length=64)
    adopted_at = Timestamptz()
    rolled_back_at = Timestamptz(null=True, default=None)
    rolled_back_by = Varchar(length=64, null=True, default=None)
    rollback_note = Text(null=True, default=None)
