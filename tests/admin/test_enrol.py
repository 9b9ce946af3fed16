"""The enrolment page: person + case + plan in one form, the photo check, the plan preview."""

from __future__ import annotations

import asyncio
import html
from datetime import date, timedelta
from typing import Any

from reporting_api.clock import utcnow
from reporting_api.thai_dates import bangkok_today, format_thai_date
from tests.api.helpers import defendant_form, new_national_id
from tests.conftest import glasses_card_photo_bytes, id_photo_bytes, jpeg_bytes

ENROL = "/admin/enrol"


def _form(**overrides: Any) -> dict[str, Any]:
    today = bangkok_today(utcnow())
    # The person's fields as the API takes them, with the page's checkbox for consent.
    form = defendant_form(consent="on") | {
        "court": "ศาลอาญา",
        "black_case_number": "อ.1234/2569",
        "charge": "ลักทรัพย์",
        "bail_amount": "50,000",
        "release_date": today.isoformat(),
        "fund_request_ref": "JF-2569-0001",
        "conditions": "ห้ามออกนอกเขตจังหวัด",
        "kind": "interval",
        "every_days": "30",
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=95)).isoformat(),
        "window_opens_days_before": "2",
        "grace_days": "2",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def _photo(data: bytes | None = None) -> dict[str, Any]:
    return {"photo": ("id.jpg", data if data is not None else id_photo_bytes(), "image/jpeg")}


def _post(browser: Any, data: dict[str, Any], photo: bytes | None = None) -> Any:
    return browser.post_form(ENROL, ENROL, data, files=_photo(photo))


def _defendants(national_id: str) -> list[dict[str, Any]]:
    from reporting_api.tables import Defendant

    async def read() -> list[dict[str, Any]]:
        return await Defendant.select(
            Defendant.id, Defendant.face_encoded_at, Defendant.face_template
        ).where(Defendant.national_id == national_id)

    return asyncio.run(read())


def _count(table_name: str) -> int:
    from reporting_api import tables

    table = {
        "defendant": tables.Defendant,
        "case": tables.BailCase,
        "plan": tables.ReportingPlan,
        "checkin": tables.CheckIn,
    }[table_name]

    async def count() -> int:
        return await table.count()

    return asyncio.run(count())


def _error_beside(page: str, field: str) -> str:
    """The text of the error shown beside ``field`` (its id ties it to the input)."""
    text = html.unescape(page)
    start = text.index(f'id="{field}-error"')
    return text[start : text.index("</span>", start)]


def test_enrol_creates_person_case_and_plan_with_a_face_template(site):
    browser, api = site
    browser.as_("officer_bkk")
    form = _form()
    response = _post(browser, form)
    assert response.status_code == 303, response.text
    [person] = _defendants(form["national_id"])
    assert response.headers["location"] == f"/admin/defendants/{person['id']}"
    assert person["face_encoded_at"] is not None and person["face_template"]
    cases = api.request(
        "officer_bkk", "GET", "/api/v1/cases", params={"defendant_id": person["id"]}
    ).json()["items"]
    assert [c["bail_amount"] for c in cases] == ["50000.00"]
    check_ins = api.request("officer_bkk", "GET", f"/api/v1/cases/{cases[0]['id']}/checkins")
    assert len(check_ins.json()) == 3  # every 30 days over 95 days
    audit = api.request("admin", "GET", "/api/v1/audit", params={"page_size": 100}).json()
    actions = {row["action"] for row in audit["items"]}
    assert {"defendant.create", "case.create", "plan.set"} <= actions


def test_each_error_is_shown_beside_its_field_in_both_languages_and_the_form_is_kept(site):
    browser, _ = site
    browser.as_("officer_bkk")
    today = bangkok_today(utcnow())
    good_id = new_national_id()
    bad_id = good_id[:12] + str((int(good_id[12]) + 1) % 10)
    form = _form(
        national_id=bad_id,
        phone="02-123-4567",
        consent=None,
        start_date=today.isoformat(),
        end_date=(today - timedelta(days=1)).isoformat(),
        court="ศาลจังหวัดเชียงใหม่",
    )
    response = _post(browser, form, photo=jpeg_bytes())
    assert response.status_code == 400
    page = response.text
    expected = {
        "national_id": ("เลขตรวจสอบ (หลักสุดท้าย) ไม่ถูกต้อง", "check digit does not match"),
        "phone": ("โทรศัพท์บ้านรับ SMS ไม่ได้", "a landline cannot receive SMS"),
        "consent": ("ต้องได้รับความยินยอมตาม PDPA", "PDPA consent must be recorded"),
        "end_date": ("ต้องไม่ก่อนวันเริ่มต้น", "must not be before start_date"),
        "photo": ("ไม่พบใบหน้าในรูปถ่ายบัตร", "No face was found in the ID photo"),
    }
    for field, (thai, english) in expected.items():
        shown = _error_beside(page, field)
        assert thai in shown and english in shown, (field, shown)
    # What was typed stays; the photo must be chosen again, and the page says so.
    assert f'value="{bad_id}"' in page
    assert 'value="02-123-4567"' in page
    assert 'value="ศาลจังหวัดเชียงใหม่"' in page
    assert 'name="consent" value="on" checked' not in page
    assert 'id="photo-error"' in page
    assert _defendants(bad_id) == []
    assert _count("case") == 0


def test_a_photo_without_a_face_is_refused_with_the_libraries_reason_and_nothing_is_stored(site):
    browser, _ = site
    browser.as_("officer_bkk")
    form = _form()
    response = _post(browser, form, photo=jpeg_bytes())
    assert response.status_code == 400
    shown = _error_beside(response.text, "photo")
    assert "ไม่พบใบหน้าในรูปถ่ายบัตร" in shown and "No face was found" in shown
    assert f'value="{form["national_id"]}"' in response.text
    assert _defendants(form["national_id"]) == []
    assert (_count("case"), _count("plan"), _count("checkin")) == (0, 0, 0)


def test_a_failing_later_step_leaves_nothing_half_made(site):
    """A release date the case service refuses (more than 30 days ahead) is only found by the
    case step, after the person was enrolled: the transaction takes the person back."""
    browser, _ = site
    browser.as_("officer_bkk")
    form = _form(release_date=(bangkok_today(utcnow()) + timedelta(days=60)).isoformat())
    response = _post(browser, form)
    assert response.status_code == 400
    assert "วันปล่อยตัวไม่ถูกต้อง" in _error_beside(response.text, "release_date")
    assert _defendants(form["national_id"]) == []
    assert (_count("case"), _count("plan"), _count("checkin")) == (0, 0, 0)
    assert "โปรดเลือกรูปถ่ายอีกครั้ง" in response.text


def test_unreadable_values_are_named_beside_their_field(site):
    browser, _ = site
    browser.as_("officer_bkk")
    form = _form(bail_amount="ห้าหมื่น", every_days="สามสิบ", date_of_birth=None)
    response = _post(browser, form)
    assert response.status_code == 400
    assert "ต้องเป็นตัวเลข" in _error_beside(response.text, "bail_amount")
    assert "must be a whole number" in _error_beside(response.text, "every_days")
    assert "ต้องกรอก" in _error_beside(response.text, "date_of_birth")
    assert 'value="ห้าหมื่น"' in response.text


def test_the_same_national_id_twice_is_a_conflict(site):
    browser, _ = site
    browser.as_("officer_bkk")
    form = _form()
    assert _post(browser, form).status_code == 303
    response = _post(browser, _form(national_id=form["national_id"]))
    assert response.status_code == 409
    assert "มีผู้ลงทะเบียนด้วยเลขประจำตัวประชาชนนี้แล้ว" in _error_beside(response.text, "national_id")
    assert _count("case") == 1


def test_photo_check_accepts_a_good_photo_with_its_quality_in_words(site):
    browser, _ = site
    browser.as_("officer_bkk")
    token = browser.csrf(browser.client.get(ENROL).text)
    response = browser.client.post(
        f"{ENROL}/photo-check", files=_photo(), headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 200
    assert "รูปถ่ายใช้ได้" in response.text
    assert "ความกว้างของใบหน้า" in response.text and "ความคมชัด" in response.text
    assert "<html" not in response.text  # a fragment for HTMX, not a page


def test_photo_check_says_when_the_card_photo_shows_glasses(site):
    browser, _ = site
    browser.as_("officer_bkk")
    token = browser.csrf(browser.client.get(ENROL).text)
    glasses = "ระบบจะไม่สั่งให้บุคคลนี้กะพริบตา"
    for photo, shown in ((glasses_card_photo_bytes(), True), (id_photo_bytes(), False)):
        response = browser.client.post(
            f"{ENROL}/photo-check", files=_photo(photo), headers={"X-CSRF-Token": token}
        )
        assert response.status_code == 200 and "รูปถ่ายใช้ได้" in response.text
        assert (glasses in response.text) is shown


def test_photo_check_gives_the_libraries_reason_for_a_flat_image_and_stores_nothing(site):
    browser, _ = site
    browser.as_("officer_bkk")
    token = browser.csrf(browser.client.get(ENROL).text)
    browser.client.cookies.set("bc_lang", "en")
    response = browser.client.post(
        f"{ENROL}/photo-check", files=_photo(jpeg_bytes()), headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 200
    assert "This photo cannot be used" in response.text
    assert "No face was found in the ID photo" in response.text
    assert "ไม่พบใบหน้าในรูปถ่ายบัตร" in response.text
    assert _count("defendant") == 0


def test_posts_with_a_stale_or_missing_csrf_token_are_refused(site):
    browser, _ = site
    browser.as_("officer_bkk")
    response = browser.client.post(
        f"{ENROL}/photo-check", files=_photo(), headers={"X-CSRF-Token": "stale"}
    )
    assert response.status_code == 403
    assert "แบบฟอร์มหมดอายุ" in response.text
    response = browser.client.post(ENROL, data=_form(), follow_redirects=False)
    assert response.status_code == 403
    assert _count("defendant") == 0


def test_plan_preview_marks_a_date_moved_off_a_holiday(site):
    browser, _ = site
    browser.as_("officer_bkk")
    # 13 April 2027 (Tuesday) is Songkran, as are the 14th and 15th: due on Friday the 16th.
    # 10 April 2027 is a Saturday: due on Monday the 12th.
    response = browser.client.get(
        f"{ENROL}/plan-preview",
        params={
            "kind": "dates",
            "dates": "2027-04-10\n2027-04-13\n2027-05-04",
            "start_date": "2027-04-01",
            "end_date": "2027-05-31",
            "window_opens_days_before": "1",
            "grace_days": "1",
        },
    )
    assert response.status_code == 200
    page = response.text
    assert "<html" not in page
    assert format_thai_date(date(2027, 4, 16)) == "16 เม.ย. 2570"
    songkran = page[page.index('data-due="2027-04-16"') :]
    songkran = songkran[: songkran.index("</li>")]
    assert "16 เม.ย. 2570" in songkran
    assert 'data-nominal="2027-04-13"' in songkran and "วันสงกรานต์" in songkran
    weekend = page[page.index('data-due="2027-04-12"') :]
    weekend = weekend[: weekend.index("</li>")]
    assert "10 เม.ย. 2570" in weekend and "วันหยุดสุดสัปดาห์" in weekend
    coronation = page[page.index('data-due="2027-05-05"') :]
    assert "วันฉัตรมงคล" in coronation[: coronation.index("</li>")]
    assert _count("plan") == 0


def test_plan_preview_by_post_in_english_and_a_plan_that_ends_before_it_starts(site):
    browser, _ = site
    browser.as_("officer_bkk")
    browser.client.get("/admin/lang/en?next=/admin/enrol")
    token = browser.csrf(browser.client.get(ENROL).text)
    plan = {"kind": "interval", "every_days": "7", "window_opens_days_before": "0"}
    response = browser.client.post(
        f"{ENROL}/plan-preview",
        data=plan | {"start_date": "2027-04-06", "end_date": "2027-04-20"},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200
    # 13 April (nominal) is Songkran: moved to the 16th, shown with the holiday's English name.
    assert 'data-nominal="2027-04-13"' in response.text and "Songkran" in response.text
    response = browser.client.post(
        f"{ENROL}/plan-preview",
        data=plan | {"start_date": "2027-04-06", "end_date": "2027-04-01"},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert "must not be before start_date" in response.text


def test_only_officers_enrol(site):
    browser, _ = site
    for username in ("manager", "admin"):
        browser.as_(username)
        assert browser.client.get(ENROL).status_code == 403
        token = browser.csrf(browser.client.get(ENROL).text)  # the 403 page carries it
        response = browser.client.post(
            f"{ENROL}/photo-check", files=_photo(), headers={"X-CSRF-Token": token}
        )
        assert response.status_code == 403


def test_the_form_shows_and_takes_buddhist_era_dates(site):
    from reporting_api.thai_dates import input_date_text

    browser, api = site
    browser.as_("officer_bkk")
    today = bangkok_today(utcnow())
    shown = browser.client.get(ENROL).text
    assert f'value="{input_date_text(today)}"' in shown and 'type="date"' not in shown
    form = _form(
        date_of_birth="17/05/2533",  # 17 May 1990, as the ID card prints it
        release_date=input_date_text(today),
        start_date=input_date_text(today),
        end_date=input_date_text(today + timedelta(days=95)),
    )
    response = _post(browser, form)
    assert response.status_code == 303, response.text[:2000]
    [person] = _defendants(form["national_id"])
    read = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person['id']}").json()
    assert read["date_of_birth"] == "1990-05-17"
    wrong = _post(browser, _form(release_date="31/02/2569"))
    assert wrong.status_code == 400 and 'id="release_date-error"' in wrong.text


def test_a_trusted_contact_named_at_enrolment_is_stored_with_the_consent_read(site):
    from reporting_api.contact_consent import CONSENT_VERSION
    from reporting_api.tables import AuditLog, TrustedContact

    browser, _ = site
    browser.as_("officer_bkk")
    page = browser.client.get(ENROL).text
    assert 'id="enrol-contact"' in page and CONSENT_VERSION in page
    contact = {
        "contact_name": "  สมศรี   ใจดี ",
        "contact_relationship": "guarantor",
        "contact_phone": "089-999-0001",
    }
    # Named without the consent ticked: refused beside the box, nothing stored.
    refused = _post(browser, _form(**contact))
    assert refused.status_code == 400
    assert "โปรดทำเครื่องหมายยินยอม" in _error_beside(refused.text, "contact_consent")
    assert 'value="089-999-0001"' in refused.text
    # The person's own number is not a contact's.
    own = _post(
        browser, _form(**{**contact, "contact_phone": "081-234-5678"}, contact_consent="on")
    )
    assert own.status_code == 400 and _error_beside(own.text, "contact_phone")
    form = _form(**contact, contact_consent="on")
    made = _post(browser, form)
    assert made.status_code == 303, made.text
    [person] = _defendants(form["national_id"])
    [row] = asyncio.run(
        TrustedContact.select().where(TrustedContact.defendant == person["id"]).run()
    )
    assert (row["name"], row["relationship"], row["phone"]) == (
        "สมศรี ใจดี",
        "guarantor",
        "+66899990001",
    )
    assert row["consent_version"] == CONSENT_VERSION and row["withdrawn_at"] is None
    [audit] = asyncio.run(
        AuditLog.select()
        .where((AuditLog.action == "contact.consent") & (AuditLog.entity_id == str(person["id"])))
        .run()
    )
    assert audit["actor_username"] == "officer_bkk"
    assert "สมศรี ใจดี" in browser.client.get(made.headers["location"]).text


def test_an_enrolment_without_a_contact_names_none(site):
    from reporting_api.tables import TrustedContact

    browser, _ = site
    browser.as_("officer_bkk")
    form = _form()
    assert _post(browser, form).status_code == 303
    [person] = _defendants(form["national_id"])
    assert not asyncio.run(
        TrustedContact.select().where(TrustedContact.defendant == person["id"]).run()
    )
