"""Documenting the error responses every API operation can give, in one place.

Litestar documents 200 and 400 per handler; the 401/403/404/409/413 answers come from the
auth middleware, the role rules and the exception handlers, so they are added here to every
operation under /api/v1 rather than repeated on each handler.
"""

from __future__ import annotations

from copy import deepcopy

from litestar.enums import MediaType
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Schema,
)

ERROR_BODY = Schema(
    type=OpenAPIType.OBJECT,
    required=["status_code", "detail"],
    properties={
        "status_code": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "extra": Schema(
            type=[OpenAPIType.NULL, OpenAPIType.OBJECT, OpenAPIType.ARRAY],
            description="For 400 and 409: a list of {key: field, message, message_th}",
        ),
    },
)

DESCRIPTIONS = {
    "400": "A value is invalid; `extra` names the field and the reason",
    "401": "Not logged in, or the session expired",
    "403": "Your role may not do this",
    "404": "No such record within your reach",
    "409": "Conflicts with stored data (duplicate, closed case, status change not allowed)",
    "413": "The request body is too large",
}


def _response(code: str) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=DESCRIPTIONS[code],
        content={MediaType.JSON: OpenAPIMediaType(schema=deepcopy(ERROR_BODY))},
    )


# Operations whose success is an image, not JSON.
IMAGE_RESPONSES = {("/api/v1/defendants/{defendant_id}/photo", "get"): ("image/jpeg", "image/png")}


def document_errors(schema: OpenAPI) -> None:
    for path, item in (schema.paths or {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            codes = ["400", "401", "403", "404"]
            if method != "get":
                codes += ["409", "413"]
            responses = operation.responses or {}
            for code in codes:
                responses.setdefault(code, _response(code))
            if (path, method) in IMAGE_RESPONSES:
                responses["200"] = OpenAPIResponse(
                    description="The image as stored",
                    content={
                        kind: OpenAPIMediaType(
                            schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                        )
                        for kind in IMAGE_RESPONSES[(path, method)]
                    },
                )
            operation.responses = responses
