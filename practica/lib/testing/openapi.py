"""The contract tests' helper: a real API response checked against what the OpenAPI schema says of it.

``assert_matches_schema(response)`` finds the operation of the response's request in the schema that
``/api/v1/schema/`` serves (drf-spectacular, generated once per test session; ``path`` and ``method`` name the
operation when given), and fails unless

- the response's status is one the operation declares;
- a declared body and an answered body go together (a 204 declares none and answers none), and a declared JSON
  body comes as ``application/json``;
- the JSON body validates against the declared schema: a field the schema does not declare, a wrong type or a
  missing required field fails with the path of the offending value.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import jsonschema
from django.urls import resolve

OPENAPI_NULLABLE = "nullable"


@functools.cache
def api_schema() -> dict[str, Any]:
    """The schema as the API serves it (JSON, so lazy strings and enums are plain values)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))  # type: ignore[no-any-return]


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's dialect as JSON Schema: ``nullable: true`` becomes a type that also takes null; objects
    declared with properties take no others (so an undeclared field fails); ``oneOf`` is read as ``anyOf``."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != OPENAPI_NULLABLE}
    if "oneOf" in converted:
        # drf-spectacular says "an email (a URL) or blank" as oneOf; jsonschema does not check formats, so "" is
        # both. Every oneOf of the schema is such a pair, where anyOf is as strict as oneOf would be with formats.
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


def component_schema(name: str) -> dict[str, Any]:
    """The component ``name`` as strict JSON Schema (to validate a body against a schema other than its own)."""
    return _document({"$ref": f"#/components/schemas/{name}"})


def _document(body_schema: dict[str, Any]) -> dict[str, Any]:
    """``body_schema`` as strict JSON Schema, with the components it refers to."""
    return {**_json_schema(body_schema), "components": _components()}


@functools.cache
def _components() -> dict[str, Any]:
    return _json_schema(api_schema()["components"])  # type: ignore[no-any-return]


def assert_matches_schema(response: Any, path: str | None = None, method: str | None = None) -> None:
    """The response is what the schema declares for its operation and status.

    ``path`` is the operation's template (``/api/v1/threads/{thread_id}/``) and ``method`` its method; both default
    to the response's request's.
    """
    request = response.wsgi_request
    path = path or _operation_path(request.path)
    method = method or request.method
    operation = api_schema()["paths"][path][method.lower()]
    status = str(response.status_code)
    declared = sorted(operation["responses"])
    assert status in declared, f"{method} {path} answered {status}, the schema lists {declared}"
    content = operation["responses"][status].get("content")
    if content is None:
        assert not response.content, f"{method} {path}: {status} declares no body but the answer has one"
        return
    assert response.status_code != 204, f"{method} {path}: a 204 declares a body"
    assert response.content, f"{method} {path}: {status} declares a body but the answer has none"
    assert "application/json" in content, f"{method} {path}: {status} declares no JSON body"
    content_type = response.headers["Content-Type"]
    assert content_type.startswith("application/json"), f"{method} {path} answered {content_type}"
    jsonschema.validate(response.json(), _document(content["application/json"]["schema"]))
