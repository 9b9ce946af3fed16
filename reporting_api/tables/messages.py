"""The outbox of messages (reminders and staff alerts), offices' reminder days, blocked numbers."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from reporting_api.tables.cases import BailCase, CheckIn, Flag
from reporting_api.tables.hearings import CourtHearing
from reporting_api.tables.people import Defendant, Office, StaffUser


class OfficeReminderSettings(Table, tablename="office_reminder_settings"):
    """An office's own reminder offsets; offices without a row use the defaults."""

    id: Serial
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.cascade, unique=True)
    # Days before the due date, e.g. [3, 1, 0] (0 = on the due day), each sent at send_hour.
    offsets_days = JSON(default=[3, 1, 0])
    send_hour = Integer(default=9)
    follow_up_missed = Boolean(default=True)
    updated_at = Timestamptz()
    # Days before a court hearing, e.g. [7, 3, 1] (None: those defaults), at send_hour.
    hearing_offsets_days = JSON(null=True, default=None)
    # Working hours a recording may wait for review before it goes to a manager (None: the
    # default, `working_hours.DEFAULT_REVIEW_DEADLINE_HOURS`).
    review_deadline_hours = Integer(null=True, default=None)
    # The same for a person's request waiting for an officer (None: the review's deadline).
    request_deadline_hours = Integer(null=True, default=None)
    # How many days after a check-in's date a person may ask to move it to (None: the
    # default, `request_rules.DEFAULT_RESCHEDULE_MAX_DAYS`).
    reschedule_max_days = Integer(null=True, default=None)


class Reminder(Table, tablename="reminder"):
    """One SMS in the outbox: planned with its check-in, claimed, sent once, tracked.

    A defendant's reminders are unique by (check_in, kind), staff alerts by (flag, kind); both
    through indexes in a raw migration, as is the partial index the dispatcher claims with.
    """

    id: Serial
    check_in = ForeignKey[CheckIn](
        references=CheckIn, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    case = ForeignKey[BailCase](references=BailCase, on_delete=OnDelete.cascade, index=True)
    office = ForeignKey[Office](references=Office, on_delete=OnDelete.restrict)
    # The person the message is for: a defendant, or a staff member for alerts.
    defendant = ForeignKey[Defendant](
        references=Defendant, on_delete=OnDelete.cascade, null=True, default=None, index=True
    )
    staff = ForeignKey[StaffUser](
        references=StaffUser, on_delete=OnDelete.set_null, null=True, default=None
    )
    flag = ForeignKey[Flag](references=Flag, on_delete=OnDelete.set_null, null=True, default=None)
    # A hearing reminder's hearing (unique with kind, through a raw migration's index).
    hearing = ForeignKey[CourtHearing](
        references=CourtHearing, on_delete=OnDelete.set_null, null=True, default=None
    )
    kind = Varchar(length=32)
    due_at = Timestamptz()
    # After this instant the text would be wrong ("tomorrow" on the day itself): skipped.
    expires_at = Timestamptz()
    status = Varchar(length=16, default="queued")
    attempts = Integer(default=0)
    # When the dispatcher may next take the row: the due time, a retry time, or the lease end.
    next_attempt_at = Timestamptz()
    lease_until = Timestamptz(null=True, default=None)
    claimed_by = Varchar(length=64, null=True, default=None)
    first_attempt_at = Timestamptz(null=True, default=None)
    message_sid = Varchar(length=64, null=True, default=None, index=True)
    reference = Varchar(length=40, unique=True)
    to_phone = Varchar(length=16, null=True, default=None)
    body = Text(null=True, default=None)
    language = Varchar(length=2, null=True, default=None)
    error_code = Integer(null=True, default=None)
    error_message = Text(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # How the message goes: `sms` (Twilio), `line` or `email` (a staff alert through SMTP, to
    # `to_email`); `digest` marks an e-mail alert held for its staff member's daily digest.
    # Staff alerts are unique by (flag, kind, channel): one SMS and one e-mail at most.
    channel = Varchar(length=8, default="sms")
    digest = Boolean(default=False)
    to_email = Varchar(length=254, null=True, default=None)
    # A person linked to LINE gets the message there (`channel` becomes `line` once LINE
    # took it): the LINE user it was pushed to, the same on every try so the row's retry key
    # (`scheduler.line_sender.retry_key`) finds a push LINE already took, and LINE's last
    # answer (`sent`, `refused`, `quota`, `unavailable`); refused or over the month's quota,
    # the row goes by SMS instead.
    line_user = Varchar(length=40, null=True, default=None)
    line_outcome = Varchar(length=16, null=True, default=None)


class SmsBlockedNumber(Table, tablename="sms_blocked_number"):
    """A number Twilio refused for good (invalid, unsubscribed, not a mobile): never sent to."""

    id: Serial
    phone = Varchar(length=16, unique=True)
    error_code = Integer()
    error_message = Text(default="")
    reminder = ForeignKey[Reminder](
        references=Reminder, on_delete=OnDelete.set_null, null=True, default=None
    )
    blocked_at = Timestamptz()


class LineEvent(Table, tablename="line_event"):
    """A LINE webhook event taken in once: LINE's `webhookEventId` is unique here, so a
    redelivered event changes nothing. Only the id, the event's type and when it came are
    kept, never what the event carried."""

    id: Serial
    event_id = Varchar(length=64, unique=True)
    kind = Varchar(length=32)
    received_at = Timestamptz()


class LineAccount(Table, tablename="line_account"):
    """A person's LINE account, linked through LINE's account-link flow: at most one each way.
    Removed when they unfollow (block) the Official Account, when an officer unlinks it, and
    when the person is anonymised."""

    id: Serial
    defendant = ForeignKey[Defendant](references=Defendant, on_delete=OnDelete.cascade, unique=True)
    user_id = Varchar(length=40, unique=True)
    linked_at = Timestamptz()


class LineLink(Table, tablename="line_link"):
    """A nonce we gave LINE for one person who passed identification: LINE's `accountLink`
    event brings it back with the LINE user, once, before `expires_at`."""

    id: Serial
    nonce = Varchar(length=64, unique=True)
    defendant = ForeignKey[Defendant](references=Defendant, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
