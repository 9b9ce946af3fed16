"""The pure rules of staff alert e-mails: addresses, channels, the digest's hour, the words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting_api.alert_emails import (
    ALERT_CHANNELS,
    AlertEmail,
    alert_channels,
    next_digest_at,
    normalise_email,
    render_alert_email,
    render_digest,
)
from reporting_api.errors import InvalidInput
from reporting_api.statuses import FlagKind
from reporting_api.thai_dates import BANGKOK

BASE = "https://jf.example.go.th"


def test_addresses_are_kept_with_the_domain_in_lower_case() -> None:
    assert normalise_email("  Somsri.K@JFO.Example.go.th ") == "Somsri.K@jfo.example.go.th"
    assert normalise_email("a+alerts@mail.moj.go.th") == "a+alerts@mail.moj.go.th"


@pytest.mark.parametrize(
    "text",
    ["", "somsri", "@jfo.go.th", "somsri@", "somsri@localhost", "a b@jfo.go.th",
     "somsri@jfo..go.th", ".a@jfo.go.th", "a..b@jfo.go.th", "a@-jfo.go.th",
     "x" * 65 + "@jfo.go.th", "a@jfo.go.th\nBcc: x@y.z"],
)  # fmt: skip
def test_what_is_not_an_address_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_email(text)
    assert refused.value.field == "email"


@given(st.text(max_size=80))
def test_an_accepted_address_has_no_header_breaking_characters(text: str) -> None:
    try:
        value = normalise_email(text)
    except InvalidInput:
        return
    assert value.count("@") == 1 and len(value) <= 254
    assert not any(c in value for c in '\r\n ,<>;"')
    assert normalise_email(value) == value  # stable


def test_the_channels_follow_the_choice_and_the_addresses_on_file() -> None:
    both = {"phone": "+66811111111", "email": "a@jfo.go.th", "sms_on": True}
    assert alert_channels("sms", **both) == ["sms"]
    assert alert_channels("email", **both) == ["email"]
    assert alert_channels("both", **both) == ["sms", "email"]
    assert alert_channels("none", **both) == []
    assert alert_channels("both", phone=None, email="a@jfo.go.th", sms_on=True) == ["email"]
    assert alert_channels("both", phone="+66811111111", email=None, sms_on=False) == []


@given(
    st.sampled_from(ALERT_CHANNELS),
    st.sampled_from([None, "+66811111111"]),
    st.sampled_from([None, "a@jfo.go.th"]),
    st.booleans(),
)
def test_a_channel_is_never_used_without_its_address(
    choice: str, phone: str | None, email: str | None, sms_on: bool
) -> None:
    channels = alert_channels(choice, phone=phone, email=email, sms_on=sms_on)
    assert len(set(channels)) == len(channels)
    assert ("sms" in channels) <= bool(phone and sms_on and choice in ("sms", "both"))
    assert ("email" in channels) <= bool(email and choice in ("email", "both"))


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)),
    st.integers(0, 23),
)
def test_the_digest_is_the_next_digest_hour_in_bangkok(naive: datetime, hour: int) -> None:
    now = naive.replace(tzinfo=UTC)
    at = next_digest_at(now, hour)
    assert now <= at < now + timedelta(days=1)
    local = at.astimezone(BANGKOK)
    assert (local.hour, local.minute, local.second, local.microsecond) == (hour, 0, 0, 0)


def test_the_digest_hour_itself_counts_as_now() -> None:
    at_eight = datetime(2026, 12, 18, 1, 0, tzinfo=UTC)  # 08:00 Bangkok
    assert next_digest_at(at_eight, 8) == at_eight
    assert next_digest_at(at_eight + timedelta(seconds=1), 8) == at_eight + timedelta(days=1)


ALERT = AlertEmail(
    kind="officer_alert",
    flag_id=42,
    flag_kind="missed_checkin",
    office_name_th="สำนักงานยุติธรรมจังหวัดเชียงใหม่",
    office_name_en="Chiang Mai Provincial Justice Office",
    due_date=date(2026, 12, 16),
)


def test_an_alert_email_is_thai_first_and_links_the_flag() -> None:
    text = render_alert_email(ALERT, BASE)
    assert text.subject == (
        "แจ้งเตือนเจ้าหน้าที่ / Officer alert: ไม่มารายงานตัวตามกำหนด (16 ธ.ค. 2569) / "
        "missed check-in (due 16 Dec 2026) (#42)"
    )
    assert "\n" not in text.subject
    assert text.body.index("สำนักงานยุติธรรมจังหวัดเชียงใหม่") < text.body.index("Chiang Mai")
    assert text.body.count(f"{BASE}/admin/flags/42") == 2
    manager = render_alert_email(
        AlertEmail(**{**ALERT.__dict__, "kind": "manager_alert", "hours_unacknowledged": 26}), BASE
    )
    assert "26 ชั่วโมง" in manager.body and "within 26 hours" in manager.body
    overdue = render_alert_email(
        AlertEmail(**{**ALERT.__dict__, "kind": "manager_alert", "flag_kind": "review_overdue"}),
        BASE,
    )
    assert "deadline in working hours" in overdue.body and "acknowledged" not in overdue.body
    with pytest.raises(ValueError):
        render_alert_email(AlertEmail(**{**ALERT.__dict__, "kind": "due_day"}), BASE)


def test_a_digest_lists_each_alert_once_in_each_language() -> None:
    alerts = [AlertEmail(**{**ALERT.__dict__, "flag_id": n}) for n in (1, 2, 3)]
    text = render_digest(alerts, BASE)
    assert "3" in text.subject and "Daily digest" in text.subject
    for n in (1, 2, 3):
        assert text.body.count(f"{BASE}/admin/flags/{n}") == 2
    with pytest.raises(ValueError):
        render_digest([], BASE)


@pytest.mark.parametrize("kind", [k.value for k in FlagKind if k is not FlagKind.OTHER])
def test_every_kind_of_flag_has_its_own_words(kind: str) -> None:
    text = render_alert_email(AlertEmail(**{**ALERT.__dict__, "flag_kind": kind}), BASE)
    assert "a flag to look at" not in text.body and "เรื่องที่ต้องตรวจสอบ" not in text.body
