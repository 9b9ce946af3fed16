"""The fake LINE (scheduler/fake_line.py) against LINE's own description, and the sender
(scheduler/line_sender.py) through the official `line-bot-sdk` against the fake: every
request the SDK made and every answer the fake gave validates against `messaging-api.yml`;
a push is sent once per retry key however often it is tried; a user LINE does not know is
refused, a push to someone who blocked the account is taken and not delivered (as LINE
does); past the month's limit the answer is `quota`; a LINE that does not answer is
`unavailable`."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import pytest

from reporting_api.settings import LineSettings
from scheduler.fake_line import PUSH, FakeLine
from scheduler.line_sender import LineSender
from tests.line.recording import Recording, check_against_spec

FRIEND = "U" + "2" * 32
STRANGER = "U" + "3" * 32
SPEC = "messaging-api.yml"


@pytest.fixture
def fake():
    line = Recording(monthly_limit=3)
    line.follow(FRIEND)
    line.start()
    yield line
    line.stop()
    check_against_spec(line)


def sender(fake: FakeLine, token: str | None = None) -> LineSender:
    return LineSender(
        LineSettings(
            channel_secret="secret",
            channel_access_token=token or fake.access_token,
            base_url=fake.base_url,
        )
    )


def test_a_push_is_sent_once_per_retry_key_however_often_it_is_tried(fake):
    key = str(uuid.uuid4())
    first = sender(fake).push_text(FRIEND, "พรุ่งนี้ถึงวันรายงานตัว", key)
    again = sender(fake).push_text(FRIEND, "พรุ่งนี้ถึงวันรายงานตัว", key)
    assert first.outcome == "sent" and first.request_id
    assert again == type(again)("sent", first.request_id, "sent before")
    assert [(p.to, p.messages) for p in fake.pushed] == [
        (FRIEND, [{"type": "text", "text": "พรุ่งนี้ถึงวันรายงานตัว"}])
    ]
    other = sender(fake).push_text(FRIEND, "second message", str(uuid.uuid4()))
    assert other.outcome == "sent" and len(fake.pushed) == 2


def test_a_stranger_is_refused_and_a_push_to_someone_who_blocked_is_taken_not_delivered(fake):
    refused = sender(fake).push_text(STRANGER, "hello", str(uuid.uuid4()))
    assert refused.outcome == "refused" and "'to'" in refused.detail
    assert fake.pushed == []
    fake.block(FRIEND)  # as LINE does: accepted, never delivered (the unfollow event tells)
    assert sender(fake).push_text(FRIEND, "hello", str(uuid.uuid4())).outcome == "sent"
    assert [p.delivered for p in fake.pushed] == [False]


def test_past_the_months_limit_the_answer_is_quota_and_the_quota_is_read(fake):
    for n in range(3):
        assert sender(fake).push_text(FRIEND, f"message {n}", str(uuid.uuid4())).outcome == "sent"
    assert sender(fake).push_text(FRIEND, "one too many", str(uuid.uuid4())).outcome == "quota"
    quota = sender(fake).monthly_quota()
    assert (quota.limit, quota.used, quota.left) == (3, 3, 0)
    fake.monthly_limit = None
    assert sender(fake).monthly_quota().left is None


def test_a_wrong_token_is_refused_and_an_absent_line_is_unavailable(fake):
    assert sender(fake, token="not-the-token").push_text(
        FRIEND, "x", str(uuid.uuid4())
    ).outcome == ("refused")
    gone = LineSender(
        LineSettings(channel_secret="s", channel_access_token="t", base_url="http://127.0.0.1:9")
    )
    assert gone.push_text(FRIEND, "x", str(uuid.uuid4())).outcome == "unavailable"
    assert fake.pushed == []


def test_the_fake_issues_link_tokens_only_for_friends_and_checks_retry_keys(fake):
    def post(path: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            fake.base_url + path,  # type: ignore[attr-defined]
            data=json.dumps(body).encode() if body is not None else b"",
            headers={"Authorization": f"Bearer {fake.access_token}", **headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, body = post(f"/v2/bot/user/{FRIEND}/linkToken", {})
    assert status == 200 and fake.link_tokens[body["linkToken"]] == FRIEND
    assert post(f"/v2/bot/user/{STRANGER}/linkToken", {})[0] == 400
    message = {"to": FRIEND, "messages": [{"type": "text", "text": "x"}]}
    bad_key = post(
        PUSH, {"X-Line-Retry-Key": "not-a-uuid", "Content-Type": "application/json"}, message
    )
    assert bad_key[0] == 400 and fake.pushed == []
