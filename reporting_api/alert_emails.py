"""Staff alerts by e-mail: who chose which channel, when a digest goes, and the words.

Pure. An e-mail passes through other people's mail servers and stays in mailboxes, so it
carries only what the reader needs to act: what kind of alert, about which kind of flag, in
which office, and the link to the flag's page (which asks for a sign-in). Never the person's
name, national ID, phone number, nor the case number (docs/privacy.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from reporting_api.errors import InvalidInput
from reporting_api.reminder_schedule import MANAGER_ALERT, OFFICER_ALERT
from reporting_api.thai_dates import BANGKOK, format_english_date, format_thai_date

SMS, EMAIL = "sms", "email"
"""An outbox row's channel."""
ALERT_CHANNELS = ("sms", "email", "both", "none")
"""What a staff member may choose for flag alerts; `sms` (the default) is how alerts went
before e-mail existed."""
MAX_EMAIL_LENGTH = 254

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def normalise_email(text: str) -> str:
    """An address as stored: trimmed, the domain in lower case; refused with a reason."""
    value = text.strip()
    local, _, domain = value.rpartition("@")
    value = f"{local}@{domain.lower()}" if local else value
    labels = domain.split(".")
    if (
        len(value) > MAX_EMAIL_LENGTH
        or not _EMAIL.fullmatch(value)
        or any(not label or label.startswith("-") or label.endswith("-") for label in labels)
        or ".." in local
        or local.startswith(".")
        or local.endswith(".")
    ):
        raise InvalidInput(
            "email",
            "not an e-mail address: write it as name@example.go.th",
            "อีเมลไม่ถูกต้อง: โปรดกรอกในรูปแบบ name@example.go.th",
        )
    return value


def alert_channels(choice: str, *, phone: str | None, email: str | None, sms_on: bool) -> list[str]:
    """The channels an alert to this staff member goes by: what they chose, less a channel
    they have no address for (and SMS when `ALERT_STAFF_BY_SMS` is off)."""
    wanted = {"sms": [SMS], "email": [EMAIL], "both": [SMS, EMAIL]}.get(choice, [])
    channels = []
    if SMS in wanted and phone and sms_on:
        channels.append(SMS)
    if EMAIL in wanted and email:
        channels.append(EMAIL)
    return channels


def next_digest_at(now: datetime, hour: int) -> datetime:
    """The next daily digest at or after ``now``: ``hour``:00 in Bangkok, in UTC."""
    local = now.astimezone(BANGKOK)
    at = datetime.combine(local.date(), time(hour), tzinfo=BANGKOK)
    if at < local:
        at += timedelta(days=1)
    return at.astimezone(now.tzinfo)


@dataclass(frozen=True)
class AlertEmail:
    """One alert as an e-mail tells it."""

    kind: str
    """`officer_alert` or `manager_alert`."""
    flag_id: int
    flag_kind: str
    office_name_th: str
    office_name_en: str
    due_date: date | None
    hours_unacknowledged: int = 0


@dataclass(frozen=True)
class EmailText:
    subject: str
    body: str


_FLAG_WORDS: dict[str, tuple[str, str]] = {
    "missed_checkin": ("ไม่มารายงานตัวตามกำหนด", "missed check-in"),
    "unreachable_phone": ("เบอร์โทรรับ SMS ไม่ได้", "phone cannot receive SMS"),
    "hearing_absent": ("ไม่มาศาลตามนัด", "absent from a court hearing"),
    "failed_verification": ("ยืนยันตัวตนไม่ผ่าน", "verification failed"),
    "identity_lockout": ("ลิงก์ถูกล็อก", "check-in link locked"),
    "review_overdue": ("รอตรวจสอบเกินกำหนดเวลา", "review past its deadline"),
    "request_overdue": ("คำร้องรอเจ้าหน้าที่เกินกำหนดเวลา", "request past its deadline"),
}
_ALERT_WORDS = {
    OFFICER_ALERT: ("แจ้งเตือนเจ้าหน้าที่", "Officer alert"),
    MANAGER_ALERT: ("ยกระดับถึงผู้บริหาร", "Escalated to a manager"),
}


def flag_link(public_base_url: str, flag_id: int) -> str:
    return f"{public_base_url}/admin/flags/{flag_id}"


def _words(a: AlertEmail) -> tuple[str, str]:
    th, en = _FLAG_WORDS.get(a.flag_kind, ("เรื่องที่ต้องตรวจสอบ", "a flag to look at"))
    if a.due_date is not None and a.flag_kind == "missed_checkin":
        th += f" ({format_thai_date(a.due_date)})"
        en += f" (due {format_english_date(a.due_date)})"
    return th, en


def _alert_words(kind: str) -> tuple[str, str]:
    if kind not in _ALERT_WORDS:
        raise ValueError(f"no e-mail for a staff alert of kind {kind!r}")
    return _ALERT_WORDS[kind]


def render_alert_email(a: AlertEmail, public_base_url: str) -> EmailText:
    """One alert: Thai first, then English; the office and the link, nothing about the person."""
    alert_th, alert_en = _alert_words(a.kind)
    what_th, what_en = _words(a)
    link = flag_link(public_base_url, a.flag_id)
    late_th = late_en = ""
    if a.kind == MANAGER_ALERT and a.flag_kind == "review_overdue":
        # Escalated when raised (docs/deadlines.md): a deadline passed, not hours unseen.
        late_th = "\nรอเจ้าหน้าที่ตรวจสอบเกินกำหนดชั่วโมงทำการของสำนักงาน"
        late_en = "\nIt has waited for review past the office's deadline in working hours."
    elif a.kind == MANAGER_ALERT and a.flag_kind == "request_overdue":
        late_th = "\nคำร้องของผู้ถูกปล่อยตัวรอเจ้าหน้าที่เกินกำหนดชั่วโมงทำการของสำนักงาน"
        late_en = "\nThe person's request has waited past the office's deadline in working hours."
    elif a.kind == MANAGER_ALERT:
        late_th = f"\nไม่มีผู้รับทราบภายใน {a.hours_unacknowledged} ชั่วโมง"
        late_en = f"\nNobody acknowledged it within {a.hours_unacknowledged} hours."
    subject = f"{alert_th} / {alert_en}: {what_th} / {what_en} (#{a.flag_id})"
    body = (
        f"{alert_th} (เรื่อง {a.flag_id})\n{what_th}\nสำนักงาน: {a.office_name_th}{late_th}\n"
        f"โปรดเข้าสู่ระบบเพื่อดูรายละเอียด: {link}\n\n"
        f"{alert_en} (flag {a.flag_id})\n{what_en}\nOffice: {a.office_name_en}{late_en}\n"
        f"Sign in to see the details: {link}\n"
    )
    return EmailText(subject=subject, body=body)


def render_digest(alerts: Sequence[AlertEmail], public_base_url: str) -> EmailText:
    """One e-mail for the day's held alerts: a line each, Thai then English."""
    if not alerts:
        raise ValueError("a digest needs at least one alert")
    count = len(alerts)
    lines_th, lines_en = [], []
    for a in alerts:
        alert_th, alert_en = _alert_words(a.kind)
        what_th, what_en = _words(a)
        link = flag_link(public_base_url, a.flag_id)
        lines_th.append(f"- {alert_th}: {what_th}, {a.office_name_th} {link}")
        lines_en.append(f"- {alert_en}: {what_en}, {a.office_name_en} {link}")
    subject = f"สรุปการแจ้งเตือนประจำวัน {count} เรื่อง / Daily digest: {count} alerts"
    body = (
        f"การแจ้งเตือน {count} เรื่องที่ยังรอการตรวจสอบ\n"
        + "\n".join(lines_th)
        + "\nโปรดเข้าสู่ระบบเพื่อดูรายละเอียด\n\n"
        + f"{count} alerts waiting for you\n"
        + "\n".join(lines_en)
        + "\nSign in to see the details.\n"
    )
    return EmailText(subject=subject, body=body)
