"""The contract test's helper: a real API response checked against what the OpenAPI schema says of it.

``assert_matches_schema(response)`` finds the operation of the response's request in the schema that
``/api/v1/schema/`` serves (drf-spectacular, generated once per test session), takes the declared body for its
status, and validates the JSON body with jsonschema; a field the schema does not declare, a wrong type or a
missing required field fails the test with the path of the offending value.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
from django.urls import resolve

OPENAPI_NULLABLE = "nullable"


@functools.cache
def api_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's dialect as JSON Schema: ``nullable: true`` becomes a type that also takes null; objects
    declared with properties take no others (so an undeclared field fails); ``oneOf`` is read as ``anyOf``."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != OPENAPI_NULLABLE}
    if "oneOf" in converted:
        # drf-spectacular says "an email or blank" as oneOf; jsonschema does not check formats, so "" is both.
        converted["anyOf"] = converted.pop("oneOf")
    if node.get(OPENAPI_NULLABLE):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if "$ref" in converted or "allOf" in converted or "anyOf" in converted:
            converted = {"anyOf": [converted, {"type": "null"}]}
    if converted.get("type") == "object" and "properties" in converted and "additionalProperties" not in converted:
        converted["additionalProperties"] = False
    return converted


def _operation_path(path: str) -> str:
    """The schema's path template for a request path (``/api/v1/communities/wells/`` -> ``.../{slug}/``)."""
    match = resolve(path)
    template = "/" + match.route
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", template)


def response_schema(*, path: str, method: str, status: int) -> dict[str, Any]:
    schema = api_schema()
    operation = schema["paths"][_operation_path(path)][method.lower()]
    declared = operation["responses"][str(status)]
    return declared["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def assert_matches_schema(response: Any) -> None:
    """The response's JSON body is what the schema declares for its path, method and status."""
    request = response.wsgi_request
    body_schema = response_schema(path=request.path, method=request.method, status=response.status_code)
    document = {**_json_schema(body_schema), "components": _json_schema(api_schema()["components"])}
    jsonschema.validate(response.json(), document)
