"""Asking experts through the API: ``/api/v1/threads/{id}/suggested-experts/`` and ``.../expert-requests/``, what
the thread page's routing panel and its "Ask" buttons do."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services
from practica.discussions.models import Thread
from practica.lib.testing.client import Api
from practica.lib.testing.content import answer, ask, person
from practica.lib.testing.openapi import assert_matches_schema
from practica.search import indexing
from practica.search.models import ExpertRequest

pytestmark = pytest.mark.django_db

SIMILAR = (
    ("Cement bond log amplitude too high", "The cement bond log amplitude reads high behind the casing."),
    ("Reading a cement bond log with a microannulus", "A microannulus shows on the cement bond log."),
)


@dataclass
class Routing:
    community: Community
    question: Thread  # asked by the member, unanswered
    erin: User  # accepted answers on similar questions: the first suggestion
    other: User  # a member with nothing to do with it


@pytest.fixture
def routing(community: Community, owner: User, member: User) -> Routing:
    erin = person("erin", community)
    other = person("other", community)
    for title, body in SIMILAR:
        thread = ask(community, owner, title, body=body)
        services.answer_accept(post=answer(thread, erin, "Check the free-pipe reading."), actor=owner)
    question = ask(community, member, "How do I interpret a cement bond log?", body="What do I look at?")
    indexing.rebuild()
    return Routing(community, question, erin, other)


def _suggested(thread: Thread) -> str:
    return f"/api/v1/threads/{thread.pk}/suggested-experts/"


def _requests(thread: Thread) -> str:
    return f"/api/v1/threads/{thread.pk}/expert-requests/"


# --- Suggested experts ----------------------------------------------------------------------------


def test_the_asker_and_the_coordinator_see_the_suggested_experts_with_reasons(
    routing: Routing, api: Api, member: User, owner: User
) -> None:
    for user in (member, owner):
        response = api.as_user(user).get(_suggested(routing.question))
        assert response.status_code == 200
        rows = response.json()
        assert rows[0]["username"] == "erin" and rows[0]["reasons"] and rows[0]["asked"] is False
        assert member.username not in {row["username"] for row in rows}  # never the asker


def test_suggested_experts_say_who_was_asked_already(routing: Routing, api: Api, member: User) -> None:
    api.as_user(member).post(_requests(routing.question), {"expert": routing.erin.pk})

    rows = api.get(_suggested(routing.question)).json()

    assert {row["username"]: row["asked"] for row in rows}["erin"] is True


def test_another_member_gets_403_on_suggested_experts(routing: Routing, api: Api) -> None:
    response = api.as_user(routing.other).get(_suggested(routing.question))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the person who asked or a coordinator can ask experts."}


def test_outsider_gets_404_on_a_private_question(
    private_community: Community, api: Api, member: User, outsider: User
) -> None:
    question = ask(private_community, member, "Confidential cement bond log")

    assert api.as_user(outsider).get(_suggested(question)).status_code == 404
    assert api.as_user(outsider).get(_requests(question)).status_code == 404
    assert api.as_user(outsider).post(_requests(question), {"expert": member.pk}).status_code == 404
    assert not ExpertRequest.objects.exists()


def test_anonymous_gets_401_on_suggested_experts(routing: Routing, api: Api) -> None:
    assert api.as_user(None).get(_suggested(routing.question)).status_code == 401


@pytest.mark.parametrize("limit", ["0", "many"])
def test_a_bad_limit_on_suggested_experts_gives_400_or_is_clamped(
    routing: Routing, api: Api, member: User, limit: str
) -> None:
    response = api.as_user(member).get(_suggested(routing.question), {"limit": limit})

    assert response.status_code == (400 if limit == "many" else 200)


# --- Expert requests ------------------------------------------------------------------------------


def test_the_asker_asks_an_expert_once(routing: Routing, api: Api, member: User) -> None:
    api.as_user(member)

    first = api.post(_requests(routing.question), {"expert": routing.erin.pk})
    again = api.post(_requests(routing.question), {"expert": routing.erin.pk})

    assert first.status_code == 201 and again.status_code == 200
    body = first.json()
    assert body["expert"] == {"id": routing.erin.pk, "username": "erin", "display_name": routing.erin.display_name}
    assert body["requested_by"] == member.username and body["thread"] == routing.question.pk and body["reasons"]
    assert again.json()["id"] == body["id"]
    assert ExpertRequest.objects.filter(thread=routing.question, expert=routing.erin).count() == 1


def test_the_coordinator_asks_and_lists_who_was_asked(routing: Routing, api: Api, owner: User) -> None:
    api.as_user(owner).post(_requests(routing.question), {"expert": routing.erin.pk})

    response = api.get(_requests(routing.question))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["expert"]["username"] == "erin"
    assert body["results"][0]["requested_by"] == owner.username


def test_another_member_may_not_ask_nor_list_experts(routing: Routing, api: Api) -> None:
    api.as_user(routing.other)

    refused = api.post(_requests(routing.question), {"expert": routing.erin.pk})

    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only the person who asked or a coordinator can ask experts."}
    assert api.get(_requests(routing.question)).status_code == 403
    assert not ExpertRequest.objects.exists()


def test_anonymous_gets_401_when_asking(routing: Routing, api: Api) -> None:
    assert api.as_user(None).post(_requests(routing.question), {"expert": routing.erin.pk}).status_code == 401
    assert not ExpertRequest.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"expert": "erin"}, {"expert": 0}, {"expert": 10**30}, {"expert": None}, {"expert": [1]}, {"expert": 999_999}],
)
def test_bad_input_when_asking_gives_400_and_writes_nothing(
    routing: Routing, api: Api, member: User, body: dict[str, object]
) -> None:
    response = api.as_user(member).post(_requests(routing.question), body, format="json")

    assert response.status_code == 400
    assert "expert" in response.json()
    assert not ExpertRequest.objects.exists()


def test_asking_the_asker_or_someone_who_cannot_read_the_community_gives_400(
    private_community: Community, api: Api, member: User, outsider: User
) -> None:
    question = ask(private_community, member, "Confidential cement bond log")
    api.as_user(member)

    for expert in (member, outsider):
        response = api.post(_requests(question), {"expert": expert.pk})
        assert response.status_code == 400 and "expert" in response.json()
    assert not ExpertRequest.objects.exists()


def test_listing_expert_requests_costs_the_same_for_5_and_50(routing: Routing, api: Api, owner: User) -> None:
    api.as_user(owner)

    def queries_for(rows: int) -> int:
        ExpertRequest.objects.all().delete()
        ExpertRequest.objects.bulk_create(
            [ExpertRequest(thread=routing.question, expert=person(f"expert{rows}-{i}", routing.community),
                           requested_by=owner, reasons=["Answers on similar questions"]) for i in range(rows)]
        )
        # A first read of the day also records the reader's activity (insights): read once, then count.
        api.get(_requests(routing.question), {"page_size": 100})
        with CaptureQueriesContext(connection) as queries:
            response = api.get(_requests(routing.question), {"page_size": 100})
        assert response.status_code == 200 and response.json()["count"] == rows
        assert len(response.json()["results"]) == rows
        return len(queries)

    assert queries_for(5) == queries_for(50)


def test_the_routing_endpoints_answer_as_the_schema_says(routing: Routing, api: Api, member: User) -> None:
    api.as_user(member)
    suggested = "/api/v1/threads/{thread_id}/suggested-experts/"
    requests = "/api/v1/threads/{thread_id}/expert-requests/"

    assert_matches_schema(api.get(_suggested(routing.question)), suggested, "GET")
    assert_matches_schema(api.post(_requests(routing.question), {"expert": routing.erin.pk}), requests, "POST")
    assert_matches_schema(api.post(_requests(routing.question), {"expert": routing.erin.pk}), requests, "POST")
    assert_matches_schema(api.get(_requests(routing.question)), requests, "GET")
