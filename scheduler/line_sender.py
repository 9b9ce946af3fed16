"""Pushing a text to a person on LINE, through the official `line-bot-sdk` (v3).

One push, one retry key: the outbox row's key goes with every try, so when a push reached
LINE but its answer was lost (a timeout, a crash before the row was marked), the next try
is answered 409 with the first request's id and nothing is sent twice. What LINE answers
becomes one of a few outcomes the dispatcher acts on (`LinePush.outcome`): `sent`; `refused`
(4xx: LINE does not know the user, or refused the message or our token: the dispatcher sends
the SMS instead); `quota` (429: the month's limit is used up: SMS too); `unavailable` (LINE
did not answer, or answered 5xx: try again later). LINE accepts a push to someone who has
blocked the account and never delivers it, so a block is known from the `unfollow` webhook
event, before a push, not from the push's answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException
from urllib3.exceptions import HTTPError

from reporting_api.settings import LineSettings

log = logging.getLogger(__name__)
LINE_API = "https://api.line.me"


@dataclass(frozen=True)
class LinePush:
    outcome: str
    """`sent`, `refused`, `quota` or `unavailable`."""
    request_id: str | None = None
    """LINE's id of the request that sent it (`x-line-request-id`, or on a repeated retry
    key the first request's, `x-line-accepted-request-id`)."""
    detail: str = ""
    """LINE's message when it refused, for the row and the officer."""


@dataclass(frozen=True)
class MonthlyQuota:
    limit: int | None
    """The month's limit of messages, None when the account has none set."""
    used: int

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


class LineSender:
    """The Messaging API with the channel's access token (`LINE_*` settings)."""

    def __init__(self, settings: LineSettings) -> None:
        self._configuration = Configuration(
            host=settings.base_url or LINE_API, access_token=settings.channel_access_token
        )

    def push_text(self, to: str, text: str, retry_key: str) -> LinePush:
        """Push ``text`` to the LINE user ``to``; ``retry_key`` is a UUID, the same on every
        try of one message."""
        request = PushMessageRequest(to=to, messages=[TextMessage(text=text)])
        try:
            with ApiClient(self._configuration) as client:
                answer = MessagingApi(client).push_message_with_http_info(
                    request, x_line_retry_key=retry_key
                )
        except ApiException as refused:
            headers = refused.headers or {}
            if refused.status == 409 and headers.get("x-line-accepted-request-id"):
                return LinePush("sent", headers["x-line-accepted-request-id"], "sent before")
            detail = str(refused.body or refused.reason or "")[:300]
            if refused.status == 429:
                return LinePush("quota", None, detail)
            if refused.status is not None and 400 <= refused.status < 500:
                return LinePush("refused", None, detail)
            return LinePush("unavailable", None, detail)
        except (HTTPError, OSError) as failed:
            log.warning("LINE push did not get an answer: %s", type(failed).__name__)
            return LinePush("unavailable", None, type(failed).__name__)
        return LinePush("sent", (answer.headers or {}).get("x-line-request-id"))

    def monthly_quota(self) -> MonthlyQuota:
        """The month's limit and what is used of it (two calls to LINE)."""
        with ApiClient(self._configuration) as client:
            api = MessagingApi(client)
            quota = api.get_message_quota()
            used = api.get_message_quota_consumption().total_usage
        limit = quota.value if quota.type == "limited" else None
        return MonthlyQuota(limit, int(used))
