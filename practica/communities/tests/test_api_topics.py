"""Topics in the API, as the directory offers them: those of the communities the caller may know of."""

from __future__ import annotations

from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.models import Community, Visibility
from practica.lib.testing.client import Api
from practica.lib.testing.factories import CommunityFactory
from practica.lib.testing.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

TOPICS = "/api/v1/topics/"


@pytest.fixture
def secret(owner: User, private_community: Community) -> Community:
    private_community.topics.set([])
    CommunityFactory(creator=owner, slug="secret-lab", visibility=Visibility.PRIVATE, topics=["Project Hush"])
    return private_community


def _slugs(response: Any) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


def test_topics_list_counts_the_communities_using_each(api: Api, owner: User, public_community: Community) -> None:
    CommunityFactory(creator=owner, slug="cement", topics=["Cementing"])
    CommunityFactory(creator=owner, slug="wells-two", topics=[t.name for t in public_community.topics.all()])
    shared = public_community.topics.first()

    response = api.get(TOPICS)

    assert response.status_code == 200
    counts = {row["slug"]: row["community_count"] for row in response.json()["results"]}
    assert counts["cementing"] == 1 and counts[shared.slug] == 2
    assert_matches_schema(response)


def test_an_outsider_does_not_see_a_topic_only_a_private_community_uses(
    api: Api, outsider: User, secret: Community
) -> None:
    assert "project-hush" not in _slugs(api.as_user(outsider).get(TOPICS))
    assert api.get(f"{TOPICS}project-hush/").status_code == 404


def test_the_coordinator_of_a_private_community_sees_its_topic(api: Api, owner: User, secret: Community) -> None:
    api.as_user(owner)

    assert "project-hush" in _slugs(api.get(TOPICS))
    detail = api.get(f"{TOPICS}project-hush/")
    assert detail.status_code == 200
    assert [c["slug"] for c in detail.json()["communities"]] == ["secret-lab"]
    assert_matches_schema(detail)


def test_a_topic_lists_the_communities_using_it_that_the_caller_may_know_of(
    api: Api, owner: User, outsider: User, public_community: Community, private_community: Community
) -> None:
    shared = public_community.topics.first()
    private_community.topics.add(shared)

    seen_by_outsider = api.as_user(outsider).get(f"{TOPICS}{shared.slug}/").json()["communities"]
    seen_by_owner = api.as_user(owner).get(f"{TOPICS}{shared.slug}/").json()["communities"]

    assert [c["slug"] for c in seen_by_outsider] == ["public-wells"]
    assert {c["slug"] for c in seen_by_owner} == {"public-wells", "private-wells"}


def test_topics_filter_by_name(api: Api, owner: User) -> None:
    CommunityFactory(creator=owner, slug="cement", topics=["Cementing", "Well control"])

    assert _slugs(api.get(TOPICS, {"q": "cement"})) == ["cementing"]


def test_an_unknown_topic_is_404(api: Api) -> None:
    response = api.get(f"{TOPICS}no-such-topic/")

    assert response.status_code == 404 and response.json()["detail"] == "No such topic."


def test_a_nul_in_the_filter_gives_400_not_500(api: Api) -> None:
    assert api.get(TOPICS, {"q": "a\x00b"}).status_code == 400


@pytest.mark.parametrize("count", [5, 50])
def test_topics_list_costs_the_same_queries_for_5_and_50_topics(
    api: Api, owner: User, member: User, count: int, django_assert_num_queries: Any
) -> None:
    CommunityFactory(creator=owner, slug="many", topics=[f"Topic {n}" for n in range(count)])
    api.as_user(member)
    # The count, the page of topics with their counts.
    with django_assert_num_queries(2):
        response = api.get(TOPICS, {"page_size": 100})
    assert response.json()["count"] == count
