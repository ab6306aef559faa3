"""Who sees what, from three sides: the coordinator (``owner``) and a ``member`` of every community, an ``outsider``
and the anonymous visitor. A private or members-only community's content never reaches someone who may not read
it: not in results, counts, snippets, filters, the API, similar questions, related threads or people lists."""

from __future__ import annotations

from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.models import Membership, MembershipState, Role
from practica.lib.testing.client import Api
from practica.lib.testing.content import person
from practica.lib.testing.factories import MembershipFactory, UserFactory
from practica.search import indexing, selectors
from practica.search.models import DocType
from practica.search.tests.conftest import HTMX, World, client_for, find, titles

pytestmark = pytest.mark.django_db

PUBLIC = "Cement barrier verification in open wells"
MEMBERS = "Cement barrier verification for members"
PRIVATE = "Cement barrier verification in confidential wells"
SECRET_WORDS = ("privateword", "membersword", "confidential", "insiders")

SIDES = ["owner", "member", "outsider", "anonymous"]
READS_ALL = {"owner": True, "member": True, "outsider": False, "anonymous": False}


def _who(request: Any, side: str) -> User | None:
    return None if side == "anonymous" else request.getfixturevalue(side)


def _expected(side: str) -> set[str]:
    return {PUBLIC, MEMBERS, PRIVATE} if READS_ALL[side] else {PUBLIC}


# --- Results, counts, snippets --------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_results_and_counts_hold_only_what_the_viewer_may_read(request: Any, world: World, side: str) -> None:
    results = find(_who(request, side), "cement barrier")
    assert set(titles(results)) == _expected(side)
    assert results.count == len(_expected(side))


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("word", ["privateword", "membersword", "confidential"])
def test_a_word_only_hidden_content_holds_finds_nothing_for_those_who_may_not_read_it(
    request: Any, world: World, side: str, word: str
) -> None:
    results = find(_who(request, side), word)
    assert (results.count > 0) is READS_ALL[side]
    assert bool(results.hits) is READS_ALL[side]


@pytest.mark.parametrize("side", ["outsider", "anonymous"])
def test_hidden_words_never_appear_in_snippets_or_broaden_a_count(request: Any, world: World, side: str) -> None:
    results = find(_who(request, side), "zirconium privateword membersword insiders")
    assert titles(results) == [PUBLIC]
    assert results.count == 1
    for hit in results.hits:
        assert not any(word in hit.snippet.lower() for word in SECRET_WORDS), hit.snippet
    for hit in find(_who(request, side), "cement barrier").hits:
        assert not any(word in hit.snippet.lower() for word in SECRET_WORDS), hit.snippet
        assert not any(word in hit.title.lower() for word in SECRET_WORDS), hit.title


def test_a_site_administrator_reads_everything(world: World) -> None:
    admin = UserFactory.create(username="admin", is_superuser=True, is_staff=True)
    assert set(titles(find(admin, "cement barrier"))) == {PUBLIC, MEMBERS, PRIVATE}


def test_someone_who_left_a_private_community_no_longer_finds_its_threads(world: World, member: User) -> None:
    Membership.objects.filter(community=world.private, user=member).update(state=MembershipState.LEFT)
    assert PRIVATE not in titles(find(member, "cement barrier"))
    assert find(member, "privateword").count == 0


def test_an_invited_or_requesting_person_does_not_find_the_communitys_threads(world: World) -> None:
    invited = UserFactory.create(username="invited")
    MembershipFactory.create(community=world.private, user=invited, state=MembershipState.INVITED)
    requesting = UserFactory.create(username="requesting")
    MembershipFactory.create(community=world.members_only, user=requesting, state=MembershipState.REQUESTED)
    assert set(titles(find(invited, "cement barrier"))) == {PUBLIC}
    assert set(titles(find(requesting, "cement barrier"))) == {PUBLIC}


# --- Pages and API --------------------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_the_search_page_shows_only_what_the_viewer_may_read(request: Any, world: World, side: str) -> None:
    response = client_for(_who(request, side)).get("/search/", {"q": "cement barrier"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert PUBLIC in html
    assert (PRIVATE in html) is READS_ALL[side]
    assert (MEMBERS in html) is READS_ALL[side]
    assert f"{len(_expected(side))} result" in html
    if not READS_ALL[side]:
        assert not any(word in html.lower() for word in SECRET_WORDS)


@pytest.mark.parametrize("side", SIDES)
def test_the_search_api_shows_only_what_the_viewer_may_read(request: Any, api: Api, world: World, side: str) -> None:
    response = api.as_user(_who(request, side)).get("/api/v1/search/", {"q": "cement barrier"})
    assert response.status_code == 200
    body = response.json()
    assert {row["title"] for row in body["results"]} == _expected(side)
    assert body["count"] == len(_expected(side))
    if not READS_ALL[side]:
        assert not any(word in response.content.decode().lower() for word in SECRET_WORDS)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("slug", ["private-wells", "members-wells"])
def test_filtering_on_a_community_one_may_not_read_is_404_on_page_and_api(
    request: Any, api: Api, world: World, side: str, slug: str
) -> None:
    user = _who(request, side)
    page = client_for(user).get("/search/", {"q": "cement barrier", "community": slug})
    via_api = api.as_user(user).get("/api/v1/search/", {"q": "cement barrier", "community": slug})
    if READS_ALL[side]:
        assert page.status_code == via_api.status_code == 200
        assert len(via_api.json()["results"]) == 1
        assert via_api.json()["results"][0]["community"] == slug
    else:
        assert page.status_code == via_api.status_code == 404
        assert not any(word in page.content.decode().lower() for word in SECRET_WORDS)


def test_the_communities_to_filter_on_are_only_those_one_may_read(world: World, outsider: User) -> None:
    html = client_for(outsider).get("/search/").content.decode()
    assert 'value="public-wells"' in html
    assert 'value="private-wells"' not in html and 'value="members-wells"' not in html
    member_html = client_for(world.public_thread.author).get("/search/").content.decode()
    assert 'value="private-wells"' in member_html


# --- Similar questions while asking ---------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("slug", ["private-wells", "members-wells"])
def test_similar_questions_of_a_community_one_may_not_read_are_404(
    request: Any, world: World, side: str, slug: str
) -> None:
    response = client_for(_who(request, side)).get(f"/communities/{slug}/similar/", {"title": "Cement barrier checks"})
    if READS_ALL[side]:
        assert response.status_code == 200
        assert "Cement barrier verification" in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("side", SIDES)
def test_similar_questions_in_a_public_community_come_only_from_it(request: Any, world: World, side: str) -> None:
    html = client_for(_who(request, side)).get(
        "/communities/public-wells/similar/", {"title": "Cement barrier verification"}
    ).content.decode()
    assert PUBLIC in html
    assert PRIVATE not in html and MEMBERS not in html


def test_similar_questions_selector_never_leaves_the_readable_communities(world: World, outsider: User) -> None:
    everywhere = selectors.similar_questions(text="Cement barrier verification", user=outsider)
    assert titles(everywhere) == [PUBLIC]
    forced = selectors.similar_questions(
        text="Cement barrier verification", user=outsider, community_ids=[world.private.pk, world.members_only.pk]
    )
    assert forced == []


# --- Related threads ------------------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_related_threads_of_a_public_thread_hold_only_what_the_viewer_may_read(
    request: Any, api: Api, world: World, side: str
) -> None:
    user = _who(request, side)
    response = api.as_user(user).get(f"/api/v1/threads/{world.public_thread.pk}/related/")
    assert response.status_code == 200
    related = {row["title"] for row in response.json()}
    assert related == (_expected(side) - {PUBLIC})
    page = client_for(user).get(
        f"/communities/public-wells/threads/{world.public_thread.pk}/related/", **HTMX
    ).content.decode()
    assert (PRIVATE in page) is READS_ALL[side]
    assert (MEMBERS in page) is READS_ALL[side]


@pytest.mark.parametrize("side", SIDES)
def test_related_threads_of_a_thread_one_may_not_read_are_404(request: Any, api: Api, world: World, side: str) -> None:
    user = _who(request, side)
    for thread, slug in ((world.private_thread, "private-wells"), (world.members_thread, "members-wells")):
        via_api = api.as_user(user).get(f"/api/v1/threads/{thread.pk}/related/")
        page = client_for(user).get(f"/communities/{slug}/threads/{thread.pk}/related/")
        expected = 200 if READS_ALL[side] else 404
        assert via_api.status_code == page.status_code == expected


# --- People of a community ------------------------------------------------------------------------


@pytest.fixture
def people_world(world: World, owner: User, member: User) -> World:
    """Geologists: the owner and member (active in every community), one who left the private community,
    one invited to it, one requesting to join it, and one in no community."""
    for user in (owner, member):
        user.profile.discipline = "Geology"
        user.profile.save(update_fields=["discipline"])
    states = {"leaver": MembershipState.LEFT, "invitee": MembershipState.INVITED, "requester": MembershipState.REQUESTED}
    for username, state in states.items():
        user = UserFactory.create(username=username, discipline="Geology")
        MembershipFactory.create(community=world.private, user=user, state=state, role=Role.MEMBER)
    UserFactory.create(username="loner", discipline="Geology")
    indexing.rebuild()
    return world


def _people(results: selectors.Results) -> set[str]:
    return {hit.title for hit in results.hits if hit.type == DocType.PERSON}


@pytest.mark.parametrize("side", ["owner", "member"])
def test_people_of_a_community_are_its_active_members_only(request: Any, people_world: World, side: str) -> None:
    results = find(_who(request, side), "geology", types=[DocType.PERSON], community_ids=[people_world.private.pk])
    assert _people(results) == {"owner", "member"}
    assert results.count == 2


@pytest.mark.parametrize("side", ["outsider", "anonymous"])
def test_people_of_a_community_one_may_not_read_are_never_listed(request: Any, people_world: World, side: str) -> None:
    user = _who(request, side)
    for community in (people_world.private, people_world.members_only):
        results = find(user, "geology", types=[DocType.PERSON], community_ids=[community.pk])
        assert results.hits == [] and results.count == 0
    public = find(user, "geology", types=[DocType.PERSON], community_ids=[people_world.public.pk])
    assert _people(public) == {"owner", "member"}


@pytest.mark.parametrize("side", SIDES)
def test_people_search_scoped_to_a_community_over_http(request: Any, api: Api, people_world: World, side: str) -> None:
    user = _who(request, side)
    params = {"q": "geology", "type": "person", "community": "private-wells"}
    via_api = api.as_user(user).get("/api/v1/search/", params)
    page = client_for(user).get("/search/", params, **HTMX)
    if READS_ALL[side]:
        assert via_api.status_code == page.status_code == 200
        assert {row["title"] for row in via_api.json()["results"]} == {"owner", "member"}
    else:
        assert via_api.status_code == page.status_code == 404


def test_people_search_without_a_community_lists_every_active_profile(people_world: World) -> None:
    # Profiles are public pages; only the community-scoped list depends on membership.
    assert _people(find(None, "geology", types=[DocType.PERSON])) == {
        "owner", "member", "leaver", "invitee", "requester", "loner",
    }


def test_a_new_member_appears_among_the_communitys_people_without_reindexing(people_world: World, member: User) -> None:
    newcomer = person("newcomer", people_world.private)
    newcomer.profile.discipline = "Geology"
    newcomer.profile.save(update_fields=["discipline"])
    indexing.index_documents(DocType.PERSON, [newcomer.pk])
    results = find(member, "geology", types=[DocType.PERSON], community_ids=[people_world.private.pk])
    assert _people(results) == {"owner", "member", "newcomer"}
