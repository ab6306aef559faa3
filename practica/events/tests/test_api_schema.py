"""The events API answers what its OpenAPI schema says: every events endpoint is called for real (the happy path,
as the organiser or a member) and its JSON body is checked against the response the schema declares for that
path, method and status, by schemathesis' response-conformance check."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from schemathesis.core.transport import Response as CheckedResponse
from schemathesis.openapi.checks import JsonSchemaError

from practica.accounts.models import User
from practica.communities.models import Community
from practica.events.models import Event
from practica.events.tests.conftest import soon
from practica.lib.testing.client import Api

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi() -> Any:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))


def conforms(openapi: Any, template: str, method: str, response: Any) -> None:
    """Fail unless the response's status is declared for this operation and its body matches that schema."""
    operation = openapi[template][method]
    declared = operation.definition.raw["responses"]
    assert str(response.status_code) in declared, f"{method} {template}: {response.status_code} is not declared"
    content = declared[str(response.status_code)].get("content")
    assert content, f"{method} {template} answers a JSON body but declares none for {response.status_code}"
    request = requests.Request(method, f"http://testserver{response.wsgi_request.get_full_path()}").prepare()
    checked = CheckedResponse(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=True,
    )
    operation.validate_response(checked)


def test_every_events_endpoint_answers_what_the_schema_declares(
    openapi: Any,
    api: Api,
    community: Community,
    owner: User,
    member: User,
    make_event: Callable[..., Event],
) -> None:
    start = soon(days=-1)
    held = make_event(community, start=start, end=start + dt.timedelta(hours=1), recurrence="FREQ=WEEKLY;COUNT=4")
    past = held.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    base = f"/api/v1/events/{held.pk}"
    api.as_user(owner)

    created = api.post(
        f"/api/v1/communities/{community.slug}/events/",
        {"title": "Clinic", "start": soon(days=4).isoformat(), "end": soon(days=4, hour=19).isoformat(),
         "timezone": "Europe/Paris", "capacity": 1},
        format="json",
    )
    conforms(openapi, "/api/v1/communities/{slug}/events/", "POST", created)
    conforms(openapi, "/api/v1/communities/{slug}/events/", "GET", api.get(f"/api/v1/communities/{community.slug}/events/"))
    conforms(openapi, "/api/v1/events/{event_id}/", "GET", api.get(f"{base}/"))
    conforms(openapi, "/api/v1/events/{event_id}/", "PATCH", api.patch(f"{base}/", {"location": "Room 2"}, format="json"))
    clinic = created.json()["id"]
    conforms(openapi, "/api/v1/events/{event_id}/rsvp/", "POST",
             api.post(f"/api/v1/events/{clinic}/rsvp/", {"response": "yes"}, format="json"))
    waiting = api.as_user(member).post(f"/api/v1/events/{clinic}/rsvp/", {"response": "yes"}, format="json")
    assert waiting.json()["status"] == "waiting"  # waiting_position is a number here, null above
    conforms(openapi, "/api/v1/events/{event_id}/rsvp/", "POST", waiting)
    api.as_user(owner)
    conforms(openapi, "/api/v1/events/{event_id}/occurrences/", "POST",
             api.post(f"{base}/occurrences/", {"occurrence": past, "start": soon(days=-1, hour=17).isoformat()}, format="json"))
    conforms(openapi, "/api/v1/events/{event_id}/attendance/", "POST",
             api.post(f"{base}/attendance/", {"occurrence": past, "usernames": ["member"]}, format="json"))
    conforms(openapi, "/api/v1/events/{event_id}/write-up/", "POST",
             api.post(f"{base}/write-up/", {"occurrence": past, "notes": "We *met*."}, format="json"))
    action = api.post(f"{base}/actions/", {"occurrence": past, "text": "Log twice", "owner": "member"}, format="json")
    conforms(openapi, "/api/v1/events/{event_id}/actions/", "POST", action)
    conforms(openapi, "/api/v1/events/{event_id}/capture/", "POST",
             api.post(f"{base}/capture/", {"occurrence": past}, format="json"))
    conforms(openapi, "/api/v1/events/{event_id}/cancel/", "POST", api.post(f"/api/v1/events/{clinic}/cancel/"))
    api.as_user(member)
    conforms(openapi, "/api/v1/actions/", "GET", api.get("/api/v1/actions/"))
    conforms(openapi, "/api/v1/actions/{action_id}/", "PATCH",
             api.patch(f"/api/v1/actions/{action.json()['id']}/", {"done": True}, format="json"))


def test_the_check_catches_a_body_the_schema_does_not_declare(openapi: Any, api: Api, rf: RequestFactory) -> None:
    """The check is not blind: a body missing a required field of the declared response fails it."""

    class Fake:
        status_code = 200
        headers = {"Content-Type": "application/json"}
        content = json.dumps({"attended": "member"}).encode()  # a string where the schema says a list
        wsgi_request = rf.post("/api/v1/events/1/attendance/")

    with pytest.raises(JsonSchemaError, match=r"not of type .array."):
        conforms(openapi, "/api/v1/events/{event_id}/attendance/", "POST", Fake())
