"""Linked threads: a post (or comment) that links to another thread links the two, and both pages list the other
under "Linked" — with the threads marked as duplicates — for those who may read it. A private thread never shows
through a link or a duplicate mark: not its title on a page, nor its id in the API.

Sides: ``owner`` (coordinates every community), ``member`` (member of every community), ``outsider`` (member of
none) and the anonymous visitor."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import selectors, services
from practica.discussions.models import Thread
from practica.lib.ids import MAX_ID
from practica.lib.testing.client import Api
from practica.lib.testing.content import answer, ask, opening, person

pytestmark = pytest.mark.django_db


def url(thread: Thread) -> str:
    return f"/communities/{thread.community.slug}/threads/{thread.pk}/"


def page(user: User | None, thread: Thread) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url(thread))
    assert response.status_code == 200
    return response.content.decode()


def linked_section(html: str) -> str:
    """The "Linked" card of a thread page, or "" when there is none."""
    start = html.find('id="linked"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def linked_ids(thread: Thread, user: Any) -> list[int]:
    return [t.pk for t in selectors.linked_threads(thread=thread, user=user).threads]


@pytest.fixture
def casing(community: Community, member: User) -> Thread:
    return ask(community, member, "Casing wear in long laterals")


@pytest.fixture
def packers(community: Community, owner: User) -> Thread:
    return ask(community, owner, "Packer choice above 175 °C")


@pytest.fixture
def secret(private_community: Community, member: User) -> Thread:
    return ask(private_community, member, "Confidential casing failure at well 7")


# --- How threads get linked -----------------------------------------------------------------------


def test_a_reply_linking_to_another_thread_lists_each_on_the_others_page(
    casing: Thread, packers: Thread, member: User, outsider: User
) -> None:
    answer(casing, member, f"We covered the packers in [this thread]({url(packers)}), see the second answer.")

    assert linked_ids(casing, outsider) == [packers.pk]
    assert linked_ids(packers, outsider) == [casing.pk]
    assert "Packer choice above 175 °C" in linked_section(page(None, casing))
    assert "Casing wear in long laterals" in linked_section(page(None, packers))


def test_bare_addresses_on_this_site_link_and_other_sites_do_not(
    casing: Thread, packers: Thread, community: Community, member: User, settings: Any
) -> None:
    settings.SITE_URL = "https://practica.example.org"
    third = ask(community, member, "Cement bond logs")
    body = (
        f"See https://practica.example.org{url(packers)}#post-3 and https://elsewhere.example.net{url(third)} "
        "and /communities/public-wells/threads/999999/ (gone)."
    )

    services.post_edit(post=opening(casing), editor=member, body=body, expected_version=1)

    assert linked_ids(casing, member) == [packers.pk]


def test_comments_link_threads_too(casing: Thread, packers: Thread, owner: User, member: User) -> None:
    services.comment_create(post=opening(casing), author=owner, body=f"Possible duplicate of {url(packers)}")

    assert linked_ids(casing, member) == [packers.pk]


def test_a_thread_does_not_link_to_itself(casing: Thread, member: User) -> None:
    answer(casing, member, f"As said [above]({url(casing)}).")

    assert linked_ids(casing, member) == []
    assert linked_section(page(member, casing)) == ""


def test_a_link_to_a_thread_its_author_may_not_read_is_not_kept(
    casing: Thread, secret: Thread, community: Community, member: User
) -> None:
    stranger = person("stranger", community)  # a member of the public community only

    answer(casing, stranger, f"Is this related? {url(secret)}")

    assert not Thread.related.through.objects.exists()
    assert linked_ids(casing, member) == []


# --- Who sees what ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("side", "sees"), [("owner", True), ("member", True), ("outsider", False), (None, False)])
def test_a_private_thread_linked_with_a_public_one_shows_only_to_its_readers(
    side: str | None, sees: bool, casing: Thread, secret: Thread, member: User, request: pytest.FixtureRequest,
    api: Api,
) -> None:
    answer(casing, member, f"Same failure as in {url(secret)}.")
    user = request.getfixturevalue(side) if side else None

    html = page(user, casing)
    rows = api.as_user(user).get(f"/api/v1/threads/{casing.pk}/linked/").json()

    assert ("Confidential casing failure" in linked_section(html)) is sees
    assert ("Confidential" in html) is sees
    assert [r["title"] for r in rows["results"]] == (["Confidential casing failure at well 7"] if sees else [])
    assert rows["count"] == (1 if sees else 0)


def test_deleted_and_hidden_threads_are_not_listed(
    casing: Thread, packers: Thread, community: Community, member: User, owner: User
) -> None:
    hidden = ask(community, member, "Hidden thread")
    answer(casing, member, f"{url(packers)} and {url(hidden)}")
    services.post_delete(post=opening(packers), actor=owner)  # deleting the opening post deletes the thread
    services.thread_moderate(thread=hidden, actor=owner, action="hide")

    assert linked_ids(casing, owner) == []


def test_duplicates_are_listed_on_the_original_with_a_badge(
    casing: Thread, packers: Thread, owner: User, outsider: User
) -> None:
    services.thread_mark_duplicate(thread=packers, actor=owner, original=casing)

    section = linked_section(page(outsider, casing))

    assert "Packer choice above 175 °C" in section and "Duplicate of this" in section


@pytest.mark.parametrize(("side", "sees"), [("owner", True), ("member", True), ("outsider", False), (None, False)])
def test_a_duplicate_of_a_private_thread_does_not_show_the_original(
    side: str | None, sees: bool, casing: Thread, secret: Thread, owner: User, request: pytest.FixtureRequest,
    api: Api,
) -> None:
    services.thread_mark_duplicate(thread=casing, actor=owner, original=secret)
    user = request.getfixturevalue(side) if side else None

    html = page(user, casing)
    detail = api.as_user(user).get(f"/api/v1/threads/{casing.pk}/").json()
    listed = api.as_user(user).get("/api/v1/communities/public-wells/threads/").json()

    assert ("Confidential casing failure" in html) is sees
    if not sees:
        assert "marked as a duplicate of a thread you cannot see" in html
    assert detail["duplicate_of"] == (secret.pk if sees else None)
    assert [r["duplicate_of"] for r in listed["results"] if r["id"] == casing.pk] == [secret.pk if sees else None]


# --- API -------------------------------------------------------------------------------------------


def test_the_api_lists_linked_threads_most_voted_first_with_their_relation(
    casing: Thread, packers: Thread, community: Community, member: User, owner: User, api: Api
) -> None:
    third = ask(community, member, "Cement bond logs")
    Thread.objects.filter(pk=third.pk).update(score=5)
    answer(casing, member, f"{url(packers)} {url(third)}")
    duplicate = ask(community, owner, "Casing wear again")
    services.thread_mark_duplicate(thread=duplicate, actor=owner, original=casing)

    everything = api.as_user(member).get(f"/api/v1/threads/{casing.pk}/linked/").json()
    first = api.as_user(member).get(f"/api/v1/threads/{casing.pk}/linked/?limit=1").json()

    assert everything["count"] == 3
    top = everything["results"][0]
    assert (top["title"], top["relation"]) == ("Cement bond logs", "linked")
    assert {r["title"]: r["relation"] for r in everything["results"]}["Casing wear again"] == "duplicate"
    assert first["count"] == 3 and len(first["results"]) == 1


@pytest.mark.parametrize("limit", ["0", "51", "ten", "-1"])
def test_a_bad_limit_is_a_400_with_a_message(limit: str, casing: Thread, member: User, api: Api) -> None:
    response = api.as_user(member).get(f"/api/v1/threads/{casing.pk}/linked/?limit={limit}")

    assert response.status_code == 400
    assert "1 to 50" in str(response.json())


@pytest.mark.parametrize("side", ["outsider", None])
def test_the_linked_threads_of_a_private_thread_are_404_to_outsiders(
    side: str | None, secret: Thread, request: pytest.FixtureRequest, api: Api
) -> None:
    response = api.as_user(request.getfixturevalue(side) if side else None).get(f"/api/v1/threads/{secret.pk}/linked/")

    assert response.status_code == 404
    assert "Confidential" not in response.content.decode()


# --- Cost ------------------------------------------------------------------------------------------


def test_the_thread_page_costs_the_same_queries_with_1_and_with_30_linked_threads(
    casing: Thread, community: Community, member: User
) -> None:
    others = [ask(community, member, f"Other thread {i}") for i in range(30)]
    client = Client()
    client.force_login(member)

    def cost() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url(casing)).content.decode()
        return len(queries.captured_queries), html

    answer(casing, member, url(others[0]))
    cost()  # the first request warms the session
    few, few_html = cost()
    for start in range(0, 30, 10):  # a post links at most 20 threads
        answer(casing, member, " ".join(url(t) for t in others[start : start + 10]))
    many, many_html = cost()

    assert linked_section(few_html).count("<li>") == 1
    assert linked_section(many_html).count("<li>") == selectors.LINKED_LIMIT and "and 20 more" in many_html
    assert few == many


@pytest.mark.parametrize("number", ["99999999999999999999999", "9223372036854775808", "2147483648", "0"])
def test_a_link_to_an_impossible_thread_number_is_ignored_and_the_reply_saved(
    number: str, casing: Thread, member: User
) -> None:
    reply = answer(casing, member, f"See /communities/public-wells/threads/{number}/ and (/communities/x/threads/{number})")

    assert reply.pk is not None
    assert linked_ids(casing, member) == []


NOISE = st.text(alphabet=st.sampled_from(list("/communitesh:0123456789-x.()[]<>\"' \n")) | st.characters(), max_size=60)
LINK = st.builds(
    "{}{}/communities/{}/threads/{}{}".format,
    NOISE,
    st.sampled_from(["", "http://", "https://", "https://localhost", "http://127.0.0.1:8000", "https://evil.example"]),
    st.text(min_size=0, max_size=12),
    st.integers(min_value=-5, max_value=10**30).map(str) | st.text(alphabet="0123456789", max_size=40),
    NOISE,
)


@given(st.lists(LINK | NOISE, max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_any_text_yields_at_most_20_thread_ids_a_database_can_hold(text: str) -> None:
    ids = services._linked_thread_ids(text)

    assert len(ids) <= services.MAX_LINKS_PER_POST
    assert all(0 < i <= MAX_ID for i in ids)
    assert len(set(ids)) == len(ids)
