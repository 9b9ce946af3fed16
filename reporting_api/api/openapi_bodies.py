"""Making the OpenAPI description say what the server really takes, in one place.

- A request body whose Struct refuses unknown fields (`forbid_unknown_fields=True`) is
  described with `additionalProperties: false`, so a generated client does not send extras.
- The check-in link's upload (`/c/<code>/attempts`) reads its multipart form itself; its
  fields are described here.
- The check-in link's refusals (its own statuses: 401 not identified, 404, 410 gone, 423
  locked, 429 too many tries, ...) are documented on each of its operations.
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from litestar import Litestar
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    RequestBody,
    Schema,
)
from litestar.routes import HTTPRoute

from reporting_api.api.openapi_errors import ERROR_BODY

_TYPED_PARAMETER = re.compile(r"\{(\w+):\w+\}")

UPLOAD_FORM = Schema(
    type=OpenAPIType.OBJECT,
    required=["challenge_id"],
    properties={
        "challenge_id": Schema(
            type=OpenAPIType.STRING, description="from POST /c/<code>/challenge"
        ),
        "clip": Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.BINARY,
            description="a WebM or MP4 recording (or frames instead)",
        ),
        "frames": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
            max_items=450,
            description="JPEG or PNG frames named frame-<milliseconds>.jpg (or a clip instead)",
        ),
        "client": Schema(
            type=OpenAPIType.STRING,
            max_length=4096,
            description="JSON: user_agent, screen [w, h], location {lat, lon, accuracy_m}",
        ),
    },
)

LINK_REFUSALS = {
    "400": "A value is invalid; `extra` names the field and the reason",
    "401": "Not identified on this link, or the session expired",
    "404": "No such link (or not valid now)",
    "409": "Conflicts with what the link holds (a challenge already used)",
    "410": "The link's window has closed, or the challenge expired",
    "413": "The upload is too large",
    "423": "The link is locked after too many wrong answers",
    "429": "Too many tries from this address; wait and try again",
}


def _refuses_unknown_fields(kind: Any) -> bool:
    config = getattr(kind, "__struct_config__", None)
    return bool(config and config.forbid_unknown_fields)


def describe_bodies(app: Litestar, schema: OpenAPI) -> None:
    paths = schema.paths or {}
    components = schema.components.schemas if schema.components else {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        item = paths.get(_TYPED_PARAMETER.sub(r"{\1}", route.path))
        if item is None:
            continue
        for handler in route.route_handlers:
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is None or not _refuses_unknown_fields(data.annotation):
                continue
            for method in handler.http_methods:
                operation = getattr(item, method.lower(), None)
                body = operation.request_body if operation else None
                if not isinstance(body, RequestBody):
                    continue
                for media in body.content.values():
                    target = media.schema
                    if isinstance(target, Reference):
                        target = components[target.ref.rsplit("/", 1)[1]]
                    if isinstance(target, Schema):
                        target.additional_properties = False
    _describe_link(paths)


def _describe_link(paths: dict[str, Any]) -> None:
    upload = paths.get("/c/{code}/attempts")
    if upload is not None and upload.post is not None:
        upload.post.request_body = RequestBody(
            content={"multipart/form-data": OpenAPIMediaType(schema=deepcopy(UPLOAD_FORM))},
            required=True,
        )
    challenge = paths.get("/c/{code}/challenge")
    if challenge is not None and challenge.post is not None:
        challenge.post.request_body = RequestBody(
            content={
                "application/json": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        properties={
                            "frame": Schema(
                                type=OpenAPIType.STRING,
                                description=(
                                    "the camera's picture as the person pressed start: a JPEG "
                                    "or PNG (at most 512 KB, 1920 px a side) in base64, or a "
                                    "data: URL"
                                ),
                            )
                        },
                        additional_properties=False,
                    )
                )
            },
            required=False,
            description="Optional; an empty body asks for a challenge without the check",
        )
        responses = challenge.post.responses or {}
        responses["422"] = OpenAPIResponse(
            description=(
                "The face in the picture wears a mask or dark glasses: the message says to "
                "take it off before recording"
            ),
            content={"application/json": OpenAPIMediaType(schema=deepcopy(ERROR_BODY))},
        )
        challenge.post.responses = responses
    chunk = paths.get("/c/{code}/uploads/{upload_id}")
    if chunk is not None and chunk.patch is not None:
        chunk.patch.request_body = RequestBody(
            content={
                "application/octet-stream": OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                )
            },
            required=True,
            description="One chunk of the file (at most 1 MB), starting at Upload-Offset",
        )
    for path, item in paths.items():
        if not path.startswith("/c/"):
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            responses = operation.responses or {}
            for code, description in LINK_REFUSALS.items():
                # The page answers a refusal with the same page (a malformed request may get
                # Litestar's JSON 400); the page's calls answer JSON.
                content = {"application/json": OpenAPIMediaType(schema=deepcopy(ERROR_BODY))}
                if path == "/c/{code}":
                    content = {
                        "text/html": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
                    }
                    if code == "400":
                        content["application/json"] = OpenAPIMediaType(schema=deepcopy(ERROR_BODY))
                response = responses.setdefault(
                    code, OpenAPIResponse(description=description, content=content)
                )
                if isinstance(response, OpenAPIResponse) and response.content is not None:
                    response.content = {**content, **response.content}
            operation.responses = responses
