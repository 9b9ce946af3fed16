"""A service's refusal as an HTTP response: the one place the JSON API maps
`reporting_api.errors` to statuses. The body is Litestar's error shape with the field and
both reasons in `extra`, so a client can show the person Thai or English."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from reporting_api.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Refused,
    ServiceError,
)
from reporting_api.runtime import DataKeyMissing

log = logging.getLogger(__name__)

STATUSES: tuple[tuple[type[ServiceError], int], ...] = (
    (InvalidInput, 400),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
)
"""Each kind of refusal and its status (a `Refused` carries its own)."""


def status_of(error: ServiceError) -> int:
    if isinstance(error, Refused):
        return error.status
    return next((status for kind, status in STATUSES if isinstance(error, kind)), 400)


def error_body(status: int, detail: str, field: str, reason: str, reason_th: str) -> dict[str, Any]:
    return {
        "status_code": status,
        "detail": detail,
        "extra": [{"key": field, "message": reason, "message_th": reason_th}],
    }


def service_error_handler(_: Request[Any, Any, Any], exc: ServiceError) -> Response[Any]:
    status = status_of(exc)
    return Response(
        error_body(status, exc.detail, exc.field, exc.reason, exc.reason_th), status_code=status
    )


def data_key_handler(_: Request[Any, Any, Any], exc: DataKeyMissing) -> Response[Any]:
    log.error("%s", exc)
    return Response(
        error_body(
            503,
            "the service has no data key configured",
            "DATA_KEYS",
            "the service cannot store face data until an administrator sets DATA_KEYS",
            "ระบบยังไม่ได้ตั้งค่ากุญแจเข้ารหัสข้อมูล โปรดติดต่อผู้ดูแลระบบ",
        ),
        status_code=503,
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # A 500 is a bug: it must leave its traceback in the log, whatever the debug setting.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(
        {"status_code": 500, "detail": "Internal Server Error"},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


def nesting_handler(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    """A JSON body nested deeper than the decoder's stack (msgspec and json both decode
    recursively) is the client's doing: 400 naming the body. Any other RecursionError is a
    bug, and a 500 like every other."""
    if "while deserializing" not in str(exc) and "while decoding" not in str(exc):
        return internal_error_handler(request, exc)
    return Response(
        error_body(
            400,
            "the request body is nested too deeply",
            "body",
            "the JSON is nested too deeply; send a flat object as documented",
            "ข้อมูล JSON ซ้อนกันลึกเกินไป โปรดส่งตามรูปแบบที่กำหนด",
        ),
        status_code=400,
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ServiceError: service_error_handler,
    DataKeyMissing: data_key_handler,
    RecursionError: nesting_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
}
"""For `Litestar(exception_handlers=...)`."""
