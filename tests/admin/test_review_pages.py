"""The review queue pages: the queue, one attempt's evidence, accept and reject through the
form, managers reading only, other offices refused. Attempts come from the real flow (three
still-photo clips pass the check-in to an officer, as in tests/checkin/test_review.py)."""

from __future__ import annotations

import html

from reporting_api.tables import LivenessChallenge, VerificationAttempt
from tests.checkin.helpers import db
from tests.checkin.test_review import _check_in, _pending_review, _window_status

QUEUE = "/admin/review"


def _item(attempt_id: int) -> str:
    return f"{QUEUE}/{attempt_id}"


def _error_beside(page: str, field: str) -> str:
    text = html.unescape(page)
    start = text.index(f'id="{field}-error"')
    return text[start : text.index("</span>", start)]


def test_queue_and_evidence_then_accept_verifies_the_check_in(site):
    browser, api = site
    world = _pending_review(api)
    first, _, last = world["attempts"]
    defendant = world["defendant"]
    browser.as_("officer_bkk")

    queue = browser.client.get(QUEUE)
    assert queue.status_code == 200
    assert f'href="{_item(last)}"' in queue.text
    assert f'href="{_item(first)}"' not in queue.text  # a retry is not waiting for anyone
    assert defendant["first_name_th"] in queue.text and "รอตรวจสอบ" in queue.text

    page = browser.client.get(_item(last))
    assert page.status_code == 200
    text = page.text
    assert f'src="/api/v1/defendants/{defendant["id"]}/photo"' in text
    detail = api.request("officer_bkk", "GET", f"/api/v1/verification-attempts/{last}").json()
    assert detail["frames"]
    for frame in detail["frames"]:
        assert f'src="{frame["url"]}"' in text
    # The images load with the page's own session.
    image = browser.client.get(detail["frames"][0]["url"])
    assert image.status_code == 200 and image.content[:2] == b"\xff\xd8"
    assert browser.client.get(f"/api/v1/defendants/{defendant['id']}/photo").status_code == 200
    for reason in detail["reasons"]:
        assert reason["message_th"] in html.unescape(text)
    distance = detail["match_distance"]
    if distance is not None:
        assert f"{distance:.2f}" in text
        expected = (
            "เป็นคนเดียวกัน"
            if distance <= 0.55
            else "ไม่แน่ชัด เจ้าหน้าที่ต้องตัดสิน"
            if distance <= 0.65
            else "คนละคน"
        )
        assert expected in text
    assert "ไม่เกิน 0.55 = คนเดียวกัน" in text
    assert "การเคลื่อนไหว" in text  # the liveness readings
    for step in detail["challenge_steps"]:
        assert f"{step['start_s']:.1f}–{step['end_s']:.1f}" in text
    # What the challenge left out, and why: an action the two earlier recordings (the same
    # still photo) both stopped at, if they stopped at the same one; then, as if the camera
    # picture had shown glasses, the blink.
    if detail["challenge_left_out"]:
        assert list(detail["challenge_left_out"].values()) == ["missed_before"]
        assert "ใน 2 จาก 3 ครั้งล่าสุด" in html.unescape(text)
    else:
        assert "ไม่ได้สั่งให้" not in text
    [row] = db(
        VerificationAttempt.select(VerificationAttempt.challenge).where(
            VerificationAttempt.id == last
        )
    )
    db(
        LivenessChallenge.update({LivenessChallenge.left_out: {"blink": "glasses"}}).where(
            LivenessChallenge.id == row["challenge"]
        )
    )
    detail = api.request("officer_bkk", "GET", f"/api/v1/verification-attempts/{last}").json()
    assert detail["challenge_left_out"] == {"blink": "glasses"}
    shown = html.unescape(browser.client.get(_item(last)).text)
    assert "ไม่ได้สั่งให้กะพริบตา เพราะภาพจากกล้องก่อนบันทึกเห็นว่าสวมแว่นตา" in shown
    assert "pytest-review" in text and "360 × 800" in text and "13.75000, 100.50000" in text
    assert 'name="decision" value="accept"' in text

    # The note is required: the error is beside it, in Thai and English, nothing changes.
    response = browser.post_form(_item(last), _item(last), {"decision": "accept", "note": " "})
    assert response.status_code == 400
    shown = _error_beside(response.text, "note")
    assert "โปรดเขียนบันทึก" in shown and "write a note" in shown
    assert _check_in(api, world)["status"] == "pending_review"

    # Without the page's token: refused, nothing changes.
    response = browser.client.post(
        _item(last), data={"decision": "accept", "note": "ok"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert _check_in(api, world)["status"] == "pending_review"

    note = "ID card shown on a video call; same person"
    response = browser.post_form(_item(last), _item(last), {"decision": "accept", "note": note})
    assert response.status_code == 303
    assert response.headers["location"] == f"{QUEUE}/next?decided=accept"
    response = browser.client.get(response.headers["location"], follow_redirects=False)
    assert response.headers["location"] == f"{QUEUE}?decided=accept"  # nothing else waits
    done = browser.client.get(response.headers["location"])
    assert "บันทึกแล้ว: ยอมรับการรายงานตัว" in done.text
    assert f'href="{_item(last)}"' not in done.text
    check_in = _check_in(api, world)
    assert (check_in["status"], check_in["method"], check_in["note"]) == (
        "verified",
        "remote",
        note,
    )
    # The item now shows the decision instead of the form.
    decided = browser.client.get(_item(last)).text
    assert note in decided and 'name="decision"' not in decided


def test_managers_read_only_and_other_offices_get_the_404_page(site):
    browser, api = site
    world = _pending_review(api)
    last = world["attempts"][-1]

    browser.as_("manager")
    page = browser.client.get(_item(last))
    assert page.status_code == 200
    assert "ผู้บริหารดูได้อย่างเดียว" in page.text and 'name="decision"' not in page.text
    assert f'href="{_item(last)}"' in browser.client.get(QUEUE).text
    response = browser.post_form(_item(last), _item(last), {"decision": "accept", "note": "x"})
    assert response.status_code == 403

    browser.as_("officer_cnx")
    response = browser.client.get(_item(last))
    assert response.status_code == 404
    assert "ไม่พบข้อมูลที่ขอ" in response.text
    assert f'href="{_item(last)}"' not in browser.client.get(QUEUE).text
    response = browser.post_form(QUEUE, _item(last), {"decision": "accept", "note": "mine now"})
    assert response.status_code == 404

    browser.as_("admin")
    assert browser.client.get(QUEUE).status_code == 403
    assert _check_in(api, world)["status"] == "pending_review"


def test_reject_goes_to_the_next_waiting_item_and_reopens_the_check_in(site):
    browser, api = site
    first_world = _pending_review(api)
    second_world = _pending_review(api)
    first, second = first_world["attempts"][-1], second_world["attempts"][-1]
    browser.as_("officer_bkk")

    note = "not the person in the ID photo"
    response = browser.post_form(_item(first), _item(first), {"decision": "reject", "note": note})
    assert response.status_code == 303
    response = browser.client.get(response.headers["location"], follow_redirects=False)
    assert response.headers["location"] == f"{_item(second)}?decided=reject"
    page = browser.client.get(response.headers["location"])
    assert "บันทึกแล้ว: ไม่ยอมรับการรายงานตัว" in page.text
    assert _check_in(api, first_world)["status"] == _window_status(first_world["check_in"])
    assert _check_in(api, second_world)["status"] == "pending_review"

    # Deciding the same attempt twice: a conflict, said on the page.
    again = browser.post_form(_item(second), _item(first), {"decision": "reject", "note": note})
    assert again.status_code == 409
    assert "already reviewed" in html.unescape(again.text)
