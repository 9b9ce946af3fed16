"""The person's handout (`/admin/defendants/<id>/handout`), on both databases: their coming
reporting dates in the Buddhist era (Thai) and in English, how reminders reach them and the
link host, the office's phone; the fund's LINE account with its QR code only while LINE is
on; managers read it, another office's officer does not; each print is audited."""

from __future__ import annotations

from datetime import date

from reporting_api.thai_dates import format_english_date, format_thai_date
from tests.admin.test_line_channel import ADD_FRIEND, line_site  # noqa: F401 (a fixture)
from tests.admin.test_officer_pages import audit_rows, person_with_plan


def test_the_handout_lists_the_coming_dates_in_both_languages(site):
    browser, api = site
    world = person_with_plan(api)
    person, future = world["defendant"], world["check_ins"][1]
    page = f"/admin/defendants/{person['id']}/handout"
    person_page = browser.as_("officer_bkk").client.get(f"/admin/defendants/{person['id']}").text
    assert f'href="{page}"' in person_page
    html = browser.as_("officer_bkk").client.get(page).text
    due = date.fromisoformat(future["due_date"])
    thai, english = html.split('<article class="handout" lang="en">')
    assert format_thai_date(due) in thai and format_english_date(due) in english
    # The missed date is not "to come".
    missed = date.fromisoformat(world["check_ins"][0]["due_date"])
    assert format_thai_date(missed) not in thai
    assert "วันรายงานตัวของท่าน" in thai and "Your reporting dates" in english
    assert "127.0.0.1:8000" in thai and "LINE" not in html  # LINE off: not mentioned
    assert audit_rows(api, "defendant.handout", person["id"])
    assert browser.as_("manager").client.get(page).status_code == 200
    assert browser.as_("officer_cnx").client.get(page).status_code == 404


def test_the_handout_shows_the_line_account_while_line_is_on(line_site):  # noqa: F811
    browser, api = line_site
    world = person_with_plan(api)
    html = (
        browser.as_("officer_bkk")
        .client.get(f"/admin/defendants/{world['defendant']['id']}/handout")
        .text
    )
    assert html.count(ADD_FRIEND) == 2 and html.count("<svg") >= 2
    assert "รับการแจ้งเตือนทาง LINE" in html and "Reminders on LINE" in html
