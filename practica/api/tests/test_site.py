"""Health check, OpenAPI schema and API docs."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from practica.lib.testing.client import Api

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(api: Api) -> None:
    response = api.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_schema_describes_the_communities_endpoints(api: Api) -> None:
    response = api.get("/api/v1/schema/")

    assert response.status_code == 200
    schema = response.content.decode()
    assert "openapi: 3" in schema
    assert "/api/v1/communities/" in schema
    assert "/api/v1/communities/{slug}/members/" in schema


def test_docs_load_nothing_from_third_party_hosts(api: Api) -> None:
    response = api.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    for host in ("cdn.", "jsdelivr", "unpkg", "googleapis"):
        assert host not in html, host


def test_the_schema_generates_without_warnings_and_describes_search_pages() -> None:
    """drf-spectacular's own validation, failing on any warning (an ambiguous enum name, an untyped field...)."""
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    search = schema["paths"]["/api/v1/search/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert search == {"$ref": "#/components/schemas/SearchPage"}
    assert set(schema["components"]["schemas"]["SearchPage"]["properties"]) == {
        "count", "count_capped", "broadened", "suggestion", "next", "previous", "results"
    }
    assert {"ThreadKindEnum", "EventKindEnum", "KnowledgeKindEnum"} <= set(schema["components"]["schemas"])
