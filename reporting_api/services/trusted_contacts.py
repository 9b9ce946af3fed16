"""A person's trusted contact, with consent (issue 14, docs/requests.md).

On their link page the identified person names one contact (a relative, a guarantor) and
agrees, in words of a recorded version (`contact_consent.py`), that the contact be told by SMS
when they have missed a check-in and not answered the follow-up; they can withdraw at any time.
`queue_notices` (each sweep) queues that SMS for missed check-ins whose follow-up went out
`UNANSWERED_AFTER` ago: at most one a missed check-in (the outbox's unique (check_in, kind)),
never while a request about the check-in exists, never to a blocked number. The contact is told
only "please remind <first name> to contact the office": no link, no case, no date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from reporting_api.contact_consent import CONSENT_VERSION, RELATIONSHIPS, consent_text
from reporting_api.errors import InvalidInput, NotFound
from reporting_api.notice_texts import (
    CONTACT_NAME_CHARS,
    NOTICE_TRUSTED_CONTACT,
    NoticeText,
    render_notice,
)
from reporting_api.phones import parse_thai_mobile
from reporting_api.services.links import Visit
from reporting_api.services.reminders import new_reference, quiet_hours
from reporting_api.settings import Settings
from reporting_api.store import contacts as store
from reporting_api.store import defendants as defendant_store
from reporting_api.store import offices as office_store
from reporting_api.store import outbox, transaction
from reporting_api.store.contacts import ContactRow
from reporting_api.store.links import LinkRow
from reporting_api.thai_dates import bangkok_today, end_of_local_day_utc

UNANSWERED_AFTER = timedelta(hours=24)
"""How long after the missed check-in's follow-up SMS went out the contact is told, when the
person has neither checked in (an officer recording it) nor sent a request about it."""
NOTICE_VALID_DAYS = 2
BATCH = 200
MAX_NAME = 100


@dataclass(frozen=True)
class ContactIn:
    name: str
    relationship: str
    phone: str
    consent: bool


@dataclass(frozen=True)
class ContactView:
    """What the person's page shows: the contact, and the consent's words and state."""

    name: str | None
    relationship: str | None
    phone: str | None
    consent_version: str | None
    consented_at: datetime | None
    withdrawn_at: datetime | None
    active: bool
    consent_text: str
    """The words the page asks the person to agree to (the current version)."""


def _view(row: ContactRow | None, language: str) -> ContactView:
    words = consent_text(CONSENT_VERSION, language)
    if row is None:
        return ContactView(None, None, None, None, None, None, False, words)
    return ContactView(
        row["name"],
        row["relationship"],
        row["phone"],
        row["consent_version"],
        row["consented_at"],
        row["withdrawn_at"],
        row["withdrawn_at"] is None,
        words,
    )


async def mine(visit: Visit, row: LinkRow) -> ContactView:
    return _view(await store.for_defendant(row["defendant_id"]), row["preferred_language"])


def check_contact(data: ContactIn, own_phone: str, prefix: str = "") -> tuple[str, str]:
    """The contact's name and number (E.164) if ``data`` may be stored: a name, a known
    relationship, a Thai mobile that is not the person's own, and the consent ticked. Errors
    name ``prefix`` + the field (`contact_phone` on the enrolment form)."""
    name = " ".join(data.name.split())
    if not name:
        raise InvalidInput(f"{prefix}name", "is required", "ต้องกรอกชื่อผู้ติดต่อ")
    if len(name) > MAX_NAME:
        raise InvalidInput(
            f"{prefix}name", f"at most {MAX_NAME} characters", f"ยาวได้ไม่เกิน {MAX_NAME} ตัวอักษร"
        )
    if data.relationship not in RELATIONSHIPS:
        raise InvalidInput(
            f"{prefix}relationship",
            f"must be one of {', '.join(RELATIONSHIPS)}",
            "โปรดเลือกความเกี่ยวข้อง (ญาติ ผู้ค้ำประกัน หรืออื่น ๆ)",
        )
    phone = parse_thai_mobile(data.phone, f"{prefix}phone")
    if own_phone == phone:
        raise InvalidInput(
            f"{prefix}phone",
            "is the person's own number: give the contact's",
            "เป็นเบอร์ของผู้ได้รับการปล่อยชั่วคราวเอง โปรดใส่เบอร์ของผู้ติดต่อ",
        )
    if not data.consent:
        raise InvalidInput(
            f"{prefix}consent",
            "tick the box to agree that the contact may be told",
            "โปรดทำเครื่องหมายยินยอมให้แจ้งผู้ติดต่อ",
        )
    return name, phone


async def save(
    defendant_id: int, name: str, relationship: str, phone: str, now: datetime
) -> None:
    """Store the contact with consent to the current words, given ``now``."""
    await store.save(
        defendant_id,
        {
            "name": name,
            "relationship": relationship,
            "phone": phone,
            "consent_version": CONSENT_VERSION,
            "consented_at": now,
        },
        now,
    )


async def name_contact(visit: Visit, row: LinkRow, data: ContactIn) -> ContactView:
    """Name (or replace) the person's contact with their consent to the current words."""
    person = await defendant_store.get_defendant(row["defendant_id"])
    if person is None:
        raise NotFound("defendant")
    try:
        name, phone = check_contact(data, person["phone"])
    except InvalidInput as error:
        if error.field != "phone" or "own number" not in error.reason:
            raise
        raise InvalidInput(
            "phone",
            "is your own number: give your contact's",
            "เป็นเบอร์ของท่านเอง โปรดใส่เบอร์ของผู้ติดต่อ",
        ) from None
    async with transaction():
        await save(row["defendant_id"], name, data.relationship, phone, visit.now)
        await visit.audit(
            "contact.consent",
            row["defendant_id"],
            {"version": CONSENT_VERSION, "relationship": data.relationship},
            entity="defendant",
        )
    return await mine(visit, row)


async def withdraw(visit: Visit, row: LinkRow) -> ContactView:
    """Withdraw the consent: nothing more goes to the contact, what is queued is cancelled."""
    async with transaction():
        if await store.withdraw(row["defendant_id"], visit.now):
            await store.cancel_queued_notices(
                row["defendant_id"], NOTICE_TRUSTED_CONTACT, visit.now
            )
            await visit.audit("contact.withdraw", row["defendant_id"], {}, entity="defendant")
    return await mine(visit, row)


async def queue_notices(now: datetime, settings: Settings) -> int:
    """Queue the SMS to the contacts now owed one (see the module's rule); how many."""
    due = await store.due_for_notice(now - UNANSWERED_AFTER, NOTICE_TRUSTED_CONTACT, BATCH)
    if not due:
        return 0
    due_at = quiet_hours(settings).next_allowed(now)
    expires_at = end_of_local_day_utc(bangkok_today(due_at) + timedelta(days=NOTICE_VALID_DAYS))
    offices: dict[int, tuple[str, str, str | None]] = {}
    rows: list[outbox.NewReminder] = []
    for item in due:
        if item["office"] not in offices:
            office = await office_store.get_office(item["office"])
            if office is None:
                continue
            offices[item["office"]] = (office["name_th"], office["name_en"], office["phone"])
        name_th, name_en, phone = offices[item["office"]]
        language = "en" if item["preferred_language"] == "en" else "th"
        first = item["first_name_en"] if language == "en" and item["first_name_en"] else None
        person_name = (first or item["first_name_th"])[:CONTACT_NAME_CHARS]
        body = render_notice(
            NoticeText(
                kind=NOTICE_TRUSTED_CONTACT,
                language=language,
                office_name_th=name_th,
                office_name_en=name_en,
                office_phone=phone,
                person_name=person_name,
            )
        )
        rows.append(
            {
                "check_in": item["check_in_id"],
                "case": item["case_id"],
                "office": item["office"],
                "defendant": item["defendant_id"],
                "kind": NOTICE_TRUSTED_CONTACT,
                "body": body,
                "language": language,
                "to_phone": item["contact_phone"],
                "due_at": due_at,
                "expires_at": expires_at,
                "next_attempt_at": due_at,
                "status": outbox.QUEUED,
                "reference": new_reference(),
                "created_at": now,
                "updated_at": now,
            }
        )
    return await outbox.insert_reminders(rows)
