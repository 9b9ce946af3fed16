"""Login, language, navigation by role, CSRF and error pages of /admin."""

from __future__ import annotations

from tests.checkin.helpers import due_today, open_check_in


def test_pages_need_a_login(site):
    browser, _ = site
    response = browser.client.get("/admin/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login?next=")


def test_wrong_password_keeps_the_username_and_says_why_in_thai(site):
    browser, _ = site
    response = browser.login("officer_bkk", "wrong password here")
    assert response.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.text
    assert 'value="officer_bkk"' in response.text


def test_login_form_without_its_token_is_refused(site):
    browser, _ = site
    browser.client.cookies.clear()
    browser.client.get("/admin/login")
    response = browser.client.post(
        "/admin/login",
        data={"username": "officer_bkk", "password": "correct horse battery", "_csrf": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "bc_session" not in response.cookies


def test_each_role_lands_on_its_home_with_its_navigation(site):
    browser, _ = site
    for username, home, shown, hidden in (
        ("officer_bkk", "/admin/", "/admin/enrol", "/admin/reports"),
        ("manager", "/admin/reports", "/admin/reports", "/admin/enrol"),
        ("admin", "/admin/staff", "/admin/staff", "/admin/caseload"),
    ):
        response = browser.login(username)
        assert response.status_code == 303 and response.headers["location"] == home, username
        page = browser.client.get("/admin/" if username == "officer_bkk" else "/admin/login")
        if username == "officer_bkk":
            assert f'href="{shown}"' in page.text and f'href="{hidden}"' not in page.text


def test_today_lists_the_officers_due_check_in_and_is_audited(site):
    browser, api = site
    world = open_check_in(api)
    due_today(world["check_in"]["id"])
    page = browser.as_("officer_bkk").client.get("/admin/")
    assert page.status_code == 200
    assert "ครบกำหนดวันนี้" in page.text
    assert f"/admin/defendants/{world['defendant']['id']}" in page.text
    assert f"/admin/checkins/{world['check_in']['id']}/in-person" in page.text
    # Listed once: due today, not again under "window open" (for check-ins due later).
    due = page.text.split('id="due"')[1].split('id="overdue"')[0]
    window_open = page.text.split('id="open"')[1].split('id="unreachable"')[0]
    person = f"/admin/defendants/{world['defendant']['id']}"
    assert person in due and person not in window_open
    other = browser.as_("officer_cnx").client.get("/admin/")
    assert f"/admin/defendants/{world['defendant']['id']}" not in other.text
    audit = api.request("admin", "GET", "/api/v1/audit?action=checkin.today").json()
    assert any(
        world["defendant"]["id"] in row["detail"].get("defendants", []) for row in audit["items"]
    )


def test_today_cuts_a_long_list_and_says_how_many_there_are(site, monkeypatch):
    from reporting_api.services import today

    browser, api = site
    worlds = [open_check_in(api) for _ in range(3)]
    for world in worlds:
        due_today(world["check_in"]["id"])
    people = [world["defendant"]["id"] for world in worlds]
    monkeypatch.setattr(today, "SECTION_LIMIT", 2)
    page = browser.as_("officer_bkk").client.get("/admin/")
    assert page.status_code == 200
    due = page.text.split('id="due"')[1].split('id="overdue"')[0]
    assert sum(f"/admin/defendants/{p}" in due for p in people) == 2
    assert "แสดง 2 จาก 3 รายการ" in due
    assert '<div class="n">3</div>ครบกำหนดวันนี้' in page.text
    # The first person (lowest check-in id) is among those shown; the link goes on to the rest.
    assert f"/admin/defendants/{people[0]}" in due
    assert "/admin/caseload?sort=due&amp;office_id=" in due


def test_a_post_without_the_csrf_token_is_refused(site):
    browser, _ = site
    browser.as_("officer_bkk")
    response = browser.client.post("/admin/logout", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert "แบบฟอร์มหมดอายุ" in response.text
    # With the page's token the same request works.
    response = browser.post_form("/admin/", "/admin/logout", {})
    assert response.status_code == 303


def test_english_switch_sticks(site):
    browser, _ = site
    browser.as_("officer_bkk")
    response = browser.client.get("/admin/lang/en?next=/admin/", follow_redirects=True)
    assert "Due today" in response.text
    assert "Due today" in browser.client.get("/admin/").text
