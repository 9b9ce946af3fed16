"""The Today page shows how long the review queue's oldest recording has waited, its deadline
in working hours and, past it, that it is overdue (both databases)."""

from __future__ import annotations

from datetime import timedelta

from reporting_api.clock import utcnow
from tests.admin.test_officer_pages import add_attempt, person_with_plan


def test_today_shows_the_oldest_wait_and_overdue(site):
    browser, api = site
    officer = browser.as_("officer_bkk").client
    assert 'class="oldest-wait"' not in officer.get("/admin/").text  # nothing waits
    world = person_with_plan(api)
    past, _ = world["check_ins"]
    # Thirty days ago: far more than the default eight working hours, whatever today is.
    add_attempt(past, world["case"], utcnow() - timedelta(days=30))
    page = officer.get("/admin/")
    assert page.status_code == 200
    html = page.text
    start = html.index('class="oldest-wait"')
    wait = html[start : html.index("</p>", start)]
    assert "ชั่วโมงทำการ" in wait and "8" in wait, wait
    assert 'class="badge high"' in wait and "เกินกำหนด" in wait, wait
