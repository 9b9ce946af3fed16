"""Whether and what to send for a claimed reminder, from the data as it is at send time.

Pure: a row of `store.outbox_context.load_for_sending` and ``now`` in, a Decision out. Reasons for
not sending are kept on the row (`error_message`) so an officer sees why nothing went out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from reporting_api.alert_emails import EMAIL, AlertEmail, render_alert_email
from reporting_api.hearing_rules import hearing_days
from reporting_api.notice_texts import (
    NOTICE_KINDS,
    NOTICE_PHONE_CHANGED,
    NOTICE_TRUSTED_CONTACT,
    NOTICES_AFTER_CLOSING,
    NOTICES_BY_NUMBER,
)
from reporting_api.reminder_schedule import MISSED_FOLLOW_UP, STAFF_KINDS
from reporting_api.services.checkins import CheckInWindow, effective_status
from reporting_api.sms_templates import (
    ReminderText,
    StaffAlertText,
    checkin_link,
    render_reminder,
    render_staff_alert,
)
from reporting_api.statuses import CheckInStatus

if TYPE_CHECKING:
    # The row's type only: the dispatcher reads the rows; this module decides from them.
    from reporting_api.store.outbox_context import SendingRow

SMS = "sms"
LINE = "line"
BY_NUMBER = NOTICES_BY_NUMBER
"""Messages that go to a number whatever the person linked (`notice_texts`)."""
LINE_GAVE_WAY = frozenset({"refused", "quota"})
"""LINE's answers after which a row's SMS goes instead."""
# A reminder before the due date is pointless once the person has reported or the day passed.
SEND_BEFORE_DUE = frozenset({CheckInStatus.UPCOMING, CheckInStatus.OPEN})


@dataclass(frozen=True)
class Decision:
    """What to do with one claimed row: send ``body`` to ``to``, or end it with a reason."""

    action: str  # "send", "skip" or "cancel"
    reason: str = ""
    to: str = ""
    body: str = ""
    language: str = "th"
    subject: str = ""
    """An e-mail's subject (SMS have none)."""
    channel: str = SMS
    """`sms`, `line` (``to`` is then the LINE user) or `email`."""
    fallback: str = ""
    """On LINE: the number the SMS goes to if LINE refuses the push or the month's quota is
    used up; empty when no SMS may go (turned off, no number, a blocked number)."""
    link: str = ""
    """A check-in reminder's link, for LINE's button."""


@dataclass(frozen=True)
class _Address:
    channel: str
    to: str
    fallback: str = ""


def line_user_of(row: SendingRow, line_on: bool) -> str | None:
    """The LINE user a person's message goes to: the one an earlier try of this row was
    pushed to (its retry key must go to the same place), else the linked account's while
    LINE is on; never a row whose SMS went instead, nor a notice about the number or about
    LINE itself (`BY_NUMBER`)."""
    if row["kind"] in STAFF_KINDS or row["kind"] in BY_NUMBER:
        return None
    if row["line_outcome"] in LINE_GAVE_WAY:
        return None  # the SMS went instead: the row stays on SMS, whatever LINE says later
    if row["channel"] == LINE and row["line_user"]:
        return row["line_user"]
    return row["linked_line_user"] if line_on else None


def _address(row: SendingRow, blocked: set[str], line_user: str | None) -> _Address | Decision:
    """Where a person's message goes: LINE when they linked it (SMS as its fallback while
    SMS may go), else their number. Turning SMS off on the check-in page stops SMS only."""
    phone = row["defendant_phone"]
    sms_ok = not row["sms_opt_out"] and phone is not None and phone not in blocked
    if line_user:
        return _Address(LINE, line_user, phone if sms_ok and phone else "")
    if row["sms_opt_out"]:
        return Decision("skip", "the person turned SMS off")
    if phone is None or not sms_ok:
        return Decision("skip", "the number cannot receive SMS")
    return _Address(SMS, phone)


def decide(
    row: SendingRow,
    now: datetime,
    *,
    blocked: set[str],
    public_base_url: str,
    line_on: bool = False,
) -> Decision:
    """Whether and what to send for one claimed row, from the data as it is at ``now``;
    ``line_on`` when LINE is configured (a linked person's messages then go there)."""
    if row["kind"] in STAFF_KINDS:
        if row["channel"] == EMAIL:
            return _decide_staff_email(row, now, public_base_url)
        return _decide_staff(row, now, blocked)
    if row["kind"] == NOTICE_TRUSTED_CONTACT:
        return _decide_contact(row, now, blocked)
    line_user = line_user_of(row, line_on)
    if row["kind"] in NOTICE_KINDS:
        return _decide_notice(row, now, blocked, line_user)
    if hearing_days(row["kind"]) is not None:
        return _decide_hearing(row, now, blocked, line_user)
    if row["case_status"] != "active":
        return Decision("cancel", f"case {row['case_status']}")
    due_date, window = row["due_date"], _window(row)
    if row["check_in_id"] is None or due_date is None or window is None:
        return Decision("cancel", "check-in removed")
    if now >= row["expires_at"]:
        return Decision("skip", "too late: the message would no longer be true")
    address = _address(row, blocked, line_user)  # a reminder goes with its person (cascade)
    if isinstance(address, Decision):
        return address
    status = effective_status(window, now)
    if row["kind"] == MISSED_FOLLOW_UP:
        if status != CheckInStatus.MISSED:
            return Decision("skip", f"check-in is {status.value}, not missed")
    elif status not in SEND_BEFORE_DUE:
        return Decision("skip", f"check-in is {status.value}")
    language = row["language"] or ("en" if row["preferred_language"] == "en" else "th")
    link = checkin_link(public_base_url, row["code"] or "")
    body = row["body"] or render_reminder(
        ReminderText(
            kind=row["kind"],
            language=language,
            office_name_th=row["office_name_th"],
            office_name_en=row["office_name_en"],
            due_date=due_date,
            link=link,
            is_last=due_date == row["last_due_date"],
        )
    )
    return _send(address, body, language, link=link)


def _send(address: _Address, body: str, language: str, link: str = "") -> Decision:
    return Decision(
        "send",
        to=address.to,
        body=body,
        language=language,
        channel=address.channel,
        fallback=address.fallback,
        link=link,
    )


def _decide_notice(
    row: SendingRow, now: datetime, blocked: set[str], line_user: str | None
) -> Decision:
    """A notice to the person (`services/notices.py`), worded when it was queued."""
    if row["case_status"] != "active" and row["kind"] not in NOTICES_AFTER_CLOSING:
        return Decision("cancel", f"case {row['case_status']}")
    if now >= row["expires_at"]:
        return Decision("skip", "too late: the reminders say it by now")
    if row["kind"] == NOTICE_PHONE_CHANGED and row["to_phone"] != row["defendant_phone"]:
        # Queued for a number that is no longer the person's: its own notice went to the next.
        return Decision("skip", "the number changed again")
    address = _address(row, blocked, line_user)
    if isinstance(address, Decision):
        return address
    if not row["body"]:
        return Decision("cancel", "a notice without words")
    return _send(address, row["body"], row["language"] or "th")


def _decide_contact(row: SendingRow, now: datetime, blocked: set[str]) -> Decision:
    """The SMS to a person's trusted contact (`services/trusted_contacts.py`): only while the
    check-in is still missed (an officer may have recorded or excused it since) and the case
    active; withdrawing consent cancels the queued row itself."""
    if row["case_status"] != "active":
        return Decision("cancel", f"case {row['case_status']}")
    window = _window(row)
    if window is None:
        return Decision("cancel", "check-in removed")
    if now >= row["expires_at"]:
        return Decision("skip", "too late")
    status = effective_status(window, now)
    if status != CheckInStatus.MISSED:
        return Decision("skip", f"check-in is {status.value}, not missed")
    phone = row["to_phone"]
    if phone is None or phone in blocked:
        return Decision("skip", "the number cannot receive SMS")
    if not row["body"]:
        return Decision("cancel", "a notice without words")
    return Decision("send", to=phone, body=row["body"], language=row["language"] or "th")


def _decide_hearing(
    row: SendingRow, now: datetime, blocked: set[str], line_user: str | None
) -> Decision:
    """A reminder of a court hearing (`services/hearings.py`), worded when it was planned."""
    if row["case_status"] != "active":
        return Decision("cancel", f"case {row['case_status']}")
    if row["hearing_id"] is None or row["hearing_cancelled_at"] is not None:
        return Decision("cancel", "hearing cancelled")
    if row["hearing_result"] is not None:
        return Decision("cancel", f"hearing {row['hearing_result']}")
    starts_at = row["hearing_starts_at"]
    if now >= row["expires_at"] or (starts_at is not None and now >= starts_at):
        return Decision("skip", "too late: the message would no longer be true")
    address = _address(row, blocked, line_user)
    if isinstance(address, Decision):
        return address
    if not row["body"]:
        return Decision("cancel", "a reminder without words")
    return _send(address, row["body"], row["language"] or "th")


def _window(row: SendingRow) -> CheckInWindow | None:
    """The check-in's window; None when the reminder has no check-in (a deleted check-in
    leaves check_in NULL, and the joined columns are then all NULL)."""
    status, opens_at = row["check_in_status"], row["opens_at"]
    due_at, closes_at = row["check_in_due_at"], row["closes_at"]
    if status is None or opens_at is None or due_at is None or closes_at is None:
        return None
    return CheckInWindow(status=status, opens_at=opens_at, due_at=due_at, closes_at=closes_at)


def _decide_staff(row: SendingRow, now: datetime, blocked: set[str]) -> Decision:
    if row["flag_acknowledged_at"] is not None or row["flag_resolved_at"] is not None:
        return Decision("skip", "the flag was acknowledged")
    if now >= row["expires_at"]:
        return Decision("skip", "too late")
    phone = row["staff_phone"]
    if not phone or not row["staff_active"]:
        return Decision("skip", "no active staff member with a phone number")
    if phone in blocked:
        return Decision("skip", "the number cannot receive SMS")
    hours = _hours_since_raised(row, now)
    body = row["body"] or render_staff_alert(
        StaffAlertText(
            kind=row["kind"],
            flag_id=row["flag_id"] or 0,
            flag_kind=row["flag_kind"] or "",
            case_number=row["black_case_number"],
            office_name_th=row["office_name_th"],
            due_date=row["flag_due_date"],
            hours_unacknowledged=hours,
        )
    )
    return Decision("send", to=phone, body=body)


def _hours_since_raised(row: SendingRow, now: datetime) -> int:
    if row["flag_raised_at"] is None:
        return 0
    return max(0, int((now - row["flag_raised_at"]).total_seconds() // 3600))


def alert_email_of(row: SendingRow, now: datetime) -> AlertEmail:
    """What an e-mail about this staff alert says (alone or as a digest's line)."""
    return AlertEmail(
        kind=row["kind"],
        flag_id=row["flag_id"] or 0,
        flag_kind=row["flag_kind"] or "",
        office_name_th=row["office_name_th"],
        office_name_en=row["office_name_en"],
        due_date=row["flag_due_date"],
        hours_unacknowledged=_hours_since_raised(row, now),
    )


def _decide_staff_email(row: SendingRow, now: datetime, public_base_url: str) -> Decision:
    """A staff alert by e-mail: to the member's address as it is now (the one a row was
    tried with, once tried), with nothing about the person (`alert_emails`)."""
    if row["flag_acknowledged_at"] is not None or row["flag_resolved_at"] is not None:
        return Decision("skip", "the flag was acknowledged")
    if now >= row["expires_at"]:
        return Decision("skip", "too late")
    address = row["to_email"] or row["staff_email"]
    if not address or not row["staff_active"]:
        return Decision("skip", "no active staff member with an e-mail address")
    text = render_alert_email(alert_email_of(row, now), public_base_url)
    return Decision("send", to=address, body=row["body"] or text.body, subject=text.subject)
