"""The fitted risk model's page (/admin/reports/model): managers only, both scores side by side
with the calibration chart and the groups, the refusal when there is too little, adopting the
fitted points (a note and the CSRF token required, refused when the points changed since) and
rolling back; audited. On both databases, on the risk report's world."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from reporting_api import risk_model
from tests.admin.test_reports import world  # noqa: F401  (the report's fixture)
from tests.unit.test_risk_model import planted

PAGE = "/admin/reports/model"


@pytest.fixture(scope="module")
def fitted() -> risk_model.FitReport:
    report = risk_model.fit(planted(2000))
    assert isinstance(report, risk_model.FitReport)
    return report


@pytest.fixture
def with_fit(monkeypatch, fitted):
    """The fit answers with a report on generated outcomes (the world has 2 closed cases)."""
    from reporting_api.services import risk_model as fitting

    async def fit(ctx: Any) -> risk_model.FitReport:
        fitting.ensure_role(ctx.principal, "manager")
        return fitted

    monkeypatch.setattr(fitting, "fit", fit)
    return fitted


def _audit(action: str) -> list[dict[str, Any]]:
    from reporting_api.tables import AuditLog

    return asyncio.run(AuditLog.select().where(AuditLog.action == action).run())


def test_only_managers_see_it_and_the_report_links_to_it(site, world):  # noqa: F811
    browser, _ = site
    report = browser.as_("manager").client.get("/admin/reports").text
    assert 'href="/admin/reports/model"' in report
    assert "คะแนนที่ใช้อยู่: รุ่นที่ 1" in report
    for who in ("officer_bkk", "admin"):
        client = browser.as_(who).client
        assert client.get(PAGE).status_code == 403
        assert 'href="/admin/reports/model"' not in client.get("/admin/reports").text
        token = browser.csrf(client.get("/admin/account").text)  # their own session's
        for action in ("adopt", "rollback"):
            response = client.post(f"{PAGE}/{action}", data={"note": "x", "_csrf": token})
            assert response.status_code == 403


def test_with_too_little_it_says_why_and_offers_no_adoption(site, world):  # noqa: F811
    browser, _ = site
    manager = browser.as_("manager").client
    page = manager.get(PAGE)
    assert page.status_code == 200
    assert 'id="refusal"' in page.text and "คดีที่ปิดแล้วมีน้อยเกินไป" in page.text
    assert "too few closed cases to fit on" in page.text  # the English after the Thai
    assert 'id="adopt-form"' not in page.text and 'id="rollback-form"' not in page.text
    english = manager.get(f"{PAGE}?lang=en").text
    assert "No model was fitted:" in english and "คดีที่ปิด" not in english.split("<main")[-1]


def test_side_by_side_then_adopt_and_roll_back(site, world, with_fit):  # noqa: F811
    from reporting_api.store import risk_snapshot

    browser, _ = site
    manager = browser.as_("manager").client
    page = manager.get(PAGE).text
    assert '<svg class="chart calibration"' in page
    auc = re.search(r'<tr data-figure="auc">.*?</tr>', page, re.S)
    assert auc and f"{with_fit.fitted.auc:.3f}" in auc.group(0)
    assert f"{with_fit.hand_set.auc:.3f}" in auc.group(0)
    assert 'data-band="high"' in page and 'data-group="sex:male"' in page
    assert "ต่อการไม่มารายงานตัวแต่ละครั้ง" in page  # every rule in words
    for words in ("แบบจำลอง</text>", "สัดส่วนที่หลบหนี", "จังหวัด: สำนักงานส่วนกลาง", "รุ่นของคะแนน"):
        assert words in page, words  # the page's own words, not a neighbour's
    english = manager.get(f"{PAGE}?lang=en").text
    for words in (
        "Fitted model</text>",
        "Share who absconded",
        "Province: Central office",
        "Province: Chiang Mai",
    ):
        assert words in english, words
    assert f"{with_fit.weights.missed:+d} ต่อการไม่มารายงานตัว" in page

    # A note is required; the CSRF token too.
    no_note = browser.post_form(PAGE, f"{PAGE}/adopt", {"note": " ", "fingerprint": ""})
    assert no_note.status_code == 400 and 'id="note-error"' in no_note.text
    forged = manager.post(f"{PAGE}/adopt", data={"note": "x"}, follow_redirects=False)
    assert forged.status_code == 403
    # Points other than those shown (cases closed meanwhile) are not adopted.
    stale = browser.post_form(PAGE, f"{PAGE}/adopt", {"note": "x", "fingerprint": "1-2-3"})
    assert stale.status_code == 409 and "โปรดตรวจดูอีกครั้ง" in stale.text
    assert _audit("risk_weights.adopt") == []

    fingerprint = risk_model.fingerprint(with_fit.weights)
    done = browser.post_form(
        PAGE, f"{PAGE}/adopt", {"note": "fits the last year better", "fingerprint": fingerprint}
    )
    assert done.status_code == 200, done.text
    assert 'id="weights-done"' in done.text and "รุ่นที่ 2" in done.text
    assert 'id="rollback-form"' in done.text
    assert asyncio.run(risk_snapshot.snapshot_version()) == 2
    (row,) = _audit("risk_weights.adopt")
    assert row["actor_username"] == "manager" and row["entity_id"] == "2"
    report = manager.get("/admin/reports").text
    assert "คะแนนที่ใช้อยู่: รุ่นที่ 2" in report

    back = browser.post_form(PAGE, f"{PAGE}/rollback", {"rollback_note": "back for now"})
    assert back.status_code == 200, back.text
    assert "รุ่นที่ 1" in back.text and 'id="rollback-form"' not in back.text
    assert len(_audit("risk_weights.rollback")) == 1
    history = re.findall(r'<tr data-version="(\d+)">', back.text)
    assert history == ["2", "1"]
