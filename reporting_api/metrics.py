"""Prometheus metrics: every counter and histogram defined once, the database's gauges named
here too, and the text a scrape returns (docs/operations.md lists each metric and the alerts).

Counters and histograms count events in the process where they happen: the dispatcher's
sends, verdicts, failed sign-ins, purge runs. The API runs as several processes, so with
`PROMETHEUS_MULTIPROC_DIR` set (before the process starts: prometheus-client reads it when it
is imported) each process writes its values to a file there and a scrape of any one process
adds up all of them. Without it, a scrape sees the answering process's own values. Queue
depths and ages are not counted here but read from the database at scrape time
(`services/metrics_snapshot.py`), the same whichever process answers.

No label ever holds a person's data: every label value is one of a closed list below
(anything else is counted as `other`), so a phone number, a name, an ID or a link code can
never become a series.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4"
"""The classic text format, which every Prometheus reads (the names here need nothing newer);
the web framework adds `charset=utf-8`."""

PROVIDERS = ("twilio", "outbox-log", "fake")
"""SMS senders (`scheduler/sender.py`, each sender's `name`)."""
SEND_OUTCOMES = ("sent", "retry", "unknown", "failed", "unreachable")
"""What one try of the dispatcher ended in (`scheduler/dispatch.py`): accepted; refused for
now; maybe sent (timeout: asked again before a resend); refused for good (or given up after
`DISPATCH_MAX_ATTEMPTS` tries); the number itself refused. Rows found already sent when
reconciled, skipped or cancelled are not tries."""
DECISIONS = ("verified", "review", "rejected")
"""A verification's verdict."""
SIGN_IN_STEPS = ("password", "code", "throttled")
"""Where a staff sign-in failed: the password, the one-time code, or refused while waiting."""
OTHER = "other"


def _process_name() -> str:
    """Names this process's files in the folder: host and pid, so that processes of several
    hosts or containers (each with its own pid 1) may share one folder."""
    return f"{socket.gethostname().replace('_', '-')}-{os.getpid()}"


if values.ValueClass._multiprocess:  # PROMETHEUS_MULTIPROC_DIR was set at import
    values.ValueClass = values.MultiProcessValue(_process_name)

# No `_created` series: a scrape of several processes (multiprocess mode) has none either.
disable_created_metrics()

REGISTRY = CollectorRegistry()
"""This service's metrics (not prometheus-client's global registry, which holds the
process's own figures: meaningless summed over processes)."""

LINE_ANSWERS = ("sent", "refused", "quota", "unavailable")
"""What LINE answered a push: taken; refused (the SMS went instead); the month's quota used
up (the SMS went instead); no answer or 5xx (pushed again later with the same retry key)."""
LINE_PUSHES = Counter(
    "bail_line_pushes",
    "Pushes of a person's message on LINE, by LINE's answer.",
    ["answer"],
    registry=REGISTRY,
)
SMS_SENDS = Counter(
    "bail_sms_sends",
    "Tries to hand a reminder or alert to the SMS provider, by provider and outcome.",
    ["provider", "outcome"],
    registry=REGISTRY,
)
VERDICTS = Counter(
    "bail_verification_verdicts",
    "Verdicts on uploaded check-in recordings, by decision.",
    ["decision"],
    registry=REGISTRY,
)
TIME_TO_VERDICT = Histogram(
    "bail_verification_time_to_verdict_seconds",
    "From a recording's upload to its stored verdict.",
    buckets=(1, 2, 5, 10, 20, 30, 45, 60, 120, 300, 900, 3600),
    registry=REGISTRY,
)
LOGIN_FAILURES = Counter(
    "bail_login_failures",
    "Refused staff sign-in tries, by the step that failed.",
    ["step"],
    registry=REGISTRY,
)
LOGIN_LOCKS = Counter(
    "bail_login_locks",
    "Staff accounts locked by failed sign-ins.",
    registry=REGISTRY,
)
PURGE_RUNS = Counter(
    "bail_purge_runs",
    "Completed runs of the retention purge (nightly housekeeping, bail-checkin purge-evidence).",
    registry=REGISTRY,
)
PURGE_LAST = Gauge(
    "bail_purge_last_run_timestamp_seconds",
    "When the retention purge last completed (Unix time).",
    multiprocess_mode="max",
    registry=REGISTRY,
)


def _known(value: str, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else OTHER


def sms_sends(provider: str, outcomes: list[str]) -> None:
    """Count the dispatcher's tries of one batch (outcomes that were no try are ignored)."""
    name = _known(provider, PROVIDERS)
    for outcome in outcomes:
        if outcome in SEND_OUTCOMES:
            SMS_SENDS.labels(provider=name, outcome=outcome).inc()


def line_pushes(answers: list[str]) -> None:
    """Count the dispatcher's pushes on LINE by LINE's answer (`scheduler/line_sender.py`)."""
    for answer in answers:
        LINE_PUSHES.labels(answer=_known(answer, LINE_ANSWERS)).inc()


def verdict(decision: str, waited: timedelta) -> None:
    """A verdict stored ``waited`` after its recording was uploaded."""
    VERDICTS.labels(decision=_known(decision, DECISIONS)).inc()
    TIME_TO_VERDICT.observe(max(0.0, waited.total_seconds()))


def sign_in_failed(step: str, locked: bool) -> None:
    """A refused sign-in try; ``locked`` when it locked the account."""
    LOGIN_FAILURES.labels(step=_known(step, SIGN_IN_STEPS)).inc()
    if locked:
        LOGIN_LOCKS.inc()


def purge_ran(now: datetime) -> None:
    """The retention purge completed at ``now``."""
    PURGE_RUNS.inc()
    PURGE_LAST.set(now.timestamp())


@dataclass(frozen=True)
class QueueGauges:
    """The gauges read from the database at scrape time; each field's docstring is its help."""

    outbox_unsent: int
    outbox_due: int
    outbox_oldest_due_age_seconds: float
    verification_queue: int
    review_backlog: int
    review_oldest_age_seconds: float
    staff_accounts_locked: int


GAUGE_HELP = {
    "outbox_unsent": "Reminders and alerts queued or being sent, due or not.",
    "outbox_due": "Unsent messages whose time to send has come.",
    "outbox_oldest_due_age_seconds": "How long the oldest due unsent message has waited (0: none).",
    "verification_queue": "Uploaded recordings waiting for or in verification.",
    "review_backlog": "Recordings waiting for an officer's decision.",
    "review_oldest_age_seconds": "Age of the oldest recording waiting for an officer (0: none).",
    "staff_accounts_locked": "Staff accounts locked by failed sign-ins now.",
}
"""Each `QueueGauges` field's help text; its metric is `bail_` + the field's name."""


class _Gauges(Collector):
    """Hands one scrape's database figures to prometheus-client's text writer."""

    def __init__(self, gauges: QueueGauges | None) -> None:
        self.gauges = gauges

    def collect(self) -> list[Metric]:
        up = GaugeMetricFamily(
            "bail_database_up", "1 when the scrape could read the database, else 0."
        )
        up.add_metric([], 0.0 if self.gauges is None else 1.0)
        found: list[Metric] = [up]
        if self.gauges is not None:
            for item in fields(self.gauges):
                value = float(getattr(self.gauges, item.name))
                found.append(GaugeMetricFamily(f"bail_{item.name}", GAUGE_HELP[item.name], value))
        return found


def exposition(gauges: QueueGauges | None, multiprocess_dir: str | None) -> bytes:
    """The text of one scrape: this service's counters and histograms (every process's,
    added up, when ``multiprocess_dir`` is set) and the database's ``gauges`` (None: the
    database did not answer, and `bail_database_up` says so)."""
    if multiprocess_dir:
        counted = CollectorRegistry()
        MultiProcessCollector(counted, path=multiprocess_dir)
    else:
        counted = REGISTRY
    read = CollectorRegistry()
    read.register(_Gauges(gauges))
    return generate_latest(counted) + generate_latest(read)
