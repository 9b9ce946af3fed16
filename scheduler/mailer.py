"""Staff alerts by e-mail behind one small interface: ``send_email(to, subject, body, reference)``.

Two implementations: SMTP through ``aiosmtplib`` (the mail server of `SMTP_HOST`), and an
e-mail log for machines without one (like the SMS outbox log: one JSON a line, 0600).

Errors are the SMS sender's (`scheduler.sender`), so the dispatcher records them the same way:
- ``TransientSendError`` with ``outcome_unknown=False``: the server cannot have accepted the
  message (no connection, refused before the message's text, a 4xx answer): try again later.
- ``TransientSendError`` with ``outcome_unknown=True``: the connection broke while the text was
  being handed over, so the server may have accepted it. SMTP cannot be asked afterwards what
  it accepted, so the dispatcher does not send such a row again (never twice; the flag stays on
  the officers' pages and escalates if nobody acknowledges it).
- ``PermanentSendError``: the server refused this message or address for good (5xx).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

import aiosmtplib

from reporting_api.clock import Clock, utcnow
from reporting_api.settings import EmailSettings, Settings
from scheduler.sender import PermanentSendError, SendError, SendResult, TransientSendError

log = logging.getLogger(__name__)


class EmailSender(Protocol):
    name: str

    async def send_email(self, to: str, subject: str, body: str, reference: str) -> SendResult:
        """Hand one e-mail to the mail server; raise a SendError subclass on failure."""
        ...

    async def aclose(self) -> None: ...


def new_message_id() -> str:
    """Our id of an e-mail (kept in `reminder.message_sid`), also its Message-ID's left part."""
    return "EM" + secrets.token_hex(16)


def build_message(
    settings: EmailSettings, to: str, subject: str, body: str, sid: str, clock: Clock
) -> EmailMessage:
    """A plain-text UTF-8 e-mail (Thai and English), with our id in its Message-ID."""
    message = EmailMessage()
    message["From"] = settings.from_address
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock())
    domain = settings.from_address.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{sid}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(body, charset="utf-8")
    return message


class SmtpSender:
    """One SMTP conversation per e-mail (alerts are few): connect, STARTTLS, log in, MAIL,
    RCPT, DATA; whether the text had started going out decides if a failure is unknown."""

    name = "smtp"

    def __init__(self, settings: EmailSettings, clock: Clock | None = None) -> None:
        if not settings.host:
            raise ValueError("SMTP_HOST is needed to send e-mail")
        self.settings = settings
        self.clock = clock or utcnow

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        implicit_tls = s.port == 465
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            timeout=s.timeout_seconds,
            use_tls=implicit_tls,
            # True: STARTTLS or no conversation (never a password in clear); False: never.
            start_tls=s.starttls and not implicit_tls,
        )

    async def send_email(self, to: str, subject: str, body: str, reference: str) -> SendResult:
        s = self.settings
        sid = new_message_id()
        message = build_message(s, to, subject, body, sid, self.clock)
        client = self._client()
        handing_over = False
        try:
            await client.connect()
            if s.username:
                await client.login(s.username, s.password or "")
            await client.mail(s.from_address)
            await client.rcpt(to)
            handing_over = True
            await client.data(message.as_bytes())
        except aiosmtplib.SMTPResponseException as error:
            # The server answered: whatever it said, it said it instead of accepting.
            raise _classify(error) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            text = f"{type(error).__name__}: {error}"
            raise TransientSendError(text, outcome_unknown=handing_over) from error
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    client.close()
        return SendResult(sid=sid, status="sent")

    async def aclose(self) -> None:
        return None


def _classify(error: aiosmtplib.SMTPResponseException) -> SendError:
    text = f"SMTP {error.code}: {error.message}"
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        # Wrong credentials are our problem, not the message's: keep it and retry later.
        log.error("the mail server refused our login: %s", text)
        return TransientSendError(text, code=error.code, outcome_unknown=False)
    if 400 <= error.code < 500:
        return TransientSendError(text, code=error.code, outcome_unknown=False)
    return PermanentSendError(text, code=error.code)


class EmailLogSender:
    """Writes each e-mail as one JSON line to a local file instead of sending it. The file
    holds staff addresses, so only the service's own user may read it (0600)."""

    name = "email-log"

    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.clock = clock or utcnow
        self._lock = asyncio.Lock()

    def _append(self, text: str) -> None:
        handle = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "a", encoding="utf-8") as out:
            out.write(text)

    async def send_email(self, to: str, subject: str, body: str, reference: str) -> SendResult:
        sid = new_message_id()
        line = {
            "at": self.clock().isoformat(),
            "sid": sid,
            "to": to,
            "reference": reference,
            "subject": subject,
            "body": body,
        }
        async with self._lock:
            self._append(json.dumps(line, ensure_ascii=False) + "\n")
        return SendResult(sid=sid, status="sent")

    async def aclose(self) -> None:
        return None


def make_email_sender(settings: Settings) -> EmailSender:
    """SMTP when `SMTP_HOST` is set, otherwise the e-mail log."""
    if settings.email.configured:
        return SmtpSender(settings.email)
    log.warning(
        "no SMTP_HOST: staff e-mails are written to %s, not sent", settings.email.outbox_path
    )
    return EmailLogSender(settings.email.outbox_path)
