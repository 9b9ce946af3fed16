"""The flags inbox (tabs, filters, detail, acknowledge, resolve, escalation) and the SMS
outbox (the office's reminders, status filter, masked numbers), for each role."""

from __future__ import annotations

from datetime import timedelta

from reporting_api.clock import utcnow
from tests.admin.test_officer_pages import (
    audit_rows,
    escalate,
    ids_in,
    mark_reminder,
    person_with_plan,
    raise_flag,
    reminders_of,
)


def test_flags_inbox_tabs_filters_and_roles(site):
    browser, api = site
    now = utcnow()
    first = person_with_plan(api)
    second = person_with_plan(api, phone="0861234502")
    far = person_with_plan(api, "officer_cnx")
    missed = raise_flag(first["check_ins"][0], first["case"], now - timedelta(hours=30))
    escalate(missed, api.staff["manager"].id, now - timedelta(hours=5))
    failed = raise_flag(
        second["check_ins"][0], second["case"], now - timedelta(hours=1), "failed_verification"
    )
    theirs = raise_flag(far["check_ins"][0], far["case"], now - timedelta(hours=2))
    browser.as_("officer_bkk")

    page = browser.client.get("/admin/flags")
    assert page.status_code == 200
    # Escalated first, then newest first; another office's flag is not there.
    assert ids_in(page.text, "flag") == [missed, failed]
    assert 'ยังไม่รับทราบ <span class="badge">2</span>' in page.text
    assert "manager" in page.text.split(f'id="flag-{missed}"')[1].split("</tr>")[0]
    # Today's link for a missed check-in, and the kind filter.
    by_check_in = browser.client.get(f"/admin/flags?check_in_id={first['check_ins'][0]['id']}")
    assert ids_in(by_check_in.text, "flag") == [missed]
    assert ids_in(browser.client.get("/admin/flags?kind=failed_verification").text, "flag") == [
        failed
    ]
    assert ids_in(browser.client.get("/admin/flags?state=resolved").text, "flag") == []
    assert browser.client.get(f"/admin/flags/{theirs}").status_code == 404

    assert ids_in(browser.as_("officer_cnx").client.get("/admin/flags").text, "flag") == [theirs]
    manager = browser.as_("manager").client.get("/admin/flags")
    assert sorted(ids_in(manager.text, "flag")) == sorted([missed, failed, theirs])
    detail = browser.client.get(f"/admin/flags/{missed}")
    assert detail.status_code == 200 and 'method="post"' not in detail.text.split("</header>")[1]
    assert audit_rows(api, "flag.read", missed)
    assert audit_rows(api, "flag.list")


def test_a_flag_filter_that_does_not_exist_is_refused_on_the_page_as_in_the_api(site):
    """One operation, one rule: the API and the inbox page list flags through the same service,
    which names the filter it cannot read (the page shows the reason in the page's language)."""
    browser, api = site
    browser.as_("officer_bkk")
    page = browser.client.get("/admin/flags?kind=late_payment")
    assert page.status_code == 400
    assert "ประเภทการแจ้งเตือนไม่ถูกต้อง" in page.text
    assert "Traceback" not in page.text
    english = browser.client.get("/admin/flags?kind=late_payment&lang=en")
    assert english.status_code == 400 and "must be one of missed_checkin" in english.text
    answered = api.request("officer_bkk", "GET", "/api/v1/flags?kind=late_payment")
    assert answered.status_code == 400
    assert answered.json()["extra"][0]["key"] == "kind"
    assert answered.json()["extra"][0]["message_th"] == "ประเภทการแจ้งเตือนไม่ถูกต้อง"


def test_acknowledge_then_resolve_a_flag(site):
    browser, api = site
    world = person_with_plan(api)
    flag_id = raise_flag(world["check_ins"][0], world["case"], utcnow() - timedelta(hours=30))
    escalate(flag_id, api.staff["manager"].id, utcnow() - timedelta(hours=6))
    page = f"/admin/flags/{flag_id}"
    browser.as_("officer_bkk")

    detail = browser.client.get(page)
    assert detail.status_code == 200
    assert "ส่งต่อถึง manager" in detail.text
    assert f'action="/admin/flags/{flag_id}/acknowledge"' in detail.text
    assert f'href="/admin/defendants/{world["defendant"]["id"]}"' in detail.text

    response = browser.post_form(page, f"/admin/flags/{flag_id}/acknowledge", {"note": "โทรแล้ว"})
    assert response.status_code == 303 and response.headers["location"] == page
    detail = browser.client.get(page)
    assert "รับทราบแล้ว" in detail.text and "โทรแล้ว" in detail.text
    assert f'action="/admin/flags/{flag_id}/acknowledge"' not in detail.text
    assert ids_in(browser.client.get("/admin/flags?state=acknowledged").text, "flag") == [flag_id]
    assert ids_in(browser.client.get("/admin/flags").text, "flag") == []
    assert audit_rows(api, "flag.acknowledge", flag_id)

    # Resolving needs a note: the reason beside the field, in Thai and English.
    response = browser.post_form(page, f"/admin/flags/{flag_id}/resolve", {"note": " "})
    assert response.status_code == 400
    assert "โปรดระบุว่าแก้ไขอย่างไร / say how it was resolved" in response.text
    assert 'id="note-error"' in response.text

    note = "ผู้ถูกปล่อยตัวมารายงานตัวในวันถัดไป"
    response = browser.post_form(page, f"/admin/flags/{flag_id}/resolve", {"note": note})
    assert response.status_code == 303
    detail = browser.client.get(page)
    assert "แก้ไขแล้ว" in detail.text and note in detail.text
    assert 'method="post"' not in detail.text.split("</header>")[1]
    assert ids_in(browser.client.get("/admin/flags?state=resolved").text, "flag") == [flag_id]
    assert audit_rows(api, "flag.resolve", flag_id)[0]["detail"]["note"] == note

    # A second resolve finds the flag closed: 409 with the reason.
    response = browser.post_form(page, f"/admin/flags/{flag_id}/resolve", {"note": "again"})
    assert response.status_code == 409 and "เรื่องนี้ได้รับการแก้ไขแล้ว" in response.text


def test_outbox_lists_the_offices_sms_with_a_status_filter(site):
    browser, api = site
    world = person_with_plan(api, phone="0861234501")
    far = person_with_plan(api, "officer_cnx", phone="0861234509")
    now = utcnow()
    mine = reminders_of(world["defendant"]["id"])
    theirs = reminders_of(far["defendant"]["id"])
    assert len(mine) >= 2 and theirs
    delivered, failed = mine[0]["id"], mine[1]["id"]
    mark_reminder(
        delivered,
        status="delivered",
        to_phone="+66861234501",
        body="ข้อความทดสอบ ก",
        attempts=1,
        sent_at=now - timedelta(hours=2),
        delivered_at=now - timedelta(hours=1),
    )
    mark_reminder(
        failed,
        status="failed",
        to_phone="+66861234501",
        body="ข้อความทดสอบ ข",
        attempts=1,
        error_code=30003,
        error_message="Unreachable destination handset",
    )
    browser.as_("officer_bkk")

    page = browser.client.get("/admin/outbox")
    assert page.status_code == 200
    shown = ids_in(page.text, "reminder")
    assert set(shown) == {r["id"] for r in mine}
    due = {r["id"]: r["due_at"] for r in mine}
    assert [due[i] for i in shown] == sorted(due.values(), reverse=True)  # newest first
    assert "ข้อความทดสอบ ก" in page.text and "08x-xxx-4501" in page.text
    assert "0861234501" not in page.text and "+66861234501" not in page.text

    only_failed = browser.client.get("/admin/outbox?status=failed")
    assert ids_in(only_failed.text, "reminder") == [failed]
    assert "30003" in only_failed.text and "Unreachable destination handset" in only_failed.text
    assert ids_in(browser.client.get("/admin/outbox?status=delivered").text, "reminder") == [
        delivered
    ]
    one = browser.client.get("/admin/outbox?page_size=1&page=2")
    assert ids_in(one.text, "reminder") == [shown[1]]
    assert audit_rows(api, "admin.outbox")

    cnx = browser.as_("officer_cnx").client.get("/admin/outbox")
    assert set(ids_in(cnx.text, "reminder")) == {r["id"] for r in theirs}
