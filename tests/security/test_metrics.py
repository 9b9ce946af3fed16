"""Finding 15: Prometheus metrics at `/metrics`, refused unless the client's address is in
`METRICS_ALLOW`; each metric moves when its event happens; several processes' counters add
up through `PROMETHEUS_MULTIPROC_DIR`; no label or value carries a person's data.

Counters live in this test process (the apps under test run in it), so each test compares
a scrape before and after its event rather than absolute values.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from reporting_api import metrics
from reporting_api.services import metrics_snapshot, retention
from reporting_api.settings import Settings, SettingsError
from reporting_api.tables import LoginThrottle, VerificationAttempt
from scheduler.dispatch import Dispatcher
from scheduler.sender import FakeSender, PermanentSendError, TransientSendError
from tests.checkin.helpers import (
    FAKE_MP4,
    challenge_of,
    db,
    identify,
    link_client,
    open_check_in,
    upload,
    wait_done,
)
from tests.conftest import ROOT, settings_for_test
from tests.scheduler.helpers import case_with_plan, make_world, run
from tests.scheduler.test_dispatch import DUE, THREE_DAYS_BEFORE
from tests.security.staff_sign_in import Clock, live_app, sign_in_settings

Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: bytes) -> Series:
    """Every sample of an exposition, keyed by (name, sorted labels)."""
    found: Series = {}
    for family in text_string_to_metric_families(text.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(settings: Settings, now: datetime) -> tuple[Series, bytes]:
    """A scrape as the monitoring host (127.0.0.1) makes it, at ``now``."""
    text = asyncio.run(metrics_snapshot.scrape(settings, "127.0.0.1", now))
    return parse(text), text


def value(series: Series, name: str, **labels: str) -> float:
    return series.get((name, tuple(sorted(labels.items()))), 0.0)


# --- who may scrape -------------------------------------------------------------------------


def test_metrics_are_refused_to_an_address_not_in_metrics_allow(database_url):
    base = settings_for_test(database_url)
    with live_app(replace(base, metrics_allow="10.20.30.0/24")) as url:
        refused = httpx.get(f"{url}/metrics")
    assert refused.status_code == 403
    (extra,) = refused.json()["extra"]
    assert extra["key"] == "client_address" and "METRICS_ALLOW" in extra["message"]
    assert "METRICS_ALLOW" in extra["message_th"] and "ตัวชี้วัด" in extra["message_th"]
    assert "bail_" not in refused.text
    with live_app(base) as url:  # the default: this host only
        local = httpx.get(f"{url}/metrics")
        # A public client relayed by the trusted local proxy is the public client.
        relayed = httpx.get(f"{url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert local.status_code == 200, local.text
    assert local.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "bail_outbox_due 0.0" in local.text and "bail_database_up 1.0" in local.text
    assert relayed.status_code == 403
    with live_app(replace(base, metrics_allow="")) as url:  # METRICS_ALLOW=off
        assert httpx.get(f"{url}/metrics").status_code == 403


def test_metrics_allow_is_read_and_checked_with_its_name():
    assert Settings.from_env({}).metrics_allow == "127.0.0.1/32,::1/128"
    read = Settings.from_env({"METRICS_ALLOW": "10.0.5.7, 172.30.80.0/24"})
    assert read.metrics_allow == "10.0.5.7/32,172.30.80.0/24"
    assert Settings.from_env({"METRICS_ALLOW": "off"}).metrics_allow == ""
    with pytest.raises(SettingsError, match="METRICS_ALLOW"):
        Settings.from_env({"METRICS_ALLOW": "*"})
    assert Settings.from_env({"PROMETHEUS_MULTIPROC_DIR": "/run/m"}).metrics_dir == "/run/m"
    allowed = Settings.from_env({"METRICS_ALLOW": "10.0.5.0/24"})
    assert metrics_snapshot.allowed(allowed, "10.0.5.200")
    assert not metrics_snapshot.allowed(allowed, "10.0.6.1")
    assert not metrics_snapshot.allowed(allowed, "testclient")
    assert not metrics_snapshot.allowed(allowed, None)


# --- each metric moves with its event -------------------------------------------------------


def test_sends_failures_and_the_outbox_gauges_move_with_the_dispatcher(database_url):
    world = make_world(database_url, alert_staff_by_sms=False)  # only the people's reminders
    sender = FakeSender(clock=lambda: THREE_DAYS_BEFORE)
    late = THREE_DAYS_BEFORE + timedelta(minutes=20)

    async def plan() -> tuple[Any, Any]:
        first, _, _ = await case_with_plan(world, DUE)
        second, _, _ = await case_with_plan(world, DUE)
        third, _, _ = await case_with_plan(world, DUE)
        sender.failures[second["phone"]] = [TransientSendError("busy", outcome_unknown=False)]
        sender.failures[third["phone"]] = [PermanentSendError("invalid", code=21211)]
        return first, second

    run(plan())
    before, _ = scrape(world.settings, late)
    # Three people, four reminders each (3 days and 1 day before, on the day, the morning
    # after if missed): all unsent; the first of each is due, 21 minutes ago (due at 09:00
    # Bangkok, read at 09:21).
    assert value(before, "bail_outbox_unsent") == 12
    assert value(before, "bail_outbox_due") == 3
    assert value(before, "bail_outbox_oldest_due_age_seconds") == pytest.approx(21 * 60, abs=60)

    run(Dispatcher(world.settings, sender, worker_id="metrics").drain(lambda: late))
    after, _ = scrape(world.settings, late)

    def moved(outcome: str) -> float:
        return value(after, "bail_sms_sends_total", provider="fake", outcome=outcome) - value(
            before, "bail_sms_sends_total", provider="fake", outcome=outcome
        )

    assert (moved("sent"), moved("retry"), moved("unreachable")) == (1, 1, 1)
    # The retried one is still due (its next try later): the oldest due age stays.
    assert value(after, "bail_outbox_due") == 1
    assert value(after, "bail_outbox_unsent") == 10
    assert value(after, "bail_outbox_oldest_due_age_seconds") > 15 * 60


def test_a_verdict_counts_its_decision_and_time_and_the_queues_are_read(api, database_url):
    world = open_check_in(api)
    settings = settings_for_test(database_url)
    before, _ = scrape(settings, datetime.now(UTC))
    with link_client(database_url, seed=3) as client:
        assert identify(client, world).status_code == 200
        challenge = challenge_of(client.post(f"/c/{world['code']}/challenge").json())
        response = upload(client, world["code"], challenge.id, FAKE_MP4)
        assert response.status_code == 202, response.text
        done = wait_done(client, world["code"], response.json()["attempt_id"])
    after, _ = scrape(settings, datetime.now(UTC))
    (attempt,) = db(
        VerificationAttempt.select().where(VerificationAttempt.id == done["attempt_id"])
    )
    decision = attempt["decision"]
    assert decision in metrics.DECISIONS
    verdicts = "bail_verification_verdicts_total"
    assert (
        value(after, verdicts, decision=decision) - value(before, verdicts, decision=decision) == 1
    )
    timed = "bail_verification_time_to_verdict_seconds_count"
    assert value(after, timed) - value(before, timed) == 1
    assert value(after, "bail_verification_queue") == 0
    # The same attempt seen waiting, then waiting for an officer for two days.
    this = VerificationAttempt.id == attempt["id"]
    db(VerificationAttempt.update({VerificationAttempt.state: "processing"}).where(this))
    assert value(scrape(settings, datetime.now(UTC))[0], "bail_verification_queue") == 1
    db(
        VerificationAttempt.update(
            {VerificationAttempt.state: "done", VerificationAttempt.needs_review: True}
        ).where(this)
    )
    waiting, _ = scrape(settings, attempt["created_at"] + timedelta(days=2))
    assert value(waiting, "bail_review_backlog") == 1
    assert value(waiting, "bail_review_oldest_age_seconds") == 2 * 86400


def test_failed_sign_ins_and_a_lock_are_counted(database_url):
    from litestar.testing import TestClient

    from reporting_api.app import create_app
    from tests.conftest import _make_staff, shared_verifier

    clock = Clock()
    settings = sign_in_settings(database_url, account_free_failures=5, account_lock_failures=2)
    _make_staff(database_url)
    before, _ = scrape(settings, clock.now)
    with TestClient(app=create_app(settings, verifier=shared_verifier(), clock=clock)) as client:
        for _ in range(2):
            wrong = {"username": "officer_bkk", "password": "not the password at all"}
            assert client.post("/api/v1/auth/login", json=wrong).status_code == 401
    after, _ = scrape(settings, clock.now)
    failures = "bail_login_failures_total"
    assert value(after, failures, step="password") - value(before, failures, step="password") == 2
    assert value(after, "bail_login_locks_total") - value(before, "bail_login_locks_total") == 1
    assert value(before, "bail_staff_accounts_locked") == 0
    assert value(after, "bail_staff_accounts_locked") == 1
    assert db(LoginThrottle.count().where(LoginThrottle.locked_until > clock.now)) == 1


def test_a_purge_run_is_counted_with_its_time(database_url):
    world = make_world(database_url)
    at = datetime(2026, 12, 3, 19, 30, tzinfo=UTC)
    before, _ = scrape(world.settings, at)
    run(retention.purge(at, world.settings))
    after, _ = scrape(world.settings, at)
    runs = "bail_purge_runs_total"
    assert value(after, runs) - value(before, runs) == 1
    assert value(after, "bail_purge_last_run_timestamp_seconds") == at.timestamp()


# --- several processes, one scrape ----------------------------------------------------------

CHILD = """
from datetime import datetime, timezone
from reporting_api import metrics
metrics.sign_in_failed("password", locked=True)
metrics.sms_sends("twilio", ["sent", "sent", "failed"])
metrics.purge_ran(datetime.fromtimestamp({at}, timezone.utc))
"""


def test_counters_of_several_processes_add_up_in_one_scrape(tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    for at in (1_800_000_000, 1_800_000_500):  # two processes, one after the other
        subprocess.run(
            [sys.executable, "-c", CHILD.format(at=at)], cwd=ROOT, env=env, check=True, timeout=60
        )
    files = list(folder.glob("counter_*.db"))
    # One file per process, named by host and pid (containers sharing a folder all have pid 1).
    assert len(files) == 2 and all(socket.gethostname() in f.name for f in files)
    summed = parse(metrics.exposition(None, str(folder)))
    assert value(summed, "bail_login_failures_total", step="password") == 2
    assert value(summed, "bail_login_locks_total") == 2
    assert value(summed, "bail_sms_sends_total", provider="twilio", outcome="sent") == 4
    assert value(summed, "bail_sms_sends_total", provider="twilio", outcome="failed") == 2
    assert value(summed, "bail_purge_runs_total") == 2
    assert value(summed, "bail_purge_last_run_timestamp_seconds") == 1_800_000_500
    assert value(summed, "bail_database_up") == 0  # no gauges given: said, not hidden


# --- no personal data -----------------------------------------------------------------------


def test_no_label_or_value_holds_a_phone_code_name_or_id(api, database_url):
    world = open_check_in(api)
    person = world["defendant"]
    settings = settings_for_test(database_url)
    # The person's own data typed where a label might pick it up: as a username at sign-in,
    # as a provider's name and a decision (as a bug elsewhere might pass them).
    typed = [person["phone"], person["national_id"], world["code"], person["first_name_th"]]
    for text in typed:
        api.client.post("/api/v1/auth/login", json={"username": text, "password": text * 3})
    metrics.sms_sends(person["phone"], ["sent"])
    metrics.verdict(person["national_id"], timedelta(seconds=3))
    metrics.sign_in_failed(world["code"], locked=False)
    series, text = scrape(settings, datetime.now(UTC))
    exposed = text.decode()
    national = person["phone"].removeprefix("+66")
    for secret in [*typed, national, person["last_name_th"], person["national_id"][-4:]]:
        assert secret not in exposed, secret
    labels = {(k, v) for _, pairs in series for k, v in pairs}
    allowed = set(metrics.PROVIDERS + metrics.SEND_OUTCOMES + metrics.DECISIONS)
    allowed |= set(metrics.SIGN_IN_STEPS) | {metrics.OTHER}
    assert {v for k, v in labels if k != "le"} <= allowed
    assert value(series, "bail_sms_sends_total", provider="other", outcome="sent") >= 1


# --- the operator's page ----------------------------------------------------------------------


def test_every_metric_is_documented_and_every_alert_rule_names_real_metrics(database_url):
    import re

    import yaml

    page = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", page, flags=re.S)
    rules = [
        r for b in blocks if "groups:" in b for g in yaml.safe_load(b)["groups"] for r in g["rules"]
    ]
    exposed = scrape(settings_for_test(database_url), datetime.now(UTC))[0]
    families = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name, _ in exposed}
    for family in families:
        assert f"`{family}" in page, f"{family} is not in docs/operations.md"
    named = {n for r in rules for n in re.findall(r"bail_[a-z_]+", r["expr"])}
    assert {re.sub(r"_(total|bucket)$", "", n) for n in named} <= families
    alerts = {r["alert"] for r in rules}
    assert len(alerts) == len(rules) >= 10
    for alert in alerts:
        assert f"**{alert}**" in page, f"{alert} has no runbook line"
