"""Every discussions endpoint answers what the OpenAPI schema says it answers (``lib/testing/openapi.py``): each
real response, success and refusal where the schema documents one, validated against the generated schema."""

from __future__ import annotations

import pytest

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services
from practica.discussions.models import Flag, Thread
from practica.lib.testing.client import Api
from practica.lib.testing.content import make_reply, make_thread, opening_post
from practica.lib.testing.factories import CommunityFactory, MembershipFactory, UserFactory
from practica.lib.testing.openapi import api_schema, assert_matches_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def helper(community: Community) -> User:
    person = UserFactory(username="helper")
    MembershipFactory(community=community, user=person)
    return person


@pytest.fixture
def thread(community: Community, member: User) -> Thread:
    return make_thread(community=community, author=member, title="Which cement for deep wells?", tags=["Drilling"])


def test_the_schema_documents_every_discussions_path() -> None:
    paths = set(api_schema()["paths"])

    assert {
        "/api/v1/communities/{slug}/threads/", "/api/v1/communities/{slug}/unheard/", "/api/v1/communities/{slug}/flags/",
        "/api/v1/threads/{thread_id}/", "/api/v1/threads/{thread_id}/posts/", "/api/v1/threads/{thread_id}/linked/",
        "/api/v1/threads/{thread_id}/moderate/", "/api/v1/threads/{thread_id}/move/",
        "/api/v1/threads/{thread_id}/duplicate/", "/api/v1/threads/{thread_id}/status/", "/api/v1/posts/{post_id}/",
        "/api/v1/posts/{post_id}/restore/", "/api/v1/posts/{post_id}/revisions/", "/api/v1/posts/{post_id}/comments/",
        "/api/v1/posts/{post_id}/vote/", "/api/v1/posts/{post_id}/accept/", "/api/v1/posts/{post_id}/flag/",
        "/api/v1/flags/{flag_id}/resolve/",
    } <= paths


def test_the_thread_list_filters_are_documented_with_their_choices() -> None:
    operation = api_schema()["paths"]["/api/v1/communities/{slug}/threads/"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}

    assert {"kind", "tag", "status", "mine", "sort", "q", "page", "page_size"} <= set(parameters)
    assert set(parameters["sort"]["enum"]) == {"activity", "newest", "votes"}
    assert parameters["mine"]["type"] == "boolean"


def test_threads_and_their_lists_answer_as_the_schema_says(
    api: Api, community: Community, owner: User, member: User, helper: User, thread: Thread
) -> None:
    reply = make_reply(thread, helper)
    services.comment_create(post=reply, author=member, body="Thanks!")
    services.vote_set(post=opening_post(thread), user=helper)
    api.as_user(member)
    threads = f"/api/v1/communities/{community.slug}/threads/"

    assert_matches_schema(api.get(threads, {"tag": "Drilling", "mine": "true"}), "/api/v1/communities/{slug}/threads/", "GET")
    created = api.post(threads, {"kind": "idea", "title": "Log every job", "body": "A checklist.", "tags": ["Drilling"]},
                       format="json")
    assert created.status_code == 201
    assert_matches_schema(created, "/api/v1/communities/{slug}/threads/", "POST")
    detail = api.get(f"/api/v1/threads/{thread.pk}/")
    assert detail.json()["posts"][0]["comments"]
    assert_matches_schema(detail, "/api/v1/threads/{thread_id}/", "GET")
    edited = api.patch(f"/api/v1/threads/{thread.pk}/", {"title": "Which cement, deep wells?", "version": 1}, format="json")
    assert_matches_schema(edited, "/api/v1/threads/{thread_id}/", "PATCH")
    conflict = api.patch(f"/api/v1/threads/{thread.pk}/", {"body": "Stale.", "version": 1}, format="json")
    assert conflict.status_code == 409
    assert_matches_schema(conflict, "/api/v1/threads/{thread_id}/", "PATCH")
    replied = api.post(f"/api/v1/threads/{thread.pk}/posts/", {"body": "Me too."}, format="json")
    assert_matches_schema(replied, "/api/v1/threads/{thread_id}/posts/", "POST")
    assert_matches_schema(api.get(f"/api/v1/threads/{thread.pk}/linked/"), "/api/v1/threads/{thread_id}/linked/", "GET")
    deleted = api.delete(f"/api/v1/threads/{created.json()['id']}/")
    assert deleted.status_code == 204
    assert_matches_schema(deleted, "/api/v1/threads/{thread_id}/", "DELETE")


def test_posts_answer_as_the_schema_says(
    api: Api, member: User, helper: User, thread: Thread
) -> None:
    reply = make_reply(thread, helper)
    api.as_user(member)

    assert_matches_schema(api.get(f"/api/v1/posts/{reply.pk}/"), "/api/v1/posts/{post_id}/", "GET")
    assert_matches_schema(api.get(f"/api/v1/posts/{reply.pk}/revisions/"), "/api/v1/posts/{post_id}/revisions/", "GET")
    comment = api.post(f"/api/v1/posts/{reply.pk}/comments/", {"body": "Which grade?"}, format="json")
    assert_matches_schema(comment, "/api/v1/posts/{post_id}/comments/", "POST")
    for method in ("POST", "DELETE"):
        voted = api.generic(method, f"/api/v1/posts/{reply.pk}/vote/")
        assert voted.status_code == 200
        assert_matches_schema(voted, "/api/v1/posts/{post_id}/vote/", method)
        accepted = api.generic(method, f"/api/v1/posts/{reply.pk}/accept/")
        assert accepted.status_code == 200
        assert_matches_schema(accepted, "/api/v1/posts/{post_id}/accept/", method)
    flagged = api.post(f"/api/v1/posts/{reply.pk}/flag/", {"reason": "spam"}, format="json")
    assert_matches_schema(flagged, "/api/v1/posts/{post_id}/flag/", "POST")

    api.as_user(helper)
    edited = api.patch(f"/api/v1/posts/{reply.pk}/", {"body": "Try class G.", "version": 1}, format="json")
    assert_matches_schema(edited, "/api/v1/posts/{post_id}/", "PATCH")
    assert_matches_schema(api.delete(f"/api/v1/posts/{reply.pk}/"), "/api/v1/posts/{post_id}/", "DELETE")
    restored = api.post(f"/api/v1/posts/{reply.pk}/restore/")
    assert restored.status_code == 200
    assert_matches_schema(restored, "/api/v1/posts/{post_id}/restore/", "POST")


def test_moderation_and_the_queues_answer_as_the_schema_says(
    api: Api, community: Community, owner: User, member: User, helper: User, thread: Thread
) -> None:
    reply = make_reply(thread, helper)
    idea = make_thread(community=community, author=member, kind="idea", title="Share logs")
    other = CommunityFactory(slug="other-wells")
    MembershipFactory(community=other, user=owner, role="coordinator")
    services.flag_create(post=reply, reporter=member, reason=Flag.Reason.SPAM)
    api.as_user(owner)

    assert_matches_schema(api.get(f"/api/v1/communities/{community.slug}/unheard/"),
                          "/api/v1/communities/{slug}/unheard/", "GET")
    flags = api.get(f"/api/v1/communities/{community.slug}/flags/")
    assert flags.json()["count"] == 1
    assert_matches_schema(flags, "/api/v1/communities/{slug}/flags/", "GET")
    resolved = api.post(f"/api/v1/flags/{flags.json()['results'][0]['id']}/resolve/", {"hide": False}, format="json")
    assert_matches_schema(resolved, "/api/v1/flags/{flag_id}/resolve/", "POST")
    for path, body in [
        ("moderate", {"action": "pin"}),
        ("duplicate", {"original": idea.pk}),
        ("duplicate", {"original": None}),
    ]:
        response = api.post(f"/api/v1/threads/{thread.pk}/{path}/", body, format="json")
        assert response.status_code == 200, response.json()
        assert_matches_schema(response, f"/api/v1/threads/{{thread_id}}/{path}/", "POST")
    status = api.post(f"/api/v1/threads/{idea.pk}/status/", {"status": "planned", "reason": "Soon."}, format="json")
    assert_matches_schema(status, "/api/v1/threads/{thread_id}/status/", "POST")
    moved = api.post(f"/api/v1/threads/{thread.pk}/move/", {"community": "other-wells"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert_matches_schema(moved, "/api/v1/threads/{thread_id}/move/", "POST")
