"""The other apps report activity through ``practica.lib.activity``; insights records it (one row per person,
community and UTC day): reads of a community's pages and API, contributions on commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services as discussions
from practica.events import services as events
from practica.insights import receivers
from practica.insights.models import DailyActivity
from practica.knowledge import services as knowledge
from practica.lib import activity
from practica.lib.testing.client import Api, page_client
from practica.lib.testing.content import answer, ask, opening

pytestmark = pytest.mark.django_db


def rows(community: Community) -> list[tuple[str, bool]]:
    return list(
        DailyActivity.objects.filter(community=community)
        .order_by("user__username")
        .values_list("user__username", "contributed")
    )


def _get(client: Any, url: str) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [query["sql"] for query in ctx.captured_queries]


def _touches_activity(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if "insights_dailyactivity" in sql]


@pytest.fixture
def thread(community: Community, owner: User) -> Any:
    thread = ask(community, owner)
    DailyActivity.objects.all().delete()  # the thread's own contribution is not what these tests read
    return thread


@pytest.mark.parametrize(
    "path",
    ["/communities/{slug}/", "/communities/{slug}/threads/", "/communities/{slug}/threads/{thread}/",
     "/communities/{slug}/knowledge/", "/communities/{slug}/events/", "/api/v1/communities/{slug}/threads/",
     "/api/v1/threads/{thread}/"],
)
def test_a_members_read_of_a_community_page_writes_one_row(
    path: str, community: Community, member: User, thread: Any
) -> None:
    url = path.format(slug=community.slug, thread=thread.pk)
    client = Api().as_user(member) if url.startswith("/api/") else page_client(member)
    assert client.get(url).status_code == 200
    assert rows(community) == [("member", False)]


def test_a_second_read_the_same_day_writes_nothing_and_costs_no_query(
    community: Community, member: User, thread: Any
) -> None:
    client = page_client(member)
    url = f"/communities/{community.slug}/threads/{thread.pk}/"
    client.get(url)  # settles the session
    DailyActivity.objects.all().delete()
    from django.core.cache import cache

    cache.clear()
    _, first = _get(client, url)
    _, second = _get(client, url)
    assert len(_touches_activity(first)) == 1, "the first read of the day writes the row"
    assert _touches_activity(second) == []
    # The first read's write is one INSERT in its savepoint; the second costs nothing at all.
    assert len(first) - len(second) == 3, (first, second)
    assert rows(community) == [("member", False)]


def test_anonymous_visitors_are_not_recorded(community: Community, thread: Any) -> None:
    assert page_client().get(f"/communities/{community.slug}/threads/{thread.pk}/").status_code == 200
    assert Api().get(f"/api/v1/threads/{thread.pk}/").status_code == 200
    assert DailyActivity.objects.count() == 0


def test_a_refused_read_records_nothing(
    private_community: Community, members_only_community: Community, outsider: User
) -> None:
    client = page_client(outsider)
    assert client.get(f"/communities/{private_community.slug}/threads/").status_code == 404
    # A members-only community's page is visible to an outsider, its content is not: no read of it.
    assert client.get(f"/communities/{members_only_community.slug}/").status_code == 200
    assert DailyActivity.objects.count() == 0


def test_a_write_request_is_not_a_read(community: Community, member: User, thread: Any) -> None:
    response = Api().as_user(member).post(f"/api/v1/threads/{thread.pk}/posts/", {"body": "Me too."}, format="json")
    assert response.status_code == 201
    assert rows(community) == []  # the reply's contribution is recorded on commit, which a test never reaches


def test_a_read_outside_a_request_is_not_recorded(community: Community, member: User) -> None:
    activity.read(community=community, user=member)  # e.g. a command resolving a community
    assert DailyActivity.objects.count() == 0


def test_a_failed_write_never_breaks_the_page(
    community: Community, member: User, thread: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def locked(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(DailyActivity.objects, "bulk_create", locked)
    assert page_client(member).get(f"/communities/{community.slug}/threads/{thread.pk}/").status_code == 200
    assert "Could not record activity" in caplog.text


def test_a_failing_receiver_never_breaks_the_page(
    community: Community, member: User, thread: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def cache_down(**kwargs: Any) -> bool:
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(receivers, "activity_record", cache_down)
    assert page_client(member).get(f"/communities/{community.slug}/").status_code == 200
    assert "the cache is down" in caplog.text


def test_each_contribution_marks_a_contribution_day(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member)
    assert rows(community) == [("member", True)]

    helper, commenter, writer = (_person(community, name) for name in ("helper", "commenter", "writer"))
    with django_capture_on_commit_callbacks(execute=True):
        answer(thread, helper)
        discussions.comment_create(post=opening(thread), author=commenter, body="Which class?")
        item = knowledge.item_create(community=community, author=writer, kind="how-to", title="Log it", body="Twice.",
                                     submit=True)
    assert [name for name, contributed in rows(community) if contributed] == [
        "commenter", "helper", "member", "writer"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        knowledge.item_review(item=item, reviewer=owner, approve=True)
    assert ("owner", True) in rows(community)


def test_meeting_notes_are_a_contribution(
    community: Community, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    start = dt.datetime(2030, 5, 6, 10, 0)
    with django_capture_on_commit_callbacks(execute=True):
        event = events.event_create(
            community=community, organiser=owner, title="Monthly call", start=start,
            end=start + dt.timedelta(hours=1), timezone_name="UTC",
        )
    assert rows(community) == []  # planning a meeting is not a contribution
    with django_capture_on_commit_callbacks(execute=True):
        events.occurrence_write_up(event=event, actor=owner, original_start=None, notes="We agreed on a log.")
    assert rows(community) == [("owner", True)]


def test_a_contribution_that_rolls_back_is_not_recorded(
    community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(community, member)
    assert callbacks, "the report waits for the commit"
    assert rows(community) == []


def _person(community: Community, username: str) -> User:
    from practica.lib.testing.content import person

    return person(username, community)
