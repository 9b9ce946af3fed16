"""A person with something of every kind on file (for the export and erasure tests): a case
with a plan, a recording with its client details and a sealed evidence frame, a message sent
with its link, a flag with an officer's note, and a wrong answer on the check-in link."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from reporting_api.clock import utcnow
from reporting_api.sealing import Sealer
from reporting_api.services.attempts import evidence_context
from reporting_api.store import attempts
from reporting_api.tables import BailCase, Flag, Reminder
from tests.checkin.helpers import db, identify, open_check_in, wrong_last4
from tests.conftest import TEST_DATA_KEY, Api, jpeg_bytes

CLIENT = {
    "user_agent": "Mozilla/5.0 (Linux; Android 10; SM-A105F)",
    "location": {"latitude": 13.7563, "longitude": 100.5018, "accuracy_m": 20},
}
FLAG_NOTE = "โทรหาแม่ของผู้ต้องหาแล้ว"
FRAME = jpeg_bytes(320, 240, (90, 120, 150))


def person_with_everything(api: Api) -> dict[str, Any]:
    world = open_check_in(api)
    now = utcnow()
    check_in, case = world["check_in"], world["case"]
    assert identify(api.client, world, last4=wrong_last4(world)).status_code == 401
    attempt_id = asyncio.run(
        attempts.insert_attempt(
            {
                "check_in": check_in["id"],
                "case": case["id"],
                "office": check_in["office_id"],
                "idempotency_key": "k-record",
                "state": "done",
                "media_kind": "clip",
                "decision": "rejected",
                "outcome": "retry",
                "reasons": [{"code": "no_motion", "en": "no motion", "th": "ไม่เคลื่อนไหว"}],
                "client": CLIENT,
                "client_address": "203.0.113.7",
                "created_at": now,
            }
        )
    )
    sealed = Sealer.from_setting(TEST_DATA_KEY).seal(FRAME, evidence_context(attempt_id, 0))
    asyncio.run(
        attempts.insert_frames(
            [
                {
                    "attempt": attempt_id,
                    "position": 0,
                    "t": 1.5,
                    "image": sealed,
                    "width": 320,
                    "height": 240,
                    "created_at": now,
                }
            ]
        )
    )
    first = db(Reminder.select(Reminder.id).where(Reminder.case == case["id"]).first())
    body = f"โปรดรายงานตัว https://example.go.th/c/{world['code']}"
    db(
        Reminder.update(
            {
                Reminder.status: "delivered",
                Reminder.body: body,
                Reminder.to_phone: "+66812345678",
                Reminder.sent_at: now - timedelta(hours=2),
            }
        ).where(Reminder.id == first["id"])
    )
    db(
        Flag.insert(
            Flag(
                kind="other",
                case=case["id"],
                check_in=check_in["id"],
                office=check_in["office_id"],
                severity="medium",
                detail="ติดต่อไม่ได้",
                raised_at=now,
                acknowledged_at=now,
                acknowledge_note=FLAG_NOTE,
            )
        )
    )
    return world | {"attempt_id": attempt_id, "message_id": first["id"], "body": body}


def close_case(api: Api, case_id: int, username: str = "officer_bkk") -> None:
    response = api.request(
        username,
        "POST",
        f"/api/v1/cases/{case_id}/close",
        json={"status": "concluded", "outcome": "ศาลพิพากษาแล้ว"},
    )
    assert response.status_code == 200, response.text
    assert db(BailCase.select(BailCase.status).where(BailCase.id == case_id).first())["status"]
