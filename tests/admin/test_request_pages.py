"""The officers' pages for persons' requests: Today's queue with the oldest wait, the requests
list with its filters, one request with the person's words, and each decision as a form
(both databases)."""

from __future__ import annotations

from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.thai_dates import bangkok_today
from tests.checkin.helpers import check_in_row, db, identify, open_check_in
from tests.checkin.test_requests import working_day


def person_asks(api, **body):
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    made = api.client.post(f"/c/{world['code']}/requests", json=body)
    assert made.status_code == 201, made.text
    return world, made.json()


def test_today_lists_the_waiting_requests_with_the_oldest_wait(site):
    browser, api = site
    officer = browser.as_("officer_bkk").client
    assert 'id="oldest-request"' not in officer.get("/admin/").text
    world, made = person_asks(api, kind="cant_come", reason="illness", text="ไข้สูง")
    html = officer.get("/admin/").text
    assert 'id="oldest-request"' in html
    row = html[html.index(f'id="request-{made["id"]}"') :]
    row = row[: row.index("</tr>")]
    assert "มารายงานตัวไม่ได้" in row and "เจ็บป่วย" in row
    assert f"/admin/requests/{made['id']}" in row
    # Past its deadline, the oldest wait says so.
    from reporting_api.tables import PersonRequest

    db(
        PersonRequest.update({PersonRequest.due_at: utcnow() - timedelta(minutes=1)}).where(
            PersonRequest.id == made["id"]
        )
    )
    wait = officer.get("/admin/").text
    start = wait.index('id="oldest-request"')
    assert 'class="badge high"' in wait[start : wait.index("</p>", start)]


def test_the_list_filters_by_status_and_age(site):
    browser, api = site
    officer = browser.as_("officer_bkk").client
    _, made = person_asks(api, kind="call_me")
    assert f'id="request-{made["id"]}"' in officer.get("/admin/requests").text
    assert f'id="request-{made["id"]}"' not in officer.get("/admin/requests?status=closed").text
    assert f'id="request-{made["id"]}"' not in officer.get("/admin/requests?age=1d").text
    assert officer.get("/admin/requests?status=nonsense").status_code == 400


def test_an_officer_approves_a_new_date_typed_in_the_buddhist_era(site):
    browser, api = site
    officer = browser.as_("officer_bkk")
    world, made = person_asks(api, kind="cant_come", reason="work", text="เข้ากะงานใหม่")
    page_url = f"/admin/requests/{made['id']}"
    page = officer.client.get(page_url)
    assert page.status_code == 200
    assert "เข้ากะงานใหม่" in page.text
    new = working_day(bangkok_today(utcnow()) + timedelta(days=5))
    typed = f"{new.day:02d}/{new.month:02d}/{new.year + 543}"
    # Rejecting without saying why is refused beside the field.
    refused = officer.post_form(page_url, f"{page_url}/decision", {"action": "reject", "note": ""})
    assert refused.status_code == 400
    assert 'id="note-error"' in refused.text
    done = officer.post_form(
        page_url, f"{page_url}/decision", {"action": "approve", "new_date": typed, "note": ""}
    )
    assert done.status_code == 303, done.text
    after = officer.client.get(page_url).text
    assert 'id="request-history"' in after
    assert check_in_row(world["check_in"]["id"])["status"] == "excused"
    # The person's page lists the request.
    person = officer.client.get(f"/admin/defendants/{world['defendant']['id']}").text
    assert f'id="request-{made["id"]}"' in person


def test_a_manager_reads_but_cannot_decide_and_another_office_sees_nothing(site):
    browser, api = site
    _, made = person_asks(api, kind="call_me")
    page_url = f"/admin/requests/{made['id']}"
    manager = browser.as_("manager")
    page = manager.client.get(page_url)
    assert page.status_code == 200
    assert "/decision" not in page.text
    assert manager.post_form(
        page_url, f"{page_url}/decision", {"action": "contact"}
    ).status_code in (403,)
    other = browser.as_("officer_cnx").client
    assert other.get(page_url).status_code == 404


def test_the_request_page_lists_its_files_and_the_export_carries_them(site):
    """An officer sees the person's file on the request, downloads it (audited), and the
    person's export ZIP holds it beside the record, with their trusted contact."""
    import io
    import json
    import zipfile

    from tests import attachment_files
    from tests.checkin.test_attachments import upload

    browser, api = site
    world = open_check_in(api)
    assert identify(api.client, world).status_code == 200
    certificate = attachment_files.pdf(300_000)
    sent = upload(api, world, certificate, name="ใบรับรองแพทย์.pdf")
    named = api.client.put(
        f"/c/{world['code']}/contact",
        json={
            "name": "สมศรี ใจดี",
            "relationship": "guarantor",
            "phone": "0899990001",
            "consent": True,
        },
    )
    assert named.status_code == 200, named.text
    made = api.client.post(
        f"/c/{world['code']}/requests",
        json={"kind": "cant_come", "reason": "illness", "attachment_ids": [sent["id"]]},
    )
    assert made.status_code == 201, made.text
    officer = browser.as_("officer_bkk").client
    html = officer.get(f"/admin/requests/{made.json()['id']}").text
    start = html.index('id="request-attachments"')
    listed = html[start : html.index("</ul>", start)]
    assert "ใบรับรองแพทย์.pdf" in listed and "PDF" in listed
    href = listed[listed.index('href="') + 6 :].split('"')[0]
    got = officer.get(href)
    assert got.status_code == 200 and got.content == certificate
    assert got.headers["content-security-policy"].startswith("sandbox")

    export = officer.get(f"/admin/defendants/{world['defendant']['id']}/export.zip")
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        names = archive.namelist()
        [record_name] = [n for n in names if n.endswith("/record.json")]
        record = json.loads(archive.read(record_name))
        [request] = record["requests"]
        [attached] = request["attachments"]
        assert attached["name"] == "ใบรับรองแพทย์.pdf" and attached["kind"] == "pdf"
        folder = record_name.rsplit("/", 1)[0]
        assert archive.read(f"{folder}/{attached['file']}") == certificate
    contact = record["trusted_contact"]
    assert (contact["name"], contact["relationship"], contact["phone"]) == (
        "สมศรี ใจดี",
        "guarantor",
        "+66899990001",
    )
    assert contact["consent_version"] and contact["withdrawn_at"] is None
    assert any("attachments/" in reason for reason in record["not_included"])
