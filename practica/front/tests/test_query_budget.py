"""The query budget of the key pages, pinned: each query the page makes, named by its first table and why.

The growth checks of each app (a page of 5 rows costs what a page of 50 costs) catch N+1 loops; these catch
a page that quietly gains a query. When a change adds one on purpose, add it to the list with its reason.
The pages are read a second time (``page_queries``), so per-session work is not counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services as discussions
from practica.discussions.models import Thread
from practica.events import services as events
from practica.lib.testing.client import page_html
from practica.lib.testing.content import answer, ask, opening, person, published
from practica.lib.testing.queries import assert_queries, page_queries

SESSION = ("django_session", "the visitor's session")
USER = ("accounts_user", "the signed-in person")
HEADER_PROFILE = ("people_profile", "the header's name and avatar of the signed-in person")
COMMUNITY = ("communities_community", "the community of the page")
MEMBERSHIP = ("communities_membership", "the visitor's membership: role and access")
SIDEBAR_TOPICS = ("topics_topic", "the community's topics in the side bar")

THREADS_OF_A_LIST = [
    ("discussions_thread", "the threads of the list, with authors and counters joined"),
    ("discussions_thread_tags", "their tags, prefetched"),
    ("communities_community", "their communities, for the links"),
]
CHARTER_AND_COUNTS = [
    ("communities_goal", "the charter's goals"),
    ("communities_membership", "the count of active members"),
    ("discussions_thread", "the count of questions waiting for a first answer"),
]
COMMUNITY_PAGE_BODY = [
    SIDEBAR_TOPICS,
    *THREADS_OF_A_LIST,
    ("events_event", "the next meetings: one-off events"),
    ("events_occurrence", "the next meetings: dates of recurring ones"),
    ("events_event", "the next meetings: the events of those dates"),
    ("communities_membership", "the coordinators, shown as the community's leaders"),
    ("people_organization", "the organisations taking part"),
]
THREAD_POSTS = [
    ("discussions_post", "the count of replies, for the pages"),
    ("discussions_post", "this page of replies, the accepted answer first, with authors and profiles"),
    ("discussions_post", "the opening post"),
    ("discussions_comment", "the comments of the shown posts, prefetched"),
]


@pytest.fixture
def world(community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Any) -> Thread:
    """A public community with a busy question (votes, comments, an accepted answer), other threads, published
    knowledge and upcoming events; several members from organisations. The notifications these writes send (on
    commit, as after each request) are delivered."""
    with django_capture_on_commit_callbacks(execute=True):
        return _build_world(community, owner, member)


def _build_world(community: Community, owner: User, member: User) -> Thread:
    helpers = [person(f"helper{i}", community) for i in range(3)]
    thread = ask(community, member, "How do you test a cement barrier?")
    for helper in helpers:
        reply = answer(thread, helper)
        discussions.vote_set(post=reply, user=member)
        discussions.comment_create(post=reply, author=owner, body="Thanks, that matches our logs.")
    discussions.answer_accept(post=reply, actor=member)
    discussions.comment_create(post=opening(thread), author=owner, body="Good question.")
    for i in range(3):
        ask(community, helpers[i], f"Another question about casing {i}")
    for i in range(2):
        published(community, member, owner, title=f"Test the barrier twice, lesson {i}")
    start = (timezone.now() + dt.timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    for i in range(2):
        events.event_create(
            community=community, organiser=owner, title=f"Monthly call {i}", start=start + dt.timedelta(days=i),
            end=start + dt.timedelta(days=i, hours=1), timezone_name="Europe/Paris",
        )
    return thread


def _member(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


SIGNED_IN = [SESSION, USER]


def test_home_page_of_a_member_makes_the_pinned_queries(world: Thread, member: User) -> None:
    response, sqls = page_queries(_member(member), "/")
    assert response.status_code == 200
    assert_queries(sqls, [
        *SIGNED_IN,
        HEADER_PROFILE,
        ("communities_membership", "the communities the member belongs to"),
        ("communities_membership", "whether they see some community's health: the link to the network view"),
        ("events_actionitem", "the member's open action items from meetings"),
        *THREADS_OF_A_LIST,
        ("communities_community_topics", "the featured communities' topics, prefetched"),
        ("communities_community_organizations", "the featured communities' organisations, prefetched"),
    ])


def test_home_page_of_a_visitor_makes_the_pinned_queries(world: Thread) -> None:
    response, sqls = page_queries(Client(), "/")
    assert response.status_code == 200
    assert_queries(sqls, [
        ("communities_community", "the featured public communities"),
        ("communities_community_topics", "their topics, prefetched"),
        ("communities_community_organizations", "their organisations, prefetched"),
    ])


def test_community_directory_makes_the_pinned_queries(world: Thread, member: User) -> None:
    response, sqls = page_queries(_member(member), "/communities/")
    assert response.status_code == 200
    assert_queries(sqls, [
        *SIGNED_IN,
        ("communities_community", "the paginator's count of the communities the member may see"),
        HEADER_PROFILE,
        ("topics_topic", "the topics of those communities, for the filter"),
        ("people_organization", "the organisations, for the filter"),
        ("communities_community", "the page of communities, with the member's own state and role"),
        ("communities_community_topics", "their topics, prefetched"),
        ("communities_community_organizations", "their organisations, prefetched"),
    ])


def test_community_page_of_a_member_makes_the_pinned_queries(world: Thread, member: User, community: Community) -> None:
    response, sqls = page_queries(_member(member), f"/communities/{community.slug}/")
    assert response.status_code == 200
    assert_queries(sqls, [
        *SIGNED_IN,
        COMMUNITY,
        MEMBERSHIP,
        *CHARTER_AND_COUNTS,
        HEADER_PROFILE,
        *COMMUNITY_PAGE_BODY,
    ])


def test_community_page_of_a_visitor_makes_the_pinned_queries(world: Thread, community: Community) -> None:
    response, sqls = page_queries(Client(), f"/communities/{community.slug}/")
    assert response.status_code == 200
    assert_queries(sqls, [
        COMMUNITY,
        *CHARTER_AND_COUNTS,
        *COMMUNITY_PAGE_BODY,
    ])


def test_thread_list_makes_the_pinned_queries(world: Thread, member: User, community: Community) -> None:
    response, sqls = page_queries(_member(member), f"/communities/{community.slug}/threads/")
    assert response.status_code == 200
    assert_queries(sqls, [
        *SIGNED_IN,
        COMMUNITY,
        MEMBERSHIP,
        ("discussions_thread", "the paginator's count"),
        HEADER_PROFILE,
        SIDEBAR_TOPICS,
        *THREADS_OF_A_LIST,
    ])


def test_thread_page_of_a_member_makes_the_pinned_queries(world: Thread, member: User, community: Community) -> None:
    response, sqls = page_queries(_member(member), f"/communities/{community.slug}/threads/{world.pk}/")
    assert response.status_code == 200
    assert_queries(sqls, [
        *SIGNED_IN,
        ("discussions_thread", "the thread, with its community and author"),
        MEMBERSHIP,
        *THREAD_POSTS,
        ("discussions_vote", "which of the shown posts the member voted for"),
        ("topics_topic", "the thread's tags"),
        ("discussions_thread", "the linked threads the member may see"),
        HEADER_PROFILE,
        ("knowledge_knowledgeitem", "the knowledge captured from this thread"),
    ])


def test_thread_page_of_a_visitor_makes_the_pinned_queries(world: Thread, community: Community) -> None:
    response, sqls = page_queries(Client(), f"/communities/{community.slug}/threads/{world.pk}/")
    assert response.status_code == 200
    assert_queries(sqls, [
        ("discussions_thread", "the thread, with its community and author"),
        *THREAD_POSTS,
        ("topics_topic", "the thread's tags"),
        ("discussions_thread", "the linked threads a visitor may see"),
        ("knowledge_knowledgeitem", "the knowledge captured from this thread"),
    ])


def test_knowledge_list_makes_the_pinned_queries(world: Thread, member: User, community: Community) -> None:
    response, sqls = page_queries(_member(member), f"/communities/{community.slug}/knowledge/")
    assert response.status_code == 200
    assert_queries(sqls, [
        *SIGNED_IN,
        COMMUNITY,
        MEMBERSHIP,
        ("knowledge_knowledgeitem", "the paginator's count of published items"),
        HEADER_PROFILE,
        ("knowledge_collection", "the community's collections"),
        SIDEBAR_TOPICS,
        ("knowledge_knowledgeitem", "the page of items"),
        ("knowledge_knowledgeitem_tags", "their tags, prefetched"),
        ("knowledge_knowledgeauthor", "their authors, prefetched"),
    ])


def test_event_list_makes_the_pinned_queries(world: Thread, member: User, community: Community) -> None:
    response, sqls = page_queries(_member(member), f"/communities/{community.slug}/events/")
    assert response.status_code == 200
    assert_queries(sqls, [
        *SIGNED_IN,
        COMMUNITY,
        MEMBERSHIP,
        ("events_event", "upcoming: one-off events"),
        ("events_occurrence", "upcoming: dates of recurring ones"),
        ("events_event", "upcoming: the events of those dates"),
        ("events_event", "past meetings"),
        HEADER_PROFILE,
    ])


def test_member_list_makes_the_pinned_queries(world: Thread, member: User, community: Community) -> None:
    response, sqls = page_queries(_member(member), f"/communities/{community.slug}/members/")
    assert response.status_code == 200
    assert_queries(sqls, [
        *SIGNED_IN,
        COMMUNITY,
        MEMBERSHIP,
        ("communities_membership", "the paginator's count of the filtered members"),
        ("people_organization", "facet: members per organisation"),
        ("people_profile", "facet: members per discipline"),
        ("communities_membership", "facet: members per role"),
        HEADER_PROFILE,
        ("communities_membership", "the page of members, with their people and profiles"),
        ("people_profile_expertise", "their expertise, prefetched"),
    ])


def test_notification_list_makes_the_pinned_queries(world: Thread, member: User) -> None:
    response, sqls = page_queries(_member(member), "/notifications/")
    assert response.status_code == 200
    assert "How do you test a cement barrier?" in page_html(response), "the member has notifications to list"
    assert_queries(sqls, [
        *SIGNED_IN,
        ("notifications_notification", "the paginator's count"),
        ("notifications_notification", "the count of unread ones, for the badge"),
        HEADER_PROFILE,
        ("notifications_notification", "the page of notifications"),
    ])


def test_a_page_that_gains_a_query_fails_with_the_sql_beside_the_list() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_queries(['SELECT "a"."id" FROM "a"', 'SELECT "b"."id" FROM "b"'], [("a", "the first")])
    assert "expected 1 queries, the page made 2" in str(failure.value)
    assert 'SELECT "b"."id"' in str(failure.value)
