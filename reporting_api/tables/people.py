"""Offices, staff and their logins, and the people released on bail."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
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


class AuthToken(Table, tablename="auth_token"):
    """A login session (browser cookie) or an API bearer token; only its SHA-256 is kept."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    staff = ForeignKey[StaffUser](references=StaffUser, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class Defendant(Table, tablename="defendant"):
    """A person released on bail paid by the fund."""

    id: Serial
    national_id = Varchar(length=13, unique=True)
    title_th = Varchar(length=32, default="")
    first_name_th = Varchar(length=100)
    last_name_th = Varchar(length=100)
    first_name_en = Varchar(length=100, null=True, default=None)
    last_name_en = Varchar(length=100, null=True, default=None)
    date_of_birth = Date()
    phone = Varchar(length=16, index=True)
    preferred_language = Varchar(length=2, default="th")
    sms_opt_out = Boolean(default=False)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict, index=True)
    id_photo = Bytea(null=True, default=None)
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
