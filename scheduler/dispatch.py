"""Sending due reminders: claim rows (commit), call the provider outside any transaction,
record the outcome.

One pass over a batch:
1. ``claim_due_reminders`` marks up to N due rows `sending` for this claimer with a lease.
2. Each row is decided from the data as it is now: sent, or skipped with a reason (opted out,
   already checked in, number blocked, case closed, too late for its words).
3. The number and text of each row about to be tried are stored, and the try counted, before
   anything is sent.
4. Sends run concurrently, outside any transaction. A row whose last try may have reached
   Twilio (its claimer died, or the call timed out) is first looked up at Twilio by number and
   exact text; it is sent again only if Twilio has no such message.
5. Outcomes are recorded in one transaction, each only if this claimer still holds the row.

A person who linked their LINE account gets their message on LINE (`scheduler.line_sender`),
with the row's retry key, the same on every try: a row whose push may have reached LINE is
pushed again with it, and LINE answers 409 with the first request's id instead of sending it
twice. The row records the LINE user before the push and the channel that carried it after;
a push LINE refuses (a user it does not know, a refused message) or that meets the month's
quota sends the SMS instead, in the same try, so a message goes on one channel only; LINE not
answering is tried again later, on LINE, and never turned into an SMS while LINE may have it.

Staff alerts whose channel is e-mail go through the mail server (`scheduler.mailer`) in the
same pass, recorded the same way; e-mail alerts held for a staff member's daily digest go as
one e-mail per member. A mail server cannot be asked what it accepted, so an e-mail row that
may already have gone out (its claimer died, or the connection broke while the text was being
handed over) is marked failed with the reason instead of being sent again.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from reporting_api import metrics
from reporting_api.alert_emails import EMAIL, render_digest
from reporting_api.line_messages import LineText, reminder_message
from reporting_api.reminder_schedule import MISSED_FOLLOW_UP, QuietHours, retry_at
from reporting_api.services import delivery
from reporting_api.settings import Settings
from reporting_api.store import delivery as delivery_store
from reporting_api.store import outbox, outbox_context, transaction
from reporting_api.store import outbox_claims as store
from reporting_api.store.outbox_context import SendingRow
from scheduler.decisions import LINE, SMS, Decision, alert_email_of, decide
from scheduler.line_sender import LinePush, LineSender, retry_key
from scheduler.mailer import EmailSender, make_email_sender
from scheduler.sender import (
    PermanentSendError,
    SendError,
    SendResult,
    SmsSender,
    TransientSendError,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

QUOTA_SECONDS = 60.0
"""How long the month's LINE quota, once read, is trusted before it is read again."""
MAYBE_SENT_EMAIL = (
    "the e-mail may have reached the mail server before a crash or a broken connection;"
    " not sent again, so it never arrives twice"
)
_END_STATUS = {"cancel": outbox.CANCELLED, "skip": outbox.SKIPPED, "fail": outbox.FAILED}


@dataclass
class DispatchReport:
    """What one or more passes did; ``db_seconds`` is time spent waiting for the database."""

    claimed: int = 0
    sent: int = 0
    found: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    cancelled: int = 0
    unreachable: int = 0
    released: int = 0
    db_seconds: float = 0.0

    def add(self, other: DispatchReport) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def new_worker_id() -> str:
    """Names this process in claimed_by: host, pid and a random tag."""
    return f"{socket.gethostname()[:24]}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass
class _Holding:
    """How long this batch may still start sends: ``margin`` seconds after the start of its
    last renewal (the lease less twice the slowest call and 5 s)."""

    renewed_at: float
    margin: float

    def may_start(self) -> bool:
        return time.monotonic() < self.renewed_at + self.margin


@dataclass
class _Try:
    row: SendingRow
    decision: Decision
    reconcile: bool
    outcome: str = ""  # sent, found, ended, retry, unknown, failed, unreachable, released
    result: SendResult | None = None
    error: SendError | None = None
    subject: str = ""
    """An e-mail's subject; a digest's leader carries the digest's subject and text."""
    body: str = ""
    leader: _Try | None = None
    """A digest row that goes in another row's e-mail, and shares its outcome."""
    line_answer: str = ""
    """What LINE answered this try's push (`LinePush.outcome`), when it was pushed."""
    carried_by: str = ""
    """The channel the message went on, or was last tried on: `sms`, `line` or `email`."""

    @property
    def email(self) -> bool:
        return self.row["channel"] == EMAIL

    @property
    def by_sms(self) -> bool:
        return not self.email and self.carried_by != LINE


@dataclass
class Dispatcher:
    """Claims, sends and records reminders for one process; see the module docstring."""

    settings: Settings
    sender: SmsSender
    worker_id: str = field(default_factory=new_worker_id)
    rng: random.Random = field(default_factory=random.Random)
    mailer: EmailSender | None = None
    """Staff alerts by e-mail; made from the settings at the first e-mail when not given."""
    line: LineSender | None = None
    """LINE's Messaging API; made from the settings when LINE is configured and not given.
    Without it nobody's message goes on LINE."""

    def __post_init__(self) -> None:
        s = self.settings.scheduler
        self.quiet = QuietHours(*s.quiet_hours)
        self._batches = itertools.count(1)
        self._semaphore = asyncio.Semaphore(s.concurrency)
        if self.line is None and self.settings.line.configured:
            self.line = LineSender(self.settings.line)
        self._quota_read_at = -QUOTA_SECONDS
        self._quota_left: int | None = None
        self._quota_lock = asyncio.Lock()

    async def _db(self, report: DispatchReport, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        try:
            return await call
        finally:
            report.db_seconds += time.perf_counter() - started

    async def run_batch(self, now: datetime) -> DispatchReport:
        """Claim one batch of due reminders at ``now`` and see each to an outcome."""
        report = DispatchReport()
        if self.quiet.contains(now):
            return report
        s = self.settings.scheduler
        claimer = f"{self.worker_id}/{next(self._batches)}"
        began = time.monotonic()
        claimed = await self._db(
            report,
            store.claim_due_reminders(
                now,
                claimer=claimer,
                lease_until=now + timedelta(seconds=s.lease_seconds),
                limit=s.batch_size,
            ),
        )
        report.claimed = len(claimed)
        if not claimed:
            return report
        # The lease is only safe while every send starts well before it lapses: a heartbeat
        # renews it while this batch lives, and a send starts only while twice the slowest
        # call plus 5 s of the last renewal's lease is left.
        slowest = self.settings.slowest_send_seconds()
        holding = _Holding(began, s.lease_seconds - 2 * slowest - 5)
        ids = [c["id"] for c in claimed]
        beat = asyncio.get_running_loop().create_task(
            self._heartbeat(claimer, ids, now, began, holding)
        )
        try:
            return await self._claimed(claimer, claimed, now, report, holding)
        finally:
            beat.cancel()

    async def _heartbeat(
        self, claimer: str, ids: list[int], now: datetime, began: float, holding: _Holding
    ) -> None:
        """Renew the batch's claims every `DISPATCH_HEARTBEAT_SECONDS` until cancelled. The
        new lease is counted from the batch's ``now`` plus the time since it began, so a
        controlled clock (tests, benches) and the wall clock agree; it is counted from before
        the renewal is sent, so a slow answer only shortens it."""
        s = self.settings.scheduler
        every = max(1.0, min(s.heartbeat_seconds, s.lease_seconds / 3))
        while True:
            await asyncio.sleep(every)
            asked = time.monotonic()
            until = now + timedelta(seconds=asked - began + s.lease_seconds)
            try:
                await store.renew_claims(ids, claimer, until)
            except Exception:
                log.warning("renewing the claims of %s failed", claimer, exc_info=True)
                continue
            holding.renewed_at = asked

    async def _claimed(
        self,
        claimer: str,
        claimed: list[store.Claimed],
        now: datetime,
        report: DispatchReport,
        holding: _Holding,
    ) -> DispatchReport:
        """Decide, prepare, send and record the rows of one claimed batch."""
        previous = {c["id"]: c["previous_status"] for c in claimed}
        rows = await self._db(report, outbox_context.load_for_sending(list(previous)))
        phones = {r["defendant_phone"] for r in rows} | {r["staff_phone"] for r in rows}
        phones |= {r["to_phone"] for r in rows}
        blocked = await self._db(report, delivery_store.blocked_among(p for p in phones if p))

        tries: list[_Try] = []
        ended: list[tuple[SendingRow, Decision]] = []
        for row in rows:
            decision = decide(
                row,
                now,
                blocked=blocked,
                public_base_url=self.settings.public_base_url,
                line_on=self.line is not None,
            )
            # A row left `sending` after a try may have reached Twilio: ask before anything
            # else, even if it would now be skipped, so a message that went out is recorded.
            maybe_sent = previous[row["id"]] == outbox.SENDING and row["body"] is not None
            if maybe_sent and row["channel"] == EMAIL:
                # A mail server cannot be asked what it accepted: never send it twice.
                ended.append((row, Decision("fail", MAYBE_SENT_EMAIL)))
            elif maybe_sent and row["channel"] == LINE and decision.action != "send":
                # LINE can only be asked by pushing again: a message no longer wanted is not.
                ended.append((row, _maybe_on_line(decision)))
            elif decision.action == "send" or maybe_sent:
                tries.append(_Try(row, decision, reconcile=maybe_sent))
            else:
                ended.append((row, decision))
        to_send = [t for t in tries if t.decision.action == "send"]
        async with transaction(immediate=True):
            for row, decision in ended:
                await self._db(
                    report,
                    store.mark_reminder_done(
                        row["id"],
                        claimer,
                        status=_END_STATUS[decision.action],
                        error_code=None,
                        error_message=decision.reason,
                        now=now,
                    ),
                )
                if decision.action == "cancel":
                    report.cancelled += 1
                elif decision.action == "fail":
                    report.failed += 1
                else:
                    report.skipped += 1
            await self._db(
                report,
                store.save_prepared(
                    claimer,
                    [_prepared(t) for t in to_send],
                    now,
                ),
            )

        self._gather_digests(tries, now)
        await asyncio.gather(*(self._attempt(t, holding, claimer) for t in tries))
        for t in tries:
            if t.leader is not None:
                t.outcome, t.result, t.error = t.leader.outcome, t.leader.result, t.leader.error
        metrics.sms_sends(self.sender.name, [t.outcome for t in tries if t.by_sms])
        metrics.line_pushes([t.line_answer for t in tries if t.line_answer])

        async with transaction(immediate=True):
            await self._record(claimer, tries, now, report)
        return report

    def _gather_digests(self, tries: list[_Try], now: datetime) -> None:
        """E-mail alerts held for a digest go as one e-mail per staff member: the first row
        of each member carries the digest, the others follow its outcome."""
        first: dict[int | None, _Try] = {}
        members: dict[int | None, list[_Try]] = {}
        for t in tries:
            if t.email and t.decision.action == "send":
                t.subject, t.body = t.decision.subject, t.decision.body
                if t.row["digest"]:
                    leader = first.setdefault(t.row["staff_id"], t)
                    members.setdefault(t.row["staff_id"], []).append(t)
                    if leader is not t:
                        t.leader = leader
        for staff_id, group in members.items():
            alerts = [alert_email_of(t.row, now) for t in group]
            text = render_digest(alerts, self.settings.public_base_url)
            first[staff_id].subject, first[staff_id].body = text.subject, text.body

    async def _attempt(self, t: _Try, holding: _Holding, claimer: str) -> None:
        """Ask Twilio first if needed, then send; never raises (the outcome is on ``t``)."""
        if t.email:
            t.carried_by = EMAIL
            if t.leader is None:
                await self._attempt_email(t, holding)
            return
        async with self._semaphore:
            if not holding.may_start():
                t.outcome = "released"
                return
            if t.decision.channel == LINE:
                await self._attempt_line(t, claimer)
            else:
                await self._attempt_sms(t, t.decision.to)

    async def _attempt_sms(self, t: _Try, to: str) -> None:
        """One SMS try (asking Twilio first when an earlier try may have gone)."""
        t.carried_by = SMS
        try:
            if t.reconcile:
                since = t.row["first_attempt_at"] or t.row["expires_at"] - timedelta(days=60)
                # A row tried before holds the number and text it was tried with.
                to_phone, body = t.row["to_phone"] or "", t.row["body"] or ""
                found = await self.sender.find_sent(to_phone, body, since)
                if found is not None:
                    t.outcome, t.result = "found", found
                    return
            if t.decision.action != "send":
                t.outcome = "ended"
                return
            attempts = t.row["attempts"] + 1
            if attempts > self.settings.scheduler.max_attempts:
                t.outcome = "failed"
                t.error = SendError(f"gave up after {attempts - 1} tries")
                return
            t.result = await self.sender.send_sms(to, t.decision.body, t.row["reference"])
            t.outcome = "sent"
        except PermanentSendError as error:
            t.error = error
            t.outcome = "unreachable" if error.number_unreachable else "failed"
        except TransientSendError as error:
            t.error = error
            t.outcome = "unknown" if error.outcome_unknown else "retry"
        except Exception as error:  # a bug in a sender must not lose the whole batch
            log.exception("sending reminder %s failed", t.row["id"])
            t.error = TransientSendError(repr(error), outcome_unknown=True)
            t.outcome = "unknown"

    async def _attempt_line(self, t: _Try, claimer: str) -> None:
        """One push on LINE with the row's retry key; the SMS instead when LINE refuses it
        or the month's quota is used up. An earlier push that may have reached LINE is
        asked about by this push itself: LINE answers 409 for a key it took."""
        t.carried_by = LINE
        pushed_before = t.row["channel"] == LINE
        attempts = t.row["attempts"] + 1
        if attempts > self.settings.scheduler.max_attempts:
            t.outcome = "failed"
            t.error = SendError(
                f"gave up after {attempts - 1} tries"
                + ("; an earlier push may have reached LINE" if pushed_before else "")
            )
            return
        if self.line is None:
            t.outcome = "failed"
            t.error = SendError("tried on LINE before, and LINE is no longer configured")
            return
        try:
            if not pushed_before and await self._line_quota_used_up():
                answer = LinePush("quota", None, "the month's LINE quota is used up")
            else:
                answer = await asyncio.to_thread(
                    self.line.push,
                    t.decision.to,
                    self._line_text(t),
                    retry_key(t.row["reference"]),
                )
        except Exception as error:  # a bug in the sender must not lose the whole batch
            log.exception("pushing reminder %s on LINE failed", t.row["id"])
            answer = LinePush("unavailable", None, repr(error)[:300])
        t.line_answer = answer.outcome
        if answer.outcome == "sent":
            t.outcome = "sent"
            t.result = SendResult(answer.request_id or f"line-{t.row['reference']}", "sent")
        elif answer.outcome == "unavailable":
            # LINE may have taken it: only a push with the same key may follow.
            t.error = TransientSendError(f"LINE: {answer.detail}", outcome_unknown=True)
            t.outcome = "unknown"
        elif not t.decision.fallback:
            t.outcome = "failed"
            t.error = PermanentSendError(
                f"LINE {answer.outcome}: {answer.detail}; the SMS may not go (turned off, "
                "no number or a blocked one)"
            )
        else:
            # Recorded before the SMS goes: a dispatcher killed after the SMS leaves a row
            # whose next try looks for it at Twilio, never one pushed on LINE again (LINE did
            # not take it; a 429 clears, and the person would get it on both channels).
            try:
                await store.record_line_answer(t.row["id"], claimer, SMS, answer.outcome)
            except Exception as error:
                log.warning("recording LINE's answer to %s failed: %r", t.row["id"], error)
                t.error = TransientSendError(
                    f"LINE {answer.outcome}; not recorded", outcome_unknown=False
                )
                t.outcome = "retry"
                return
            await self._attempt_sms(t, t.decision.fallback)

    def _line_text(self, t: _Try) -> LineText:
        """A check-in reminder carries the check-in button and, before the day, the three
        answers; other messages are their text."""
        row, decision = t.row, t.decision
        if decision.link and row["check_in_id"] is not None:
            message = reminder_message(
                decision.body, decision.link, row["check_in_id"], decision.language
            )
            return (
                message
                if row["kind"] != MISSED_FOLLOW_UP
                else LineText(message.text, message.link, message.link_label)
            )
        return LineText(decision.body)

    async def _line_quota_used_up(self) -> bool:
        """Whether the month's LINE quota is used up, read at most every `QUOTA_SECONDS`
        (unknown counts as not: LINE's 429 says so anyway)."""
        assert self.line is not None
        async with self._quota_lock:
            if time.monotonic() - self._quota_read_at >= QUOTA_SECONDS:
                try:
                    quota = await asyncio.to_thread(self.line.monthly_quota)
                    self._quota_left = quota.left
                except Exception:
                    log.warning("reading LINE's monthly quota failed", exc_info=True)
                    self._quota_left = None
                self._quota_read_at = time.monotonic()
            return self._quota_left == 0

    async def _attempt_email(self, t: _Try, holding: _Holding) -> None:
        """Send one e-mail (alone or a digest); never raises (the outcome is on ``t``)."""
        async with self._semaphore:
            if not holding.may_start():
                t.outcome = "released"
                return
            attempts = t.row["attempts"] + 1
            if attempts > self.settings.scheduler.max_attempts:
                t.outcome = "failed"
                t.error = SendError(f"gave up after {attempts - 1} tries")
                return
            if self.mailer is None:
                self.mailer = make_email_sender(self.settings)
            try:
                t.result = await self.mailer.send_email(
                    t.decision.to, t.subject, t.body, t.row["reference"]
                )
                t.outcome = "sent"
            except PermanentSendError as error:
                t.error, t.outcome = error, "failed"
            except TransientSendError as error:
                t.error = error
                t.outcome = "unknown" if error.outcome_unknown else "retry"
            except Exception as error:  # a bug in a sender must not lose the whole batch
                log.exception("e-mailing reminder %s failed", t.row["id"])
                t.error = TransientSendError(repr(error), outcome_unknown=True)
                t.outcome = "unknown"

    async def _record(
        self, claimer: str, tries: list[_Try], now: datetime, report: DispatchReport
    ) -> None:
        s = self.settings.scheduler
        for t in tries:
            if t.line_answer:
                await self._db(
                    report,
                    store.record_line_answer(t.row["id"], claimer, t.carried_by, t.line_answer),
                )
        sent = [(t.row["id"], t.result.sid) for t in tries if t.outcome == "sent" and t.result]
        await self._db(report, store.mark_reminders_sent(claimer, sent, now))
        report.sent += len(sent)
        for t in tries:
            rid, error = t.row["id"], t.error
            if t.outcome == "found" and t.result is not None:
                status = delivery.TWILIO_STATUS.get(t.result.status, outbox.SENT)
                await self._db(
                    report, store.mark_reminder_found(rid, claimer, t.result.sid, status, now)
                )
                report.found += 1
            elif t.outcome == "ended":
                cancel = t.decision.action == "cancel"
                await self._db(
                    report,
                    store.mark_reminder_done(
                        rid,
                        claimer,
                        status=outbox.CANCELLED if cancel else outbox.SKIPPED,
                        error_code=None,
                        error_message=t.decision.reason,
                        now=now,
                    ),
                )
                report.cancelled += cancel
                report.skipped += not cancel
            elif t.outcome == "released":
                if t.reconcile:  # still unknown whether an earlier try went out: keep it so
                    await self._db(
                        report,
                        store.mark_reminder_retry(
                            rid,
                            claimer,
                            next_attempt_at=now,
                            outcome_unknown=True,
                            error_code=None,
                            error_message="released before reconciling",
                            now=now,
                        ),
                    )
                else:
                    await self._db(
                        report,
                        store.release_claim(
                            rid, claimer, now, undo_attempt=t.decision.action == "send"
                        ),
                    )
                report.released += 1
            elif t.outcome in ("retry", "unknown"):
                assert error is not None
                attempts = t.row["attempts"] + 1
                when = retry_at(
                    attempts=attempts,
                    now=now,
                    base_seconds=s.retry_base_seconds,
                    max_seconds=s.retry_max_seconds,
                    quiet=self.quiet,
                    jitter=self.rng.uniform(-1, 1),
                )
                if t.outcome == "retry" and (
                    attempts >= s.max_attempts or when >= t.row["expires_at"]
                ):
                    await self._db(
                        report,
                        store.mark_reminder_done(
                            rid,
                            claimer,
                            status=outbox.FAILED,
                            error_code=error.code,
                            error_message=f"gave up: {error.message}",
                            now=now,
                        ),
                    )
                    report.failed += 1
                    continue
                await self._db(
                    report,
                    store.mark_reminder_retry(
                        rid,
                        claimer,
                        next_attempt_at=when,
                        outcome_unknown=t.outcome == "unknown",
                        error_code=error.code,
                        error_message=error.message,
                        now=now,
                    ),
                )
                report.retried += 1
            elif t.outcome in ("failed", "unreachable"):
                assert error is not None
                await self._db(
                    report,
                    store.mark_reminder_done(
                        rid,
                        claimer,
                        status=outbox.FAILED,
                        error_code=error.code,
                        error_message=error.message,
                        now=now,
                    ),
                )
                report.failed += 1
                if t.outcome == "unreachable" and error.code is not None:
                    await self._db(
                        report,
                        delivery.mark_unreachable(
                            t.row, t.decision.to, error.code, error.message, now
                        ),
                    )
                    report.unreachable += 1

    async def drain(
        self, clock: Callable[[], datetime], *, max_batches: int | None = None, lanes: int = 1
    ) -> DispatchReport:
        """Run batches until nothing is due (or ``max_batches``), ``lanes`` at a time: while
        one lane waits for Twilio another claims, so the database and the network overlap."""
        total = DispatchReport()
        budget = itertools.count() if max_batches is None else iter(range(max_batches))

        async def lane() -> None:
            for _ in budget:
                report = await self.run_batch(clock())
                total.add(report)
                if report.claimed == 0:
                    return

        await asyncio.gather(*(lane() for _ in range(max(1, lanes))))
        return total


def _prepared(t: _Try) -> store.Prepared:
    """What a row is about to be tried with, stored before the try: on LINE, the LINE user
    and the number the SMS would go to instead."""
    if t.email:
        return {
            "id": t.row["id"],
            "to_phone": None,
            "to_email": t.decision.to,
            "body": t.decision.body,
            "language": t.decision.language,
        }
    if t.decision.channel == LINE:
        return {
            "id": t.row["id"],
            "to_phone": t.decision.fallback or None,
            "body": t.decision.body,
            "language": t.decision.language,
            "channel": LINE,
            "line_user": t.decision.to,
        }
    return {
        "id": t.row["id"],
        "to_phone": t.decision.to,
        "body": t.decision.body,
        "language": t.decision.language,
    }


def _maybe_on_line(decision: Decision) -> Decision:
    return Decision(
        decision.action,
        f"{decision.reason}; an earlier push may have reached LINE (not pushed again)",
    )
