"""The fake LINE's optional faults (scheduler/fake_line.py, for bench/dispatch_faults.py),
through the official `line-bot-sdk` (scheduler/line_sender.py): off by default; a refusal
and the quota send nothing; a 500 or a dropped connection before the push is taken sends
nothing and is `unavailable`; after it is taken the message went, the answer is lost, and
the next try with the same retry key is answered 409 with the first request's id; a key
already accepted meets no fault; the rate is about what was asked for, repeatably."""

from __future__ import annotations

import random
import uuid

import pytest

from scheduler.fake_line import DROPPED, FAULTS, PUSH, FakeLine
from scheduler.line_sender import LinePush
from tests.line.recording import Recording, check_against_spec
from tests.line.test_fake_line import FRIEND, sender

AUTH = "authorization"


class Scripted(random.Random):
    """Always a fault, of the kinds given in turn."""

    def __init__(self, *kinds: str) -> None:
        super().__init__(0)
        self.kinds = list(kinds)

    def random(self) -> float:
        return 0.0

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        return self.kinds.pop(0)


@pytest.fixture
def fake():
    line = Recording()
    line.follow(FRIEND)
    line.start()
    yield line
    line.stop()
    line.answers = [a for a in line.answers if a[1] != DROPPED]  # no answer to check
    check_against_spec(line)


def push(line: FakeLine, key: str) -> LinePush:
    return sender(line).push_text(FRIEND, "พรุ่งนี้ถึงวันรายงานตัว", key)


def test_faults_are_off_by_default(fake):
    assert fake.fault_rate == 0
    assert all(push(fake, str(uuid.uuid4())).outcome == "sent" for _ in range(20))
    assert len(fake.pushed) == 20 and not fake.injected


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        ("refused", "refused"),
        ("quota", "quota"),
        ("error_before", "unavailable"),
        ("drop_before", "unavailable"),
    ],
)
def test_a_fault_before_the_push_is_taken_sends_nothing(fake, fault, outcome):
    fake.fault_rate, fake.rng = 1.0, Scripted(fault)
    key = str(uuid.uuid4())
    assert push(fake, key).outcome == outcome
    assert fake.pushed == [] and fake.injected == {fault: 1}
    fake.fault_rate = 0.0
    again = push(fake, key)  # the key was not accepted: the next try sends it
    assert again.outcome == "sent" and again.detail == "" and len(fake.pushed) == 1


@pytest.mark.parametrize("fault", ["error_after", "drop_after"])
def test_a_fault_after_the_push_is_taken_loses_only_the_answer(fake, fault):
    fake.fault_rate, fake.rng = 1.0, Scripted(fault)
    key = str(uuid.uuid4())
    assert push(fake, key).outcome == "unavailable"
    (pushed,) = fake.pushed
    assert pushed.retry_key == key and fake.injected == {fault: 1}
    # Faults still on: a key already accepted is answered 409, whatever is drawn.
    again = push(fake, key)
    assert again == LinePush("sent", pushed.request_id, "sent before")
    assert len(fake.pushed) == 1 and fake.injected == {fault: 1}


def test_the_rate_is_about_right_spread_over_the_kinds_and_repeatable():
    def draw(seed: int) -> dict[str, int]:
        line = FakeLine(fault_rate=0.05, rng=random.Random(seed))
        line.follow(FRIEND)
        headers = {AUTH: f"Bearer {line.access_token}"}
        body = {"to": FRIEND, "messages": [{"type": "text", "text": "x"}]}
        for _ in range(6000):
            key = str(uuid.uuid4())
            line.answer("POST", PUSH, {**headers, "x-line-retry-key": key}, body)
        return dict(line.injected)

    first = draw(7)
    assert 240 <= sum(first.values()) <= 360
    assert set(first) == set(FAULTS) and min(first.values()) >= 25
    assert draw(7) == first
