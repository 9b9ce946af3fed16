"""The person names a trusted contact on their link page and withdraws consent (issue 14 item 7),
through the app on both databases: validation with Thai and English messages, consent recorded
with its version, withdrawal kept as the record and cancelling what was queued, audit rows, a
request about the check-in keeping the contact out of it, erasure taking the contact along."""

from __future__ import annotations

from datetime import timedelta

from reporting_api.clock import utcnow
from reporting_api.contact_consent import CONSENT_TEXTS, CONSENT_VERSION
from tests.checkin.helpers import audit_rows, db, identify, open_check_in

CONTACT = {"name": " สมศรี   ใจดี ", "relationship": "relative", "phone": "089-999-0001"}


def put(api, world, **body):
    assert identify(api.client, world).status_code == 200
    return api.client.put(f"/c/{world['code']}/contact", json=body)


def refused(response, field):
    assert response.status_code == 400, response.text
    (extra,) = response.json()["extra"]
    assert extra["key"] == field and extra["message"] and extra["message_th"], extra
    return extra


def test_the_person_names_a_contact_with_consent_and_withdraws_it(api):
    world = open_check_in(api)
    person = world["defendant"]
    url = f"/c/{world['code']}/contact"
    assert api.client.get(url).status_code in (401, 403)  # not identified yet
    assert identify(api.client, world).status_code == 200
    empty = api.client.get(url).json()
    assert empty["active"] is False and empty["name"] is None
    assert empty["consent_text"] == CONSENT_TEXTS[CONSENT_VERSION]["th"]

    assert (
        "landline"
        in refused(put(api, world, **CONTACT | {"phone": "02-123-4567"}, consent=True), "phone")[
            "message"
        ]
    )
    own = refused(put(api, world, **CONTACT | {"phone": person["phone"]}, consent=True), "phone")
    assert "เบอร์ของท่านเอง" in own["message_th"]
    refused(put(api, world, **CONTACT | {"relationship": "boss"}, consent=True), "relationship")
    refused(put(api, world, **CONTACT | {"name": "  "}, consent=True), "name")
    refused(put(api, world, **CONTACT), "consent")  # not agreed: nothing kept
    assert api.client.get(url).json()["name"] is None

    named = put(api, world, **CONTACT, consent=True)
    assert named.status_code == 200, named.text
    body = named.json()
    assert body["name"] == "สมศรี ใจดี" and body["phone"] == "+66899990001"
    assert body["active"] is True and body["consent_version"] == CONSENT_VERSION
    assert len(audit_rows(person["id"], "contact.consent", "defendant")) == 1

    withdrawn = api.client.delete(url)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["active"] is False and withdrawn.json()["withdrawn_at"]
    assert withdrawn.json()["name"] == "สมศรี ใจดี"  # kept as the record of what was agreed
    assert len(audit_rows(person["id"], "contact.withdraw", "defendant")) == 1
    api.client.delete(url)  # again: nothing more to withdraw, no second audit row
    assert len(audit_rows(person["id"], "contact.withdraw", "defendant")) == 1
    # Named again: consent given afresh.
    assert put(api, world, **CONTACT, consent=True).json()["active"] is True


def test_withdrawing_cancels_a_queued_notice(api):
    from reporting_api.tables import Reminder

    world = open_check_in(api)
    assert put(api, world, **CONTACT, consent=True).status_code == 200
    now = utcnow()
    db(
        Reminder.insert(
            Reminder(
                check_in=world["check_in"]["id"],
                case=world["case"]["id"],
                office=world["case"]["office_id"],
                defendant=world["defendant"]["id"],
                kind="notice_trusted_contact",
                due_at=now,
                expires_at=now + timedelta(days=2),
                next_attempt_at=now,
                status="queued",
                reference="rem-test-contact",
                to_phone="+66899990001",
                body="โปรดเตือน",
                created_at=now,
                updated_at=now,
            )
        )
    )
    assert api.client.delete(f"/c/{world['code']}/contact").status_code == 200
    (row,) = db(Reminder.select().where(Reminder.kind == "notice_trusted_contact"))
    assert (row["status"], row["error_message"]) == ("cancelled", "consent withdrawn")


def test_erasure_takes_the_contact_along(api):
    from reporting_api.store import privacy
    from reporting_api.tables import TrustedContact

    world = open_check_in(api)
    assert put(api, world, **CONTACT, consent=True).status_code == 200
    person = world["defendant"]["id"]
    assert db(TrustedContact.count().where(TrustedContact.defendant == person)) == 1
    db(privacy.anonymise(person, utcnow()))
    assert db(TrustedContact.count().where(TrustedContact.defendant == person)) == 0
    other = open_check_in(api, phone="081-234-5699")
    assert put(api, other, **CONTACT, consent=True).status_code == 200
    db(privacy.erase(other["defendant"]["id"]))
    assert db(TrustedContact.count()) == 0


def test_the_link_page_has_the_contact_form_in_thai(api):
    world = open_check_in(api)
    page = api.client.get(f"/c/{world['code']}").text
    assert 'id="contact-form"' in page and "/c/static/contact.js" in page
    assert "ผู้ติดต่อที่ไว้วางใจ" in page and "ถอนความยินยอม" in page
    english = api.client.get(f"/c/{world['code']}?lang=en").text
    assert "A trusted contact (optional)" in english
    assert api.client.get("/c/static/contact.js").status_code == 200
