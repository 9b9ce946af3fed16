"""The periodic sweep: windows open, pass their due time, close; missed check-ins are flagged.

Each pass, at ``now``:
1. upcoming -> open where the window opened; open -> late past the due time inside the grace
   days (the order follows ALLOWED_TRANSITIONS, one step at a time);
2. open or late -> missed where the window closed without a verified check-in; in the same
   transaction `alerts.check_in_missed` records why and, for an active case, raises one flag
   (its dedupe key is the check-in, so repeated or concurrent sweeps add one) and queues the
   person's follow-up and the officer's alert;
3. flags nobody acknowledged within ESCALATE_AFTER_HOURS go to a manager, once;
4. recordings waiting for review past their deadline in working hours go to a manager, once
   (`services/deadlines.py`), and so do the person's requests (`services/person_requests.py`);
5. trusted contacts are told of unanswered missed check-ins (`services/trusted_contacts.py`),
   and a remote check-in's verdict that no page showed within two minutes goes to the person
   by SMS (`services/notices.py` untold_verdicts).
`pending_review` is never touched: an attempt waiting for an officer is not "missed". Nor is a
check-in whose person sent a request before its window closed that still waits for an
officer's decision: before step 2 it becomes `held` (the decision settles it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reporting_api.reminder_schedule import QuietHours
from reporting_api.services import (
    alerts,
    deadlines,
    notices,
    person_requests,
    trusted_contacts,
)
from reporting_api.settings import Settings
from reporting_api.store import requests as request_store
from reporting_api.store import sweeps as store
from reporting_api.store import transaction

MISSED_BATCH = 200


@dataclass
class SweepReport:
    opened: int = 0
    late: int = 0
    missed: int = 0
    flags: int = 0
    follow_ups: int = 0
    staff_alerts: int = 0
    escalated: int = 0
    reviews_overdue: int = 0
    held: int = 0
    requests_overdue: int = 0
    contact_notices: int = 0
    verdict_notices: int = 0
    """Remote check-ins' verdicts sent by SMS because no page showed them."""


async def sweep(now: datetime, settings: Settings) -> SweepReport:
    """One pass of the sweep at ``now``; safe to repeat and to run in several processes."""
    report = SweepReport()
    quiet = QuietHours(*settings.scheduler.quiet_hours)
    async with transaction(immediate=True):
        report.opened = await store.open_windows(now)
        report.late = await store.mark_late(now)
        # Before any window is closed as missed: an open request made in time holds it.
        report.held = len(await request_store.hold_check_ins(now))
    while True:
        async with transaction(immediate=True):
            missed = await store.close_missed(now, MISSED_BATCH)
            for row in await store.missed_details(missed):
                outcome = await alerts.check_in_missed(row, now, settings, quiet)
                report.flags += outcome.flags
                report.follow_ups += outcome.follow_ups
                report.staff_alerts += outcome.staff_alerts
        report.missed += len(missed)
        if len(missed) < MISSED_BATCH:
            break
    escalation = await alerts.escalate(now, settings, quiet)
    report.escalated = escalation.escalated
    report.staff_alerts += escalation.staff_alerts
    overdue = await deadlines.escalate_overdue_reviews(now, settings, quiet)
    report.reviews_overdue = overdue.escalated
    report.staff_alerts += overdue.staff_alerts
    requests = await person_requests.escalate_overdue_requests(now, settings, quiet)
    report.requests_overdue = requests.escalated
    report.staff_alerts += requests.staff_alerts
    # A person's trusted contact, with consent, once a missed check-in's follow-up went
    # unanswered (services/trusted_contacts.py).
    report.contact_notices = await trusted_contacts.queue_notices(now, settings)
    report.verdict_notices = await notices.untold_verdicts(settings, now)
    return report
