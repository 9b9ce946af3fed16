"""The receipt of a verified check-in: on the result of the recording, and on the link page
afterwards for the person who confirmed who they are (never before); after an officer's
acceptance, after a video call, and for the last check-in."""

from __future__ import annotations

import re
from datetime import date, datetime

from reporting_api.receipt_codes import parse_reference, reference_for
from reporting_api.thai_dates import (
    format_english_date_long,
    format_english_datetime_long,
    format_thai_date_long,
    format_thai_datetime_long,
)
from tests.checkin.helpers import (
    FAKE_MP4,
    attempts_of,
    cached_clip,
    challenge_of,
    check_in_row,
    identify,
    later_check_in,
    link_client,
    open_check_in,
    set_check_in,
    upload,
    wait_done,
)

SEED = 5  # seeded challenges: both databases' runs share one rendered clip
NOT_YET = "ยังไม่มีหลักฐานการรายงานตัว"


def _receipt(client, code, lang=None):
    query = f"?lang={lang}" if lang else ""
    return client.get(f"/c/{code}/receipt{query}")


def _recorded(client, world, clip):
    response = client.post(f"/c/{world['code']}/challenge")
    assert response.status_code == 201, response.text
    challenge = challenge_of(response.json())
    response = upload(client, world["code"], challenge.id, clip(challenge))
    assert response.status_code == 202, response.text
    attempt_id = response.json()["attempt_id"]
    return attempt_id, wait_done(client, world["code"], attempt_id)


def test_a_verified_recording_gives_a_receipt_the_link_shows_again(api, database_url):
    world = open_check_in(api)
    check_in_id, code = world["check_in"]["id"], world["code"]
    next_due = date.fromisoformat(later_check_in(api, world)["due_date"])
    with link_client(database_url, seed=SEED) as client:
        assert identify(client, world).status_code == 200
        attempt_id, result = _recorded(client, world, cached_clip)
        assert result["outcome"] == "verified", result

        receipt = result["receipt"]
        assert receipt["reference"] == reference_for(check_in_id)
        assert parse_reference(receipt["reference"], "ref") == check_in_id
        [attempt] = attempts_of(check_in_id)
        sent = attempt["created_at"]
        assert datetime.fromisoformat(receipt["checked_in_at"]) == sent
        assert receipt["checked_in_text"] == format_thai_datetime_long(sent)
        assert re.fullmatch(r"\d{1,2} \S+ 25\d\d เวลา \d\d:\d\d น\.", receipt["checked_in_text"])
        due = date.fromisoformat(world["check_in"]["due_date"])
        assert receipt["due_date"] == due.isoformat()
        assert receipt["due_date_text"] == format_thai_date_long(due)
        assert receipt["next_due_date"] == next_due.isoformat()
        assert receipt["next_due_text"] == format_thai_date_long(next_due)
        assert receipt["last"] is False and receipt["method"] == "remote"
        assert receipt["accepted_after_review"] is False and receipt["accepted_text"] is None
        assert result["next_due_text"]  # the short form stays for older pages

        # The link page afterwards: done, and the same receipt for the identified person.
        page = client.get(f"/c/{code}")
        assert page.status_code == 200 and 'data-done="1"' in page.text
        assert "หลักฐานการรายงานตัว" in page.text
        again = _receipt(client, code)
        assert again.status_code == 200, again.text
        assert again.json() == receipt
        assert again.headers["cache-control"] == "no-store"
        english = _receipt(client, code, "en").json()
        assert english["reference"] == receipt["reference"]
        assert english["checked_in_text"] == format_english_datetime_long(sent)
        assert english["next_due_text"] == format_english_date_long(next_due)

        # Before identifying (a new visitor), the page holds nothing of it and the receipt is
        # refused.
        client.cookies.clear()
        page = client.get(f"/c/{code}")
        assert receipt["reference"] not in page.text
        assert receipt["checked_in_text"] not in page.text
        assert world["defendant"]["first_name_th"] not in page.text
        refused = _receipt(client, code)
        assert refused.status_code == 401 and refused.json()["extra"][0]["key"] == "session"
        # Identifying on the done link opens it again.
        assert identify(client, world).status_code == 200
        assert _receipt(client, code).json() == receipt
        # The attempt's own result carries it too.
        polled = client.get(f"/c/{code}/attempts/{attempt_id}").json()
        assert polled["receipt"] == receipt


def test_an_officer_accepting_after_review_gives_the_receipt(api, database_url):
    world = open_check_in(api)
    check_in_id, code = world["check_in"]["id"], world["code"]
    with link_client(database_url) as client:
        assert identify(client, world).status_code == 200
        results = [_recorded(client, world, lambda _: FAKE_MP4) for _ in range(3)]
        assert [r["outcome"] for _, r in results] == ["retry", "retry", "review"]
        assert all("receipt" not in r for _, r in results)
        # Waiting for an officer: no receipt yet.
        waiting = _receipt(client, code)
        assert waiting.status_code == 404 and NOT_YET in waiting.json()["extra"][0]["message_th"]

        last_id = results[-1][0]
        accept = {"decision": "accept", "note": "seen on a video call with the ID card"}
        url = f"/api/v1/verification-attempts/{last_id}/review"
        response = api.request("officer_bkk", "POST", url, json=accept)
        assert response.status_code == 200, response.text

        receipt = _receipt(client, code).json()
        assert receipt["reference"] == reference_for(check_in_id)
        attempt = attempts_of(check_in_id)[-1]
        # The time the person sent the recording, not the officer's decision.
        assert datetime.fromisoformat(receipt["checked_in_at"]) == attempt["created_at"]
        assert receipt["accepted_after_review"] is True
        assert receipt["accepted_text"] == format_thai_datetime_long(attempt["reviewed_at"])
        assert client.get(f"/c/{code}/attempts/{last_id}").json()["receipt"] == receipt
        # A recording the machine refused and no one accepted has none.
        first = client.get(f"/c/{code}/attempts/{results[0][0]}").json()
        assert "receipt" not in first


def test_a_video_call_check_in_has_a_receipt_and_the_last_one_says_so(api):
    world = open_check_in(api)
    check_in_id, code = world["check_in"]["id"], world["code"]
    client = api.client
    client.cookies.clear()
    assert identify(client, world).status_code == 200
    cookie = client.cookies.get("bc_link")
    assert _receipt(client, code).status_code == 404  # open, not checked in yet
    # No later check-in: this one is the person's last.
    set_check_in(later_check_in(api, world)["id"], status="excused")
    note = {"note": "saw the person and their ID card on a video call"}
    response = api.request(
        "officer_bkk", "POST", f"/api/v1/checkins/{check_in_id}/video-call", json=note
    )
    assert response.status_code == 200, response.text

    client.cookies.set("bc_link", cookie)
    receipt = _receipt(client, code)
    assert receipt.status_code == 200, receipt.text
    body = receipt.json()
    completed = check_in_row(check_in_id)["completed_at"]
    assert body["method"] == "video_call"
    assert datetime.fromisoformat(body["checked_in_at"]) == completed
    assert body["last"] is True
    assert body["next_due_date"] is None and body["next_due_text"] is None


def test_an_excused_check_in_has_no_receipt(api):
    world = open_check_in(api)
    client = api.client
    client.cookies.clear()
    assert identify(client, world).status_code == 200
    set_check_in(world["check_in"]["id"], status="excused")
    page = client.get(f"/c/{world['code']}").text
    assert 'data-done="1"' in page
    # The page does not say the person reported: their officer excused them.
    assert "เจ้าหน้าที่ยกเว้นการรายงานตัววันนี้ให้แล้ว" in page
    assert "ท่านรายงานตัวครั้งนี้แล้ว" not in page
    assert "excused you" in client.get(f"/c/{world['code']}?lang=en").text
    refused = _receipt(client, world["code"])
    assert refused.status_code == 404
    assert refused.json()["extra"][0]["key"] == "receipt"


def test_the_identify_step_asks_day_month_name_and_buddhist_year(api):
    world = open_check_in(api)
    client = api.client
    client.cookies.clear()
    page = client.get(f"/c/{world['code']}").text
    assert 'type="date"' not in page  # no browser date picker
    assert 'name="birth_day"' in page and 'name="birth_month"' in page
    assert 'name="birth_year"' in page and 'inputmode="numeric"' in page
    assert ">มกราคม</option>" in page and ">ธันวาคม</option>" in page
    assert "ปี (พ.ศ.)" in page
    assert 'data-first-be="2400"' in page and 'data-earliest="1900"' in page
    english = client.get(f"/c/{world['code']}?lang=en").text
    assert ">January</option>" in english and ">December</option>" in english
    # What the three controls compose is what identify has always taken, in either era.
    for born in ("1990-05-17", "2533-05-17"):
        client.cookies.clear()
        assert identify(client, world, birth=born).status_code == 200
