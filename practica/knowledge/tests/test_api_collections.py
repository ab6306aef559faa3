"""Collections through the API, as the collection pages offer them: every reader lists and reads them,
coordinators and core members create, arrange and delete them; from the owner's, a member's and an outsider's
side, with bad input answered 400 and nothing written, and the lists' query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community
from practica.knowledge import services
from practica.knowledge.models import Collection, CollectionEntry, KnowledgeItem
from practica.lib.testing.client import Api
from practica.lib.testing.content import draft, person, published

pytestmark = pytest.mark.django_db


def _collection(community: Community, owner: User, *items: KnowledgeItem, title: str = "Start here") -> Collection:
    collection = services.collection_create(community=community, actor=owner, title=title, description="Basics")
    for item in items:
        services.collection_add(collection=collection, actor=owner, item=item)
    return collection


def _order(collection: Collection) -> list[int]:
    return list(CollectionEntry.objects.filter(collection=collection).order_by("position").values_list("item_id", flat=True))


def test_a_coordinator_creates_a_collection_and_gets_it_back_with_its_items(
    api: Api, community: Community, owner: User
) -> None:
    response = api.as_user(owner).post(
        "/api/v1/communities/public-wells/knowledge/collections/",
        {"title": "  Start   here ", "description": "For newcomers"}, format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["title"], data["description"], data["community"], data["items"]) == (
        "Start here", "For newcomers", "public-wells", []
    )
    assert data["url"].endswith(f"/communities/public-wells/knowledge/collections/{data['id']}/")
    assert Collection.objects.get().created_by == owner


def test_a_member_and_an_outsider_may_not_create_a_collection_and_anonymous_must_sign_in(
    api: Api, community: Community, member: User, outsider: User
) -> None:
    url = "/api/v1/communities/public-wells/knowledge/collections/"
    for who in (member, outsider):
        response = api.as_user(who).post(url, {"title": "Mine"}, format="json")
        assert response.status_code == 403, who
        assert response.json()["detail"] == "Only coordinators and core members may assemble collections."
    assert api.as_user(None).post(url, {"title": "Mine"}, format="json").status_code == 401
    assert not Collection.objects.exists()


def test_readers_list_and_read_collections_and_see_only_the_items_they_may_read(
    api: Api, community: Community, member: User, owner: User, outsider: User
) -> None:
    shown = published(community, member, owner, title="Shown")
    retired = published(community, member, owner, title="Retired")
    collection = _collection(community, owner, shown, retired)
    services.item_archive(item=retired, actor=owner)
    back_to_draft = published(community, member, owner, title="Unpublished later")
    services.collection_add(collection=collection, actor=owner, item=back_to_draft)
    KnowledgeItem.objects.filter(pk=back_to_draft.pk).update(status="draft")  # as if archived before publishing
    for who in (None, outsider, member):
        listed = api.as_user(who).get("/api/v1/communities/public-wells/knowledge/collections/").json()
        assert [c["title"] for c in listed["results"]] == ["Start here"]
        detail = api.as_user(who).get(f"/api/v1/knowledge/collections/{collection.id}/").json()
        assert [i["title"] for i in detail["items"]] == ["Shown", "Retired"], who
    everything = api.as_user(owner).get(f"/api/v1/knowledge/collections/{collection.id}/").json()
    assert [i["title"] for i in everything["items"]] == ["Shown", "Retired", "Unpublished later"]


def test_a_private_community_s_collections_are_404_to_outsiders_and_anonymous(
    api: Api, private_community: Community, member: User, owner: User, outsider: User
) -> None:
    item = published(private_community, member, owner)
    collection = _collection(private_community, owner, item)
    for who in (outsider, None):
        client = api.as_user(who)
        assert client.get("/api/v1/communities/private-wells/knowledge/collections/").status_code == 404
        assert client.get(f"/api/v1/knowledge/collections/{collection.id}/").status_code == 404
        assert client.get(f"/api/v1/knowledge/collections/{collection.id}/items/{item.id}/").status_code == 404
    outsider_client = api.as_user(outsider)
    assert outsider_client.post(
        "/api/v1/communities/private-wells/knowledge/collections/", {"title": "x"}, format="json"
    ).status_code == 404
    assert outsider_client.delete(f"/api/v1/knowledge/collections/{collection.id}/").status_code == 404
    assert outsider_client.post(
        f"/api/v1/knowledge/collections/{collection.id}/items/", {"item": item.id}, format="json"
    ).status_code == 404
    assert outsider_client.delete(f"/api/v1/knowledge/collections/{collection.id}/items/{item.id}/").status_code == 404
    assert Collection.objects.count() == 1 and _order(collection) == [item.id]
    assert api.as_user(member).get(f"/api/v1/knowledge/collections/{collection.id}/").status_code == 200


def test_a_coordinator_adds_moves_and_removes_items(api: Api, community: Community, member: User, owner: User) -> None:
    first, second, third = (published(community, member, owner, title=t) for t in ("First", "Second", "Third"))
    collection = _collection(community, owner, first, second)
    client = api.as_user(owner)
    base = f"/api/v1/knowledge/collections/{collection.id}/items/"
    added = client.post(base, {"item": third.id}, format="json")
    assert added.status_code == 201 and [i["id"] for i in added.json()["items"]] == [first.id, second.id, third.id]
    moved = client.post(f"{base}{third.id}/move/", {"direction": "up"}, format="json")
    assert moved.status_code == 200 and [i["id"] for i in moved.json()["items"]] == [first.id, third.id, second.id]
    entry = client.get(f"{base}{third.id}/").json()
    assert (entry["position"], entry["item"]["title"]) == (2, "Third")
    assert client.delete(f"{base}{first.id}/").status_code == 204
    assert _order(collection) == [third.id, second.id]
    assert client.get(f"{base}{first.id}/").status_code == 404


def test_a_member_may_read_an_entry_but_not_change_the_collection(
    api: Api, community: Community, member: User, owner: User
) -> None:
    first, second = (published(community, member, owner, title=t) for t in ("First", "Second"))
    collection = _collection(community, owner, first)
    client = api.as_user(member)
    base = f"/api/v1/knowledge/collections/{collection.id}/items/"
    assert client.get(f"{base}{first.id}/").json()["position"] == 1
    refused = [
        client.post(base, {"item": second.id}, format="json"),
        client.post(f"{base}{first.id}/move/", {"direction": "down"}, format="json"),
        client.delete(f"{base}{first.id}/"),
        client.delete(f"/api/v1/knowledge/collections/{collection.id}/"),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert Collection.objects.count() == 1 and _order(collection) == [first.id]


def test_a_coordinator_deletes_a_collection_and_its_items_stay(
    api: Api, community: Community, member: User, owner: User
) -> None:
    item = published(community, member, owner)
    collection = _collection(community, owner, item)
    assert api.as_user(owner).delete(f"/api/v1/knowledge/collections/{collection.id}/").status_code == 204
    assert not Collection.objects.exists() and KnowledgeItem.objects.filter(pk=item.pk).exists()
    assert api.as_user(owner).get(f"/api/v1/knowledge/collections/{collection.id}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "   "}, "title", "Give the item a title."),
        ({"title": "x" * 201}, "title", "A title may have at most 200 characters (it has 201)."),
        ({"title": "Fine", "description": "d" * 2001}, "description", "At most 2,000 characters."),
        ({}, "title", "This field is required."),
        ({"title": ["not", "text"]}, "title", "Not a valid string."),
    ],
)
def test_bad_collection_input_is_400_naming_the_field_and_writes_nothing(
    api: Api, community: Community, owner: User, body: dict[str, Any], field: str, message: str
) -> None:
    response = api.as_user(owner).post("/api/v1/communities/public-wells/knowledge/collections/", body, format="json")
    assert response.status_code == 400 and response.json() == {field: [message]}
    assert not Collection.objects.exists()


def test_adding_what_cannot_be_added_or_moving_what_is_not_there_is_400_and_changes_nothing(
    api: Api, community: Community, private_community: Community, member: User, owner: User
) -> None:
    item = published(community, member, owner)
    unpublished = draft(community, member)
    elsewhere = published(private_community, member, owner)
    collection = _collection(community, owner, item)
    client = api.as_user(owner)
    base = f"/api/v1/knowledge/collections/{collection.id}/items/"
    for body in ({"item": unpublished.id}, {"item": elsewhere.id}, {"item": 2**62}):
        response = client.post(base, body, format="json")
        assert response.status_code == 400 and response.json() == {"item": ["Choose a published item of this community."]}
    again = client.post(base, {"item": item.id}, format="json")
    assert again.status_code == 400 and again.json() == {"item": ["This item is already in the collection."]}
    for body in ({"item": "seven"}, {"item": 2**64}, {}):
        assert client.post(base, body, format="json").status_code == 400, body
    assert client.post(f"{base}{unpublished.id}/move/", {"direction": "up"}, format="json").json() == {
        "item": ["This item is not in the collection."]
    }
    assert client.post(f"{base}{item.id}/move/", {"direction": "sideways"}, format="json").status_code == 400
    assert _order(collection) == [item.id]


def test_the_collection_list_and_detail_cost_the_same_with_5_and_50(
    api: Api, community: Community, member: User, owner: User
) -> None:
    client = api.as_user(member)
    holder = services.collection_create(community=community, actor=owner, title="Everything")
    author = person("writer", community)

    def grow(count: int) -> None:
        for _ in range(count):
            services.collection_create(community=community, actor=owner, title="More")
            services.collection_add(collection=holder, actor=owner, item=published(community, author, owner))

    list_url = "/api/v1/communities/public-wells/knowledge/collections/?page_size=100"
    detail_url = f"/api/v1/knowledge/collections/{holder.id}/"
    grow(5)
    client.get(list_url)
    with CaptureQueriesContext(connection) as few_list:
        client.get(list_url)
    with CaptureQueriesContext(connection) as few_detail:
        client.get(detail_url)
    grow(45)
    with CaptureQueriesContext(connection) as many_list:
        listed = client.get(list_url).json()
    with CaptureQueriesContext(connection) as many_detail:
        detail = client.get(detail_url).json()
    assert listed["count"] == 51 and len(detail["items"]) == 50
    assert len(few_list) == len(many_list), "\n".join(q["sql"] for q in many_list.captured_queries)
    assert len(few_detail) == len(many_detail), "\n".join(q["sql"] for q in many_detail.captured_queries)
