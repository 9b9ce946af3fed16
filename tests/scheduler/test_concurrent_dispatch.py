"""Two dispatcher processes drain the same outbox: each reminder is sent exactly once
(1,000 on PostgreSQL, counted on the fake Twilio's side; a smaller run on SQLite)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime

import pytest

from reporting_api.tables import Reminder
from scheduler.fake_twilio import FakeTwilio
from tests.conftest import ROOT, TEST_DATA_KEY, _make_staff
from tests.scheduler.bulk import seed_due_reminders
from tests.scheduler.helpers import run


@pytest.mark.timeout(300)
def test_two_dispatchers_send_each_reminder_exactly_once(database_url):
    count = 1000 if database_url.startswith("postgres") else 200
    _make_staff(database_url)
    now = datetime.now(UTC)
    phones = run(seed_due_reminders(count, now))
    with FakeTwilio(callbacks=False, latency=0.02) as fake:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DATA_KEYS": TEST_DATA_KEY,
            "DB_POOL_SIZE": "3",
            "PUBLIC_BASE_URL": "https://jf.example.go.th",
            "TWILIO_ACCOUNT_SID": fake.account_sid,
            "TWILIO_AUTH_TOKEN": fake.auth_token,
            "TWILIO_FROM": "+15005550006",
            "TWILIO_BASE_URL": fake.base_url,
            "SMS_QUIET_HOURS": "off",
            "DISPATCH_BATCH_SIZE": "25",
            "DISPATCH_CONCURRENCY": "4",
        }
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "reporting_api.cli", "scheduler", "--drain"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [w.communicate(timeout=240) for w in workers]
        for worker, (_out, err) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, err[-3000:]
            assert "Traceback" not in err, err[-3000:]
        created = Counter((m.to, m.body) for m in fake.messages.values())
    assert len(created) == count and set(created.values()) == {1}
    assert {to for to, _ in created} == set(phones)
    rows = run(Reminder.select(Reminder.status, Reminder.message_sid, Reminder.claimed_by))
    assert {r["status"] for r in rows} == {"sent"}
    assert {r["message_sid"] for r in rows} == set(fake.messages)
    senders = Counter(r["claimed_by"].rsplit("/", 1)[0] for r in rows)
    assert len(senders) == 2, senders  # both processes took part
