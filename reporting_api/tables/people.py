"""Offices, staff and their logins, and the people released on bail."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Office(Table, tablename="office"):
    """The central Justice Fund office or one provincial Justice office."""

    id: Serial
    code = Varchar(length=16, unique=True)
    name_th = Varchar(length=200)
    name_en = Varchar(length=200)
    province_th = Varchar(length=100, null=True, default=None)
    province_en = Varchar(length=100, null=True, default=None)
    region = Varchar(length=16, null=True, default=None)
    phone = Varchar(length=32, null=True, default=None)
    is_central = Boolean(default=False)


class StaffUser(Table, tablename="staff_user"):
    """An officer, manager or administrator who logs in."""

    id: Serial
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=200)
    role = Varchar(length=16)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    password_hash = Varchar(length=255)
    active = Boolean(default=True)
    created_at = Timestamptz()
    # Optional: where missed-check-in alerts and escalations go by SMS (E.164).
    phone = Varchar(length=16, null=True, default=None)
    # Two-factor sign-in (TOTP, RFC 6238): the secret, sealed (reporting_api.sealing); a new
    # secret waiting for its first code; when the secret was confirmed; the last time step a
    # code was accepted for (each code signs in once).
    totp_secret = Bytea(null=True, default=None)
    totp_pending = Bytea(null=True, default=None)
    totp_enabled_at = Timestamptz(null=True, default=None)
    totp_last_step = BigInt(null=True, default=None)
    # Flag alerts: an e-mail address (optional), the channel the member chose (`sms`, the
    # default as before e-mail existed, `email`, `both` or `none`) and whether e-mail alerts
    # come one by one or as one daily digest (reporting_api/alert_emails.py).
    email = Varchar(length=254, null=True, default=None)
    alert_channel = Varchar(length=8, default="sms")
    alert_digest = Boolean(default=False)


class AuthToken(Table, tablename="auth_token"):
    """A login session (browser cookie) or an API bearer token; only its SHA-256 is kept."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    staff = ForeignKey[StaffUser](references=StaffUser, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    # The idle timeout counts from here; where and with what the session signed in (the
    # owner's list of sessions shows them).
    last_seen_at = Timestamptz(null=True, default=None)
    client_address = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=200, null=True, default=None)


class RecoveryCode(Table, tablename="recovery_code"):
    """A one-time recovery code for two-factor sign-in; only a salted SHA-256 is kept."""

    id: Serial
    staff = ForeignKey[StaffUser](references=StaffUser, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=100)
    created_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class LoginThrottle(Table, tablename="login_throttle"):
    """Failed sign-ins counted per account and per client address (each a keyed hash, so
    no typed name or address is kept): growing delays, and an account's temporary lock."""

    id: Serial
    key = Varchar(length=80, unique=True)
    failures = Integer(default=0)
    last_failure_at = Timestamptz(null=True, default=None)
    next_attempt_at = Timestamptz(null=True, default=None)
    locked_until = Timestamptz(null=True, default=None)


class Defendant(Table, tablename="defendant"):
    """A person released on bail paid by the fund."""

    id: Serial
    national_id = Varchar(length=13, unique=True)
    title_th = Varchar(length=32, default="")
    # `male`, `female` or `not_stated` (`reporting_api.demographics`): the officer's choice,
    # else what the title says; kept to measure the face match's error rates by group.
    sex = Varchar(length=16, default="not_stated")
    first_name_th = Varchar(length=100)
    last_name_th = Varchar(length=100)
    first_name_en = Varchar(length=100, null=True, default=None)
    last_name_en = Varchar(length=100, null=True, default=None)
    date_of_birth = Date()
    phone = Varchar(length=16, index=True)
    preferred_language = Varchar(length=2, default="th")
    sms_opt_out = Boolean(default=False)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict, index=True)
    # Only ID photos stored before photos were sealed, each emptied as it is sealed (at its
    # first read, or by the nightly housekeeping): the photo lives in `id_photo_sealed`.
    id_photo = Bytea(null=True, default=None)
    # The ID-card photo, sealed like the face template (reporting_api.sealing), bound to
    # this person: "defendant:<id>:id_photo".
    id_photo_sealed = Bytea(null=True, default=None)
    id_photo_mime = Varchar(length=32, null=True, default=None)
    id_photo_width = Integer(null=True, default=None)
    id_photo_height = Integer(null=True, default=None)
    consent_at = Timestamptz()
    consent_version = Varchar(length=32)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # The ID photo's 128-d face template, sealed (reporting_api.sealing); made from the photo
    # at enrolment, or at the first remote check-in for photos stored before templates were.
    face_template = Bytea(null=True, default=None)
    face_quality = JSON(default={})
    face_encoded_at = Timestamptz(null=True, default=None)
    # A legal hold (docs/privacy.md): while set, nothing of the person is purged or erased.
    legal_hold_reason = Text(null=True, default=None)
    legal_hold_at = Timestamptz(null=True, default=None)
    legal_hold_by = Varchar(length=64, null=True, default=None)
    # Set when the person's identity was removed (erasure on request, or retention's end);
    # what is left of their cases serves statistics only.
    anonymised_at = Timestamptz(null=True, default=None)
    # How the person reports: `remote` (the SMS link, face matched against the ID photo) or
    # `in_person` (at the office only: enrolled without a usable photo by the officer's
    # choice). A remote person with no photo yet reports in person until one is added.
    reporting_mode = Varchar(length=16, default="remote")
    # Where the face reference (`id_photo_sealed` and its template) came from: `id_card`, or
    # `office_camera` (taken at the office because the card photo failed the quality check);
    # why the card photo was not used (for an office photo, or in-person reporting only); and
    # the card photo itself, sealed ("defendant:<id>:card_photo"), kept for an officer to
    # compare by eye, never by the machine.
    reference_source = Varchar(length=16, default="id_card")
    reference_reason = Text(null=True, default=None)
    card_photo_sealed = Bytea(null=True, default=None)
    card_photo_mime = Varchar(length=32, null=True, default=None)
