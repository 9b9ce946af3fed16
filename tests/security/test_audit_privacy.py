"""Finding 5: the audit log keeps no raw national ID or phone number (a search's terms are
masked, with a keyed fingerprint; any number in any detail is masked as it is written, and
the rows written before are masked by a migration step), and administrators, who see no
personal data, read audit rows without personal detail."""

from __future__ import annotations

import asyncio
import importlib
import json
from typing import Any

from reporting_api.clock import utcnow
from reporting_api.db import bind_tables, engine_from_url
from reporting_api.sealing import Sealer
from reporting_api.store import audit
from reporting_api.tables import AuditLog
from tests.checkin.helpers import db, identify, open_check_in
from tests.conftest import TEST_DATA_KEY

MIGRATION = "reporting_api.piccolo_migrations.reporting_api_2026_11_27t10_41_08_000000"


def _rows(action: str) -> list[dict[str, Any]]:
    return db(
        AuditLog.select()
        .where(AuditLog.action == action)
        .order_by(AuditLog.id)
        .output(load_json=True)
    )


def _raw_text() -> str:
    """Every audit row as stored, as one text (what a copy of the table would show)."""
    return json.dumps(
        [r["detail"] for r in db(AuditLog.select(AuditLog.detail).output(load_json=True))],
        ensure_ascii=False,
    )


def test_a_search_by_id_or_phone_is_audited_masked_with_a_keyed_fingerprint(api):
    person = open_check_in(api)["defendant"]
    national_id = person["national_id"]
    for q in (national_id, "081-234-5678", national_id[:6], "สมชาย"):
        response = api.request("officer_bkk", "GET", "/api/v1/defendants", params={"q": q})
        assert response.status_code == 200, response.text
        assert response.json()["total"] >= 1, q

    stored = _raw_text()
    assert national_id not in stored and national_id[1:] not in stored
    assert "0812345678" not in stored and "2345678" not in stored
    assert national_id[:6] not in stored
    by_id, by_phone, by_prefix, by_name = (r["detail"] for r in _rows("defendant.search"))
    sealer = Sealer.from_setting(TEST_DATA_KEY)
    assert by_id["q"] == national_id[0] + "x" * 12 and by_id["q_kind"] == "national_id"
    assert by_id["q_fingerprint"] == sealer.fingerprint(national_id, "search")
    assert by_phone["q"] == "08x-xxx-xx78"
    assert by_phone["q_fingerprint"] == sealer.fingerprint("+66812345678", "search")
    assert by_prefix["q"] == national_id[0] + "xxxxx"
    assert by_name["q"] == "สมชาย" and "q_fingerprint" not in by_name
    assert person["id"] in by_id["returned"]


def test_any_id_or_phone_number_in_an_audit_detail_is_masked_as_it_is_written(database_url):
    bind_tables(engine_from_url(database_url))
    asyncio.run(
        audit.record(
            actor_id=None,
            actor_username="officer_bkk",
            action="flag.resolve",
            entity="flag",
            entity_id=1,
            at=utcnow(),
            client_address=None,
            detail={
                "note": "โทรหา +66 81 234 5678 แล้ว บัตร 1-1017-00203-45-1",
                "n": [1101700203451],
            },
        )
    )
    (row,) = _rows("flag.resolve")
    assert row["detail"]["note"] == "โทรหา 08x-xxx-xx78 แล้ว บัตร 1xxxxxxxxxxxx"


def test_search_terms_written_before_are_masked_by_the_migration(database_url, monkeypatch):
    bind_tables(engine_from_url(database_url))
    for q in ("1101700203451", "0812345678", "สมชาย"):
        db(
            AuditLog.insert(
                AuditLog(
                    action="defendant.search",
                    entity="defendant",
                    at=utcnow(),
                    detail={"q": q, "returned": [1]},
                )
            )
        )
    migration = importlib.import_module(MIGRATION)
    monkeypatch.setattr(migration, "engine_finder", lambda: AuditLog._meta.db)

    async def run() -> None:
        manager = await migration.forwards()
        for step in manager.raw:
            await step()

    asyncio.run(run())
    assert [r["detail"]["q"] for r in _rows("defendant.search")] == [
        "1xxxxxxxxxxxx",
        "0xxxxxxxxx",
        "สมชาย",
    ]


def test_administrators_read_audit_rows_without_personal_detail(api):
    world = open_check_in(api)
    person = world["defendant"]
    api.request("officer_bkk", "GET", "/api/v1/defendants", params={"q": "สมชาย"})
    assert identify(api.client, world).status_code == 200  # the person, from their phone
    note = "ป่วยไข้เลือดออก นอนโรงพยาบาลศิริราช"
    excused = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/checkins/{world['check_in']['id']}/excuse",
        json={"reason": "illness", "note": note},
    )
    assert excused.status_code == 200, excused.text

    seen = api.request("admin", "GET", "/api/v1/audit", params={"page_size": 100})
    assert seen.status_code == 200, seen.text
    rows = seen.json()["items"]
    shown = json.dumps(rows, ensure_ascii=False)
    for personal in (note, "สมชาย", person["national_id"], person["phone"]):
        assert personal not in shown, personal
    excuse = next(
        r
        for r in rows
        if r["action"].startswith("checkin.")
        and r["entity"] == "check_in"
        and "redacted" in r["detail"]
    )
    assert "note" in excuse["detail"]["redacted"]
    link_rows = [r for r in rows if r["actor_username"] == "checkin-link"]
    assert link_rows and all(r["client_address"] is None for r in link_rows)
    # Staff rows keep what an administrator needs: who, what, when, from where.
    read = next(r for r in rows if r["action"] == "defendant.search")
    assert read["actor_username"] == "officer_bkk" and read["client_address"]
    assert person["id"] in read["detail"]["returned"]

    # A manager, who reads the people's records anyway, reads the rows as written.
    full = api.request("manager", "GET", "/api/v1/audit", params={"page_size": 100}).json()
    assert note in json.dumps(full["items"], ensure_ascii=False)
