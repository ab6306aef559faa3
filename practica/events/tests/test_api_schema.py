"""The events API answers what its OpenAPI schema says: every events endpoint is called for real (the happy path,
as the organiser or a member) and its JSON body is checked against the response the schema declares for that
path, method and status, strictly (``lib/testing/openapi.py``: a field the schema does not declare fails too)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import jsonschema
import pytest
from django.test import RequestFactory

from practica.accounts.models import User
from practica.communities.models import Community
from practica.events.models import Event
from practica.events.tests.conftest import soon
from practica.lib.testing.client import Api
from practica.lib.testing.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def test_every_events_endpoint_answers_what_the_schema_declares(
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
    assert_matches_schema(created, "/api/v1/communities/{slug}/events/", "POST")
    assert_matches_schema(
        api.get(f"/api/v1/communities/{community.slug}/events/"),
        "/api/v1/communities/{slug}/events/",
        "GET",
    )
    assert_matches_schema(api.get(f"{base}/"), "/api/v1/events/{event_id}/", "GET")
    assert_matches_schema(
        api.patch(f"{base}/", {"location": "Room 2"}, format="json"),
        "/api/v1/events/{event_id}/",
        "PATCH",
    )
    clinic = created.json()["id"]
    assert_matches_schema(
        api.post(f"/api/v1/events/{clinic}/rsvp/", {"response": "yes"}, format="json"),
        "/api/v1/events/{event_id}/rsvp/",
        "POST",
    )
    waiting = api.as_user(member).post(f"/api/v1/events/{clinic}/rsvp/", {"response": "yes"}, format="json")
    assert waiting.json()["status"] == "waiting"  # waiting_position is a number here, null above
    assert_matches_schema(waiting, "/api/v1/events/{event_id}/rsvp/", "POST")
    api.as_user(owner)
    assert_matches_schema(
        api.post(f"{base}/occurrences/", {"occurrence": past, "start": soon(days=-1, hour=17).isoformat()}, format="json"),
        "/api/v1/events/{event_id}/occurrences/",
        "POST",
    )
    assert_matches_schema(
        api.post(f"{base}/attendance/", {"occurrence": past, "usernames": ["member"]}, format="json"),
        "/api/v1/events/{event_id}/attendance/",
        "POST",
    )
    assert_matches_schema(
        api.post(f"{base}/write-up/", {"occurrence": past, "notes": "We *met*."}, format="json"),
        "/api/v1/events/{event_id}/write-up/",
        "POST",
    )
    action = api.post(f"{base}/actions/", {"occurrence": past, "text": "Log twice", "owner": "member"}, format="json")
    assert_matches_schema(action, "/api/v1/events/{event_id}/actions/", "POST")
    assert_matches_schema(
        api.post(f"{base}/capture/", {"occurrence": past}, format="json"),
        "/api/v1/events/{event_id}/capture/",
        "POST",
    )
    assert_matches_schema(
        api.post(f"/api/v1/events/{clinic}/cancel/"),
        "/api/v1/events/{event_id}/cancel/",
        "POST",
    )
    api.as_user(member)
    assert_matches_schema(api.get("/api/v1/actions/"), "/api/v1/actions/", "GET")
    assert_matches_schema(
        api.patch(f"/api/v1/actions/{action.json()['id']}/", {"done": True}, format="json"),
        "/api/v1/actions/{action_id}/",
        "PATCH",
    )


def test_the_check_catches_a_body_the_schema_does_not_declare(api: Api, rf: RequestFactory) -> None:
    """The check is not blind: a body missing a required field of the declared response fails it."""

    class Fake:
        status_code = 200
        headers = {"Content-Type": "application/json"}
        content = json.dumps({"attended": "member"}).encode()  # a string where the schema says a list
        wsgi_request = rf.post("/api/v1/events/1/attendance/")

        def json(self) -> object:
            return json.loads(self.content)

    with pytest.raises(jsonschema.ValidationError, match=r"not of type .array."):
        assert_matches_schema(Fake(), "/api/v1/events/{event_id}/attendance/", "POST")
