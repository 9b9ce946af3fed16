"""The check-in link: identified sessions, identification tries, challenges, recordings and their evidence."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.cases import BailCase, CheckIn
from reporting_api.tables.people import Office, StaffUser


class CheckInSession(Table, tablename="checkin_session"):
    """A person who confirmed who they are on a check-in link; only the cookie's SHA-256."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    client_address = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class IdentifyAttempt(Table, tablename="identify_attempt"):
    """One try at the link page's identity question, counted per code and per client."""

    id: Serial
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    client_address = Varchar(length=64, null=True, default=None, index=True)
    ok = Boolean()
    at = Timestamptz(index=True)


class LivenessChallenge(Table, tablename="liveness_challenge"):
    """A challenge the server issued for one recording: single use, with an expiry."""

    id: Serial
    token = Varchar(length=32, unique=True)
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    steps = JSON(default=[])
    left_out = JSON(default={})
    """Actions the challenge left out, each with its reason code (`{"blink": "glasses"}`):
    what the camera picture before the recording showed could not be measured reliably."""
    issued_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class VerificationAttempt(Table, tablename="verification_attempt"):
    """One uploaded recording, its verdict with every score, and an officer's review of it.

    Unique by (check_in, idempotency_key) through an index in a raw migration, so a retried
    upload finds its first attempt instead of making a second.
    """

    id: Serial
    check_in = ForeignKey[CheckIn](references=CheckIn, on_delete=OnDelete.cascade, index=True)
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    challenge = ForeignKey[LivenessChallenge](
        references=LivenessChallenge, on_delete=OnDelete.set_null, null=True, default=None
    )
    idempotency_key = Varchar(length=64)
    # processing -> done. While processing, the sealed upload waits in `media`; the process
    # verifying it (`lease_owner`) renews `lease_until` on a heartbeat; one that died stops
    # renewing, and another takes it over once `lease_until` passes. A process that stops
    # on SIGTERM hands it back at once (owner empty, lease ended).
    state = Varchar(length=16, default="processing")
    media_kind = Varchar(length=8)
    media = Bytea(null=True, default=None)
    media_bytes = Integer(default=0)
    lease_until = Timestamptz(null=True, default=None)
    lease_owner = Varchar(length=64, null=True, default=None)
    # Runs that ended without a verdict (worker killed past its time or memory limit, or
    # dead; a lease that lapsed): at VERIFY_MAX_TRIES the attempt goes to an officer.
    tries = Integer(default=0)
    decision = Varchar(length=16, null=True, default=None)
    outcome = Varchar(length=16, null=True, default=None)
    reasons = JSON(default=[])
    scores = JSON(default={})
    timings = JSON(default={})
    client = JSON(default={})
    client_address = Varchar(length=64, null=True, default=None)
    needs_review = Boolean(default=False)
    created_at = Timestamptz()
    completed_at = Timestamptz(null=True, default=None)
    result_told_at = Timestamptz(null=True, default=None)
    """When the person was told the verdict: their page showed it, or an SMS was queued
    because it did not (`notice_checkin_result`)."""
    reviewed_by = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    reviewed_at = Timestamptz(null=True, default=None)
    review_decision = Varchar(length=16, null=True, default=None)
    review_note = Text(null=True, default=None)


class EvidenceFrame(Table, tablename="evidence_frame"):
    """A frame kept from an attempt for the officer (sealed JPEG), purged after retention."""

    id: Serial
    attempt = ForeignKey[VerificationAttempt](
        references=VerificationAttempt, on_delete=OnDelete.cascade, index=True
    )
    position = Integer()
    t = DoublePrecision(default=0.0)
    image = Bytea()
    width = Integer()
    height = Integer()
    created_at = Timestamptz(index=True)


class LinkLimit(Table, tablename="link_limit"):
    """How often one key (a link code or a client address, stored only as a SHA-256) answered
    or pressed on check-in links in its current hour; one upsert counts and checks it."""

    id: Serial
    key = Varchar(length=64, unique=True)
    window_start = Timestamptz()
    hits = Integer(default=0)
