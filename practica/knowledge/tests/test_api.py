"""The knowledge API (../shared/API.md) from every side, its bad input answered with 4xx and nothing written,
and its list's query count."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services as discussions
from practica.knowledge import services
from practica.knowledge.models import Attachment, Endorsement, KnowledgeItem, KnowledgeVersion
from practica.lib.testing.client import Api
from practica.lib.testing.content import draft, person, published

pytestmark = pytest.mark.django_db


def test_members_create_items_and_readers_list_the_published_ones(api: Api, community: Community, member: User,
                                                                   owner: User) -> None:
    response = api.as_user(member).post(
        "/api/v1/communities/public-wells/knowledge/",
        {"kind": "best-practice", "title": "Test twice", "summary": "Always", "body": "Two tests.",
         "tags": ["Well integrity"], "details": {"applies_when": "Deep wells"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["kind"], data["status"], data["tags"], data["details"]["applies_when"]) == (
        "best-practice", "draft", ["well-integrity"], "Deep wells"
    )
    assert api.as_user(None).get("/api/v1/communities/public-wells/knowledge/").json()["count"] == 0
    item = KnowledgeItem.objects.get()
    services.item_submit(item=item, actor=member)
    services.item_review(item=item, reviewer=owner, approve=True)
    listed = api.as_user(None).get("/api/v1/communities/public-wells/knowledge/").json()
    assert listed["count"] == 1 and listed["results"][0]["title"] == "Test twice"


def test_an_outsider_and_anonymous_cannot_create(api: Api, community: Community, outsider: User) -> None:
    body = {"kind": "how-to", "title": "x", "body": "y"}
    assert api.as_user(outsider).post("/api/v1/communities/public-wells/knowledge/", body, format="json").status_code == 403
    assert api.as_user(None).post("/api/v1/communities/public-wells/knowledge/", body, format="json").status_code in (401, 403)
    assert not KnowledgeItem.objects.exists()


def test_a_bad_kind_is_a_400_naming_the_field(api: Api, community: Community, member: User) -> None:
    response = api.as_user(member).post(
        "/api/v1/communities/public-wells/knowledge/", {"kind": "recipe", "title": "x"}, format="json"
    )
    assert response.status_code == 400 and "kind" in response.json()


@pytest.mark.parametrize("field", ["kind", "status", "sort", "q", "tag"])
def test_a_list_filter_that_does_not_parse_is_a_400_naming_it(api: Api, community: Community, field: str) -> None:
    value = "x" * 201 if field in ("q", "tag") else "bogus"

    response = api.get("/api/v1/communities/public-wells/knowledge/", {field: value})

    assert response.status_code == 400 and response.json()[field]


def test_the_list_takes_status_published_as_the_default(
    api: Api, community: Community, member: User, owner: User
) -> None:
    published(community, member, owner, title="Cement lesson")

    titles = [i["title"] for i in api.get("/api/v1/communities/public-wells/knowledge/?status=published").json()["results"]]

    assert titles == ["Cement lesson"]


def test_the_item_has_versions_endorsements_and_source_thread(api: Api, community: Community, member: User,
                                                               owner: User) -> None:
    thread = discussions.thread_create(community=community, author=owner, kind="question", title="Why?", body="Because")
    item = services.capture_from_thread(user=member, thread=thread)
    services.item_submit(item=item, actor=member)
    services.item_review(item=item, reviewer=owner, approve=True)
    expert = person("expert", community, expertise=["Well integrity"])
    services.endorse(item=item, user=expert, comment="Works")
    data = api.as_user(None).get(f"/api/v1/knowledge/{item.id}/").json()
    assert data["source_thread"]["id"] == thread.id
    assert [v["number"] for v in data["versions"]] == [1]
    assert data["endorsements"][0]["username"] == "expert"


def test_a_private_item_is_404_to_outsiders(api: Api, private_community: Community, member: User, owner: User,
                                             outsider: User) -> None:
    item = published(private_community, member, owner)
    assert api.as_user(outsider).get(f"/api/v1/knowledge/{item.id}/").status_code == 404
    assert api.as_user(None).get("/api/v1/communities/private-wells/knowledge/").status_code == 404
    assert api.as_user(member).get(f"/api/v1/knowledge/{item.id}/").status_code == 200


def test_capture_returns_the_draft_with_its_provenance(api: Api, community: Community, member: User, owner: User) -> None:
    thread = discussions.thread_create(community=community, author=owner, kind="question", title="Q", body="Why?")
    answer = discussions.post_create(thread=thread, author=member, body="Because.")
    discussions.answer_accept(post=answer, actor=owner, accept=True)
    response = api.as_user(member).post(f"/api/v1/threads/{thread.id}/capture/", {"kind": "how-to"}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["status"], data["kind"], data["source_thread"]["id"]) == ("draft", "how-to", thread.id)
    assert {a["username"] for a in data["authors"]} == {"member", "owner"}


def test_capturing_a_thread_one_cannot_read_is_404_and_writes_nothing(
    api: Api, private_community: Community, owner: User, outsider: User
) -> None:
    thread = discussions.thread_create(community=private_community, author=owner, kind="question", title="Q",
                                       body="Secret")
    assert api.as_user(outsider).post(f"/api/v1/threads/{thread.id}/capture/", {}, format="json").status_code == 404
    assert not KnowledgeItem.objects.exists()


def test_an_outsider_of_a_public_community_may_read_but_not_capture(
    api: Api, community: Community, owner: User, outsider: User
) -> None:
    thread = discussions.thread_create(community=community, author=owner, kind="question", title="Q", body="Why?")
    response = api.as_user(outsider).post(f"/api/v1/threads/{thread.id}/capture/", {}, format="json")
    assert response.status_code == 403 and "Join this community" in response.json()["detail"]


def test_review_through_the_api_and_approving_without_the_role(api: Api, community: Community, member: User,
                                                                owner: User) -> None:
    item = draft(community, member)
    assert api.as_user(member).post(f"/api/v1/knowledge/{item.id}/submit/", {}, format="json").status_code == 200
    refused = api.as_user(member).post(f"/api/v1/knowledge/{item.id}/review/", {"decision": "approve"}, format="json")
    assert refused.status_code == 403
    assert KnowledgeItem.objects.get().status == "in-review"
    done = api.as_user(owner).post(f"/api/v1/knowledge/{item.id}/review/", {"decision": "approve"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "published"


def test_endorsing_ones_own_item_is_403(api: Api, community: Community, owner: User) -> None:
    author = person("author", community, expertise=["Well integrity"])
    item = published(community, author, owner)
    response = api.as_user(author).post(f"/api/v1/knowledge/{item.id}/endorse/", {}, format="json")
    assert response.status_code == 403 and "credited" in response.json()["detail"]
    assert not Endorsement.objects.exists()


def test_restoring_a_version_that_does_not_exist_is_400(api: Api, community: Community, member: User,
                                                         owner: User) -> None:
    item = published(community, member, owner)
    response = api.as_user(member).post(f"/api/v1/knowledge/{item.id}/restore/", {"version": 7}, format="json")
    assert response.status_code == 400 and response.json() == {"version": ["This item has no version 7."]}
    assert KnowledgeVersion.objects.count() == 1


def test_helpful_marks_through_the_api(api: Api, community: Community, member: User, owner: User) -> None:
    item = published(community, owner, owner)
    response = api.as_user(member).post(f"/api/v1/knowledge/{item.id}/helpful/", {"note": "Used it"}, format="json")
    assert response.status_code == 200 and response.json()["helpful"][0]["note"] == "Used it"


def test_uploads_over_the_limit_or_disguised_are_400_and_nothing_is_written(
    api: Api, community: Community, member: User, owner: User, settings: object
) -> None:
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1  # type: ignore[attr-defined]
    item = published(community, member, owner)
    url = f"/api/v1/knowledge/{item.id}/attachments/"
    client = api.as_user(member)
    big = client.post(url, {"file": SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1))}, format="multipart")
    assert big.status_code == 400 and "too large" in big.json()["file"][0]
    exe = client.post(url, {"file": SimpleUploadedFile("guide.pdf", b"MZ\x90\x00" + b"\x00" * 64)}, format="multipart")
    assert exe.status_code == 400 and "program" in exe.json()["file"][0]
    assert not Attachment.objects.exists()
    ok = client.post(url, {"file": SimpleUploadedFile("guide.pdf", b"%PDF-1.4\n%%EOF")}, format="multipart")
    assert ok.status_code == 201 and ok.json()["attachments"][0]["name"] == "guide.pdf"


def test_the_api_list_costs_the_same_with_5_and_25_items(api: Api, community: Community, member: User,
                                                          owner: User) -> None:
    client = api.as_user(member)
    url = "/api/v1/communities/public-wells/knowledge/?page_size=100"
    for _ in range(5):
        published(community, person(f"w{KnowledgeItem.objects.count()}", community), owner)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        published(community, person(f"w{KnowledgeItem.objects.count()}", community), owner, tags=["Drilling"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.json()["count"] == 25
    assert len(few) == len(many), "\n".join(q["sql"] for q in many.captured_queries)




def test_published_items_are_found_by_search_and_private_ones_only_by_members(
    api: Api, community: Community, private_community: Community, member: User, owner: User, outsider: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        shown = published(community, member, owner, title="Centraliser placement in deviated wells")
        secret = published(private_community, member, owner, title="Centraliser secrets of the private group")
        draft(community, member, title="Centraliser draft nobody should find")
    hits = api.as_user(outsider).get("/api/v1/search/?q=centraliser&type=knowledge").json()
    results = hits["results"] if isinstance(hits, dict) else hits
    assert [(h["type"], h["id"]) for h in results] == [("knowledge", shown.id)]
    assert results[0]["url"].endswith(f"/communities/public-wells/knowledge/{shown.id}/")
    hits = api.as_user(member).get("/api/v1/search/?q=centraliser&type=knowledge").json()
    results = hits["results"] if isinstance(hits, dict) else hits
    assert {h["id"] for h in results} == {shown.id, secret.id}


def test_archive_and_unarchive_through_the_api_from_three_sides(
    api: Api, community: Community, member: User, owner: User, outsider: User
) -> None:
    item = published(community, member, owner)
    assert api.as_user(owner).post(f"/api/v1/knowledge/{item.id}/archive/", {}, format="json").json()["status"] == "archived"
    for who, status in ((member, 403), (outsider, 403), (None, 401)):
        response = api.as_user(who).post(f"/api/v1/knowledge/{item.id}/unarchive/", {}, format="json")
        assert response.status_code in ((401, 403) if who is None else (status,)), (who, response.content)
    assert KnowledgeItem.objects.get(pk=item.pk).status == "archived"
    back = api.as_user(owner).post(f"/api/v1/knowledge/{item.id}/unarchive/", {}, format="json")
    assert back.status_code == 200 and back.json()["status"] == "published"
    again = api.as_user(owner).post(f"/api/v1/knowledge/{item.id}/unarchive/", {}, format="json")
    assert again.status_code == 400 and "Only an archived item" in again.content.decode()
