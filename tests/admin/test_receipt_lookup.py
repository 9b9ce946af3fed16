"""An officer shown a check-in receipt types its reference into the caseload search: the
person's page opens at that check-in, which shows the same reference. A mistyped reference,
another office's and one of a check-in not verified are said so beside the search box."""

from __future__ import annotations

import html

from reporting_api.receipt_codes import ALPHABET, reference_for
from tests.admin.test_officer_pages import audit_rows
from tests.checkin.helpers import open_check_in

NOTE = {"note": "saw the person and their ID card on a video call"}


def _verified(api):
    world = open_check_in(api)
    url = f"/api/v1/checkins/{world['check_in']['id']}/video-call"
    response = api.request("officer_bkk", "POST", url, json=NOTE)
    assert response.status_code == 200, response.text
    return world


def _search(browser, user, text, **headers):
    client = browser.as_(user).client
    return client.get(
        "/admin/caseload", params={"q": text}, headers=headers, follow_redirects=False
    )


def _error(page) -> str:
    text = html.unescape(page.text)
    start = text.index('id="q-error"')
    return text[start : text.index("</span>", start)]


def _mistype(reference: str) -> str:
    at = 5  # a character after the dash
    typed = next(c for c in ALPHABET if c != reference[at])
    return reference[:at] + typed + reference[at + 1 :]


def test_a_reference_opens_the_persons_page_at_that_check_in(site):
    browser, api = site
    world = _verified(api)
    check_in_id, person_id = world["check_in"]["id"], world["defendant"]["id"]
    reference = reference_for(check_in_id)
    target = f"/admin/defendants/{person_id}#checkin-{check_in_id}"

    found = _search(browser, "officer_bkk", reference)
    assert found.status_code == 303 and found.headers["location"] == target
    # As read aloud and typed loosely; and from the live search (HTMX) as a full redirect.
    loose = reference.lower().replace("0", "o").replace("1", "l")
    assert _search(browser, "officer_bkk", f" {loose} ").headers["location"] == target
    live = _search(browser, "officer_bkk", reference, **{"HX-Request": "true"})
    assert live.status_code == 200 and live.headers["hx-redirect"] == target
    # A manager reads every office.
    assert _search(browser, "manager", reference).headers["location"] == target

    page = browser.as_("officer_bkk").client.get(f"/admin/defendants/{person_id}")
    assert f'<code class="receipt-ref">{reference}</code>' in page.text
    [row] = audit_rows(api, "receipt.lookup", check_in_id)[-1:]
    assert row["detail"] == {"reference": reference}


def test_mistyped_other_offices_and_unverified_references_are_said_so(site):
    browser, api = site
    world = _verified(api)
    reference = reference_for(world["check_in"]["id"])

    mistyped = _search(browser, "officer_bkk", _mistype(reference))
    assert mistyped.status_code == 200
    assert "mistyped" in _error(mistyped) or "พิมพ์ผิด" in _error(mistyped)

    other_office = _search(browser, "officer_cnx", reference)
    assert other_office.status_code == 200
    assert reference in _error(other_office)
    assert f"/admin/defendants/{world['defendant']['id']}" not in other_office.text

    open_one = open_check_in(api)  # open, not checked in yet
    unverified = _search(browser, "officer_bkk", reference_for(open_one["check_in"]["id"]))
    assert unverified.status_code == 200 and "location" not in unverified.headers
    assert reference_for(open_one["check_in"]["id"]) in _error(unverified)


def test_text_shaped_otherwise_is_an_ordinary_search(site):
    browser, api = site
    world = _verified(api)
    name = world["defendant"]["first_name_th"]
    page = _search(browser, "officer_bkk", name)
    assert page.status_code == 200 and name in page.text
    # Eight characters without the dash are a name or a number, not a reference.
    plain = _search(browser, "officer_bkk", reference_for(world["check_in"]["id"]).replace("-", ""))
    assert plain.status_code == 200 and "location" not in plain.headers
