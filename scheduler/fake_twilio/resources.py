"""What the fake answers, in the shapes Twilio's OpenAPI describes (api.v2010.account.message,
its list page and its errors), and the request parameters and filters it reads."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from reporting_api.sms_templates import count_segments

API = "/2010-04-01"
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
LIST_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")
FETCH_PATH = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages/(SM[0-9a-f]{32})\.json$"
)
ERROR_TEXT = {
    20001: "Invalid parameter",
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    21211: "The 'To' number {to} is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    30005: "Unknown destination handset",
}


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def rfc2822(instant: datetime | None) -> str | None:
    return format_datetime(instant, usegmt=False) if instant else None


@dataclass
class FakeMessage:
    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status: str
    status_callback: str | None
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None = None
    error_code: int | None = None

    def resource(self) -> dict[str, Any]:
        """The JSON Twilio returns for a message (`api.v2010.account.message`)."""
        uri = f"{API}/Accounts/{self.account_sid}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": ERROR_TEXT.get(self.error_code) if self.error_code else None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(count_segments(self.body).segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": self.to,
            "uri": f"{uri}.json",
        }


def param(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key)
    return values[0] if values else ""


def error_answer(status: int, code: int, **fields: str) -> tuple[int, dict[str, Any]]:
    message = ERROR_TEXT.get(code, "Invalid parameter").format(**fields)
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def date_filter(query: dict[str, list[str]], key: str) -> datetime | None:
    value = param(query, key)
    if not value:
        return None
    if len(value) == 10:  # YYYY-MM-DD, as Twilio documents it
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def sent_matches(
    m: FakeMessage, on: datetime | None, before: datetime | None, after: datetime | None
) -> bool:
    if on is None and before is None and after is None:
        return True
    if m.date_sent is None:  # as at Twilio: a message still queued has no DateSent yet
        return False
    if on is not None and m.date_sent.date() != on.date():
        return False
    if before is not None and m.date_sent > before:
        return False
    return not (after is not None and m.date_sent < after)
