"""LINE's postback data (`line_messages.parse_postback`) and our replies' words
(`line_replies`): the parser never raises on whatever arrives and reads back what we made;
every reply is Thai, then English, and short."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from reporting_api import line_replies
from reporting_api.line_messages import (
    POSTBACK_MAX,
    PostbackAction,
    parse_postback,
    postback_data,
)
from reporting_api.notice_texts import REQUEST_KIND_TH, REQUEST_STATUS_TH


@given(st.text(max_size=2 * POSTBACK_MAX))
def test_parse_postback_never_raises(data: str) -> None:
    parsed = parse_postback(data)
    assert parsed is None or (parsed.check_in_id >= 0 and data.isascii())


@given(st.text(alphabet=st.sampled_from("action=come&check_in=0123456789%+_x;"), max_size=80))
def test_parse_postback_never_raises_on_near_misses(data: str) -> None:
    parsed = parse_postback(data)
    assert parsed is None or parsed.action in PostbackAction


@given(st.sampled_from(list(PostbackAction)), st.integers(min_value=0, max_value=10**18 - 1))
def test_postback_data_reads_back(action: PostbackAction, check_in_id: int) -> None:
    data = postback_data(action, check_in_id)
    assert len(data) <= POSTBACK_MAX
    parsed = parse_postback(data)
    assert parsed is not None
    assert (parsed.action, parsed.check_in_id) == (action, check_in_id)


def test_data_we_did_not_make_is_none() -> None:
    for data in ("", "action=come", "check_in=1", "action=go&check_in=1", "action=come&check_in=๑"):
        assert parse_postback(data) is None


PHONE = "+66 2141 5100 ext. 1234, 5678 90"
WIDE = date(2026, 9, 30)  # กันยายน: the longest Thai month name


def every_reply() -> list[str]:
    replies = [
        line_replies.not_linked(),
        line_replies.already_done(WIDE),
        line_replies.will_come(WIDE),
        line_replies.cant_come_sent(WIDE, True),
        line_replies.cant_come_sent(WIDE, False),
        line_replies.call_me_sent(),
        line_replies.message_received(),
        line_replies.message_received(1000),
    ]
    for phone in (None, PHONE):
        replies += [
            line_replies.not_yours(phone),
            line_replies.case_ended(phone),
            line_replies.too_late(WIDE, phone),
            line_replies.too_many(phone),
            line_replies.no_active_case(phone),
            line_replies.not_recorded(phone),
        ]
    replies += [
        line_replies.already_asked(kind, status)
        for kind in REQUEST_KIND_TH
        for status in REQUEST_STATUS_TH
    ]
    return replies


def test_every_reply_is_thai_then_english_and_short() -> None:
    for text in every_reply():
        thai, english = text.split("\n\n")
        assert any("\u0e00" <= c <= "\u0e7f" for c in thai), text
        assert english.isascii(), text
        assert len(text) <= 400, text
    assert "2569" in line_replies.will_come(WIDE)  # the Buddhist era in Thai
    assert "กันยายน" in line_replies.will_come(WIDE)
