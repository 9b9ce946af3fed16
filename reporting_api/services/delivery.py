"""What Twilio tells us about a message: accepted, delivered, undelivered, or refused for good.

Used by the status callback route and by the scheduler's dispatcher, so both treat a number
that cannot receive SMS the same way: it is blocked (nothing more is sent to it, whoever it
belongs to) and the officer gets an `unreachable_phone` flag to get a working number.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from reporting_api.services import alerts
from reporting_api.statuses import FlagKind, Severity
from reporting_api.store import audit as audit_store
from reporting_api.store import delivery as store
from reporting_api.store import outbox

log = logging.getLogger(__name__)

INVALID_NUMBER, UNSUBSCRIBED, NOT_MOBILE = 21211, 21610, 21614
UNREACHABLE_CODES = frozenset({INVALID_NUMBER, UNSUBSCRIBED, NOT_MOBILE})
"""Twilio refuses to create the message: this number will never get our SMS."""
UNDELIVERABLE_CODES = frozenset({30005, 30006})
"""Delivery reports meaning the same: unknown handset, landline or unreachable carrier."""

# Twilio's MessageStatus values, as this service records them.
TWILIO_STATUS = {
    "accepted": outbox.SENT,
    "scheduled": outbox.SENT,
    "queued": outbox.SENT,
    "sending": outbox.SENT,
    "sent": outbox.SENT,
    "delivered": outbox.DELIVERED,
    "read": outbox.DELIVERED,
    "undelivered": outbox.UNDELIVERED,
    "failed": outbox.FAILED,
    "canceled": outbox.FAILED,
}


async def mark_unreachable(
    reminder: Mapping[str, Any], phone: str, code: int, message: str, now: datetime
) -> int | None:
    """Block ``phone`` and flag the person's officer; returns the new flag's id, if any."""
    await store.block_number(
        phone, error_code=code, error_message=message, reminder_id=reminder["id"], now=now
    )
    defendant_id = reminder.get("defendant_id", reminder.get("defendant"))
    if defendant_id is None:  # a staff member's own number: nothing for an officer to chase
        log.warning("a staff member's phone cannot receive SMS (Twilio %s)", code)
        return None
    flag_id = await alerts.raise_flag(
        alerts.NewFlag(
            kind=FlagKind.UNREACHABLE_PHONE,
            case_id=reminder.get("case_id", reminder.get("case")),
            check_in_id=reminder.get("check_in_id", reminder.get("check_in")),
            office_id=reminder["office"],
            severity=Severity.HIGH,
            detail_th=f"ส่ง SMS ถึง {phone} ไม่ได้ (Twilio {code}: {message}) "
            "หยุดส่งข้อความเตือนไปยังเบอร์นี้แล้ว กรุณาบันทึกเบอร์มือถือที่ใช้งานได้",
            detail_en=f"SMS to {phone} cannot be delivered (Twilio {code}: {message}). "
            "Reminders to this number have stopped; record a working mobile number.",
            # One flag per person and number: a new number that fails again flags again.
            dedupe_key=f"{FlagKind.UNREACHABLE_PHONE.value}:{defendant_id}:{phone}",
        ),
        now,
    )
    if flag_id is not None:
        await audit_store.record_system(
            "flag.raise",
            "flag",
            flag_id,
            now,
            detail={"kind": FlagKind.UNREACHABLE_PHONE.value, "twilio_code": code},
        )
    return flag_id


async def record_status_callback(
    params: Mapping[str, str], reference: str | None, now: datetime
) -> str:
    """Apply one signed status callback; returns what happened (for the log and tests)."""
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    twilio_status = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    status = TWILIO_STATUS.get(twilio_status)
    if status is None:
        return f"ignored status {twilio_status!r}"
    row = await store.find_by_reference(reference) if reference else None
    if row is None and sid:
        row = await store.find_by_sid(sid)
    if row is None:
        return "unknown message"
    if row["message_sid"] and sid and row["message_sid"] != sid:
        # A second message for one reminder would be a duplicate send: keep the first SID.
        log.error("reminder %s has SID %s, callback for %s", row["id"], row["message_sid"], sid)
        return "different message"
    current = row["status"]
    if current in (outbox.CANCELLED, outbox.SKIPPED):
        return f"reminder is {current}"
    if store.DELIVERY_RANK.get(status, 0) <= store.DELIVERY_RANK.get(current, 0):
        return "no change"
    code = _int(params.get("ErrorCode"))
    changed = await store.record_delivery(
        row["id"],
        from_status=current,
        status=status,
        message_sid=sid,
        error_code=code,
        error_message=params.get("ErrorMessage") or (f"Twilio error {code}" if code else None),
        now=now,
    )
    if not changed:
        return "no change"
    if (
        status in (outbox.UNDELIVERED, outbox.FAILED)
        and code in UNDELIVERABLE_CODES | UNREACHABLE_CODES
    ):
        phone = row["to_phone"] or params.get("To") or ""
        await mark_unreachable(row, phone, code, f"delivery failed ({twilio_status})", now)
    return f"{current} -> {status}"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
