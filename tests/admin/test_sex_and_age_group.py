"""Sex and age group on the officers' pages (issue 18), on both databases: the enrolment form
offers the choice (default: as the title says) and the person's page shows both."""

from __future__ import annotations

from tests.admin.test_officer_pages import person_with_plan


def test_the_form_offers_the_choice_and_the_page_shows_both(site):
    browser, api = site
    officer = browser.as_("officer_bkk").client
    form = officer.get("/admin/enrol").text
    assert '<select name="sex"' in form and "ตามคำนำหน้า" in form
    person = person_with_plan(api)["defendant"]  # นาย, born 17 May 1990
    page = officer.get(f"/admin/defendants/{person['id']}").text
    assert '<dd id="sex">ชาย</dd>' in page
    assert '<span id="age-group">' in page
    english = officer.get(f"/admin/defendants/{person['id']}?lang=en").text
    assert '<dd id="sex">Male</dd>' in english
