"""A person's trusted contact (issue 14): one relative or guarantor the person names, and their
consent that the contact be told when they missed a check-in and did not answer the follow-up."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.people import Defendant


class TrustedContact(Table, tablename="trusted_contact"):
    """At most one a person (unique ``defendant``); naming another replaces it. Consent is kept
    with the version of the words the person agreed to; withdrawing sets ``withdrawn_at`` (the
    row stays as the record of what was agreed). Goes with the person (cascade)."""

    id: Serial
    defendant = ForeignKey[Defendant](
        references=Defendant, on_delete=OnDelete.cascade, unique=True, index=True
    )
    name = Varchar(length=100)
    relationship = Varchar(length=16)
    phone = Varchar(length=16)
    consent_version = Varchar(length=16)
    consented_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
