"""The SMTP settings: read once from the environment, a bad value named with what is expected."""

from __future__ import annotations

import pytest

from reporting_api.settings import Settings, SettingsError


def test_without_smtp_host_e_mail_goes_to_the_local_log() -> None:
    email = Settings.from_env({}).email
    assert not email.configured and email.outbox_path.endswith("email-outbox.log")
    assert email.starttls and email.port == 587 and email.digest_hour == 8


def test_the_smtp_variables_are_read() -> None:
    email = Settings.from_env(
        {
            "SMTP_HOST": "mail.moj.go.th",
            "SMTP_PORT": "465",
            "SMTP_USERNAME": "alerts",
            "SMTP_PASSWORD": "s3cret",
            "SMTP_FROM": "alerts@jfo.moj.go.th",
            "SMTP_STARTTLS": "0",
            "SMTP_TIMEOUT_SECONDS": "7.5",
            "ALERT_DIGEST_HOUR": "17",
        }
    ).email
    assert email.configured and email.host == "mail.moj.go.th" and email.port == 465
    assert (email.username, email.password) == ("alerts", "s3cret")
    assert email.from_address == "alerts@jfo.moj.go.th" and email.starttls is False
    assert email.timeout_seconds == 7.5 and email.digest_hour == 17
    assert "s3cret" not in repr(email)  # never in a log line


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMTP_PORT", "0"),
        ("SMTP_PORT", "smtp"),
        ("SMTP_FROM", "alerts"),
        ("SMTP_FROM", "Alerts <alerts@jfo.go.th>"),
        ("SMTP_STARTTLS", "maybe"),
        ("ALERT_DIGEST_HOUR", "24"),
        ("SMTP_TIMEOUT_SECONDS", "0"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert refused.value.name == name
