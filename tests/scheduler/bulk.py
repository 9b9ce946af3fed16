"""Many due reminders at once, written straight to the tables (for load tests)."""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from reporting_api.national_id import synthetic_national_id
from reporting_api.tables import BailCase, CheckIn, Defendant, Office, Reminder, StaffUser


async def seed_due_reminders(
    count: int, now: datetime, *, per_case: int = 10, seed: int = 7
) -> list[str]:
    """``count`` reminders due at ``now``, ``per_case`` check-ins a person, each check-in open
    and with one reminder; returns the phone numbers. Staff must exist (an officer of TH-10)."""
    rng = random.Random(seed)
    office = await Office.select(Office.id).where(Office.code == "TH-10").first()
    officer = await StaffUser.select(StaffUser.id).where(StaffUser.role == "officer").first()
    people = -(-count // per_case)
    phones = [f"+668{rng.randrange(10**8):08d}" for _ in range(people)]
    defendant_ids = [
        row["id"]
        for row in await Defendant.insert(
            *(
                Defendant(
                    national_id=synthetic_national_id(rng),
                    first_name_th="ทดสอบ",
                    last_name_th=f"ภาระ{i}",
                    date_of_birth=date(1990, 1, 1),
                    phone=phone,
                    office=office["id"],
                    consent_at=now,
                    consent_version="test",
                    created_at=now,
                    updated_at=now,
                )
                for i, phone in enumerate(phones)
            )
        ).returning(Defendant.id)
    ]
    case_ids = [
        row["id"]
        for row in await BailCase.insert(
            *(
                BailCase(
                    defendant=d,
                    office=office["id"],
                    officer=officer["id"],
                    court="ศาลอาญา",
                    black_case_number=f"อ.{i}/2569",
                    charge="ลักทรัพย์",
                    bail_amount=Decimal("10000"),
                    release_date=now.date() - timedelta(days=30),
                    status="active",
                    created_at=now,
                    updated_at=now,
                )
                for i, d in enumerate(defendant_ids)
            )
        ).returning(BailCase.id)
    ]
    check_ins = []
    for case_id in case_ids:
        for k in range(per_case):
            if len(check_ins) == count:
                break
            check_ins.append(
                CheckIn(
                    case=case_id,
                    office=office["id"],
                    due_date=now.date() + timedelta(days=k),
                    opens_at=now - timedelta(days=1),
                    due_at=now + timedelta(days=1, hours=k),
                    closes_at=now + timedelta(days=2, hours=k),
                    status="open",
                    code=secrets.token_urlsafe(9),
                    created_at=now,
                    updated_at=now,
                )
            )
    stored = await CheckIn.insert(*check_ins).returning(CheckIn.id, CheckIn.case)
    defendant_of = dict(zip(case_ids, defendant_ids, strict=True))
    await Reminder.insert(
        *(
            Reminder(
                check_in=row["id"],
                case=row["case"],
                office=office["id"],
                defendant=defendant_of[row["case"]],
                kind="due_day",
                due_at=now - timedelta(minutes=1),
                expires_at=now + timedelta(days=1),
                next_attempt_at=now - timedelta(minutes=1),
                status="queued",
                reference=f"rem-{secrets.token_hex(10)}",
                created_at=now,
                updated_at=now,
            )
            for row in stored
        )
    )
    return phones
