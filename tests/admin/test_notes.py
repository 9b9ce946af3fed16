"""Officers' notes on a person, on both databases: written from the person's page (and the
API), shown in the timeline with their author, struck through (never edited) with a reason;
managers read them; they are in the person's export and go with anonymisation."""

from __future__ import annotations

from reporting_api.tables import CaseNote
from tests.admin.test_officer_pages import audit_rows
from tests.api.helpers import enrol_with_case


def test_a_note_is_written_shown_struck_through_and_kept(site):
    browser, api = site
    person, case = enrol_with_case(api, "officer_bkk")
    page = f"/admin/defendants/{person['id']}"
    browser.as_("officer_bkk")
    empty = browser.post_form(page, f"{page}/notes", {"text": "  "})
    assert empty.status_code == 400 and 'id="text-error"' in empty.text
    other = browser.post_form(page, f"{page}/notes", {"text": "x", "case_id": "999999"})
    assert other.status_code == 400 and 'id="case_id-error"' in other.text
    written = browser.post_form(
        page, f"{page}/notes", {"text": "โทรแจ้งว่าย้ายที่ทำงาน", "case_id": str(case["id"])}
    )
    assert written.status_code == 303
    (note,) = CaseNote.select().where(CaseNote.defendant == person["id"]).run_sync()
    html = browser.client.get(page).text
    assert f'id="note-{note["id"]}"' in html and "โทรแจ้งว่าย้ายที่ทำงาน" in html
    no_reason = browser.post_form(page, f"/admin/notes/{note['id']}/strike", {"reason": ""})
    assert no_reason.status_code == 400
    struck = browser.post_form(page, f"/admin/notes/{note['id']}/strike", {"reason": "ผิดคน"})
    assert struck.status_code == 303
    again = browser.post_form(page, f"/admin/notes/{note['id']}/strike", {"reason": "อีก"})
    assert again.status_code == 409
    html = browser.client.get(page).text
    assert "<s>โทรแจ้งว่าย้ายที่ทำงาน</s>" in html and "ผิดคน" in html
    assert audit_rows(api, "note.create", note["id"]) and audit_rows(api, "note.strike", note["id"])
    # A manager reads the notes, writes none.
    browser.as_("manager")
    assert "โทรแจ้งว่าย้ายที่ทำงาน" in browser.client.get(page).text
    listed = api.request("manager", "GET", f"/api/v1/defendants/{person['id']}/notes").json()
    assert [n["struck_reason"] for n in listed] == ["ผิดคน"]
    refused = api.request(
        "manager", "POST", f"/api/v1/defendants/{person['id']}/notes", json={"text": "x"}
    )
    assert refused.status_code == 403
    assert (
        api.request("officer_cnx", "GET", f"/api/v1/defendants/{person['id']}/notes").status_code
        == 404
    )


def test_notes_are_exported_and_go_with_anonymisation(site):
    _, api = site
    person, case = enrol_with_case(api, "officer_bkk")
    added = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/defendants/{person['id']}/notes",
        json={"text": "พบที่บ้านญาติ"},
    )
    assert added.status_code == 201, added.text
    record = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}/export").json()
    assert [n["text"] for n in record["notes"]] == ["พบที่บ้านญาติ"]
    closed = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{case['id']}/close",
        json={"status": "concluded", "outcome": "x"},
    )
    assert closed.is_success
    done = api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/defendants/{person['id']}/erasure",
        json={"mode": "anonymise", "reason": "คำขอตาม PDPA"},
    )
    assert done.status_code == 200, done.text
    assert CaseNote.count().where(CaseNote.defendant == person["id"]).run_sync() == 0
