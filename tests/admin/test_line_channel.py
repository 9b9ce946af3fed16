"""LINE on the officers' pages (issue 17), on both databases: the person's page says how
messages reach the person (LINE since when, or SMS) and an officer of their office can unlink
the account (audited; CSRF; other offices and managers refused); the outbox names LINE and
says why a message fell back to SMS; the managers' report counts messages by channel and the
SMS segments LINE saved, in its Excel and PDF too. With LINE off nothing mentions LINE."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reporting_api.clock import utcnow
from reporting_api.settings import LineSettings
from reporting_api.thai_dates import bangkok_today
from tests.admin.conftest import Browser
from tests.admin.test_officer_pages import audit_rows, person_with_plan
from tests.admin.test_reports import _pdftotext, _squeeze
from tests.api.helpers import enrol_with_case
from tests.conftest import RUNNING, Api, TotpKeys, _make_staff, settings_for_test, shared_verifier

LINKED_AT = datetime(2026, 11, 30, 20, 15, tzinfo=UTC)
"""1 Dec 2026 (B.E. 2569) 03:15 in Bangkok."""
USER = "U" + "a" * 32
ADD_FRIEND = "https://lin.ee/JusticeFundTest"


@pytest.fixture
def line_site(database_url: str) -> Iterator[tuple[Browser, Api]]:
    """As the `site` fixture, with LINE configured on the pages' app."""
    from admin_ui import admin_parts
    from reporting_api.app import create_app

    staff = _make_staff(database_url)

    def app(pages: bool) -> Any:
        parts = admin_parts()
        line = LineSettings(
            channel_secret="secret", channel_access_token="token", add_friend_url=ADD_FRIEND
        )
        return create_app(
            settings_for_test(database_url, line=line)
            if pages
            else settings_for_test(database_url),
            verifier=shared_verifier(),
            extra_routes=parts.routes if pages else (),
            template_dirs=parts.template_dirs if pages else (),
        )

    keys = TotpKeys()
    client = RUNNING.client("admin-line", database_url, lambda: app(True))
    api_client = RUNNING.client("api", database_url, lambda: app(False))
    yield Browser(client, keys), Api(api_client, staff, keys)
    RUNNING.settle()


def link(defendant_id: int, user: str = USER, at: datetime = LINKED_AT) -> None:
    from reporting_api.store import line_events

    asyncio.run(line_events.link_account(defendant_id, user, at))


def linked_users() -> dict[int, str]:
    from reporting_api.tables import LineAccount

    async def run() -> list[dict[str, Any]]:
        return await LineAccount.select(LineAccount.defendant, LineAccount.user_id)

    return {r["defendant"]: r["user_id"] for r in asyncio.run(run())}


def channel_cell(html: str) -> str:
    start = html.index('<dd id="channel">')
    return html[start : html.index("</dd>", start)]


def message(
    case: dict[str, Any],
    *,
    channel: str = "sms",
    sent_at: datetime | None,
    body: str | None = "ทดสอบ",
    line_outcome: str | None = None,
    staff: int | None = None,
    status: str = "sent",
) -> int:
    """An outbox row of the person's case as the dispatcher leaves it."""
    from reporting_api.tables import Reminder

    now = utcnow()
    row = Reminder(
        case=case["id"],
        office=case["office_id"],
        defendant=None if staff else case["defendant_id"],
        staff=staff,
        kind="notice_dates_changed",
        due_at=sent_at or now,
        expires_at=(sent_at or now) + timedelta(days=2),
        next_attempt_at=sent_at or now,
        status=status,
        reference=uuid.uuid4().hex,
        to_phone="+66812345678",
        body=body,
        language="th",
        sent_at=sent_at,
        created_at=now,
        updated_at=now,
        channel=channel,
        line_user=USER if channel == "line" or line_outcome else None,
        line_outcome=line_outcome,
    )

    async def run() -> int:
        rows = await Reminder.insert(row).returning(Reminder.id)
        return int(rows[0]["id"])

    return asyncio.run(run())


# --- the person's page --------------------------------------------------------------------


def test_the_page_says_line_since_when_for_a_linked_person_and_sms_otherwise(line_site):
    browser, api = line_site
    world = person_with_plan(api)
    person = world["defendant"]
    page = f"/admin/defendants/{person['id']}"
    officer = browser.as_("officer_bkk").client

    cell = channel_cell(officer.get(page).text)
    assert "SMS" in cell and "LINE" not in cell
    assert "ช่องทางส่งข้อความถึงผู้ถูกปล่อยตัว" in officer.get(page).text

    link(person["id"])
    shown = officer.get(page).text
    cell = channel_cell(shown)
    assert "LINE (เชื่อมบัญชีตั้งแต่ 1 ธ.ค. 2569 03:15 น.)" in cell
    assert f'action="/admin/defendants/{person["id"]}/line/unlink"' in cell
    assert "ยกเลิกการเชื่อมบัญชี LINE" in cell

    english = officer.get(page + "?lang=en").text
    assert "Messages reach the person by" in english
    assert "LINE (linked since 1 Dec 2026 03:15)" in channel_cell(english)

    # A manager reads it and cannot unlink.
    manager = browser.as_("manager").client.get(page).text
    assert "LINE (เชื่อมบัญชีตั้งแต่" in channel_cell(manager)
    assert "/line/unlink" not in manager


def test_with_line_off_no_page_mentions_line(site):
    browser, api = site
    world = person_with_plan(api)
    person = world["defendant"]
    link(person["id"])  # a link made while LINE was on stays in the table
    officer = browser.as_("officer_bkk").client
    for path in (f"/admin/defendants/{person['id']}", "/admin/outbox"):
        html = officer.get(path).text
        assert "LINE" not in html and 'id="channel"' not in html, path
    report = browser.as_("manager").client.get("/admin/reports").text
    assert "LINE" not in report and 'id="channels"' not in report
    # Nor can anyone unlink while it is off: 404, the link kept.
    page = f"/admin/defendants/{person['id']}"
    response = browser.as_("officer_bkk").post_form(
        page, f"/admin/defendants/{person['id']}/line/unlink", {}
    )
    assert response.status_code == 404
    assert linked_users() == {person["id"]: USER}


# --- unlinking ----------------------------------------------------------------------------


def test_an_officer_unlinks_the_account_audited_and_a_second_try_is_told_why(line_site):
    browser, api = line_site
    world = person_with_plan(api)
    person = world["defendant"]
    other = enrol_with_case(api)[0]
    link(person["id"])
    link(other["id"], "U" + "b" * 32)
    page = f"/admin/defendants/{person['id']}"
    url = f"/admin/defendants/{person['id']}/line/unlink"
    browser.as_("officer_bkk")

    response = browser.post_form(page, url, {})
    assert response.status_code == 303
    assert response.headers["location"] == f"{page}?line=unlinked#channel"
    assert linked_users() == {other["id"]: "U" + "b" * 32}  # only this person's link went
    audit = audit_rows(api, "line.unlinked", person["id"])
    assert len(audit) == 1
    assert audit[0]["detail"] == {"why": "officer"}
    assert audit[0]["actor_username"] == "officer_bkk"
    shown = browser.client.get(response.headers["location"]).text
    assert "ยกเลิกการเชื่อมบัญชี LINE แล้ว" in shown
    assert "LINE" not in channel_cell(shown) and "SMS" in channel_cell(shown)

    # Unlinked already (another officer, or the person): 409, said in Thai and English.
    again = browser.post_form(page, url, {})
    assert again.status_code == 409
    cell = channel_cell(again.text)
    assert "บุคคลนี้ไม่ได้เชื่อมบัญชี LINE ไว้" in cell
    assert "this person has no linked LINE account" in cell
    assert len(audit_rows(api, "line.unlinked", person["id"])) == 1


def test_another_offices_officer_a_manager_and_a_post_without_csrf_are_refused(line_site):
    browser, api = line_site
    person = person_with_plan(api)["defendant"]
    link(person["id"])
    page = f"/admin/defendants/{person['id']}"
    url = f"/admin/defendants/{person['id']}/line/unlink"

    # Chiang Mai's officer: the person is "not found" (404), as for every other record.
    response = browser.as_("officer_cnx").post_form("/admin/caseload", url, {})
    assert response.status_code == 404
    # A manager reads every office and changes nothing: 403.
    response = browser.as_("manager").post_form(page, url, {})
    assert response.status_code == 403
    # The person's own officer without the page's CSRF token: 403.
    officer = browser.as_("officer_bkk").client
    response = officer.post(url, data={}, follow_redirects=False)
    assert response.status_code == 403
    response = officer.post(url, data={"_csrf": "0" * 40}, follow_redirects=False)
    assert response.status_code == 403
    assert linked_users() == {person["id"]: USER}
    assert audit_rows(api, "line.unlinked", person["id"]) == []


# --- the outbox -----------------------------------------------------------------------------


def test_the_outbox_names_line_and_says_why_a_message_fell_back_to_sms(line_site):
    browser, api = line_site
    world = person_with_plan(api)
    case = world["case"]
    sent = utcnow() - timedelta(hours=2)
    by_line = message(case, channel="line", sent_at=sent, line_outcome="sent")
    refused = message(case, sent_at=sent, line_outcome="refused")
    quota = message(case, sent_at=sent, line_outcome="quota")
    plain = message(case, sent_at=sent)
    officer = browser.as_("officer_bkk").client

    def row(html: str, reminder_id: int) -> str:
        start = html.index(f'<tr id="reminder-{reminder_id}">')
        return html[start : html.index("</tr>", start)]

    html = officer.get("/admin/outbox").text
    assert '<span class="badge">LINE</span>' in row(html, by_line)
    assert "08x-xxx-5678" not in row(html, by_line)  # LINE's row shows no number
    assert "ส่งทาง SMS แทน: LINE ไม่รับข้อความ" in row(html, refused)
    assert "ส่งทาง SMS แทน: โควตาข้อความ LINE ของเดือนนี้หมดแล้ว" in row(html, quota)
    assert "LINE" not in row(html, plain) and "08x-xxx-5678" in row(html, plain)
    for reminder_id in (refused, quota):
        assert '<span class="badge">LINE</span>' not in row(html, reminder_id)

    english = officer.get("/admin/outbox?lang=en").text
    assert "By SMS instead: LINE refused the message" in row(english, refused)
    assert "By SMS instead: this month&#39;s LINE message quota was used up" in row(english, quota)

    # The person's timeline names the channel each message went on.
    timeline = officer.get(f"/admin/defendants/{case['defendant_id']}").text

    def event(reminder_id: int) -> str:
        start = timeline.index(f'id="reminder-{reminder_id}"')
        return timeline[start : timeline.index("</li>", start)]

    assert "<strong>LINE</strong>" in event(by_line)
    assert "<strong>SMS</strong>" in event(refused) and "<strong>SMS</strong>" in event(plain)


# --- the managers' report -----------------------------------------------------------------

THAI_71 = "ก" * 71
"""UCS-2, 71 units: more than 70, so split in parts of 67: 2 segments."""
GSM_160 = "a" * 160
"""GSM-7, 160 septets: 1 segment."""
GSM_161 = "b" * 161
"""GSM-7, 161 septets: split in parts of 153: 2 segments."""
GSM_10 = "Reminder 1"


def report_world(api: Api) -> dict[str, Any]:
    """Messages of one Bangkok case and one Chiang Mai case: in the last ten days on LINE
    (three texts of 2 + 1 + 2 segments, one text emptied by the retention purge; Chiang Mai
    one of 1), by SMS (two plain, one after LINE refused, one after the quota ran out), and
    what the figures leave out: a message of 40 days ago, one not sent yet, a staff alert."""
    bkk = enrol_with_case(api, "officer_bkk")[1]
    cnx = enrol_with_case(api, "officer_cnx")[1]
    recent = utcnow() - timedelta(days=1)
    for body in (THAI_71, GSM_160, GSM_161, None):
        message(bkk, channel="line", sent_at=recent, body=body, line_outcome="sent")
    message(bkk, sent_at=recent)
    message(bkk, sent_at=recent, status="delivered")
    message(bkk, sent_at=recent, line_outcome="refused")
    message(bkk, sent_at=recent, line_outcome="quota")
    message(cnx, channel="line", sent_at=recent, body=GSM_10, line_outcome="sent")
    # Left out: before the range, not sent, to staff.
    message(bkk, channel="line", sent_at=utcnow() - timedelta(days=40), body=GSM_161)
    message(bkk, channel="line", sent_at=None, status="queued", body=GSM_161)
    staff_id = api.staff["officer_bkk"].id
    message(bkk, sent_at=recent, staff=staff_id)
    today = bangkok_today(utcnow())
    return {
        "query": f"date_from={(today - timedelta(days=10)).isoformat()}&date_to={today}",
        "bkk": api.office_id("TH-10"),
    }


def card(html: str, card_id: str) -> int:
    match = re.search(rf'<div class="card" id="{card_id}"><div class="n">([\d,]+)</div>', html)
    assert match, card_id
    return int(match.group(1).replace(",", ""))


def test_the_report_counts_messages_by_channel_and_the_sms_segments_saved(line_site):
    browser, api = line_site
    world = report_world(api)
    manager = browser.as_("manager").client

    bangkok = manager.get(f"/admin/reports?{world['query']}&office_id={world['bkk']}").text
    assert card(bangkok, "channel-sms") == 4  # 2 plain + 2 fell back
    assert card(bangkok, "channel-line") == 4
    assert card(bangkok, "channel-fell-back") == 2
    assert card(bangkok, "segments-saved") == 2 + 1 + 2  # the emptied text is not counted
    assert "ส่ง SMS แทน LINE เพราะ LINE ไม่รับข้อความ" in bangkok
    assert 'id="segments-uncounted"' in bangkok
    assert "ข้อความที่ส่งทาง LINE 1 ข้อความไม่ได้นับรวม" in bangkok

    every_office = manager.get(f"/admin/reports?{world['query']}").text
    assert card(every_office, "channel-line") == 5
    assert card(every_office, "segments-saved") == 5 + 1
    assert card(every_office, "channel-sms") == 4

    # An officer of Chiang Mai sees their own office only.
    cnx = browser.as_("officer_cnx").client.get(f"/admin/reports?{world['query']}").text
    assert (card(cnx, "channel-line"), card(cnx, "channel-sms")) == (1, 0)
    assert card(cnx, "segments-saved") == 1
    assert 'id="segments-uncounted"' not in cnx


def test_the_report_shows_channels_with_line_on_even_with_no_messages(line_site):
    browser, _ = line_site
    html = browser.as_("manager").client.get("/admin/reports").text
    assert card(html, "channel-line") == 0 and card(html, "segments-saved") == 0


def test_with_line_off_the_report_shows_channels_only_when_messages_went_on_line(site):
    browser, api = site
    world = report_world(api)
    manager = browser.as_("manager").client
    html = manager.get(f"/admin/reports?{world['query']}&office_id={world['bkk']}").text
    assert card(html, "channel-line") == 4 and card(html, "segments-saved") == 5
    # Before those messages, nothing of the range went on LINE: no section.
    earlier = bangkok_today(utcnow()) - timedelta(days=100)
    old = manager.get(f"/admin/reports?date_from={earlier - timedelta(days=30)}&date_to={earlier}")
    assert old.status_code == 200 and "LINE" not in old.text


def test_the_exports_hold_the_messages_by_channel(line_site):
    from openpyxl import load_workbook

    browser, api = line_site
    world = report_world(api)
    manager = browser.as_("manager").client
    query = f"{world['query']}&office_id={world['bkk']}"

    book = load_workbook(io.BytesIO(manager.get(f"/admin/reports/export.xlsx?{query}").content))
    rows = [[c.value for c in r] for r in book["สรุป"].iter_rows()]
    start = next(n for n, r in enumerate(rows) if r[0] == "ข้อความตามช่องทาง")
    table = {r[0]: r[1] for r in rows[start + 2 : start + 7]}
    assert table == {
        "ส่งทาง SMS": 4,
        "ในจำนวนนี้ ส่ง SMS แทน LINE เพราะ LINE ไม่รับข้อความ": 1,
        "ในจำนวนนี้ ส่ง SMS แทน LINE เพราะโควตาข้อความ LINE ของเดือนหมด": 1,
        "ส่งทาง LINE": 4,
        "ท่อน SMS ที่ประหยัดได้": 5,
    }

    pdf = manager.get(f"/admin/reports/export.pdf?{query}")
    assert pdf.status_code == 200
    text = _squeeze(_pdftotext(pdf.content))
    assert _squeeze("ข้อความตามช่องทาง") in text
    assert _squeeze("ท่อน SMS ที่ประหยัดได้ 5") in text
    assert _squeeze("ส่งทาง LINE 4") in text


def test_the_messages_tried_on_line_have_their_index(database_url):
    """While LINE is off the report asks the partial index whether anything went on LINE."""
    from reporting_api.tables import Reminder

    async def names() -> set[str]:
        if database_url.startswith("postgres"):
            rows = await Reminder.raw(
                "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'reminder'"
            )
        else:
            rows = await Reminder.raw(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reminder'"
            )
        return {r["name"] for r in rows}

    assert "reminder_line_tried_sent_at" in asyncio.run(names())
