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
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from linebot.v3.messaging import (
    ApiClient,
    ButtonsTemplate,
    Configuration,
    Message,
    MessagingApi,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TemplateMessage,
    TextMessage,
    URIAction,
)
from linebot.v3.messaging.exceptions import ApiException
from urllib3.exceptions import HTTPError

from reporting_api.line_messages import BUTTON_TEXT_MAX, TEXT_MAX, LineText
from reporting_api.settings import LineSettings

log = logging.getLogger(__name__)
LINE_API = "https://api.line.me"
RETRY_KEYS = uuid.UUID("5f0c8f59-54a4-4d43-9a4b-1e1d5a0c2b17")
"""The namespace outbox rows' retry keys are made in (`retry_key`)."""
ALT_TEXT_MAX = 400


def retry_key(reference: str) -> str:
    """The `X-Line-Retry-Key` of an outbox row: a UUID made from the row's unique reference,
    the same on every try of the row, on every dispatcher."""
    return str(uuid.uuid5(RETRY_KEYS, reference))


def to_messages(text: LineText) -> list[Message]:
    """The Messaging API's message for ``text``: a buttons template when it has a link and
    its words fit one (LINE's limit is 160 characters), else a text with the link after the
    words; quick replies under it either way."""
    quick = (
        QuickReply(
            items=[
                QuickReplyItem(
                    action=PostbackAction(label=q.label, data=q.data, display_text=q.display_text)
                )
                for q in text.quick
            ]
        )
        if text.quick
        else None
    )
    message: Message
    if text.link and len(text.text) <= BUTTON_TEXT_MAX:
        message = TemplateMessage(
            alt_text=text.text[:ALT_TEXT_MAX],
            template=ButtonsTemplate(
                text=text.text, actions=[URIAction(label=text.link_label, uri=text.link)]
            ),
            quick_reply=quick,
        )
    else:
        words = (
            text.text if not text.link or text.link in text.text else f"{text.text}\n{text.link}"
        )
        message = TextMessage(text=words[:TEXT_MAX], quick_reply=quick)
    return [message]


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
        # To connect, then each read (`LINE_TIMEOUT_SECONDS`).
        self._timeout = (settings.timeout_seconds, settings.timeout_seconds)

    def push(self, to: str, text: LineText, retry_key: str) -> LinePush:
        """Push ``text`` to the LINE user ``to``; ``retry_key`` is a UUID, the same on every
        try of one message (`retry_key`)."""
        request = PushMessageRequest(to=to, messages=to_messages(text))
        try:
            with ApiClient(self._configuration) as client:
                answer = MessagingApi(client).push_message_with_http_info(
                    request, x_line_retry_key=retry_key, _request_timeout=self._timeout
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

    def push_text(self, to: str, text: str, retry_key: str) -> LinePush:
        """Push a plain text (`push`)."""
        return self.push(to, LineText(text), retry_key)

    def reply(self, reply_token: str, texts: Sequence[LineText]) -> bool:
        """Answer a webhook event with its reply token (free of the month's quota; the token
        is good for one reply of up to 5 messages, within a minute); False when LINE did not
        take it."""
        messages = [message for text in texts for message in to_messages(text)][:5]
        request = ReplyMessageRequest(reply_token=reply_token, messages=messages)
        try:
            with ApiClient(self._configuration) as client:
                MessagingApi(client).reply_message_with_http_info(
                    request, _request_timeout=self._timeout
                )
        except (ApiException, HTTPError, OSError) as failed:
            log.warning("LINE reply not taken: %s", type(failed).__name__)
            return False
        return True

    def issue_link_token(self, user_id: str) -> str | None:
        """A link token for the user's account link (LINE keeps it 10 minutes); None when
        LINE refused (the user does not follow the account) or did not answer."""
        try:
            with ApiClient(self._configuration) as client:
                answer = MessagingApi(client).issue_link_token(
                    user_id, _request_timeout=self._timeout
                )
                return answer.link_token
        except (ApiException, HTTPError, OSError) as failed:
            log.warning("LINE link token not issued: %s", type(failed).__name__)
            return None

    def monthly_quota(self) -> MonthlyQuota:
        """The month's limit and what is used of it (two calls to LINE)."""
        with ApiClient(self._configuration) as client:
            api = MessagingApi(client)
            quota = api.get_message_quota(_request_timeout=self._timeout)
            used = api.get_message_quota_consumption(_request_timeout=self._timeout).total_usage
        limit = quota.value if quota.type == "limited" else None
        return MonthlyQuota(limit, int(used))
