"""Staff alerts by e-mail, on both databases, received by a real SMTP server (aiosmtpd) that the
tests start on 127.0.0.1: the right recipients, subject and words, nothing about the person
beyond what the alert needs; the daily digest; a member who chose SMS gets no e-mail; a mail
server that is down costs a retry, not the alert; a try that may have gone out is never sent
again."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from reporting_api.services import flags as flag_service
from reporting_api.services import outbox_list
from reporting_api.services.sweep import sweep
from reporting_api.settings import EmailSettings, Settings
from reporting_api.store import outbox_claims, outbox_context
from reporting_api.tables import Flag, Reminder, StaffUser
from reporting_api.thai_dates import BANGKOK
from scheduler.decisions import decide
from scheduler.dispatch import Dispatcher
from scheduler.mailer import SmtpSender
from scheduler.sender import FakeSender
from tests.scheduler.helpers import PUBLIC, World, case_with_plan, make_world, run

DUE = date(2026, 12, 16)  # the window closes at the end of 17 Dec (Bangkok)
OFFICER_EMAIL = "somsri.officer@jfo.example.go.th"
OFFICER_PHONE = "+66855555555"
FROM = "alerts@jf.example.go.th"


def bkk(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


CLOSED = bkk(date(2026, 12, 18), 0, 1)
MORNING = bkk(date(2026, 12, 18), 9, 1)  # quiet hours (21-9) are over


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """aiosmtpd's handler: keeps every message it accepts, parsed."""

    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class MailServer:
    port: int
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on a free port of 127.0.0.1, started (a test may stop it)."""
    server = MailServer(free_port())
    server.start()
    yield server
    server.stop()


def with_smtp(settings: Settings, port: int, **email: Any) -> Settings:
    return replace(
        settings,
        email=replace(
            EmailSettings(),
            host="127.0.0.1",
            port=port,
            starttls=False,
            from_address=FROM,
            timeout_seconds=5,
            **email,
        ),
    )


async def set_alerts(
    world: World, user: str, *, channel: str, email: str | None, digest: bool = False
) -> None:
    await StaffUser.update(
        {
            StaffUser.alert_channel: channel,
            StaffUser.email: email,
            StaffUser.alert_digest: digest,
            StaffUser.phone: OFFICER_PHONE,
        }
    ).where(StaffUser.id == world.staff[user].id)


def dispatcher(settings: Settings, sms: FakeSender) -> Dispatcher:
    return Dispatcher(settings, sms, worker_id="t", mailer=SmtpSender(settings.email))


async def email_rows() -> list[dict[str, Any]]:
    return await Reminder.select().where(Reminder.channel == "email").order_by(Reminder.id)


def personal_data(defendant: dict[str, Any]) -> list[str]:
    """What an alert e-mail must never carry about the person."""
    return [
        defendant["national_id"],
        defendant["phone"],
        defendant["phone"].replace("+66", "0"),
        defendant["first_name_th"],
        defendant["last_name_th"],
        "Somchai",
        "Jaidee",
        "อ.1234/2569",  # the case number (docs/privacy.md)
    ]


def test_an_officer_who_chose_email_gets_one_real_email_without_personal_data(
    database_url, mail_server
):
    world = make_world(database_url)
    settings = with_smtp(world.settings, mail_server.port)
    sms = FakeSender(clock=lambda: MORNING)

    async def check() -> None:
        await set_alerts(world, "officer_bkk", channel="email", email=OFFICER_EMAIL)
        defendant, case, _ = await case_with_plan(world, DUE)
        report = await sweep(CLOSED, settings)
        assert report.staff_alerts == 1
        (flag,) = await Flag.select().where(Flag.case == case["id"])
        sent = await dispatcher(settings, sms).drain(lambda: MORNING)
        assert sent.failed == 0

        (got,) = mail_server.inbox.messages
        assert got.rcpt_tos == [OFFICER_EMAIL] and got.mail_from == FROM
        message = got.message
        assert message["To"] == OFFICER_EMAIL and message["From"] == FROM
        assert message["Subject"].startswith("แจ้งเตือนเจ้าหน้าที่ / Officer alert")
        assert "missed check-in" in message["Subject"] and f"#{flag['id']}" in message["Subject"]
        body = message.get_content()
        assert body.index("สำนักงาน") < body.index("Office:")  # Thai first, then English
        assert f"{PUBLIC}/admin/flags/{flag['id']}" in body
        assert "ไม่มารายงานตัวตามกำหนด" in body and "missed check-in" in body
        text = message.as_string() + body
        for value in personal_data(defendant):
            assert value not in text, value
        # Nothing went by SMS: the officer chose e-mail only.
        assert sms.to(OFFICER_PHONE) == []

        (row,) = await email_rows()
        assert row["status"] == "sent" and row["to_email"] == OFFICER_EMAIL
        assert row["message_sid"] and message["Message-ID"].startswith(f"<{row['message_sid']}@")
        assert row["to_phone"] is None and row["attempts"] == 1
        # The officers' outbox shows whose mailbox, masked, not a phone number.
        page = await outbox_list.outbox(
            world.ctx(MORNING), office_id=None, status=None, offset=0, limit=50
        )
        (entry,) = [r for r in page.rows if r["channel"] == "email"]
        assert entry["to_masked"] == "so…@jfo.example.go.th" and entry["to_recorded"]
        # Sent once: a second pass has nothing to send.
        assert (await dispatcher(settings, sms).drain(lambda: MORNING)).claimed == 0
        assert len(mail_server.inbox.messages) == 1

    run(check())


def test_both_channels_send_one_sms_and_one_email_and_sms_only_sends_no_email(
    database_url, mail_server
):
    world = make_world(database_url, escalate_after_hours=24)
    settings = with_smtp(world.settings, mail_server.port)
    sms = FakeSender(clock=lambda: MORNING)

    async def check() -> None:
        await set_alerts(world, "officer_bkk", channel="sms", email=OFFICER_EMAIL)
        await set_alerts(world, "manager", channel="both", email="boss@jf.example.go.th")
        await case_with_plan(world, DUE)
        await sweep(CLOSED, settings)
        await dispatcher(settings, sms).drain(lambda: MORNING)
        # The officer chose SMS: an SMS, and no e-mail although an address is on file.
        assert len(sms.to(OFFICER_PHONE)) == 1
        assert mail_server.inbox.messages == []

        later = CLOSED + timedelta(hours=25)
        assert (await sweep(later, settings)).escalated == 1
        await dispatcher(settings, sms).drain(lambda: bkk(date(2026, 12, 19), 10))
        (got,) = mail_server.inbox.messages
        assert got.rcpt_tos == ["boss@jf.example.go.th"]
        assert got.message["Subject"].startswith("ยกระดับถึงผู้บริหาร / Escalated to a manager")
        assert "ไม่มีผู้รับทราบภายใน" in got.message.get_content()
        manager_alerts = await Reminder.select().where(Reminder.kind == "manager_alert")
        assert sorted(r["channel"] for r in manager_alerts) == ["email", "sms"]
        assert all(r["status"] == "sent" for r in manager_alerts)

    run(check())


def test_the_daily_digest_groups_the_days_alerts_into_one_email(database_url, mail_server):
    # No quiet hours: the digest's hour alone holds the e-mails back.
    world = make_world(database_url, quiet_hours=(0, 0))
    settings = with_smtp(world.settings, mail_server.port, digest_hour=17)
    sms = FakeSender(clock=lambda: MORNING)

    async def check() -> None:
        await set_alerts(world, "officer_bkk", channel="email", email=OFFICER_EMAIL, digest=True)
        await set_alerts(world, "officer_bkk2", channel="email", email="other@jf.example.go.th")
        defendants = [(await case_with_plan(world, DUE))[0] for _ in range(3)]
        await sweep(CLOSED, settings)
        rows = await email_rows()
        assert len(rows) == 3 and all(r["digest"] for r in rows)
        assert {r["due_at"] for r in rows} == {bkk(date(2026, 12, 18), 17)}
        # In the morning nothing is due yet; at 17:00 Bangkok one e-mail carries all three.
        await dispatcher(settings, sms).drain(lambda: MORNING)  # the people's own SMS
        assert mail_server.inbox.messages == []
        assert {r["status"] for r in await email_rows()} == {"queued"}
        # An alert acknowledged before the digest is left out of it.
        flags = await Flag.select().order_by(Flag.id)
        await flag_service.acknowledge(world.ctx(MORNING), flags[0]["id"], "โทรแล้ว")
        report = await dispatcher(settings, sms).drain(lambda: bkk(date(2026, 12, 18), 17, 1))
        assert report.sent == 2 and report.skipped == 1

        (got,) = mail_server.inbox.messages
        assert got.rcpt_tos == [OFFICER_EMAIL]
        assert "Daily digest: 2 alerts" in got.message["Subject"]
        body = got.message.get_content()
        assert f"/admin/flags/{flags[0]['id']}" not in body
        for flag in flags[1:]:
            assert f"{PUBLIC}/admin/flags/{flag['id']}" in body
        for defendant in defendants:
            for value in personal_data(defendant):
                assert value not in got.message.as_string() + body, value
        rows = {r["flag"]: r for r in await email_rows()}
        assert rows[flags[0]["id"]]["status"] == "skipped"
        sids = {rows[f["id"]]["message_sid"] for f in flags[1:]}
        assert len(sids) == 1 and all(rows[f["id"]]["status"] == "sent" for f in flags[1:])

    run(check())


def test_a_mail_server_that_is_down_costs_a_retry_not_the_alert(database_url, mail_server):
    world = make_world(database_url)
    settings = with_smtp(world.settings, mail_server.port)
    sms = FakeSender(clock=lambda: MORNING)
    mail_server.stop()

    async def check() -> None:
        await set_alerts(world, "officer_bkk", channel="email", email=OFFICER_EMAIL)
        await case_with_plan(world, DUE)
        await sweep(CLOSED, settings)
        report = await dispatcher(settings, sms).drain(lambda: MORNING)
        assert report.retried == 1  # the person's own SMS went; the e-mail waits
        (row,) = await email_rows()
        assert row["status"] == "queued" and row["attempts"] == 1
        assert row["next_attempt_at"] > MORNING and row["error_message"]

        mail_server.start()
        later = row["next_attempt_at"] + timedelta(seconds=1)
        assert (await dispatcher(settings, sms).drain(lambda: later)).sent == 1
        (got,) = mail_server.inbox.messages
        assert got.rcpt_tos == [OFFICER_EMAIL]
        (row,) = await email_rows()
        assert row["status"] == "sent" and row["attempts"] == 2

    run(check())


def test_an_email_that_may_have_gone_out_before_a_crash_is_not_sent_again(
    database_url, mail_server
):
    world = make_world(database_url)
    settings = with_smtp(world.settings, mail_server.port)
    sms = FakeSender(clock=lambda: MORNING)

    async def check() -> None:
        await set_alerts(world, "officer_bkk", channel="email", email=OFFICER_EMAIL)
        await case_with_plan(world, DUE)
        await sweep(CLOSED, settings)
        # A dispatcher claims the row, stores what it is about to send, sends, and dies
        # before recording the outcome.
        lease = MORNING + timedelta(seconds=settings.scheduler.lease_seconds)
        claimed = await outbox_claims.claim_due_reminders(
            MORNING, claimer="dead/1", lease_until=lease, limit=10
        )
        rows = await outbox_context.load_for_sending([c["id"] for c in claimed])
        (row,) = [r for r in rows if r["channel"] == "email"]
        decision = decide(row, MORNING, blocked=set(), public_base_url=PUBLIC)
        assert decision.action == "send" and decision.to == OFFICER_EMAIL
        await outbox_claims.save_prepared(
            "dead/1",
            [
                {
                    "id": row["id"],
                    "to_phone": None,
                    "to_email": decision.to,
                    "body": decision.body,
                    "language": "th",
                }
            ],
            MORNING,
        )
        await SmtpSender(settings.email).send_email(
            decision.to, decision.subject, decision.body, row["reference"]
        )
        assert len(mail_server.inbox.messages) == 1

        after_lease = lease + timedelta(seconds=1)
        report = await dispatcher(settings, sms).drain(lambda: after_lease)
        assert report.failed == 1
        assert len(mail_server.inbox.messages) == 1  # never twice
        (row,) = await email_rows()
        assert row["status"] == "failed" and "not sent again" in row["error_message"]

    run(check())


def test_without_smtp_host_emails_go_to_a_local_log(database_url, tmp_path):
    world = make_world(database_url)
    log_path = tmp_path / "email.log"
    settings = replace(world.settings, email=EmailSettings(outbox_path=str(log_path)))
    sms = FakeSender(clock=lambda: MORNING)

    async def check() -> None:
        await set_alerts(world, "officer_bkk", channel="email", email=OFFICER_EMAIL)
        await case_with_plan(world, DUE)
        await sweep(CLOSED, settings)
        await Dispatcher(settings, sms, worker_id="t").drain(lambda: MORNING)
        (row,) = await email_rows()
        assert row["status"] == "sent" and row["message_sid"].startswith("EM")
        (line,) = log_path.read_text(encoding="utf-8").splitlines()
        assert OFFICER_EMAIL in line and "Officer alert" in line
        assert oct(log_path.stat().st_mode & 0o777) == "0o600"

    run(check())


def test_starttls_required_means_nothing_goes_to_a_server_without_it(mail_server):
    """SMTP_STARTTLS=1 (the default): a server that offers no STARTTLS gets no message (nor a
    login); the failure is one the dispatcher retries (the message cannot have gone)."""
    from scheduler.sender import TransientSendError

    settings = replace(
        EmailSettings(),
        host="127.0.0.1",
        port=mail_server.port,
        starttls=True,
        timeout_seconds=5,
    )
    with pytest.raises(TransientSendError) as refused:
        run(SmtpSender(settings).send_email(OFFICER_EMAIL, "s", "b", "rem-x"))
    assert refused.value.outcome_unknown is False
    assert mail_server.inbox.messages == []
