"""LINE's own OpenAPI descriptions (`../shared/line/`, kept with the tests under
`tests/line/data/`) as JSON Schema, to check what the tests send as LINE and what the fake
LINE server answers against what LINE publishes, not only against our client.

OpenAPI's `discriminator` (an event's `type` picks FollowEvent, PostbackEvent, ...) is not
JSON Schema: each schema with one becomes "its own fields, and then the mapped schema's",
the mapped schemas pointing back at the base's own fields so nothing loops."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

DATA = Path(__file__).parent / "data"
PREFIX = "#/components/schemas/"


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: `nullable` becomes a null type; the rest is the same."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def _resolve_discriminators(schemas: dict[str, Any]) -> dict[str, Any]:
    schemas = copy.deepcopy(schemas)
    bases = {name: s for name, s in schemas.items() if "discriminator" in s}
    for name, schema in bases.items():
        own = {key: value for key, value in schema.items() if key != "discriminator"}
        schemas[f"{name}Own"] = own
        field = schema["discriminator"]["propertyName"]
        mapping = schema["discriminator"].get("mapping", {})
        schemas[name] = {
            "allOf": [
                {"$ref": f"{PREFIX}{name}Own"},
                *(
                    {
                        "if": {"properties": {field: {"const": value}}, "required": [field]},
                        "then": {"$ref": target},
                    }
                    for value, target in mapping.items()
                ),
            ]
        }
        for target in mapping.values():
            mapped = schemas[target.removeprefix(PREFIX)]
            for part in mapped.get("allOf", []):
                if part.get("$ref") == f"{PREFIX}{name}":
                    part["$ref"] = f"{PREFIX}{name}Own"
    return schemas


@cache
def _components(file: str) -> dict[str, Any]:
    spec = yaml.safe_load((DATA / file).read_text())
    return _resolve_discriminators(_json_schema(spec["components"]["schemas"]))


def validator(file: str, schema: str) -> jsonschema.Draft202012Validator:
    """A validator of the named component schema of ``file`` (`webhook.yml`, ...)."""
    document = {"components": {"schemas": _components(file)}, "$ref": f"{PREFIX}{schema}"}
    return jsonschema.Draft202012Validator(document)


def webhook_problems(body: dict[str, Any]) -> list[str]:
    """Why ``body`` is not a webhook request LINE could send (empty when it could)."""
    return [
        error.message for error in validator("webhook.yml", "CallbackRequest").iter_errors(body)
    ]
