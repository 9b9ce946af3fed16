"""One scrape of the service's metrics: refused unless the client's address is in
`METRICS_ALLOW`; the queue gauges read from the database at ``now``, the counters from
`reporting_api.metrics` (docs/operations.md)."""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime

from reporting_api import metrics
from reporting_api.errors import Refused
from reporting_api.settings import Settings
from reporting_api.store import metrics as store

log = logging.getLogger(__name__)


def allowed(settings: Settings, address: str | None) -> bool:
    """Whether ``address`` (as the server saw it, after `FORWARDED_ALLOW_IPS`) may scrape."""
    if not address or not settings.metrics_allow:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False  # a test client's or a Unix socket's name, not an address
    return any(
        client in ipaddress.ip_network(item, strict=False)
        for item in settings.metrics_allow.split(",")
    )


def _age(since: datetime | None, now: datetime) -> float:
    return 0.0 if since is None else max(0.0, (now - since).total_seconds())


async def read_gauges(now: datetime) -> metrics.QueueGauges | None:
    """The queue gauges at ``now``; None when the database does not answer."""
    try:
        figures = await store.queue_figures(now)
    except Exception as error:  # the scrape still answers, saying the database is down
        log.warning("metrics: cannot read the database: %s", type(error).__name__)
        return None
    return metrics.QueueGauges(
        outbox_unsent=figures.outbox_unsent,
        outbox_due=figures.outbox_due,
        outbox_oldest_due_age_seconds=_age(figures.oldest_due_at, now),
        verification_queue=figures.verification_processing,
        review_backlog=figures.review_waiting,
        review_oldest_age_seconds=_age(figures.oldest_review_at, now),
        staff_accounts_locked=figures.staff_locked,
    )


async def scrape(settings: Settings, address: str | None, now: datetime) -> bytes:
    """The metrics' text for a client at ``address``; `Refused` (403) for any other."""
    if not allowed(settings, address):
        raise Refused(
            403,
            "client_address",
            "metrics are served only to the monitoring addresses in METRICS_ALLOW; "
            "scrape from one of them",
            "ให้ข้อมูลตัวชี้วัดเฉพาะที่อยู่ของระบบเฝ้าระวังที่กำหนดใน METRICS_ALLOW เท่านั้น โปรดเรียกจากที่อยู่เหล่านั้น",
        )
    return metrics.exposition(await read_gauges(now), settings.metrics_dir)
