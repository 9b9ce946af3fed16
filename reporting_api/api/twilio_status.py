"""`POST /twilio/status`: Twilio's delivery reports for the SMS we sent.

No staff login here: Twilio signs each request with our auth token (`X-Twilio-Signature`, an
HMAC of the URL it called and the posted fields). The signature is checked against the URL as
configured (PUBLIC_BASE_URL + path + query), never the Host header a client chose; a forged
or unsigned request gets 403 and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.exceptions import PermissionDeniedException
from litestar.status_codes import HTTP_204_NO_CONTENT
from twilio.request_validator import RequestValidator

from reporting_api.http.context import now_of
from reporting_api.services import delivery
from reporting_api.settings import Settings

log = logging.getLogger(__name__)
FORM = "application/x-www-form-urlencoded"


def signed_url(settings: Settings, request: Request[Any, Any, Any]) -> str:
    """The URL Twilio was given (and signed), rebuilt from the configured public base."""
    query = request.url.query
    return f"{settings.public_base_url}{request.url.path}" + (f"?{query}" if query else "")


class TwilioStatusController(Controller):
    path = "/twilio"
    include_in_schema = False

    @post("/status", exclude_from_auth=True, status_code=HTTP_204_NO_CONTENT)
    async def status(self, request: Request[Any, Any, Any]) -> Response[None]:
        settings: Settings = request.app.state.settings
        signature = request.headers.get("x-twilio-signature", "")
        token = settings.twilio.auth_token
        if not token or not signature or not request.content_type[0].startswith(FORM):
            raise PermissionDeniedException(detail="not a signed Twilio request")
        form = await request.form()
        fields = {key: str(value) for key, value in form.multi_items()}
        if len(fields) != len(list(form.multi_items())):  # a repeated field: not from Twilio
            raise PermissionDeniedException(detail="not a signed Twilio request")
        if not RequestValidator(token).validate(signed_url(settings, request), fields, signature):
            log.warning("status callback with a bad signature from %s", request.client)
            raise PermissionDeniedException(detail="not a signed Twilio request")
        account = settings.twilio.account_sid
        if account and fields.get("AccountSid") != account:
            raise PermissionDeniedException(detail="not our Twilio account")
        outcome = await delivery.record_status_callback(
            fields, request.query_params.get("ref"), now_of(request)
        )
        log.debug("status callback %s: %s", fields.get("MessageSid"), outcome)
        return Response(None, status_code=HTTP_204_NO_CONTENT)
