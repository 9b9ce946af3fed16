"""The officer pages: caseload, a person's page and timeline, the check-in actions, the flags
inbox and the SMS outbox; the rows each role sees, refusals, form errors, audit rows.

The helpers at the top make people with past and future check-ins, and flags and reminders in
known states (written through the store, as the scheduler would); other test_officer_*.py
files import them from here."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any

from reporting_api.clock import utcnow
from reporting_api.thai_dates import bangkok_today
from tests.api.helpers import dates_plan, enrol, enrol_with_case, set_plan
from tests.checkin.helpers import open_check_in
from tests.conftest import Api


def person_with_plan(api: Api, username: str = "officer_bkk", **defendant: Any) -> dict[str, Any]:
    """A person with a case and two check-ins: one whose window closed without a check-in
    (missed) and one a month ahead (not open yet). Returns defendant, case and check_ins."""
    person, case = enrol_with_case(api, username, defendant)
    today = bangkok_today(utcnow())
    start = today - timedelta(days=3)
    plan = dates_plan([start, today + timedelta(days=30)], today + timedelta(days=40), grace_days=7)
    past, future = set_plan(api, username, case["id"], plan)
    # Planning never makes a check-in whose window has closed: close this one as the sweep
    # would have, a day ago.
    closed = miss(past["id"], utcnow() - timedelta(days=1))
    return {"defendant": person, "case": case, "check_ins": [past | closed, future]}


def miss(check_in_id: int, closed_at: datetime) -> dict[str, Any]:
    from reporting_api.store import checkins

    values = {"status": "missed", "closes_at": closed_at, "updated_at": closed_at}
    asyncio.run(checkins.update_check_in(check_in_id, values))
    return {"status": "missed", "closes_at": closed_at.isoformat()}


def check_in_of(api: Api, world: dict[str, Any], check_in_id: int) -> dict[str, Any]:
    rows = api.request("officer_bkk", "GET", f"/api/v1/cases/{world['case']['id']}/checkins")
    return next(c for c in rows.json() if c["id"] == check_in_id)


def raise_flag(
    check_in: dict[str, Any],
    case: dict[str, Any],
    raised_at: datetime,
    kind: str = "missed_checkin",
) -> int:
    """A flag as the sweep raises it for a missed check-in."""
    from reporting_api.store import flags

    async def run() -> int:
        flag_id = await flags.raise_flag(
            {
                "kind": kind,
                "case": case["id"],
                "check_in": check_in["id"],
                "office": case["office_id"],
                "severity": "medium",
                "detail": f"Missed check-in due {check_in['due_date']}",
                "dedupe_key": f"{kind}:{check_in['id']}",
                "raised_at": raised_at,
            }
        )
        assert flag_id is not None
        return flag_id

    return asyncio.run(run())


def add_attempt(check_in: dict[str, Any], case: dict[str, Any], at: datetime) -> int:
    """A finished remote recording the machine sent to an officer, as the verifier stores it."""
    from reporting_api.store import attempts

    values = {
        "check_in": check_in["id"],
        "case": case["id"],
        "office": case["office_id"],
        "idempotency_key": f"test-{check_in['id']}-{at.timestamp()}",
        "state": "done",
        "media_kind": "mp4",
        "decision": "review",
        "outcome": "review",
        "reasons": [{"code": "low_match", "en": "Low face match", "th": "ใบหน้าตรงกันน้อย"}],
        "needs_review": True,
        "created_at": at,
        "completed_at": at,
    }
    return asyncio.run(attempts.insert_attempt(values))


def escalate(flag_id: int, staff_id: int, at: datetime) -> None:
    from reporting_api.store import flags

    assert asyncio.run(flags.mark_escalated(flag_id, staff_id, at))


def reminders_of(defendant_id: int) -> list[dict[str, Any]]:
    from reporting_api.tables import Reminder

    async def run() -> list[dict[str, Any]]:
        return (
            await Reminder.select()
            .where(Reminder.defendant == defendant_id)
            .order_by(Reminder.due_at)
            .order_by(Reminder.id)
        )

    return asyncio.run(run())


def mark_reminder(reminder_id: int, **values: Any) -> None:
    """Put a reminder in the state a send and Twilio's callbacks would leave it in."""
    from reporting_api.tables import Reminder

    async def run() -> None:
        await Reminder.update(values).where(Reminder.id == reminder_id)

    asyncio.run(run())


def audit_rows(api: Api, action: str, entity_id: int | None = None) -> list[dict[str, Any]]:
    url = f"/api/v1/audit?action={action}&page_size=100"
    if entity_id is not None:
        url += f"&entity_id={entity_id}"
    # A manager reads the rows as written (an administrator's come without personal detail).
    return api.request("manager", "GET", url).json()["items"]


def ids_in(html: str, prefix: str) -> list[int]:
    """Ids of the elements `id="<prefix>-N"` in the order the page shows them."""
    return [int(n) for n in re.findall(rf'id="{prefix}-(\d+)"', html)]


# --- caseload -----------------------------------------------------------------------------


def test_caseload_shows_each_officer_their_office_and_the_manager_both(site):
    browser, api = site
    bkk = open_check_in(api, "officer_bkk", first_name_th="บุญมา", last_name_th="ศรีสุข")
    cnx = open_check_in(api, "officer_cnx", first_name_th="คำแสน", last_name_th="ดอยคำ")
    bkk_link = f'href="/admin/defendants/{bkk["defendant"]["id"]}"'
    cnx_link = f'href="/admin/defendants/{cnx["defendant"]["id"]}"'

    page = browser.as_("officer_bkk").client.get("/admin/caseload")
    assert page.status_code == 200
    assert bkk_link in page.text and cnx_link not in page.text
    row = page.text.split(f'id="person-{bkk["defendant"]["id"]}"')[1].split("</tr>")[0]
    assert "เปิดให้รายงานตัว" in row  # today's check-in: the window is open
    assert bkk["case"]["black_case_number"] in row
    assert bkk["defendant"]["national_id"] not in page.text  # lists show the ID masked

    page = browser.as_("officer_cnx").client.get("/admin/caseload")
    assert cnx_link in page.text and bkk_link not in page.text

    page = browser.as_("manager").client.get("/admin/caseload")
    assert page.status_code == 200
    assert bkk_link in page.text and cnx_link in page.text
    assert 'method="post"' not in page.text.split("</header>")[1]

    audit = audit_rows(api, "admin.caseload")
    assert any(bkk["defendant"]["id"] in row["detail"]["defendants"] for row in audit)


def test_caseload_search_sort_and_pages(site):
    browser, api = site
    # Name order (by last name): b, c, a. Due order: a (today), b (in a month), c (no case).
    a = open_check_in(api, first_name_th="อนันต์", last_name_th="งามดี", phone="0861234501")
    b = person_with_plan(api, first_name_th="บุษบา", last_name_th="กาญจนา", phone="0861234502")
    response = enrol(api, first_name_th="ชาตรี", last_name_th="ขาวสะอาด", phone="0861234503")
    c = {"defendant": response.json()}
    ids = {k: w["defendant"]["id"] for k, w in (("a", a), ("b", b), ("c", c))}
    browser.as_("officer_bkk")

    def shown(url: str, **kwargs: Any) -> list[int]:
        page = browser.client.get(url, **kwargs)
        assert page.status_code == 200, page.text
        return ids_in(page.text, "person")

    assert shown("/admin/caseload") == [ids["b"], ids["c"], ids["a"]]
    assert shown("/admin/caseload?sort=due") == [ids["a"], ids["b"], ids["c"]]
    assert shown("/admin/caseload?sort=status") == [ids["a"], ids["b"], ids["c"]]
    # Name prefix, the 13-digit ID, an ID prefix, the mobile number.
    assert shown("/admin/caseload?q=บุษ") == [ids["b"]]
    assert shown(f"/admin/caseload?q={c['defendant']['national_id']}") == [ids["c"]]
    assert shown(f"/admin/caseload?q={a['defendant']['national_id'][:7]}") == [ids["a"]]
    assert shown("/admin/caseload?q=086-123-4503") == [ids["c"]]
    # A search sorted by due date keeps to the matches.
    assert shown(f"/admin/caseload?sort=due&q={b['defendant']['national_id']}") == [ids["b"]]

    page = browser.client.get("/admin/caseload?page_size=1&page=2")
    assert ids_in(page.text, "person") == [ids["c"]]
    assert "หน้า 2 จาก 3" in page.text
    assert 'href="/admin/caseload?page=3&amp;page_size=1" rel="next"' in page.text
    assert 'href="/admin/caseload?page_size=1" rel="prev"' in page.text

    # HTMX live search answers the table alone.
    fragment = browser.client.get("/admin/caseload?q=ชา", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<table" in fragment.text
    assert ids_in(fragment.text, "person") == [ids["c"]]
    # The plain page carries the live search and its no-script fallback.
    full = browser.client.get("/admin/caseload")
    assert 'hx-get="/admin/caseload"' in full.text and 'hx-target="#caseload-results"' in full.text
    assert 'method="get" action="/admin/caseload"' in full.text

    # Too few digits: the reason beside the search box, in Thai and English.
    bad = browser.client.get("/admin/caseload?q=123")
    assert bad.status_code == 400
    assert "กรอกเลขประจำตัวอย่างน้อย 4 หลัก" in bad.text
    assert "give at least 4 digits of a national ID" in bad.text
    assert 'value="123"' in bad.text
    bad = browser.client.get("/admin/caseload?q=123", headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "กรอกเลขประจำตัวอย่างน้อย 4 หลัก" in bad.text

    searches = audit_rows(api, "defendant.search")
    assert any(row["detail"]["q"] == "บุษ" for row in searches)


# --- a person's page --------------------------------------------------------------------


def test_person_page_by_role_and_its_photo(site):
    browser, api = site
    world = person_with_plan(api)
    person = world["defendant"]
    past, future = world["check_ins"]
    url = f"/admin/defendants/{person['id']}"

    page = browser.as_("officer_bkk").client.get(url)
    assert page.status_code == 200
    assert person["national_id"] in page.text and world["case"]["black_case_number"] in page.text
    assert f'src="/api/v1/defendants/{person["id"]}/photo"' in page.text
    photo = browser.client.get(f"/api/v1/defendants/{person['id']}/photo")  # the session cookie
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    for action in (
        f"/admin/checkins/{past['id']}/in-person",
        f"/admin/checkins/{past['id']}/excuse",
        f"/admin/checkins/{future['id']}/in-person",
        f"/admin/defendants/{person['id']}/reminders",
    ):
        assert f'action="{action}"' in page.text, action
    assert audit_rows(api, "defendant.read", person["id"])
    assert audit_rows(api, "defendant.timeline", person["id"])

    # Another office: not found, as if the person did not exist; the photo too.
    other = browser.as_("officer_cnx").client.get(url)
    assert other.status_code == 404 and "ไม่พบข้อมูลที่ขอ" in other.text
    assert person["first_name_th"] not in other.text
    assert browser.client.get(f"/api/v1/defendants/{person['id']}/photo").status_code == 404

    # Managers read every office's people, with no button to press.
    page = browser.as_("manager").client.get(url)
    assert page.status_code == 200 and person["national_id"] in page.text
    main = page.text.split("</header>")[1]
    assert 'method="post"' not in main
    assert "ผู้บริหารดูได้อย่างเดียว" in main


def test_manager_may_not_post_any_action(site):
    browser, api = site
    world = person_with_plan(api)
    past = world["check_ins"][0]
    flag_id = raise_flag(past, world["case"], utcnow())
    browser.as_("manager")
    page = f"/admin/defendants/{world['defendant']['id']}"
    for url, data in (
        (f"/admin/checkins/{past['id']}/in-person", {"note": ""}),
        (f"/admin/checkins/{past['id']}/excuse", {"reason": "illness", "note": ""}),
        (f"/admin/defendants/{world['defendant']['id']}/reminders", {"sms": "off"}),
        (f"/admin/flags/{flag_id}/acknowledge", {"note": ""}),
        (f"/admin/flags/{flag_id}/resolve", {"note": "called the person"}),
    ):
        response = browser.post_form(page, url, data)
        assert response.status_code == 403, url
        assert "บทบาทของท่านไม่มีสิทธิ์ทำรายการนี้" in response.text
    assert check_in_of(api, world, past["id"])["status"] == "missed"
    flag = api.request("officer_bkk", "GET", f"/api/v1/flags?case_id={world['case']['id']}")
    assert [f["id"] for f in flag.json()["items"]] == [flag_id]  # still open


def test_timeline_merges_check_ins_reminders_attempts_and_flags_newest_first(site):
    browser, api = site
    world = person_with_plan(api)
    person = world["defendant"]
    past, future = world["check_ins"]
    now = utcnow()
    closed = datetime.fromisoformat(past["closes_at"])
    flag_id = raise_flag(past, world["case"], closed + timedelta(minutes=1))
    escalate(flag_id, api.staff["manager"].id, closed + timedelta(hours=25))
    attempt_id = add_attempt(past, world["case"], now - timedelta(hours=3))
    reminder = next(r for r in reminders_of(person["id"]) if r["check_in"] == future["id"])
    mark_reminder(
        reminder["id"],
        status="delivered",
        to_phone=person["phone"],
        body="แจ้งเตือนรายงานตัว ทดสอบ",
        attempts=1,
        sent_at=now - timedelta(hours=2),
        delivered_at=now - timedelta(hours=1),
    )

    page = browser.as_("officer_bkk").client.get(f"/admin/defendants/{person['id']}")
    assert page.status_code == 200
    html = page.text
    order = [
        f'id="checkin-{future["id"]}"',  # the next check-in, scheduled, on top
        f'id="reminder-{reminder["id"]}"',  # delivered an hour ago
        f'id="attempt-{attempt_id}"',  # three hours ago
        f'id="flag-{flag_id}"',  # a minute after the window closed
        f'id="checkin-{past["id"]}"',  # missed when the window closed
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)

    def event(marker: str) -> str:
        return html[html.index(marker) :].split("</li>")[0]

    assert "ไม่มารายงานตัว" in event(order[4])
    sms = event(order[1])
    assert "ถึงผู้รับแล้ว" in sms and "แจ้งเตือนรายงานตัว ทดสอบ" in sms
    attempt = event(order[2])
    assert f'href="/admin/review/{attempt_id}"' in attempt and "ใบหน้าตรงกันน้อย" in attempt
    flag = event(order[3])
    assert f'href="/admin/flags/{flag_id}"' in flag
    assert "ยังไม่รับทราบ" in flag and "ส่งต่อผู้บริหาร manager" in flag


def test_the_person_page_shows_the_trusted_contact_and_consent(site):
    import asyncio

    from reporting_api.contact_consent import CONSENT_VERSION
    from reporting_api.store import contacts as contact_store

    browser, api = site
    person = person_with_plan(api)["defendant"]
    url = f"/admin/defendants/{person['id']}"
    page = browser.as_("officer_bkk").client.get(url).text
    assert 'id="trusted-contact"' in page and "ไม่ได้ระบุ" in page
    now = utcnow()
    values = {
        "name": "สมศรี ใจดี",
        "relationship": "guarantor",
        "phone": "+66899990001",
        "consent_version": CONSENT_VERSION,
        "consented_at": now,
    }
    asyncio.run(contact_store.save(person["id"], values, now))
    page = browser.client.get(url).text
    assert "สมศรี ใจดี" in page and "089-999-0001" in page and "ให้ความยินยอมเมื่อ" in page
    asyncio.run(contact_store.withdraw(person["id"], now))
    assert "ถอนความยินยอมเมื่อ" in browser.client.get(url).text
