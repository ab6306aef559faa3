"""Search sorted by date or by votes: the results with all the words, newest or most voted first, paged and
counted like the ranked ones, never holding what the viewer may not read, in the page and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Thread
from practica.lib.testing.client import Api
from practica.lib.testing.content import ask
from practica.search.tests.conftest import HTMX, World, client_for, find, titles

pytestmark = pytest.mark.django_db

Reindex = Callable[[], dict[str, int]]
SIDES = ["owner", "member", "outsider", "anonymous"]
READS_ALL = {"owner": True, "member": True, "outsider": False, "anonymous": False}


def _days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def kicks(community: Community, member: User, reindex: Reindex) -> dict[str, Thread]:
    """Four threads about kick detection (ages and votes differ) and one about kicks alone."""
    threads = {
        "old, loved": ask(community, member, "Kick detection on old rigs", body="Flow check.", created_at=_days_ago(400)),
        "new": ask(community, member, "Kick detection with new sensors", body="Flow check.", created_at=_days_ago(2)),
        "middle": ask(community, member, "Kick detection in practice", body="Flow check.", created_at=_days_ago(60)),
        "oldest": ask(community, member, "Kick detection basics", body="Flow check.", created_at=_days_ago(900)),
        "kick only": ask(community, member, "A kick while tripping", body="Nothing else.", created_at=_days_ago(1)),
    }
    Thread.objects.filter(pk=threads["old, loved"].pk).update(score=12)
    Thread.objects.filter(pk=threads["middle"].pk).update(score=3)
    Thread.objects.filter(pk=threads["new"].pk).update(score=1)
    reindex()
    return threads


def test_newest_lists_the_results_with_all_the_words_by_date(kicks: dict[str, Thread], member: User) -> None:
    results = find(member, "kick detection", sort="newest")
    assert titles(results) == [
        "Kick detection with new sensors", "Kick detection in practice", "Kick detection on old rigs", "Kick detection basics",
    ]
    assert results.count == 4 and not results.broadened  # "A kick while tripping" has one of the words only
    assert {hit.score for hit in results.hits} == {0.0}
    assert "A kick while tripping" in titles(find(member, "kick detection"))  # ranked search broadens


def test_votes_lists_the_most_voted_first_then_the_newest(kicks: dict[str, Thread], member: User) -> None:
    assert titles(find(member, "kick detection", sort="votes")) == [
        "Kick detection on old rigs", "Kick detection in practice", "Kick detection with new sensors", "Kick detection basics",
    ]
    page = client_for(member).get("/search/", {"q": "kick detection", "sort": "votes"}, **HTMX).content.decode()
    assert "12 votes ·" in page and "1 vote ·" in page and "0 votes ·" in page


def test_equal_votes_go_newest_first(kicks: dict[str, Thread], member: User, reindex: Reindex) -> None:
    Thread.objects.filter(title__startswith="Kick detection").update(score=0)
    reindex()
    assert titles(find(member, "kick detection", sort="votes")) == titles(find(member, "kick detection", sort="newest"))


def test_sorted_results_are_paged_and_counted(community: Community, member: User, reindex: Reindex) -> None:
    for n in range(25):
        ask(community, member, f"Lost circulation event {n}", body="Losses.", created_at=_days_ago(n))
    reindex()
    first = find(member, "lost circulation", sort="newest", limit=20)
    second = find(member, "lost circulation", sort="newest", offset=20, limit=20)
    assert first.count == second.count == 25
    assert titles(first)[:2] == ["Lost circulation event 0", "Lost circulation event 1"]
    assert titles(second) == [f"Lost circulation event {n}" for n in range(20, 25)]
    page = client_for(member).get("/search/", {"q": "lost circulation", "sort": "newest", "page": "2"}).content.decode()
    assert "Lost circulation event 24" in page and "Lost circulation event 3<" not in page
    assert "sort=newest" in page  # the previous-page link keeps the order
    assert '<option value="newest" selected>Newest</option>' in page


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("sort", ["newest", "votes"])
def test_sorted_results_and_counts_hold_only_what_the_viewer_may_read(
    request: Any, world: World, side: str, sort: str
) -> None:
    user = None if side == "anonymous" else request.getfixturevalue(side)
    results = find(user, "cement barrier", sort=sort)
    expected = 3 if READS_ALL[side] else 1
    assert results.count == len(results.hits) == expected
    body = Api().as_user(user).get("/api/v1/search/", {"q": "cement barrier", "sort": sort}).json()
    assert body["count"] == expected
    hidden = " ".join(str(r) for r in body["results"])
    assert ("confidential" in hidden) is READS_ALL[side]
    assert (find(user, "privateword", sort=sort).count > 0) is READS_ALL[side]


def test_the_api_checks_the_sort_and_accepts_relevance(kicks: dict[str, Thread], member: User) -> None:
    api = Api().as_user(member)
    bad = api.get("/api/v1/search/", {"q": "kick", "sort": "oldest"})
    assert bad.status_code == 400
    assert "Sort by relevance (the default), newest or votes." in bad.content.decode()
    ranked = api.get("/api/v1/search/", {"q": "kick detection", "sort": "relevance"}).json()
    assert ranked["results"][0]["score"] > 0
    newest = api.get("/api/v1/search/", {"q": "kick detection", "sort": "newest"}).json()
    assert newest["results"][0]["title"] == "Kick detection with new sensors"


def test_a_misspelled_sorted_search_suggests_too(kicks: dict[str, Thread], member: User) -> None:
    results = find(member, "kick detecton", sort="newest", suggest=True)
    assert results.count == 0
    assert results.suggestion is not None and results.suggestion.query == "kick detection"


def _sorted_page_queries(user: User, q: str) -> int:
    client = client_for(user)
    client.get("/search/", {"q": q, "sort": "newest"}, **HTMX)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/search/", {"q": q, "sort": "newest"}, **HTMX)
    return len(ctx.captured_queries)


def test_a_sorted_search_costs_the_same_queries_for_5_and_50_results(
    community: Community, member: User, reindex: Reindex
) -> None:
    for n in range(5):
        ask(community, member, f"Swab and surge {n}", body="Tripping speed.")
    for n in range(50):
        ask(community, member, f"Ballooning event {n}", body="Wellbore breathing.")
    reindex()
    assert _sorted_page_queries(member, "swab surge") == _sorted_page_queries(member, "ballooning event")


def test_a_sorted_search_without_full_matches_offers_the_ranked_one(kicks: dict[str, Thread], member: User) -> None:
    client = client_for(member)
    page = client.get("/search/", {"q": "kick tripping detection", "sort": "newest"}, **HTMX).content.decode()
    assert "No results with all these words." in page
    assert 'href="/search/?q=kick+tripping+detection">Sort by best match</a>' in page
    ranked = client.get("/search/", {"q": "kick tripping detection"}, **HTMX).content.decode()
    assert "matching some of your words" in ranked and "Sort by best match" not in ranked
