"""Two-way on LINE (issue 17): what a linked person presses or writes on LINE.

"I can't come" and "call me" make the request the check-in page makes (same row, history,
audit, deadline, queue, hourly limit, status notices), once while it is open; "I'll come" is
recorded on the person's timeline; a text becomes a sealed message request on their current
check-in. Another person's check-in, a closed case, data we did not make and an unlinked
user are answered without a change. Both databases; the services are called as
`line_webhook.act_on` calls them."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from reporting_api import line_replies
from reporting_api.access import Principal
from reporting_api.clock import utcnow
from reporting_api.line_messages import LineText, PostbackAction, postback_data
from reporting_api.services import line_requests, person_requests, timeline
from reporting_api.services.context import Ctx
from reporting_api.store import line_events
from reporting_api.tables import CheckInAnswer, PersonRequest, RequestTransition
from reporting_api.thai_dates import format_thai_date_long
from tests.admin.conftest import site  # noqa: F401  (the fixture: pages and API on one database)
from tests.checkin.helpers import audit_rows, db, later_check_in, open_check_in, set_check_in
from tests.checkin.test_requests import ask, decide, notices_of
from tests.conftest import settings_for_test

USER = "U" + "6" * 32
OTHER = "U" + "7" * 32
COME, CANT_COME, CALL_ME = PostbackAction.COME, PostbackAction.CANT_COME, PostbackAction.CALL_ME
SAME_SHAPE_SKIPS = ("id", "created_at", "updated_at", "due_at", "text_sealed")
"""What differs between two requests made a moment apart (the text is compared unsealed)."""


class Line:
    """The LINE side of one test: the app's runtime (its sealer) and settings."""

    def __init__(self, api: Any, database_url: str) -> None:
        self.api = api
        self.runtime = api.client.app.state.runtime
        self.settings = settings_for_test(database_url)

    def press(self, action: PostbackAction, check_in_id: int, user: str = USER, now=None):
        return self.postback(postback_data(action, check_in_id), user, now)

    def postback(self, data: str, user: str = USER, now=None) -> LineText | None:
        return asyncio.run(
            line_requests.on_postback(user, data, now or utcnow(), self.runtime, self.settings)
        )

    def write(self, text: str, user: str = USER, now=None) -> LineText | None:
        return asyncio.run(
            line_requests.on_text(user, text, now or utcnow(), self.runtime, self.settings)
        )

    def unseal(self, row: dict[str, Any]) -> str | None:
        if row["text_sealed"] is None:
            return None
        return self.runtime.sealer.open(
            row["text_sealed"], f"person_request:{row['defendant']}"
        ).decode()


@pytest.fixture
def line(site, database_url) -> Line:  # noqa: F811
    return Line(site[1], database_url)


@pytest.fixture
def world(line) -> dict[str, Any]:
    """A person with a check-in open today and one in 30 days, their LINE account linked."""
    found = open_check_in(line.api)
    link(found["defendant"]["id"])
    return found


def link(defendant_id: int, user: str = USER) -> None:
    asyncio.run(line_events.link_account(defendant_id, user, utcnow()))


def requests_of(check_in_id: int) -> list[dict[str, Any]]:
    return db(
        PersonRequest.select()
        .where(PersonRequest.check_in == check_in_id)
        .order_by(PersonRequest.id)
    )


def all_requests() -> int:
    return db(PersonRequest.count())


def history(request_id: int) -> list[tuple[Any, ...]]:
    rows = db(RequestTransition.select().where(RequestTransition.request == request_id))
    return [
        (r["from_status"], r["to_status"], r["actor"], r["actor_kind"], r["note"]) for r in rows
    ]


def both_languages(reply: LineText | None) -> str:
    assert reply is not None
    thai, english = reply.text.split("\n\n")
    assert any("\u0e00" <= c <= "\u0e7f" for c in thai)  # Thai first
    assert english.isascii()  # then English
    return reply.text


def ctx_of(line: Line, username: str = "officer_bkk") -> Ctx:
    s = line.api.staff[username]
    principal = Principal(s.id, s.username, s.username, s.role, s.office_id)
    return Ctx(principal, None, utcnow(), line.settings, line.runtime)


@pytest.mark.parametrize(
    ("action", "web"),
    [
        (CANT_COME, {"kind": "cant_come", "reason": "other", "text": line_replies.CANT_COME_NOTE}),
        (CALL_ME, {"kind": "call_me"}),
    ],
)
def test_a_button_makes_the_request_the_page_makes(line, world, action, web):
    check_in = world["check_in"]["id"]
    reply = line.press(action, check_in)
    text = both_languages(reply)
    if action == CANT_COME:
        assert format_thai_date_long(_due(world)) in text
        assert reply.link and reply.link.endswith(f"/c/{world['code']}")  # to add a reason
    made = ask(line.api, world, **web)  # the same request from the check-in page
    assert made.status_code == 201, made.text
    from_line, from_page = requests_of(check_in)
    assert from_page["id"] == made.json()["id"]
    shape = {k: v for k, v in from_line.items() if k not in SAME_SHAPE_SKIPS}
    assert shape == {k: v for k, v in from_page.items() if k not in SAME_SHAPE_SKIPS}
    assert shape["status"] == "submitted" and shape["defendant"] == world["defendant"]["id"]
    assert line.unseal(from_line) == line.unseal(from_page)
    assert from_line["due_at"] is not None and from_line["due_at"] > from_line["created_at"]
    assert (
        history(from_line["id"])
        == history(from_page["id"])
        == [(None, "submitted", None, "person", None)]
    )
    # Audited alike, saying how each came.
    [line_row] = audit_rows(from_line["id"], "request.submit", "person_request")
    [page_row] = audit_rows(from_page["id"], "request.submit", "person_request")
    assert line_row["detail"] == {**page_row["detail"], "via": "line"}
    assert page_row["detail"]["via"] == "link"
    assert (line_row["actor_username"], page_row["actor_username"]) == ("line", "checkin-link")
    # Both in the officer's queue and on the person's page.
    queue = line.api.request("officer_bkk", "GET", "/api/v1/requests?status=open").json()
    assert {r["id"] for r in queue["items"]} == {from_line["id"], from_page["id"]}
    one = line.api.request("officer_bkk", "GET", f"/api/v1/requests/{from_line['id']}").json()
    assert one["request"]["kind"] == action.value
    assert one["actions"] == ["contact", "approve", "reject"]


def _due(world: dict[str, Any]) -> date:
    return date.fromisoformat(world["check_in"]["due_date"])


def test_pressing_twice_makes_one_request_and_says_where_it_stands(line, world):
    check_in = world["check_in"]["id"]
    line.press(CANT_COME, check_in)
    again = both_languages(line.press(CANT_COME, check_in))
    assert "ยื่นคำร้อง" in again and "submitted" in again
    [request] = requests_of(check_in)
    assert decide(line.api, request["id"], "contact").status_code == 200
    later = both_languages(line.press(CANT_COME, check_in))
    assert "รอการติดต่อกลับจากเจ้าหน้าที่" in later and "awaiting officer contact" in later
    assert len(requests_of(check_in)) == 1
    # "Call me" is another request; once the first is decided, a new press makes a new one.
    line.press(CALL_ME, check_in)
    rejected = decide(line.api, request["id"], "reject", note="มาได้ตามนัด")
    assert rejected.status_code == 200, rejected.text
    line.press(CANT_COME, check_in)
    assert [r["kind"] for r in requests_of(check_in)] == ["cant_come", "call_me", "cant_come"]


def test_presses_racing_make_one_request(line, world):
    check_in = world["check_in"]["id"]

    async def race() -> list[LineText | None]:
        now = utcnow()
        return list(
            await asyncio.gather(
                *(
                    line_requests.on_postback(
                        USER, postback_data(CALL_ME, check_in), now, line.runtime, line.settings
                    )
                    for _ in range(4)
                )
            )
        )

    replies = asyncio.run(race())
    assert len(requests_of(check_in)) == 1
    assert sum("ยื่นคำร้อง" in r.text for r in replies if r) == 3  # the others say it is there


def test_another_persons_check_in_is_refused(line, world):
    other = open_check_in(line.api)
    link(other["defendant"]["id"], OTHER)
    for action in PostbackAction:
        reply = both_languages(line.press(action, other["check_in"]["id"]))
        assert "ไม่พบนัดรายงานตัวนี้ในบัญชีของท่าน" in reply
        assert line.press(action, 10**12)  # no such check-in: the same answer
    assert all_requests() == 0
    assert db(CheckInAnswer.count()) == 0


@pytest.mark.parametrize(
    "data",
    [
        "",
        "hello",
        "action=dance&check_in=1",
        "action=come",
        "action=come&check_in=-1",
        "action=come&check_in=1e3",
        "action=come&check_in=" + "9" * 19,
        "action=come&check_in=๑",
        "action=come&check_in=1&" + "x" * 300,
    ],
)
def test_data_we_did_not_make_is_ignored(line, world, data):
    assert line.postback(data) is None
    assert all_requests() == 0 and db(CheckInAnswer.count()) == 0


def test_an_unlinked_user_is_told_to_link_and_their_text_is_left_to_the_caller(line, world):
    check_in = world["check_in"]["id"]
    reply = both_languages(line.press(CANT_COME, check_in, user=OTHER))
    assert "ยังไม่ได้เชื่อม" in reply and "not linked" in reply
    assert line.write("ช่วยด้วย", user=OTHER) is None
    asyncio.run(line_events.unlink_user(USER))  # unfollowed: no longer theirs either
    assert line.write("ช่วยด้วย") is None
    assert "not linked" in both_languages(line.press(CALL_ME, check_in))
    assert all_requests() == 0


def test_a_closed_case_takes_no_request(line, world):
    closed = line.api.request(
        "officer_bkk",
        "POST",
        f"/api/v1/cases/{world['case']['id']}/close",
        json={"status": "concluded", "outcome": "ศาลพิพากษาแล้ว"},
    )
    assert closed.status_code == 200, closed.text
    for action in PostbackAction:
        assert "สิ้นสุดแล้ว" in both_languages(line.press(action, world["check_in"]["id"]))
    assert "no reporting in progress" in both_languages(line.write("ยังต้องไปรายงานตัวไหม"))
    assert all_requests() == 0 and db(CheckInAnswer.count()) == 0


def test_the_hourly_limit_is_the_pages_and_answered_on_line(line, world):
    for _ in range(person_requests.PERSON_HOURLY_LIMIT):
        assert ask(line.api, world, kind="need_help", help_kind="transport").status_code == 201
    for reply in (line.press(CANT_COME, world["check_in"]["id"]), line.write("ขอเลื่อนนัด")):
        text = both_languages(reply)
        assert "เกินไปในหนึ่งชั่วโมง" in text and "Too many requests in an hour" in text
    assert all_requests() == person_requests.PERSON_HOURLY_LIMIT


def test_ill_come_is_on_the_persons_timeline(line, world, site):  # noqa: F811
    browser = site[0]
    check_in = world["check_in"]["id"]
    due = _due(world)
    reply = both_languages(line.press(COME, check_in))
    assert f"วันที่ {format_thai_date_long(due)}" in reply  # Buddhist era: 2569 for 2026
    assert str(due.year + 543) in reply and "Thank you" in reply
    line.press(COME, check_in)  # pressed again: still one answer
    [answer] = db(CheckInAnswer.select())
    assert (answer["check_in"], answer["answer"], answer["via"]) == (check_in, "will_come", "line")
    assert len(audit_rows(check_in, "line.will_come")) == 1
    assert all_requests() == 0  # an answer, not a request
    page = asyncio.run(timeline.defendant_page(ctx_of(line), world["defendant"]["id"]))
    [event] = [e for e in page.events if e.type == "answer"]
    assert event.item["check_in"] == check_in and event.item["due_date"] == due
    html = browser.as_("officer_bkk").client.get(f"/admin/defendants/{world['defendant']['id']}")
    assert html.status_code == 200
    assert f'id="answer-{answer["id"]}"' in html.text
    # A check-in already recorded, or closed, is answered so and not recorded again.
    set_check_in(check_in, status="verified")
    assert "บันทึกเรียบร้อยแล้ว" in both_languages(line.press(COME, check_in))
    second = later_check_in(line.api, world)
    set_check_in(second["id"], status="missed")
    assert "ปิดรับแล้ว" in both_languages(line.press(COME, second["id"]))
    assert db(CheckInAnswer.count()) == 1


def test_a_text_becomes_a_sealed_message_request_the_officer_reads(line, world, site):  # noqa: F811
    browser = site[0]
    reply = both_languages(line.write("  ขอเลื่อนนัด\nเพราะป่วยหนัก  "))
    assert "ได้รับข้อความแล้ว" in reply and "Message received" in reply
    [request] = requests_of(world["check_in"]["id"])  # the open check-in
    assert request["kind"] == "message" and request["status"] == "submitted"
    assert "ขอเลื่อน".encode() not in request["text_sealed"]
    assert line.unseal(request) == "ขอเลื่อนนัด เพราะป่วยหนัก"
    one = line.api.request("officer_bkk", "GET", f"/api/v1/requests/{request['id']}")
    assert one.status_code == 200 and one.json()["text"] == "ขอเลื่อนนัด เพราะป่วยหนัก"
    queue = line.api.request("officer_bkk", "GET", "/api/v1/requests?status=open").json()
    assert [r["id"] for r in queue["items"]] == [request["id"]]
    [audit] = audit_rows(request["id"], "request.submit", "person_request")
    assert audit["detail"]["via"] == "line" and "ขอเลื่อน" not in str(audit["detail"])
    page = asyncio.run(timeline.defendant_page(ctx_of(line), world["defendant"]["id"]))
    assert [r["id"] for r in page.requests] == [request["id"]]
    html = browser.as_("officer_bkk").client.get(f"/admin/defendants/{world['defendant']['id']}")
    assert f'id="request-{request["id"]}"' in html.text


def test_a_long_or_odd_text_is_cut_to_the_pages_limit_and_goes_to_the_current_check_in(line, world):
    # The open check-in is done: the message goes to the next one.
    set_check_in(world["check_in"]["id"], status="verified")
    second = later_check_in(line.api, world)
    reply = both_languages(line.write("ก" * 1500 + " \ud800"))
    assert "1000" in reply
    [request] = requests_of(second["id"])
    assert line.unseal(request) == "ก" * 1000
    assert line.write(" \n\t ") is None  # nothing written: nothing to send
    # No check-in to come: the last one of the active case.
    set_check_in(second["id"], status="verified")
    line.write("ขอบคุณครับ")
    assert [r["kind"] for r in requests_of(second["id"])] == ["message", "message"]


def test_a_request_from_line_has_its_status_changes_queued_as_notices(line, world):
    line.press(CANT_COME, world["check_in"]["id"])
    [request] = requests_of(world["check_in"]["id"])
    assert notices_of(world["case"]["id"]) == []
    assert decide(line.api, request["id"], "contact").status_code == 200
    approved = decide(line.api, request["id"], "approve")
    assert approved.status_code == 200, approved.text
    notices = notices_of(world["case"]["id"])
    assert len(notices) == 2
    assert {n["defendant"] for n in notices} == {world["defendant"]["id"]}
    assert all(n["status"] == "queued" for n in notices)
