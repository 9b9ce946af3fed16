"""The app with LINE on (a channel secret and access token), for the LINE tests."""

from __future__ import annotations

import pytest

from reporting_api.settings import LineSettings
from tests.conftest import settings_for_test, shared_verifier

SECRET = "line-channel-secret-for-tests"


@pytest.fixture
def line(database_url):
    """A test client of an app whose LINE channel is configured."""
    from litestar.testing import TestClient

    from reporting_api.app import create_app

    settings = settings_for_test(
        database_url, line=LineSettings(channel_secret=SECRET, channel_access_token="token")
    )
    with TestClient(app=create_app(settings, verifier=shared_verifier())) as client:
        yield client


@pytest.fixture
def fake_line():
    """A running fake LINE (no limit, nobody following yet); at the end every request it took
    and every answer it gave is checked against LINE's `messaging-api.yml`."""
    from tests.line.recording import Recording, check_against_spec

    fake = Recording()
    fake.start()
    yield fake
    fake.stop()
    check_against_spec(fake)


@pytest.fixture
def line_live(database_url, fake_line):
    """A test client of an app with LINE on whose answers go to the running fake LINE."""
    from litestar.testing import TestClient

    from reporting_api.app import create_app
    from scheduler.line_sender import LineSender

    line = LineSettings(
        channel_secret=SECRET,
        channel_access_token=fake_line.access_token,
        base_url=fake_line.base_url,
    )
    settings = settings_for_test(database_url, line=line)
    app = create_app(settings, verifier=shared_verifier(), line_api=LineSender(line))
    with TestClient(app=app) as client:
        yield client
