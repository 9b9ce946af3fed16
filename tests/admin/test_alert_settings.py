"""A staff member chooses how flag alerts reach them on their account page (SMS, e-mail, both,
none; e-mail one by one or as a daily digest); an administrator sets an e-mail address through
the staff API and the staff page. Both databases."""

from __future__ import annotations

import re

from reporting_api.tables import AuditLog, StaffUser
from tests.checkin.helpers import db
from tests.security.staff_sign_in import Clock, pages

ACCOUNT = "/admin/account"
ALERTS = "/admin/account/alerts"


def test_a_member_chooses_email_alerts_as_a_daily_digest_on_their_account_page(database_url):
    with pages(database_url, Clock()) as (browser, _):
        officer = browser.as_("officer_bkk")
        page = officer.client.get(ACCOUNT)
        assert f'action="{ALERTS}"' in page.text and "การแจ้งเตือนเรื่องที่ต้องตรวจสอบ" in page.text
        # E-mail without an address is refused beside the field, in Thai and English.
        refused = officer.post_form(
            ACCOUNT, ALERTS, {"alert_channel": "email", "alert_digest": "1", "email": ""}
        )
        assert refused.status_code == 400
        assert re.search(r'id="email-error"[^>]*>[^<]*ต้องมีที่อยู่อีเมล', refused.text)
        bad = officer.post_form(ACCOUNT, ALERTS, {"alert_channel": "email", "email": "somsri@"})
        assert bad.status_code == 400 and 'id="email-error"' in bad.text
        assert 'value="somsri@"' in bad.text  # what was typed is shown again
        unknown = officer.post_form(ACCOUNT, ALERTS, {"alert_channel": "pigeon", "email": ""})
        assert unknown.status_code == 400 and 'id="alert_channel-error"' in unknown.text

        done = officer.post_form(
            ACCOUNT,
            ALERTS,
            {"alert_channel": "email", "alert_digest": "1", "email": " Somsri@JFO.example.go.th "},
        )
        assert done.status_code == 303 and done.headers["location"] == f"{ACCOUNT}?saved=alerts"
        shown = officer.client.get(f"{ACCOUNT}?saved=alerts").text
        assert "บันทึกการตั้งค่าการแจ้งเตือนแล้ว" in shown
        assert re.search(r'<option value="email" selected>', shown)
        assert re.search(r'<option value="1" selected>', shown)
        (row,) = db(StaffUser.select().where(StaffUser.username == "officer_bkk"))
        assert row["email"] == "Somsri@jfo.example.go.th"
        assert row["alert_channel"] == "email" and row["alert_digest"] is True
        (audit,) = db(AuditLog.select().where(AuditLog.action == "staff.alerts"))
        assert "Somsri" not in str(audit["detail"])  # the address itself is not audited

        # SMS needs a mobile number on the account (none for this officer).
        sms = officer.post_form(ACCOUNT, ALERTS, {"alert_channel": "sms", "email": ""})
        assert sms.status_code == 400 and "เบอร์มือถือ" in sms.text
        none = officer.post_form(ACCOUNT, ALERTS, {"alert_channel": "none", "email": ""})
        assert none.status_code == 303
        (row,) = db(StaffUser.select().where(StaffUser.username == "officer_bkk"))
        assert row["alert_channel"] == "none" and row["email"] is None


def test_an_administrator_sets_and_clears_a_members_email(database_url):
    with pages(database_url, Clock()) as (browser, api):
        officer = api.staff["officer_bkk"]
        url = f"/api/v1/staff/{officer.id}"
        response = api.request("admin", "PATCH", url, json={"email": "somsri@jfo.example.go.th"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["email"] == "somsri@jfo.example.go.th"
        assert body["alert_channel"] == "sms" and body["alert_digest"] is False  # as before
        bad = api.request("admin", "PATCH", url, json={"email": "not an address"})
        assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "email"
        assert bad.json()["extra"][0]["message_th"]
        cleared = api.request("admin", "PATCH", url, json={"email": ""})
        assert cleared.status_code == 200 and cleared.json()["email"] is None

        admin = browser.as_("admin")
        page = f"/admin/staff/{officer.id}"
        assert 'name="email"' in admin.client.get(page).text
        saved = admin.post_form(
            page,
            page,
            {
                "display_name": "officer_bkk",
                "role": "officer",
                "office_id": str(officer.office_id),
                "email": "boss.set@jfo.example.go.th",
            },
        )
        assert saved.status_code == 303, saved.text
        (row,) = db(StaffUser.select().where(StaffUser.id == officer.id))
        assert row["email"] == "boss.set@jfo.example.go.th"
