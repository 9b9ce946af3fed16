"""A person's request to their officer: its kinds, its statuses and the changes allowed.

The statuses are the Justice Fund's Citizen Portal's: submitted (ยื่นคำร้อง) -> awaiting
officer contact (รอการติดต่อกลับจากเจ้าหน้าที่) -> approved (เจ้าหน้าที่อนุมัติคำร้อง) or
rejected (ปฏิเสธคำร้อง) -> in progress (อยู่ระหว่างดำเนินการ) -> completed
(ดำเนินการเรียบร้อยแล้ว). A request is *open* while it waits for an officer's decision
(submitted or awaiting contact): an open request made before its check-in's window closed
holds that check-in out of the missed sweep until the decision.

Pure: what the person asked in, a checked request or an `InvalidInput` out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from reporting_api.errors import InvalidInput, TransitionNotAllowed


class RequestKind(StrEnum):
    CANT_COME = "cant_come"  # I can't come (a reason, perhaps a proposed new date)
    CALL_ME = "call_me"  # please call me
    NEED_HELP = "need_help"  # I need help getting there (transport or money)
    PHONE_CHANGED = "phone_changed"  # my phone number changed
    AWAY = "away"  # I will be away (dates and province)
    MESSAGE = "message"  # free text


class CantComeReason(StrEnum):
    ILLNESS = "illness"
    WORK = "work"
    TRANSPORT_COST = "transport_cost"
    FAMILY_EMERGENCY = "family_emergency"
    OTHER = "other"


class HelpKind(StrEnum):
    TRANSPORT = "transport"
    MONEY = "money"


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    AWAITING_CONTACT = "awaiting_contact"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


_R = RequestStatus

ALLOWED: Mapping[RequestStatus, frozenset[RequestStatus]] = MappingProxyType(
    {
        _R.SUBMITTED: frozenset({_R.AWAITING_CONTACT, _R.APPROVED, _R.REJECTED}),
        _R.AWAITING_CONTACT: frozenset({_R.APPROVED, _R.REJECTED}),
        # Approved help or a call back is then carried out: in progress, then completed.
        _R.APPROVED: frozenset({_R.IN_PROGRESS, _R.COMPLETED}),
        _R.IN_PROGRESS: frozenset({_R.COMPLETED}),
        _R.REJECTED: frozenset(),
        _R.COMPLETED: frozenset(),
    }
)
OPEN: frozenset[RequestStatus] = frozenset({_R.SUBMITTED, _R.AWAITING_CONTACT})
"""Waiting for an officer's decision: such a request holds its check-in out of "missed"."""
CLOSED: frozenset[RequestStatus] = frozenset({_R.REJECTED, _R.COMPLETED})

MAX_TEXT = 1000
"""Characters of free text a person may write (about a page on a phone)."""
MAX_PROVINCE = 60
MAX_AWAY_DAYS = 92
"""A stay away longer than a quarter is a matter for the court, not a request."""
DEFAULT_RESCHEDULE_MAX_DAYS = 14
"""A proposed new date at most this many days after the check-in's date, unless the office
sets its own limit."""
MAX_RESCHEDULE_MAX_DAYS = 60


def ensure_transition(current: str, target: str) -> None:
    """Raise TransitionNotAllowed unless a request may move from ``current`` to ``target``."""
    if RequestStatus(target) not in ALLOWED[RequestStatus(current)]:
        raise TransitionNotAllowed(current, target)


def is_open(status: str) -> bool:
    return RequestStatus(status) in OPEN


@dataclass(frozen=True)
class NewRequest:
    """What a person asks, as they sent it (strings from the form)."""

    kind: str
    reason: str | None = None
    help_kind: str | None = None
    proposed_date: date | None = None
    away_from: date | None = None
    away_to: date | None = None
    province: str | None = None
    new_phone: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class CheckedRequest:
    """A request whose fields fit its kind, every text trimmed."""

    kind: RequestKind
    reason: CantComeReason | None
    help_kind: HelpKind | None
    proposed_date: date | None
    away_from: date | None
    away_to: date | None
    province: str | None
    new_phone: str | None
    text: str | None


def _choice(enum: type[StrEnum], value: str | None, field: str, th: str) -> StrEnum:
    try:
        return enum(value or "")
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidInput(field, f"must be one of {allowed}", f"ต้องเลือก{th}") from None


def _text(value: str | None, field: str, limit: int) -> str | None:
    text = " ".join((value or "").split())
    if len(text) > limit:
        raise InvalidInput(
            field, f"is longer than {limit} characters", f"ยาวเกิน {limit} ตัวอักษร"
        )
    return text or None


def check_request(
    new: NewRequest, *, today: date, due_date: date | None, reschedule_max_days: int
) -> CheckedRequest:
    """The request if its fields fit its kind; ``today`` in Bangkok, ``due_date`` the date of
    the check-in the request is about (None when it is about none)."""
    kind = RequestKind(_choice(RequestKind, new.kind, "kind", "ประเภทคำร้อง"))
    text = _text(new.text, "text", MAX_TEXT)
    reason = help_kind = None
    proposed = away_from = away_to = None
    province = new_phone = None
    if kind == RequestKind.CANT_COME:
        reason = CantComeReason(_choice(CantComeReason, new.reason, "reason", "เหตุผล"))
        if reason == CantComeReason.OTHER and not text:
            raise InvalidInput(
                "text", "say what the reason is", "โปรดเขียนเหตุผลที่มารายงานตัวไม่ได้"
            )
        if new.proposed_date is not None:
            proposed = new.proposed_date
            check_proposed_date(proposed, today, due_date, reschedule_max_days)
    elif kind == RequestKind.NEED_HELP:
        help_kind = HelpKind(_choice(HelpKind, new.help_kind, "help_kind", "ความช่วยเหลือที่ต้องการ"))
    elif kind == RequestKind.AWAY:
        province = _text(new.province, "province", MAX_PROVINCE)
        if new.away_from is None or new.away_to is None or province is None:
            raise InvalidInput(
                "away_from",
                "give the first and last day away and the province",
                "โปรดระบุวันที่ไป วันที่กลับ และจังหวัด",
            )
        away_from, away_to = new.away_from, new.away_to
        if away_to < away_from:
            raise InvalidInput(
                "away_to", "is before the first day away", "วันที่กลับต้องไม่ก่อนวันที่ไป"
            )
        if away_to < today:
            raise InvalidInput("away_to", "is in the past", "เป็นวันที่ผ่านมาแล้ว")
        if (away_to - away_from).days >= MAX_AWAY_DAYS:
            raise InvalidInput(
                "away_to",
                f"a stay away of {MAX_AWAY_DAYS} days or more needs the court; call your officer",
                f"การไปต่างจังหวัดตั้งแต่ {MAX_AWAY_DAYS} วันขึ้นไปต้องขออนุญาตศาล โปรดโทรหาเจ้าหน้าที่",
            )
    elif kind == RequestKind.PHONE_CHANGED:
        new_phone = (new.new_phone or "").strip() or None
        if new_phone is None:
            raise InvalidInput("new_phone", "is required", "ต้องระบุเบอร์โทรศัพท์ใหม่")
    elif kind == RequestKind.MESSAGE and not text:
        raise InvalidInput("text", "is required", "ต้องเขียนข้อความ")
    return CheckedRequest(
        kind, reason, help_kind, proposed, away_from, away_to, province, new_phone, text
    )


def check_proposed_date(
    proposed: date, today: date, due_date: date | None, max_days: int
) -> None:
    """A new reporting date must come after today and at most ``max_days`` after the check-in's
    own date (or after today, for a request about no check-in)."""
    if proposed <= today:
        raise InvalidInput(
            "proposed_date", "must be after today", "ต้องเป็นวันหลังจากวันนี้"
        )
    latest = latest_new_date(today, due_date, max_days)
    if proposed > latest:
        raise InvalidInput(
            "proposed_date",
            f"must be at most {max_days} days after the reporting date ({latest.isoformat()})",
            f"ต้องไม่เกิน {max_days} วันนับจากวันรายงานตัวเดิม",
        )


def latest_new_date(today: date, due_date: date | None, max_days: int) -> date:
    """The last day a check-in may be moved to at the person's request."""
    return max(due_date or today, today) + timedelta(days=max_days)
