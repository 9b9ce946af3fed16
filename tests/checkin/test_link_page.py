"""GET /c/<code>: what the page shows in each state of the link, and the SMS preferences."""

from __future__ import annotations

import base64
from datetime import date, timedelta

from reporting_api.clock import utcnow
from reporting_api.services.reminders import new_check_in_code
from reporting_api.thai_dates import THAI_MONTHS_ABBR, bangkok_today, local_midnight_utc
from tests.checkin.helpers import (
    audit_rows,
    check_in_row,
    db,
    flags_of,
    identify,
    later_check_in,
    open_check_in,
    set_check_in,
    upload,
    wrong_last4,
)

ENGLISH_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def thai(day: date) -> str:
    return f"{day.day} {THAI_MONTHS_ABBR[day.month - 1]} {day.year + 543}"


def english(day: date) -> str:
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


OFFICE_PHONE = "02-141-5100"


def office(api, code="TH-10"):
    """The office, given a phone number (offices load without one)."""
    rows = api.request("admin", "GET", "/api/v1/offices").json()
    found = next(o for o in rows if o["code"] == code)
    if found["phone"] != OFFICE_PHONE:
        url = f"/api/v1/offices/{found['id']}"
        response = api.request("admin", "PATCH", url, json={"phone": OFFICE_PHONE})
        assert response.status_code == 200, response.text
        found = response.json()
    return found


def first_reminder_sent(check_in_id):
    """Move the check-in's first reminder into the past: from then on its link works."""
    from reporting_api.tables import Reminder

    rows = db(Reminder.select().where(Reminder.check_in == check_in_id).order_by(Reminder.due_at))
    db(
        Reminder.update({Reminder.due_at: utcnow() - timedelta(minutes=1)}).where(
            Reminder.id == rows[0]["id"]
        )
    )


def defendant_row(defendant_id):
    from reporting_api.tables import Defendant

    return db(Defendant.select().where(Defendant.id == defendant_id).first())


def test_page_is_thai_by_default_with_office_and_buddhist_date(api):
    place = office(api)
    world = open_check_in(api)
    person = world["defendant"]
    due = date.fromisoformat(world["check_in"]["due_date"])
    client = api.client
    client.cookies.clear()
    page = client.get(f"/c/{world['code']}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert '<html lang="th">' in page.text
    assert "รายงานตัวออนไลน์" in page.text
    assert place["name_th"] in page.text
    assert place["phone"] and place["phone"] in page.text
    assert thai(due) in page.text
    assert 'id="identify"' in page.text
    for personal in (
        person["first_name_th"],
        person["last_name_th"],
        person["first_name_en"],
        person["national_id"],
        person["national_id"][-4:],
        person["date_of_birth"],
    ):
        assert personal not in page.text
    english_page = client.get(f"/c/{world['code']}?lang=en")
    assert english_page.status_code == 200
    assert '<html lang="en">' in english_page.text
    assert "Online check-in" in english_page.text
    assert place["name_en"] in english_page.text
    assert english(due) in english_page.text
    assert person["first_name_en"] not in english_page.text


def test_unknown_and_malformed_codes_get_the_same_404_page(api):
    world = open_check_in(api)
    unknown = "A" * len(world["code"])
    assert unknown != world["code"]
    for code in (unknown, "short", "has.a.dot.in.it.x", world["code"] + "!"):
        page = api.client.get(f"/c/{code}")
        assert page.status_code == 404, code
        assert "ไม่พบลิงก์นี้" in page.text
        assert 'id="identify"' not in page.text
    assert (
        api.client.post(
            f"/c/{unknown}/identify",
            json={"date_of_birth": "1990-05-17", "national_id_last4": "1234"},
        ).status_code
        == 404
    )


def test_check_in_codes_carry_at_least_64_random_bits(api):
    world = open_check_in(api)
    later = later_check_in(api, world)
    for code in (world["code"], later["code"], new_check_in_code()):
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        assert len(raw) * 8 >= 64, code
    assert len({new_check_in_code() for _ in range(1000)}) == 1000
    assert world["code"] != later["code"]


def test_a_window_not_open_yet_says_when_it_opens(api):
    world = open_check_in(api)
    later = later_check_in(api, world)
    # Its first reminder has gone out (the link works from then), its window opens later.
    first_reminder_sent(later["id"])
    due = date.fromisoformat(later["due_date"])
    opens = due - timedelta(days=7)  # open_check_in's window_opens_days_before
    page = api.client.get(f"/c/{later['code']}")
    assert page.status_code == 200
    assert f"เปิดให้รายงานตัวตั้งแต่ {thai(opens)}" in page.text
    # Nothing to record, but the person may identify to contact their officer (issue 14).
    assert 'id="identify"' in page.text and 'id="requests"' in page.text
    assert (
        f"checking in opens on {english(opens)}"
        in api.client.get(f"/c/{later['code']}?lang=en").text
    )
    # The person may confirm who they are (to send a request to their officer, issue 14),
    # but recording waits for the window.
    assert identify(api.client, world | {"code": later["code"]}).status_code == 200
    response = api.client.post(f"/c/{later['code']}/challenge")
    assert response.status_code == 409
    assert response.json()["extra"][0]["key"] == "code"
    assert english(opens) in response.json()["extra"][0]["message"]


def test_after_the_window_closed_everything_is_410(api):
    world = open_check_in(api)
    code, client = world["code"], api.client
    assert identify(client, world).status_code == 200  # a session from before it closed
    challenge = client.post(f"/c/{code}/challenge").json()
    today = bangkok_today(utcnow())
    closes = local_midnight_utc(today)  # the window's last day was yesterday
    set_check_in(
        world["check_in"]["id"],
        opens_at=closes - timedelta(days=5),
        due_at=closes - timedelta(days=3),
        closes_at=closes,
    )
    page = client.get(f"/c/{code}")
    assert page.status_code == 410
    assert f"ลิงก์นี้หมดอายุแล้ว (ปิดรับรายงานตัวเมื่อ {thai(today - timedelta(days=1))})" in page.text
    # Inside the link's grace days the person may still confirm who they are (to follow or
    # send a request, issue 14); nothing can be recorded.
    assert identify(client, world).status_code == 200
    response = client.post(f"/c/{code}/challenge")
    assert response.status_code == 410
    body = response.json()
    assert body["status_code"] == 410 and body["extra"][0]["key"] == "code"
    assert body["extra"][0]["message_th"].startswith("ลิงก์นี้หมดอายุแล้ว")
    assert upload(client, code, challenge["id"]).status_code == 410
    assert check_in_row(world["check_in"]["id"])["status"] == "open"  # the sweep marks missed


def test_a_verified_check_in_says_it_is_done(api):
    world = open_check_in(api)
    set_check_in(world["check_in"]["id"], status="verified", method="in_person")
    page = api.client.get(f"/c/{world['code']}")
    assert page.status_code == 200
    assert "ท่านรายงานตัวครั้งนี้แล้ว" in page.text
    # Nothing to record, but the person may identify to contact their officer (issue 14).
    assert 'id="identify"' in page.text and 'id="requests"' in page.text
    assert "already checked in" in api.client.get(f"/c/{world['code']}?lang=en").text
    assert identify(api.client, world).status_code == 200  # to follow their requests
    assert api.client.post(f"/c/{world['code']}/challenge").status_code == 409


def test_a_locked_link_answers_423(api):
    place = office(api)
    world = open_check_in(api)
    for _ in range(5):
        identify(api.client, world, last4=wrong_last4(world))
    page = api.client.get(f"/c/{world['code']}")
    assert page.status_code == 423
    assert "ลิงก์นี้ถูกระงับ" in page.text
    assert place["phone"] in page.text
    assert 'id="identify"' not in page.text


def test_preferences_stop_sms_and_change_language_audited(api):
    world = open_check_in(api)
    person, check_in_id, code = world["defendant"], world["check_in"]["id"], world["code"]
    assert identify(api.client, world).status_code == 200  # only the person may change them
    response = api.client.post(f"/c/{code}/preferences", json={"sms_opt_out": True})
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "changed": {"sms_opt_out": True}}
    assert defendant_row(person["id"])["sms_opt_out"] is True
    [row] = audit_rows(person["id"], "checkin.preferences", "defendant")
    assert row["actor_username"] == "checkin-link" and row["client_address"] == "testclient"
    assert row["detail"] == {
        "check_in": check_in_id,
        "from": {"sms_opt_out": False},
        "to": {"sms_opt_out": True},
    }
    response = api.client.post(f"/c/{code}/preferences", json={"language": "en"})
    assert response.status_code == 200, response.text
    assert defendant_row(person["id"])["preferred_language"] == "en"
    last = audit_rows(person["id"], "checkin.preferences", "defendant")[-1]
    assert last["detail"]["from"] == {"preferred_language": "th"}
    assert last["detail"]["to"] == {"preferred_language": "en"}
    assert '<html lang="en">' in api.client.get(f"/c/{code}").text  # the person's language now
    for bad, key in (({"language": "fr"}, "language"), ({}, "sms_opt_out")):
        response = api.client.post(f"/c/{code}/preferences", json=bad)
        assert response.status_code == 400, bad
        assert response.json()["extra"][0]["key"] == key
    assert defendant_row(person["id"])["preferred_language"] == "en"
    # An officer finds both changes in the person's audit trail.
    query = f"entity=defendant&entity_id={person['id']}&action=checkin.preferences"
    trail = api.request("admin", "GET", f"/api/v1/audit?{query}")
    assert trail.status_code == 200, trail.text
    assert len(trail.json()["items"]) == 2


def test_not_me_stops_sms_and_tells_the_officer(api):
    world = open_check_in(api)
    person, check_in_id, code = world["defendant"], world["check_in"]["id"], world["code"]
    for _ in range(2):  # pressed twice: one flag
        response = api.client.post(f"/c/{code}/not-me")
        assert response.status_code == 200, response.text
    assert defendant_row(person["id"])["sms_opt_out"] is True
    [flag] = flags_of(check_in_id, "unreachable_phone")
    assert flag["office"] == office(api)["id"]
    assert flag["case"] == world["case"]["id"] and flag["severity"] == "high"
    first, second = audit_rows(person["id"], "checkin.not_me", "defendant")
    assert first["detail"] == {
        "check_in": check_in_id,
        "from": {"sms_opt_out": False},
        "to": {"sms_opt_out": True},
    }
    assert second["detail"]["from"] == {"sms_opt_out": True}
    # An unknown code gets the same answer, and nothing happens.
    unknown = api.client.post("/c/AAAAAAAAAAAAAAAA/not-me")
    assert (unknown.status_code, unknown.json()) == (200, {"ok": True})


def test_a_late_check_in_is_still_open(api):
    world = open_check_in(api)
    now = utcnow()
    set_check_in(
        world["check_in"]["id"],
        due_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    page = api.client.get(f"/c/{world['code']}")
    assert page.status_code == 200 and 'id="identify"' in page.text
    assert identify(api.client, world).status_code == 200
    assert api.client.post(f"/c/{world['code']}/challenge").status_code == 201
