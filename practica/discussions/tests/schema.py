"""Checking a real API response against the OpenAPI schema that drf-spectacular generates (STYLE.md 13: the
schema is the truth). Strict: every field the schema names must be there with its type, and no other field."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


@functools.cache
def openapi() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's dialect as JSON Schema: ``nullable`` becomes a null alternative, and objects are closed."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items()
           if key not in ("nullable", "readOnly", "writeOnly", "example", "examples")}
    if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
        out["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def assert_matches_schema(response: Any, path: str, method: str) -> None:
    """``response`` (a test client's) is what the schema promises for ``method`` on ``path`` (a path template such
    as ``/api/v1/threads/{thread_id}/``) and the response's status."""
    document = openapi()
    operation = document["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path}: {status} is not documented"
    content = operation["responses"][status].get("content")
    if content is None:
        assert not response.content, f"{method} {path}: {status} documents no body"
        return
    schema = _json_schema(content["application/json"]["schema"])
    schema["components"] = _json_schema(document["components"])
    jsonschema.validate(response.json(), schema)
