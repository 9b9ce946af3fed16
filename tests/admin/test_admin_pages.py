"""The administrator's pages: staff accounts (create, edit, deactivate) and offices."""

from __future__ import annotations

import html

from tests.conftest import TEST_PASSWORD

STAFF = "/admin/staff"
OFFICES = "/admin/offices"


def _error_beside(page: str, field: str) -> str:
    text = html.unescape(page)
    start = text.index(f'id="{field}-error"')
    return text[start : text.index("</span>", start)]


def _staff(api, username: str) -> dict | None:
    rows = api.request("admin", "GET", "/api/v1/staff").json()
    return next((s for s in rows if s["username"] == username), None)


def test_admin_creates_a_user_who_can_then_log_in(site):
    browser, api = site
    browser.as_("admin")
    page = browser.client.get(STAFF)
    assert page.status_code == 200
    for username in ("officer_bkk", "officer_cnx", "manager"):
        assert f"<td>{username}</td>" in page.text
    office = api.office_id("TH-50")
    form = {
        "username": "officer_cnx2",
        "display_name": "สมหญิง รักงาน",
        "role": "officer",
        "office_id": str(office),
        "password": "a long enough password",
    }
    response = browser.post_form(STAFF, STAFF, form)
    assert response.status_code == 303 and response.headers["location"] == f"{STAFF}?saved=created"
    assert "เพิ่มแล้ว" in browser.client.get(response.headers["location"]).text
    made = _staff(api, "officer_cnx2")
    assert made and (made["role"], made["office_id"], made["active"]) == ("officer", office, True)
    assert browser.login("officer_cnx2", "a long enough password").status_code == 303


def test_create_errors_are_beside_their_fields_and_the_form_is_kept(site):
    browser, api = site
    browser.as_("admin")
    form = {
        "username": "new.officer",
        "display_name": "ผู้ใช้ใหม่",
        "role": "manager",
        "office_id": str(api.office_id("TH-10")),
        "password": "short",
    }
    response = browser.post_form(STAFF, STAFF, form)
    assert response.status_code == 400
    shown = _error_beside(response.text, "password")
    assert "ต้องมีอย่างน้อย 12 ตัวอักษร" in shown and "must be at least 12 characters" in shown
    assert 'value="new.officer"' in response.text and 'value="ผู้ใช้ใหม่"' in response.text
    assert '<option value="manager" selected>' in response.text
    assert 'value="short"' not in response.text  # a password is never shown back
    assert _staff(api, "new.officer") is None

    response = browser.post_form(
        STAFF, STAFF, form | {"username": "officer_bkk", "password": "a long enough password"}
    )
    assert response.status_code == 409
    shown = _error_beside(response.text, "username")
    assert "ชื่อผู้ใช้นี้มีผู้ใช้แล้ว" in shown and "this username is taken" in shown

    response = browser.post_form(STAFF, STAFF, form | {"username": "Bad Name!", "password": ""})
    assert response.status_code == 400
    assert "มีตัวอักษรที่ใช้ในช่องนี้ไม่ได้" in _error_beside(response.text, "username")
    assert "ต้องกรอก" in _error_beside(response.text, "password")


def test_deactivate_logs_the_user_out_and_activate_lets_them_back(site):
    browser, api = site
    target = api.staff["officer_bkk2"].id
    browser.as_("admin")
    url = f"{STAFF}/{target}/active"
    response = browser.post_form(STAFF, url, {"active": "false"})
    assert response.status_code == 303 and response.headers["location"].endswith("deactivated")
    assert _staff(api, "officer_bkk2")["active"] is False
    assert browser.login("officer_bkk2").status_code == 401
    browser.as_("admin")
    assert browser.post_form(STAFF, url, {"active": "true"}).status_code == 303
    assert _staff(api, "officer_bkk2")["active"] is True
    assert browser.login("officer_bkk2", TEST_PASSWORD).status_code == 303

    # An administrator cannot deactivate themselves: said beside the list.
    browser.as_("admin")
    response = browser.post_form(
        STAFF, f"{STAFF}/{api.staff['admin'].id}/active", {"active": "false"}
    )
    assert response.status_code == 400
    assert "ไม่สามารถปิดบัญชีตนเองได้" in _error_beside(response.text, "active")


def test_edit_changes_role_and_office(site):
    browser, api = site
    target = api.staff["officer_bkk2"].id
    cnx = api.office_id("TH-50")
    browser.as_("admin")
    page = browser.client.get(f"{STAFF}/{target}")
    assert page.status_code == 200 and 'value="officer_bkk2"' in page.text
    response = browser.post_form(
        f"{STAFF}/{target}",
        f"{STAFF}/{target}",
        {"display_name": "ย้ายไปเชียงใหม่", "role": "officer", "office_id": str(cnx), "password": ""},
    )
    assert response.status_code == 303
    changed = _staff(api, "officer_bkk2")
    assert (changed["display_name"], changed["office_id"]) == ("ย้ายไปเชียงใหม่", cnx)
    response = browser.post_form(
        f"{STAFF}/{target}",
        f"{STAFF}/{target}",
        {"display_name": "", "role": "officer", "office_id": str(cnx), "password": "short"},
    )
    assert response.status_code == 400
    assert "ต้องมีอย่างน้อย 12 ตัวอักษร" in _error_beside(response.text, "password")
    assert browser.client.get(f"{STAFF}/999999").status_code == 404


def test_offices_create_and_edit(site):
    browser, api = site
    browser.as_("admin")
    page = browser.client.get(OFFICES)
    assert page.status_code == 200 and "TH-10" in page.text and "TH-50" in page.text
    form = {
        "code": "TH-99x",
        "name_th": "สำนักงานทดสอบ",
        "name_en": "Test office",
        "phone": "02-141-0000",
    }
    response = browser.post_form(OFFICES, OFFICES, form)
    assert response.status_code == 303
    office = next(
        o for o in api.request("admin", "GET", "/api/v1/offices").json() if o["code"] == "TH-99x"
    )
    assert (office["name_en"], office["phone"]) == ("Test office", "02-141-0000")
    response = browser.post_form(OFFICES, OFFICES, form)
    assert response.status_code == 409
    assert "มีสำนักงานรหัสนี้แล้ว" in _error_beside(response.text, "code")

    edit = f"{OFFICES}/{office['id']}"
    assert 'value="สำนักงานทดสอบ"' in browser.client.get(edit).text
    response = browser.post_form(
        edit,
        edit,
        {"name_th": "สำนักงานยุติธรรมทดสอบ", "name_en": "Test Justice office", "phone": "02-141-1111"},
    )
    assert (
        response.status_code == 303 and response.headers["location"] == f"{OFFICES}?saved=updated"
    )
    office = api.request("admin", "GET", f"/api/v1/offices/{office['id']}").json()
    assert (office["name_th"], office["phone"]) == ("สำนักงานยุติธรรมทดสอบ", "02-141-1111")
    response = browser.post_form(edit, edit, {"name_th": "", "name_en": "x" * 201, "phone": ""})
    assert response.status_code == 400
    assert "ต้องกรอก" in _error_beside(response.text, "name_th")
    assert "ยาวเกิน 200 ตัวอักษร" in _error_beside(response.text, "name_en")
    assert 'value="' + "x" * 201 + '"' in response.text
    assert browser.client.get(f"{OFFICES}/999999").status_code == 404


def test_officers_and_managers_get_the_403_page(site):
    browser, api = site
    target = api.staff["officer_bkk2"].id
    for username in ("officer_bkk", "manager"):
        browser.as_(username)
        for url in (STAFF, f"{STAFF}/{target}", OFFICES):
            response = browser.client.get(url)
            assert response.status_code == 403, (username, url)
            assert "บทบาทของท่านไม่มีสิทธิ์ทำรายการนี้" in response.text
        token_page = STAFF  # the 403 page carries the session's token (the logout form)
        response = browser.post_form(token_page, f"{STAFF}/{target}/active", {"active": "false"})
        assert response.status_code == 403
    assert _staff(api, "officer_bkk2")["active"] is True
