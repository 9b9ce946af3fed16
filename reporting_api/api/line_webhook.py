"""`POST /line/webhook`: the events LINE sends for the fund's Official Account.

No staff login here: LINE signs each request with the channel secret (`X-Line-Signature`,
the Base64 HMAC-SHA256 of the raw body), checked by the official `line-bot-sdk` before
anything is read; a forged or unsigned request gets 403 and changes nothing. Each event is
taken in once by its `webhookEventId` (LINE redelivers), and the answer comes at once: what
an event asks for (`services/line_webhook.act_on`) is done after the 200. With LINE off (no channel configured) the route
answers 404, as if it did not exist.
"""

from __future__ import annotations

import logging
from typing import Any

from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from litestar import Controller, Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.status_codes import HTTP_200_OK

from reporting_api.errors import InvalidInput
from reporting_api.http.context import now_of
from reporting_api.services import line_webhook
from reporting_api.settings import Settings

log = logging.getLogger(__name__)


class LineWebhookController(Controller):
    path = "/line"
    include_in_schema = False

    @post("/webhook", exclude_from_auth=True, status_code=HTTP_200_OK)
    async def webhook(self, request: Request[Any, Any, Any]) -> Response[None]:
        settings: Settings = request.app.state.settings
        secret = settings.line.channel_secret
        if not settings.line.configured or secret is None:
            raise NotFoundException()
        signature = request.headers.get("x-line-signature", "")
        if not signature:
            raise PermissionDeniedException(detail="not a signed LINE request")
        body = await request.body()
        try:
            text = body.decode("utf-8")
            payload = WebhookParser(secret).parse(text, signature, as_payload=True)
        except InvalidSignatureError:
            log.warning("LINE webhook with a bad signature from %s", request.client)
            raise PermissionDeniedException(detail="not a signed LINE request") from None
        except (ValueError, TypeError, KeyError, AttributeError):
            # Signed, yet not LINE's JSON: what the SDK's parser raises on a body of another
            # shape (not JSON, an event without its type, a type that is not a string).
            raise InvalidInput(
                "body", "is not a LINE webhook body", "ไม่ใช่ข้อมูลเว็บฮุกของ LINE"
            ) from None
        events = [_event(event) for event in payload.events or []]
        now = now_of(request)
        new = await line_webhook.take_in([e for e in events if e.event_id], now)
        log.debug("LINE webhook: %s events, %s new", len(events), len(new))
        # LINE waits for the answer: what the events ask for is done once it is sent.
        return Response(
            None,
            status_code=HTTP_200_OK,
            background=BackgroundTask(
                line_webhook.act_on,
                new,
                now,
                line_webhook.Inbound(
                    settings, request.app.state.runtime, request.app.state.line_api
                ),
            ),
        )


def _event(event: Any) -> line_webhook.WebhookEvent:
    """What is used of one of the SDK's event objects (any type, known or not)."""
    source = getattr(event, "source", None)
    link = getattr(event, "link", None)
    message = getattr(event, "message", None)
    text = getattr(message, "text", None) if getattr(message, "type", None) == "text" else None
    return line_webhook.WebhookEvent(
        event_id=str(getattr(event, "webhook_event_id", None) or ""),
        kind=str(getattr(event, "type", None) or ""),
        user_id=_text(getattr(source, "user_id", None)),
        link_result=_text(getattr(link, "result", None)),
        link_nonce=_text(getattr(link, "nonce", None)),
        reply_token=_text(getattr(event, "reply_token", None)),
        postback_data=_text(getattr(getattr(event, "postback", None), "data", None)),
        text=_text(text),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
