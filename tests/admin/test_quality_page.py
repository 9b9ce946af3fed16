"""The verification quality page on both databases: every count and rate of a planted set of
attempts (false rejections and a false acceptance, a small group), the warning for the group
whose false rejections stand out and for nobody else, the exports, who may see what, and a
bad filter answered in Thai and English.

Three people: A (male, 30) with 60 recordings on Android, B (female, 70) with 40 on an
iPhone, most of them refused by the machine and accepted by an officer, and C (female, 40, in
Chiang Mai) with 10 and no user agent: too few to say anything about."""

from __future__ import annotations

import html
import io
import subprocess
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from reporting_api.clock import utcnow
from reporting_api.tables import Defendant, VerificationAttempt
from tests.checkin.helpers import audit_rows, db, open_check_in

PAGE = "/admin/quality"
ANDROID = "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 Chrome/120.0 Mobile"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Safari"


def _attempts(world: dict[str, Any], agent: str | None, plan: list[tuple[str, str | None, int]]):
    """``plan``: (machine decision, officer decision or None, how many)."""
    now = utcnow()
    check_in = world["check_in"]
    rows = []
    for decision, review, count in plan:
        for i in range(count):
            rows.append(
                VerificationAttempt(
                    check_in=check_in["id"],
                    case=check_in["case_id"],
                    office=check_in["office_id"],
                    idempotency_key=uuid.uuid4().hex,
                    state="done",
                    media_kind="clip",
                    decision=decision,
                    outcome={"verified": "verified", "review": "review"}.get(decision, "retry"),
                    scores={"match_distance": 0.40 + 0.001 * i + (0.1 if review else 0.0)},
                    client={"user_agent": agent} if agent else {},
                    needs_review=decision == "review",
                    created_at=now - timedelta(minutes=5),
                    completed_at=now - timedelta(minutes=4),
                    reviewed_at=now if review else None,
                    review_decision=review,
                    review_note="checked" if review else None,
                )
            )
    db(VerificationAttempt.insert(*rows))


def _person(world: dict[str, Any], sex: str, age: int) -> None:
    born = date.today() - timedelta(days=int(age * 365.25) + 30)
    db(
        Defendant.update({Defendant.sex: sex, Defendant.date_of_birth: born}).where(
            Defendant.id == world["defendant"]["id"]
        )
    )


@pytest.fixture
def planted(site):
    browser, api = site
    a, b = open_check_in(api), open_check_in(api)
    c = open_check_in(api, "officer_cnx")
    _person(a, "male", 30)
    _person(b, "female", 70)
    _person(c, "female", 40)
    _attempts(a, ANDROID, [("verified", None, 49), ("verified", "someone_else", 1)])
    _attempts(a, ANDROID, [("review", "accept", 5), ("rejected", None, 5)])
    _attempts(b, IPHONE, [("verified", None, 20), ("review", "accept", 15)])
    _attempts(b, IPHONE, [("rejected", "accept", 5)])
    _attempts(c, None, [("verified", None, 10)])
    return browser, api


def _row(page: str, table: str, label: str) -> str:
    text = html.unescape(page)
    start = text.index(f'id="by-{table}"')
    row = text.index(label, start)
    return text[row : text.index("</tr>", row)]


def test_every_count_and_rate_and_the_one_warning(planted):
    browser, _ = planted
    browser.as_("manager")
    response = browser.client.get(PAGE)
    assert response.status_code == 200, response.text
    page = html.unescape(response.text)
    # A: 60 recordings, 50 verified (one of them someone else), 5 to review and accepted,
    # 5 rejected unreviewed: known genuine 50 - 1 + 5 = 54, false rejections 5/54.
    a = _row(page, "age_sex", "25-34 · ชาย")
    # Six reviewed, all overturned: too few to say; distances 0.400-0.504, median 0.4245.
    for text in ("60", "50 (83.3%)", "5 (8.3%)", "น้อยเกินกว่าจะสรุปได้ (6/6)", "0.425"):
        assert f">{text}<" in a, (text, a)
    assert ">9.3% (4.0%–19.9%) 5/54<" in a and "สูงกว่ากลุ่มอื่น" not in a
    # B: 40 recordings, 20 false rejections of 40 known genuine; its row and its phone's stand out.
    b = _row(page, "age_sex", "65+ · หญิง")
    assert "50.0% (35.2%–64.8%) 20/40" in b and "สูงกว่ากลุ่มอื่น" in b
    assert "20 (50.0%)" in b and "15 (37.5%)" in b and ">20<" in b
    assert "สูงกว่ากลุ่มอื่น" in _row(page, "phone", "iPhone")
    assert "สูงกว่ากลุ่มอื่น" not in _row(page, "phone", "Android")
    # C: ten recordings, too few to say anything but the counts.
    c = _row(page, "age_sex", "35-44 · หญิง")
    assert "น้อยเกินกว่าจะสรุปได้ (0/10)" in c and "%" not in c
    assert "ไม่ทราบ" in _row(page, "phone", "ไม่ทราบ")
    warnings = page[page.index('id="warnings"') : page.index("</div>", page.index('id="warnings"'))]
    assert warnings.count("<li>") == 2 and "65+ · หญิง" in warnings and "Holm" in warnings
    overall = page[page.index('id="overall"') : page.index("</table>", page.index('id="overall"'))]
    assert ">110<" in overall and "25/104" in overall  # 5 + 20 of 54 + 40 + 10


def test_an_officer_sees_their_office_and_the_exports_match(planted):
    browser, api = planted
    browser.as_("officer_cnx")
    page = html.unescape(browser.client.get(PAGE + "?lang=en").text)
    overall = page[page.index('id="overall"') : page.index("</table>", page.index('id="overall"'))]
    assert ">10<" in overall and "too few to say (0/10)" in overall
    assert "65+" not in page and "No group's false rejections stand out" in page
    seen = audit_rows(api.office_id("TH-50"), "report.verification_quality", entity="office")
    assert [(r["detail"]["format"], r["detail"]["attempts"]) for r in seen] == [("page", 10)]
    other = browser.client.get(f"{PAGE}?office_id={api.office_id('TH-10')}&lang=en")
    assert other.status_code == 404 and "TH-10" not in other.text

    browser.as_("manager")
    sheet = browser.client.get(PAGE + "/export.xlsx?lang=en")
    assert (
        sheet.status_code == 200 and "verification-quality" in sheet.headers["content-disposition"]
    )
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(sheet.content))
    rows = [[c.value for c in r] for r in book["By age group and sex"].iter_rows()]
    b = next(r for r in rows if r[0] == "65+ · Female")
    assert b[1] == 40 and b[7] == "50.0% (35.2%–64.8%) 20/40" and b[-1] == "yes"
    summary = [r[0].value for r in book["Summary"].iter_rows() if r[0].value]
    assert sum("false rejections" in line for line in summary) == 2
    pdf = browser.client.get(PAGE + "/export.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "20/40" in text and "too few to say (0/10)" in text


def test_refusals(site):
    browser, _ = site
    browser.as_("manager")
    bad = browser.client.get(PAGE + "?date_from=31/02/2569")
    assert bad.status_code == 400 and 'id="date_from-error"' in bad.text
    later = browser.client.get(PAGE + "?date_from=2027-01-02&date_to=2027-01-01&lang=en")
    assert later.status_code == 400 and "must not be before the start date" in later.text
    assert "ต้องไม่ก่อนวันเริ่มต้น" in html.unescape(
        browser.client.get(PAGE + "?date_from=2027-01-02&date_to=2027-01-01").text
    )
    browser.as_("admin")
    assert browser.client.get(PAGE).status_code == 403
    assert browser.client.get(PAGE + "/export.xlsx").status_code == 403
