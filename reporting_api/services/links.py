"""The SMS check-in link, before any recording: what the page shows, who the person is.

A link code names one check-in and is valid from when the check-in's first reminder goes out
(or its window opens, if that is earlier) until `LINK_GRACE_DAYS` after its window closed;
outside that time it answers exactly as a code that never existed. Identification and
recording are allowed only while the window is open (or late, inside the grace days). The
person confirms who they are with their date of birth and the last four digits of their
national ID; each answer takes its place under the link's limit (the link locks at
`IDENTIFY_MAX_FAILURES` wrong answers and a flag is raised) and the client address's
(`IDENTIFY_CLIENT_LIMIT` an hour across links, else 429) in one atomic step before it is
compared. Only an identified person may change their SMS settings; "this is not me" is open
to anyone, limited per code and per address, and answers the same for any code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypedDict

from reporting_api.errors import InvalidInput, Refused
from reporting_api.runtime import Runtime
from reporting_api.services import alerts
from reporting_api.services.alerts import NewFlag
from reporting_api.services.checkins import effective_status
from reporting_api.settings import Settings
from reporting_api.statuses import CheckInStatus, FlagKind, Severity
from reporting_api.store import audit, defendants
from reporting_api.store import links as store
from reporting_api.store import requests as request_store
from reporting_api.store.links import Full, LinkRow
from reporting_api.thai_dates import (
    BANGKOK,
    format_english_date,
    format_thai_date,
    parse_date_either_era,
)

CODE = re.compile(r"^[A-Za-z0-9_-]{12,24}$")
EPSILON = timedelta(microseconds=1)
REQUEST_LINK_DAYS = 30
"""A link stays open this long after its requests last changed, for the person to follow them."""
ACTOR = "checkin-link"
"""The actor named on audit rows written for the person using a link."""


@dataclass(frozen=True)
class Visit:
    """One request on a check-in link: the code, who asks from where, and when."""

    code: str
    client_address: str | None
    now: datetime
    settings: Settings
    runtime: Runtime

    async def audit(
        self, action: str, entity_id: int, detail: dict[str, Any], entity: str = "check_in"
    ) -> None:
        await audit.record(
            actor_id=None,
            actor_username=ACTOR,
            action=action,
            entity=entity,
            entity_id=entity_id,
            at=self.now,
            client_address=self.client_address,
            detail=detail,
        )


class Preferences(TypedDict, total=False):
    """What the person changed from the link page."""

    sms_opt_out: bool
    preferred_language: str


class LinkState(StrEnum):
    OPEN = "open"  # identify and record
    NOT_YET = "not_yet"  # the window opens later
    DONE = "done"  # verified or excused already
    WITH_OFFICER = "with_officer"  # pending review
    EXPIRED = "expired"  # the window closed
    LOCKED = "locked"  # too many wrong answers


def link_state(row: LinkRow, now: datetime) -> LinkState:
    status = effective_status(row, now)
    if status in (CheckInStatus.VERIFIED, CheckInStatus.EXCUSED):
        return LinkState.DONE
    if status == CheckInStatus.PENDING_REVIEW:
        return LinkState.WITH_OFFICER
    if row["link_locked_at"] is not None:
        return LinkState.LOCKED
    if status == CheckInStatus.MISSED or now >= row["closes_at"]:
        return LinkState.EXPIRED
    if status == CheckInStatus.UPCOMING:
        return LinkState.NOT_YET
    return LinkState.OPEN


def _call(row: LinkRow) -> tuple[str, str]:
    phone = row["office_phone"]
    return (f" โทร {phone}", f" (phone {phone})") if phone else ("", "")


def _local_day(instant: datetime) -> date:
    """The Bangkok calendar day of a stored (UTC) instant: a window opening at 00:00 Bangkok
    is 17:00 UTC the day before, so `.date()` would name the wrong day."""
    return instant.astimezone(BANGKOK).date()


def refusal(row: LinkRow, state: LinkState) -> Refused:
    """Why nothing can be done on the link now, and what to do instead."""
    call_th, call_en = _call(row)
    # closes_at is the first instant after the window: the last day is the one before it.
    opens, last_day = _local_day(row["opens_at"]), _local_day(row["closes_at"] - EPSILON)
    office_th, office_en = row["office_name_th"], row["office_name_en"]
    if state == LinkState.DONE and row["status"] == CheckInStatus.EXCUSED.value:
        # Excused by an officer (a request approved, a court order): not "you reported".
        return Refused(
            409,
            "code",
            "your officer excused you from reporting on this date; a new date, if any, is"
            " under your requests",
            "เจ้าหน้าที่ยกเว้นการรายงานตัววันนี้ให้แล้ว ไม่ต้องมารายงานตัว วันใหม่ (ถ้ามี)"
            " ดูได้ที่คำร้องของท่าน",
        )
    if state == LinkState.DONE:
        return Refused(
            409, "code", "you have already checked in for this date", "ท่านรายงานตัวครั้งนี้แล้ว"
        )
    if state == LinkState.WITH_OFFICER:
        return Refused(
            409,
            "code",
            f"your check-in was passed to an officer at {office_en}, who will contact you{call_en}",
            f"การรายงานตัวของท่านอยู่ระหว่างการตรวจสอบของเจ้าหน้าที่ {office_th}{call_th}",
        )
    if state == LinkState.LOCKED:
        return Refused(
            423,
            "code",
            f"this link is locked after too many wrong answers; call {office_en}{call_en}",
            f"ลิงก์นี้ถูกระงับเพราะกรอกข้อมูลผิดหลายครั้ง โปรดติดต่อ{office_th}{call_th}",
        )
    if state == LinkState.EXPIRED:
        return Refused(
            410,
            "code",
            "this link has expired: the check-in window closed on "
            f"{format_english_date(last_day)}; call {office_en}{call_en}",
            "ลิงก์นี้หมดอายุแล้ว (ปิดรับรายงานตัวเมื่อ "
            f"{format_thai_date(last_day)}) โปรดติดต่อ{office_th}{call_th}",
        )
    if state == LinkState.NOT_YET:
        return Refused(
            409,
            "code",
            f"checking in opens on {format_english_date(opens)}",
            f"เปิดให้รายงานตัวตั้งแต่ {format_thai_date(opens)}",
        )
    raise AssertionError(state)


def not_valid() -> Refused:
    """The one answer for a code that is malformed, unknown, or outside its valid time."""
    return Refused(
        404,
        "code",
        "this link is not valid now: a check-in link works from its first reminder SMS until "
        "its check-in closes; check the latest SMS or call your Justice office",
        "ไม่พบลิงก์นี้ หรือลิงก์นี้ใช้ไม่ได้ในขณะนี้ ลิงก์รายงานตัวใช้ได้ตั้งแต่ SMS แจ้งเตือนครั้งแรก"
        "จนถึงวันปิดรับรายงานตัว โปรดตรวจสอบ SMS ล่าสุดหรือติดต่อสำนักงานยุติธรรมจังหวัด",
    )


async def valid_now(row: LinkRow, now: datetime, settings: Settings) -> bool:
    """Whether the link works at ``now``: from the first reminder (or the window's opening,
    if earlier) until `LINK_GRACE_DAYS` after the window closed."""
    if now >= row["closes_at"] + timedelta(days=settings.checkin.link_grace_days):
        return False
    if now >= row["opens_at"]:
        return True
    first = await store.first_reminder_at(row["id"])
    return first is not None and now >= first


async def find(visit: Visit) -> LinkRow:
    """The check-in the code names; 404 for a malformed or unknown code, or one outside its
    valid time (the same answer for all). A link whose check-in has a request that changed in
    the last `REQUEST_LINK_DAYS` days stays valid for the person to follow it."""
    row = await store.check_in_by_code(visit.code) if CODE.match(visit.code) else None
    if row is None:
        raise not_valid()
    if not await valid_now(row, visit.now, visit.settings) and not await request_store.touched_since(
        row["id"], visit.now - timedelta(days=REQUEST_LINK_DAYS)
    ):
        raise not_valid()
    return row


async def find_open(visit: Visit) -> LinkRow:
    row = await find(visit)
    state = link_state(row, visit.now)
    if state != LinkState.OPEN:
        raise refusal(row, state)
    return row


def parse_birth_date(text: str) -> date:
    """`YYYY-MM-DD`; a Buddhist-era year (people often type one) is taken back 543 years."""
    return parse_date_either_era(text, "date_of_birth")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _client_key(visit: Visit, scope: str) -> str | None:
    """The key a client address is limited by in ``scope``; None without an address."""
    return None if visit.client_address is None else f"{scope}:client:{visit.client_address}"


async def identify(visit: Visit, date_of_birth: str, national_id_last4: str) -> str:
    """Check the answers; returns a session token for the cookie, or refuses."""
    born = parse_birth_date(date_of_birth)
    last4 = (national_id_last4 or "").strip()
    if not re.fullmatch(r"[0-9]{4}", last4):
        raise InvalidInput("national_id_last4", "must be exactly 4 digits", "ต้องเป็นตัวเลข 4 หลัก")
    # Any working link identifies (to check in while open, or to make and follow requests);
    # a locked one does not.
    row = await find(visit)
    if link_state(row, visit.now) == LinkState.LOCKED:
        raise refusal(row, LinkState.LOCKED)
    limits = visit.settings.checkin
    client_key = _client_key(visit, "identify")
    # The answer's place under both limits is taken before it is compared, so answers sent
    # together are judged one limit's worth at most.
    place = await store.take_identify_turn(
        row["id"], limits.identify_max_failures, client_key, limits.identify_client_limit, visit.now
    )
    if place == Full.CLIENT:
        raise Refused(
            429,
            "national_id_last4",
            "too many wrong answers from this connection; wait an hour or call your office",
            "กรอกข้อมูลผิดหลายครั้งเกินไป โปรดรอ 1 ชั่วโมง หรือติดต่อสำนักงาน",
        )
    if place == Full.LINK:
        now_row = await store.check_in_by_code(visit.code)
        if now_row is None or now_row["link_locked_at"] is not None:
            raise refusal(row, LinkState.LOCKED)
        # Every place is held by answers still being checked (there is no lock yet).
        raise Refused(
            429,
            "national_id_last4",
            "other answers on this link are being checked; wait a minute and try again",
            "มีการตรวจคำตอบอื่นของลิงก์นี้อยู่ โปรดรอสักครู่แล้วลองใหม่",
        )
    assert isinstance(place, int)
    right = hmac.compare_digest(row["national_id"][-4:], last4) & (row["date_of_birth"] == born)
    await store.record_identify(row["id"], visit.client_address, right, visit.now)
    if not right:
        await visit.audit("checkin.identify_failed", row["id"], {"failures": place})
        if place >= limits.identify_max_failures:
            await _lock(visit, row, place)
            raise refusal(row, LinkState.LOCKED)
        left = limits.identify_max_failures - place
        raise Refused(
            401,
            "date_of_birth",
            f"the date of birth or the ID digits do not match; {left} tries left",
            f"วันเกิดหรือเลขบัตรไม่ตรงกับข้อมูล ลองได้อีก {left} ครั้ง",
        )
    token = secrets.token_urlsafe(32)
    opened = await store.finish_right_answer(
        row["id"],
        client_key,
        {
            "token_hash": _token_hash(token),
            "check_in": row["id"],
            "client_address": visit.client_address,
            "created_at": visit.now,
            "expires_at": visit.now + timedelta(minutes=limits.session_minutes),
        },
    )
    if not opened:  # answers racing this one locked the link: no session on a locked link
        raise refusal(row, LinkState.LOCKED)
    await visit.audit("checkin.identified", row["id"], {})
    return token


async def _lock(visit: Visit, row: LinkRow, failures: int) -> None:
    # Answers racing this one to the limit are refused the same way; only the one that
    # locks the link raises the flag.
    if not await store.lock_link(row["id"], visit.now):
        return
    await alerts.raise_flag(
        NewFlag(
            kind=FlagKind.IDENTITY_LOCKOUT,
            case_id=row["case"],
            check_in_id=row["id"],
            office_id=row["office"],
            severity=Severity.HIGH,
            detail_th=f"ลิงก์รายงานตัวถูกล็อกหลังตอบข้อมูลยืนยันตัวตนผิด {failures} ครั้ง",
            detail_en=f"check-in link locked after {failures} wrong identity answers",
            # One flag per lock: a link an officer unlocked that locks again raises a new one.
            dedupe_key=f"{FlagKind.IDENTITY_LOCKOUT.value}:{row['id']}:{visit.now.isoformat()}",
        ),
        visit.now,
    )
    await visit.audit("checkin.link_locked", row["id"], {"failures": failures})


async def identified(visit: Visit, token: str | None, *, require_open: bool = False) -> LinkRow:
    """The check-in, if the cookie's session belongs to this link and is still valid; a
    locked link answers 423 whatever the cookie (the lock ended its sessions)."""
    row = await (find_open(visit) if require_open else find(visit))
    if link_state(row, visit.now) == LinkState.LOCKED:
        raise refusal(row, LinkState.LOCKED)
    if not token or not await store.find_session(_token_hash(token), row["id"], visit.now):
        raise Refused(
            401,
            "session",
            "confirm who you are first (date of birth and ID digits)",
            "โปรดยืนยันตัวตนก่อน (วันเกิดและเลขบัตร 4 ตัวท้าย)",
        )
    return row


async def set_preferences(
    visit: Visit, token: str | None, sms_opt_out: bool | None, language: str | None
) -> Preferences:
    """Stop or restart SMS reminders, or change their language: only for the identified
    person (audited old -> new). Stopping them raises a flag: the officer should call."""
    row = await identified(visit, token)
    changes = Preferences()
    if sms_opt_out is not None:
        changes["sms_opt_out"] = bool(sms_opt_out)
    if language is not None:
        if language not in ("th", "en"):
            raise InvalidInput("language", "must be th or en", "ต้องเป็น th หรือ en")
        changes["preferred_language"] = language
    if not changes:
        raise InvalidInput(
            "sms_opt_out", "give sms_opt_out or language", "ต้องระบุ sms_opt_out หรือ language"
        )
    before = {
        "sms_opt_out": row["sms_opt_out"],
        "preferred_language": row["preferred_language"],
    }
    before = {k: v for k, v in before.items() if k in changes}
    await defendants.update_defendant(row["defendant_id"], {**changes, "updated_at": visit.now})
    # Filed under the person, where an officer looks for changes to their SMS settings.
    await visit.audit(
        "checkin.preferences",
        row["defendant_id"],
        {"check_in": row["id"], "from": before, "to": changes},
        entity="defendant",
    )
    if changes.get("sms_opt_out") and not row["sms_opt_out"]:
        await alerts.raise_flag(
            NewFlag(
                kind=FlagKind.UNREACHABLE_PHONE,
                case_id=row["case"],
                check_in_id=row["id"],
                office_id=row["office"],
                severity=Severity.MEDIUM,
                detail_th="ผู้ได้รับการปล่อยชั่วคราวหยุดรับ SMS แจ้งเตือนจากหน้ารายงานตัว "
                "(ยืนยันตัวตนแล้ว) โปรดโทรติดต่อเพื่อยืนยันวันรายงานตัว",
                detail_en="the person stopped SMS reminders from the check-in page (after "
                "confirming who they are); call them to confirm their check-in dates",
                # One flag per opt-out: stopping again after a restart raises a new one.
                dedupe_key=f"sms_opt_out:{row['defendant_id']}:{visit.now.isoformat()}",
            ),
            visit.now,
        )
    return changes


async def not_me(visit: Visit) -> None:
    """Someone else got this SMS: stop reminders to the number and tell the officer.

    Anyone holding the link may say so (a bystander has nothing to prove), within
    `NOT_ME_CODE_LIMIT` presses per code and `NOT_ME_CLIENT_LIMIT` per address an hour,
    counted atomically. The answer is the same for any code, valid or not."""
    limits = visit.settings.checkin
    full = await store.take_press(
        f"not-me:code:{visit.code}",
        limits.not_me_code_limit,
        _client_key(visit, "not-me"),
        limits.not_me_client_limit,
        visit.now,
    )
    if full is not None:
        raise Refused(
            429,
            "code",
            "this was reported too many times; wait an hour or call your Justice office",
            "มีการแจ้งเรื่องนี้หลายครั้งเกินไป โปรดรอ 1 ชั่วโมง หรือติดต่อสำนักงานยุติธรรมจังหวัด",
        )
    try:
        row = await find(visit)
    except Refused:
        return  # nothing to stop, and nothing said about whether the code exists
    await defendants.update_defendant(
        row["defendant_id"], {"sms_opt_out": True, "updated_at": visit.now}
    )
    await alerts.raise_flag(
        NewFlag(
            kind=FlagKind.UNREACHABLE_PHONE,
            case_id=row["case"],
            check_in_id=row["id"],
            office_id=row["office"],
            severity=Severity.HIGH,
            detail_th="ผู้รับ SMS แจ้งว่าข้อความไม่ได้ส่งถึงตน (เบอร์ผิด) หยุดส่งข้อความเตือนไปยังเบอร์นี้แล้ว",
            detail_en="the person who received the SMS says it is not for them (wrong number); "
            "reminders to this number are stopped",
            dedupe_key=f"wrong_number:{row['defendant_id']}",
        ),
        visit.now,
    )
    await visit.audit(
        "checkin.not_me",
        row["defendant_id"],
        {
            "check_in": row["id"],
            "from": {"sms_opt_out": row["sms_opt_out"]},
            "to": {"sms_opt_out": True},
        },
        entity="defendant",
    )
