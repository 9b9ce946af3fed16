"""Linking a LINE account from start to end (issue 17), through the real `line-bot-sdk` to
the fake LINE, on both databases: `follow` → a link token from LINE and a reply with a button
to our page → check-in's identification on `/line/link` (the SMS link's code, date of birth
with a Buddhist-era year, the last four ID digits) → LINE's account-link dialog with our
nonce → `accountLink` with it links, one with another nonce does not; the person's number is
told by SMS; wrong answers count against the check-in link's limit; the page refuses what is
not ours, in Thai and English, never with a 500. Bodies sent are checked against
`webhook.yml` (the webhook helpers), LINE's requests and answers against
`messaging-api.yml` (the `fake_line` fixture)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

from reporting_api.clock import utcnow
from reporting_api.notice_texts import NOTICE_LINE_LINKED
from reporting_api.services.line_webhook import LINE_ACCOUNT_LINK
from reporting_api.tables import AuditLog, LineAccount, Reminder
from tests.checkin.helpers import check_in_row, db, open_check_in, wrong_last4
from tests.conftest import Api, _make_staff
from tests.line.conftest import SECRET
from tests.line.events import event
from tests.line.test_account_link import account_link, deliver

USER = "U" + "8" * 32
PUBLIC = "http://127.0.0.1:8000"  # settings_for_test's PUBLIC_BASE_URL


def follow(event_id: str, user: str = USER) -> dict:
    return event(
        "follow", event_id, user, replyToken="reply-" + event_id, follow={"isUnblocked": False}
    )


def message(event_id: str, text: str, user: str = USER) -> dict:
    return event(
        "message",
        event_id,
        user,
        replyToken="reply-" + event_id,
        message={"type": "text", "id": "1" + event_id[-10:], "quoteToken": "q", "text": text},
    )


def invitation_url(fake: Any, reply_token: str) -> str:
    (messages,) = [m for token, m in fake.replied if token == reply_token]
    (button,) = [m for m in messages if m["type"] == "template"]
    return button["template"]["actions"][0]["uri"]


def form(world: dict[str, Any], token: str, **overrides: str) -> dict[str, str]:
    nid = world["defendant"]["national_id"]
    return {
        "linkToken": token,
        "lang": "th",
        "link": f"https://fund.example/c/{world['code']}",
        "birth_day": "17",
        "birth_month": "5",
        "birth_year": "2533",  # 1990 in the Buddhist era, as people write it
        "national_id_last4": nid[-4:],
        **overrides,
    }


def linked() -> dict[int, str]:
    return {r["defendant"]: r["user_id"] for r in db(LineAccount.select())}


def test_follow_identify_and_account_link_link_the_person(line_live, fake_line, database_url):
    api = Api(line_live, _make_staff(database_url))
    world = open_check_in(api)
    fake_line.follow(USER)
    deliver(line_live, follow("01JF0000000000000000000001"))
    url = invitation_url(fake_line, "reply-01JF0000000000000000000001")
    assert url.startswith(f"{PUBLIC}/line/link?linkToken=")
    token = parse_qs(urlsplit(url).query)["linkToken"][0]
    assert fake_line.link_tokens[token] == USER
    page = line_live.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code == 200 and 'name="link"' in page.text and token in page.text
    assert "ผูกบัญชี LINE กับการรายงานตัว" in page.text  # Thai first
    english = line_live.get(urlsplit(url).path + "?lang=en&" + urlsplit(url).query)
    assert "Link LINE to your reporting" in english.text

    sent = line_live.post("/line/link", data=form(world, token), follow_redirects=False)
    assert sent.status_code == 303, sent.text
    target = urlsplit(sent.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == LINE_ACCOUNT_LINK
    query = parse_qs(target.query)
    assert query["linkToken"] == [token] and len(query["nonce"][0]) >= 32
    assert linked() == {}  # nothing until LINE's event brings the nonce back

    deliver(line_live, account_link("01JF0000000000000000000002", "another-nonce", user=USER))
    assert linked() == {}
    deliver(line_live, account_link("01JF0000000000000000000003", query["nonce"][0], user=USER))
    person = world["defendant"]["id"]
    assert linked() == {person: USER}
    # Told on LINE, and by SMS to the person's number (in case it was not them).
    (confirmation,) = [m for t, m in fake_line.replied if t == "reply-01JF0000000000000000000003"]
    assert "Linked" in confirmation[0]["text"]
    notices = db(Reminder.select().where(Reminder.kind == NOTICE_LINE_LINKED))
    assert [n["defendant"] for n in notices] == [person]
    actions = [r["action"] for r in db(AuditLog.select(AuditLog.action))]
    assert {"line.link_started", "line.linked", "checkin.identified"} <= set(actions)


def test_wrong_answers_count_against_the_check_in_links_limit(line_live, fake_line, database_url):
    api = Api(line_live, _make_staff(database_url))
    world = open_check_in(api)
    token = "T" * 20
    limit = 5  # CheckInSettings.identify_max_failures's default
    for _ in range(limit):
        wrong = line_live.post(
            "/line/link", data=form(world, token, national_id_last4=wrong_last4(world))
        )
        assert wrong.status_code in (401, 423), wrong.text
    assert check_in_row(world["check_in"]["id"])["link_locked_at"] is not None
    right = line_live.post("/line/link", data=form(world, token), follow_redirects=False)
    assert right.status_code == 423 and "ถูกระงับ" in right.text and "locked" in right.text


def test_the_page_refuses_what_is_not_ours_in_both_languages(line_live, database_url):
    api = Api(line_live, _make_staff(database_url))
    world = open_check_in(api)
    no_token = line_live.get("/line/link")
    assert no_token.status_code == 400 and "LINE" in no_token.text
    assert "open this page from the button" in no_token.text  # the other language too
    bad = {
        "linkToken": ("<script>", 400),
        "link": ("https://fund.example/not-a-link", 400),
        "birth_month": ("13", 400),
        "birth_year": ("year", 400),
        "national_id_last4": ("12", 400),
    }
    for field, (value, status) in bad.items():
        answer = line_live.post("/line/link", data=form(world, "T" * 20, **{field: value}))
        assert answer.status_code == status, (field, answer.text)
        assert "notice-box" in answer.text, field
    unknown = line_live.post(
        "/line/link", data=form(world, "T" * 20, link="https://fund.example/c/" + "x" * 16)
    )
    assert unknown.status_code == 404
    assert (
        line_live.post(
            "/line/link",
            content=b"\xff\xfe",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ).status_code
        < 500
    )


def test_line_off_has_no_link_page(api):
    assert api.client.get("/line/link?linkToken=" + "T" * 20).status_code == 404


def test_a_message_from_someone_not_linked_gets_a_new_invitation(line_live, fake_line):
    fake_line.follow(USER)
    deliver(line_live, message("01JF0000000000000000000004", "สวัสดี"))
    url = invitation_url(fake_line, "reply-01JF0000000000000000000004")
    assert "/line/link?linkToken=" in url
    # LINE refusing a link token (someone who does not follow): a plain apology, no button.
    deliver(line_live, message("01JF0000000000000000000005", "hello", user="U" + "9" * 32))
    (answer,) = [m for t, m in fake_line.replied if t == "reply-01JF0000000000000000000005"]
    assert [m["type"] for m in answer] == ["text"] and "later" in answer[0]["text"]


def test_the_check_in_page_shows_the_official_account_only_while_line_is_on(
    database_url, fake_line
):
    from litestar.testing import TestClient

    from reporting_api.app import create_app
    from reporting_api.settings import LineSettings
    from tests.conftest import settings_for_test, shared_verifier
    from tests.line.conftest import SECRET

    add = "https://lin.ee/JusticeFundTest"
    seen = {}
    staff = _make_staff(database_url)
    for name, secret in (("on", SECRET), ("off", None)):
        line = LineSettings(channel_secret=secret, channel_access_token="token", add_friend_url=add)
        settings = settings_for_test(database_url, line=line)
        with TestClient(app=create_app(settings, verifier=shared_verifier())) as client:
            world = open_check_in(Api(client, staff))
            page = client.get(f"/c/{world['code']}")
            assert page.status_code == 200
            seen[name] = page.text
    assert add in seen["on"] and "<svg" in seen["on"] and "รับการแจ้งเตือนทาง LINE" in seen["on"]
    assert add not in seen["off"] and "LINE" not in seen["off"]


def postback(event_id: str, data: str, user: str = USER) -> dict:
    return event(
        "postback", event_id, user, replyToken="reply-" + event_id, postback={"data": data}
    )


def test_buttons_and_texts_through_the_webhook_make_requests_and_are_answered(
    line_live, fake_line, database_url
):
    from reporting_api.line_messages import PostbackAction, postback_data
    from reporting_api.store import line_events
    from reporting_api.tables import PersonRequest

    api = Api(line_live, _make_staff(database_url))
    world = open_check_in(api)
    fake_line.follow(USER)
    asyncio.run(line_events.link_account(world["defendant"]["id"], USER, utcnow()))
    data = postback_data(PostbackAction.CALL_ME, world["check_in"]["id"])
    deliver(line_live, postback("01JF0000000000000000000020", data))
    deliver(line_live, message("01JF0000000000000000000021", "ขอเลื่อนวันได้ไหมครับ"))
    requests = db(PersonRequest.select().order_by(PersonRequest.id))
    assert [(r["kind"], r["check_in"]) for r in requests] == [
        ("call_me", world["check_in"]["id"]),
        ("message", world["check_in"]["id"]),
    ]
    assert "ขอเลื่อน".encode() not in requests[1]["text_sealed"]  # sealed, as the page seals it
    for event_id in ("01JF0000000000000000000020", "01JF0000000000000000000021"):
        (answer,) = [m for t, m in fake_line.replied if t == "reply-" + event_id]
        assert answer and answer[0]["type"] == "text"


def test_after_unfollow_the_reminders_go_by_sms_again(line_live, fake_line, database_url):
    from reporting_api.settings import LineSettings
    from reporting_api.store import line_events
    from scheduler.dispatch import Dispatcher
    from scheduler.sender import FakeSender
    from tests.conftest import settings_for_test
    from tests.line.test_account_link import unfollow

    api = Api(line_live, _make_staff(database_url))
    world = open_check_in(api)
    person = world["defendant"]
    fake_line.follow(USER)
    asyncio.run(line_events.link_account(person["id"], USER, utcnow()))
    fake_line.block(USER)  # LINE would still take a push and never deliver it
    deliver(line_live, unfollow("01JF0000000000000000000022", user=USER))
    assert linked() == {}
    settings = settings_for_test(
        database_url,
        line=LineSettings(
            channel_secret=SECRET,
            channel_access_token=fake_line.access_token,
            base_url=fake_line.base_url,
        ),
    )
    sms = FakeSender()
    # The person's first message due, at its time (whatever the hour now).
    rows = db(Reminder.select().where(Reminder.defendant == person["id"]))
    due = min(r["due_at"] for r in rows)
    asyncio.run(Dispatcher(settings, sms, worker_id="t").drain(lambda: due))
    assert fake_line.pushed == [] and person["phone"] in {m.to for m in sms.sent}


def test_an_answer_on_line_is_in_the_persons_export(line_live, fake_line, database_url):
    from reporting_api.line_messages import PostbackAction, postback_data
    from reporting_api.store import line_events

    api = Api(line_live, _make_staff(database_url))
    world = open_check_in(api)
    person = world["defendant"]["id"]
    fake_line.follow(USER)
    asyncio.run(line_events.link_account(person, USER, utcnow()))
    data = postback_data(PostbackAction.COME, world["check_in"]["id"])
    deliver(line_live, postback("01JF0000000000000000000030", data))
    record = api.request("officer_bkk", "GET", f"/api/v1/defendants/{person}/export").json()
    assert [(a["check_in"], a["answer"], a["via"]) for a in record["answers"]] == [
        (world["check_in"]["id"], "will_come", "line")
    ]
    assert all(m["channel"] in ("sms", "line", "email") for m in record["messages"])
