"""A verified check-in's receipt: what the person can show an officer, and its look-up.

The receipt is read, never stored: its reference number is the check-in's id written as a
short code with a check character (`receipt_codes`), its time the moment the person sent the
recording that was accepted (or, for a check-in an officer recorded at the office or on a
video call, the moment they recorded it), its next date the case's next check-in still to come.
The person sees it on the link once they have confirmed who they are (`for_link`), right after
a verified recording and whenever they open the link again; an officer who is shown or told a
reference finds the person's check-in with it (`lookup`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from msgspec import Struct

from reporting_api.access import ensure_can_read_office
from reporting_api.errors import InvalidInput, NotFound, Refused
from reporting_api.receipt_codes import parse_reference, reference_for
from reporting_api.services.context import Ctx
from reporting_api.statuses import CheckInMethod, CheckInStatus
from reporting_api.store import checkins as checkin_store
from reporting_api.store import links as link_store
from reporting_api.store import receipts as store
from reporting_api.store.rows import CheckInFields
from reporting_api.thai_dates import (
    format_english_date_long,
    format_english_datetime_long,
    format_thai_date_long,
    format_thai_datetime_long,
)


class Receipt(Struct):
    """A verified check-in as its receipt shows it, dates in the page's language (Thai:
    Buddhist era; English: both eras), times in Bangkok."""

    reference: str
    """Like ``K7M4-Q2X9``: short, read aloud, its last character a check (a typo is caught)."""
    checked_in_at: str
    """ISO-8601, UTC: when the person checked in."""
    checked_in_text: str
    """The same in Bangkok time, like ``17 พฤษภาคม 2569 เวลา 09:05 น.``."""
    due_date: str
    due_date_text: str
    method: str
    """remote, in_person or video_call."""
    accepted_after_review: bool
    """An officer accepted the recording after the machine could not decide."""
    accepted_text: str | None
    """When the officer accepted it (Bangkok time), for such a check-in."""
    next_due_date: str | None
    next_due_text: str | None
    last: bool
    """No check-in follows: this was the person's last."""


def _date_text(day: date, lang: str) -> str:
    return format_thai_date_long(day) if lang == "th" else format_english_date_long(day)


def _time_text(instant: datetime, lang: str) -> str:
    return (
        format_thai_datetime_long(instant)
        if lang == "th"
        else format_english_datetime_long(instant)
    )


async def of_check_in(check_in: CheckInFields, lang: str) -> Receipt | None:
    """The receipt of a verified check-in; None for any other (excused is not a check-in)."""
    if check_in["status"] != CheckInStatus.VERIFIED.value or check_in["completed_at"] is None:
        return None
    at, accepted_at = check_in["completed_at"], None
    if check_in["method"] == CheckInMethod.REMOTE.value:
        recording = await store.accepted_recording(check_in["id"])
        if recording is not None:
            at = recording["created_at"]
            if recording["review_decision"] == "accept":
                accepted_at = recording["reviewed_at"]
    following = await link_store.next_due_after(check_in["case"], check_in["due_at"])
    return Receipt(
        reference=reference_for(check_in["id"]),
        checked_in_at=at.isoformat(),
        checked_in_text=_time_text(at, lang),
        due_date=check_in["due_date"].isoformat(),
        due_date_text=_date_text(check_in["due_date"], lang),
        method=check_in["method"] or CheckInMethod.REMOTE.value,
        accepted_after_review=accepted_at is not None,
        accepted_text=None if accepted_at is None else _time_text(accepted_at, lang),
        next_due_date=None if following is None else following["due_date"].isoformat(),
        next_due_text=None if following is None else _date_text(following["due_date"], lang),
        last=following is None,
    )


async def for_link(check_in: CheckInFields, lang: str) -> Receipt:
    """The receipt the identified person sees on their link; 404 while the check-in is not
    verified (the page then shows what the link's state says)."""
    receipt = await of_check_in(check_in, lang)
    if receipt is None:
        raise Refused(
            404,
            "receipt",
            "there is no receipt: this check-in is not verified",
            "ยังไม่มีหลักฐานการรายงานตัว: การรายงานตัวครั้งนี้ยังไม่ได้รับการยืนยัน",
        )
    return receipt


@dataclass(frozen=True)
class ReceiptMatch:
    """The verified check-in a reference names, and whose it is."""

    reference: str
    check_in_id: int
    defendant_id: int


async def lookup(ctx: Ctx, text: str, field: str = "reference") -> ReceiptMatch:
    """The verified check-in whose receipt carries ``text``, if the caller may read it.

    A mistyped reference (its check character does not match) and one that names no verified
    check-in the caller may read are refused as InvalidInput naming ``field``, in the same
    words whether the check-in is another office's or does not exist. Audited
    (`receipt.lookup`) when found."""
    check_in_id = parse_reference(text, field)
    reference = reference_for(check_in_id)
    row = await checkin_store.get_with_person(check_in_id)
    try:
        if row is None or row["status"] != CheckInStatus.VERIFIED.value:
            raise NotFound("check-in")
        ensure_can_read_office(ctx.principal, row["office"], "check-in")
    except NotFound:
        raise InvalidInput(
            field,
            f"no verified check-in you can see has the reference number {reference}",
            f"ไม่พบการรายงานตัวที่ยืนยันแล้วซึ่งมีเลขอ้างอิง {reference} ในสำนักงานของท่าน",
        ) from None
    await ctx.audit("receipt.lookup", "check_in", check_in_id, {"reference": reference})
    return ReceiptMatch(reference, check_in_id, row["defendant_id"])
