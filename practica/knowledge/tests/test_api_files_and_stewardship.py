"""What the item page and the stewardship page offer, through the API too: removing an attached file, and the
stewardship queue with the review period; from the owner's, a member's and an outsider's side."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.knowledge import services
from practica.knowledge.models import Attachment, KnowledgeItem, KnowledgeSettings
from practica.lib.testing.client import Api
from practica.lib.testing.content import draft, person, published

pytestmark = pytest.mark.django_db


def _attached(item: KnowledgeItem, actor: User) -> Attachment:
    return services.attachment_add(item=item, actor=actor, stream=io.BytesIO(b"Checklist\n"), name="checklist.txt")


def test_readers_see_a_file_and_its_author_removes_it(api: Api, community: Community, member: User, owner: User) -> None:
    attachment = _attached(published(community, member, owner), member)
    url = f"/api/v1/knowledge/attachments/{attachment.id}/"
    shown = api.as_user(None).get(url).json()
    assert (shown["name"], shown["content_type"], shown["size"]) == ("checklist.txt", "text/plain", 10)
    assert shown["url"].endswith(f"/knowledge/files/{attachment.id}/checklist.txt")
    assert api.as_user(member).delete(url).status_code == 204
    assert not Attachment.objects.exists()
    assert api.as_user(member).get(url).status_code == 404


def test_a_member_who_did_not_write_the_item_and_an_outsider_may_not_remove_a_file(
    api: Api, community: Community, member: User, owner: User, outsider: User
) -> None:
    attachment = _attached(published(community, member, owner), member)
    other = person("other", community)
    for who, code in ((other, 403), (outsider, 403), (None, 401)):
        response = api.as_user(who).delete(f"/api/v1/knowledge/attachments/{attachment.id}/")
        assert response.status_code == code, who
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert api.as_user(other).delete(f"/api/v1/knowledge/attachments/{attachment.id}/").json() == {
        "detail": "Only its authors, coordinators and core members may remove files."
    }


def test_a_file_of_a_private_item_or_a_draft_is_404_to_those_who_may_not_see_it(
    api: Api, community: Community, private_community: Community, member: User, owner: User, outsider: User
) -> None:
    secret = _attached(published(private_community, member, owner), member)
    unpublished = _attached(draft(community, member), member)
    for attachment, who in ((secret, outsider), (secret, None), (unpublished, outsider)):
        client = api.as_user(who)
        assert client.get(f"/api/v1/knowledge/attachments/{attachment.id}/").status_code == 404
        if who is not None:
            assert client.delete(f"/api/v1/knowledge/attachments/{attachment.id}/").status_code == 404
    assert Attachment.objects.count() == 2
    assert api.as_user(None).get("/api/v1/knowledge/attachments/999999/").status_code == 404


def test_reviewers_read_the_stewardship_queue_and_a_coordinator_sets_the_review_period(
    api: Api, community: Community, member: User, owner: User
) -> None:
    waiting = draft(community, member, title="Waiting")
    services.item_submit(item=waiting, actor=member)
    overdue = published(community, member, owner, title="Overdue")
    KnowledgeItem.objects.filter(pk=overdue.pk).update(review_due=timezone.localdate() - dt.timedelta(days=1))
    published(community, member, owner, title="Fresh")
    core = person("core", community, role=Role.CORE)
    url = "/api/v1/communities/public-wells/knowledge/stewardship/"
    queue = api.as_user(core).get(url).json()
    assert (queue["review_months"], [i["title"] for i in queue["in_review"]], [i["title"] for i in queue["due"]]) == (
        12, ["Waiting"], ["Overdue"]
    )
    assert api.as_user(core).patch(url, {"review_months": 6}, format="json").status_code == 403
    changed = api.as_user(owner).patch(url, {"review_months": 6}, format="json")
    assert changed.status_code == 200 and changed.json()["review_months"] == 6
    assert KnowledgeSettings.objects.get(community=community).review_months == 6


def test_members_and_outsiders_may_not_see_the_queue_and_it_is_404_in_a_private_community(
    api: Api, community: Community, private_community: Community, member: User, outsider: User
) -> None:
    for who, code in ((member, 403), (outsider, 403), (None, 401)):
        response = api.as_user(who).get("/api/v1/communities/public-wells/knowledge/stewardship/")
        assert response.status_code == code, who
    assert api.as_user(member).get("/api/v1/communities/public-wells/knowledge/stewardship/").json() == {
        "detail": "The stewardship queue is for coordinators and core members."
    }
    for who in (outsider, None):
        assert api.as_user(who).get("/api/v1/communities/private-wells/knowledge/stewardship/").status_code == 404
    assert api.as_user(outsider).patch(
        "/api/v1/communities/private-wells/knowledge/stewardship/", {"review_months": 6}, format="json"
    ).status_code == 404
    assert not KnowledgeSettings.objects.exists()


@pytest.mark.parametrize("body", [{"review_months": 0}, {"review_months": 121}, {"review_months": "soon"}, {}])
def test_a_bad_review_period_is_400_naming_the_field_and_changes_nothing(
    api: Api, community: Community, owner: User, body: dict[str, Any]
) -> None:
    response = api.as_user(owner).patch(
        "/api/v1/communities/public-wells/knowledge/stewardship/", body, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["review_months"]
    assert not KnowledgeSettings.objects.exists()


def test_the_stewardship_queue_costs_the_same_with_5_and_50_items(
    api: Api, community: Community, member: User, owner: User
) -> None:
    client = api.as_user(owner)
    url = "/api/v1/communities/public-wells/knowledge/stewardship/"

    def grow(count: int) -> None:
        for _ in range(count):
            author = person(f"w{KnowledgeItem.objects.count()}", community)
            services.item_submit(item=draft(community, author), actor=author)
            due = published(community, author, owner)
            KnowledgeItem.objects.filter(pk=due.pk).update(review_due=timezone.localdate())

    grow(5)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(45)
    with CaptureQueriesContext(connection) as many:
        queue = client.get(url).json()
    assert (len(queue["in_review"]), len(queue["due"])) == (50, 50)
    assert len(few) == len(many), "\n".join(q["sql"] for q in many.captured_queries)
