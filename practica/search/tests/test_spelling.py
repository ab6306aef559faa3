""""Did you mean …?": the vocabulary follows the content, a misspelled search gets a correction that finds
results, and nothing a viewer may not read ever shapes one (from the owner's, a member's, an outsider's and the
anonymous visitor's side)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services
from practica.lib.testing.client import Api
from practica.lib.testing.content import ask, opening, published
from practica.lib.testing.factories import UserFactory
from practica.people.services import profile_update
from practica.search import indexing, spelling
from practica.search.models import SearchWord
from practica.search.tests.conftest import HTMX, World, client_for, find

pytestmark = pytest.mark.django_db

Reindex = Callable[[], dict[str, int]]
SIDES = ["owner", "member", "outsider", "anonymous"]
READS_ALL = {"owner": True, "member": True, "outsider": False, "anonymous": False}


def _who(request: Any, side: str) -> User | None:
    return None if side == "anonymous" else request.getfixturevalue(side)


def _suggested(user: User | None, q: str, **filters: Any) -> str | None:
    suggestion = find(user, q, suggest=True, **filters).suggestion
    return suggestion.query if suggestion else None


# --- Edits ----------------------------------------------------------------------------------------


def test_one_edit_covers_a_dropped_an_added_a_changed_and_two_swapped_letters() -> None:
    edits = spelling.one_edit("seal")
    assert {"sea", "steal", "sael", "zeal", "seals"} <= edits
    assert "seal" not in edits
    assert "slap" not in edits  # two edits away


def test_distance_counts_edits_and_stops_beyond_the_limit() -> None:
    assert spelling.distance("presure", "pressure") == 1
    assert spelling.distance("zirkonum", "zirconium") == 2
    assert spelling.distance("confidentail", "confidential") == 1  # a swap is one edit
    assert spelling.distance("cement", "barrier") == 3  # more than the limit of 2


def test_only_words_of_letters_of_three_to_thirty_that_are_not_stop_words_are_kept() -> None:
    assert spelling.words_of("The Zirconium tracer, 42 ok x2 é" + " a" * 3, "well_known " + "q" * 31) == {
        "zirconium", "tracer",
    }


# --- The vocabulary follows the content -----------------------------------------------------------


def test_a_new_thread_adds_its_words_to_the_vocabulary_when_it_is_saved(
    community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask(community, member, "Hafnium liners in sour wells", body="Our metallurgist suggested hafnium.")
    assert {"hafnium", "liners", "metallurgist"} <= set(SearchWord.objects.values_list("word", flat=True))


def test_people_and_knowledge_items_add_their_words_too(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        quintessa = UserFactory.create(username="quintessa")
        profile_update(profile=quintessa.profile, actor=quintessa, discipline="Petrophysics")
        published(community, member, owner, title="Checklist for tubular inspection")
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"quintessa", "petrophysics", "tubular", "inspection"} <= words


def test_reindexing_a_community_after_an_import_adds_its_words(community: Community, member: User) -> None:
    ask(community, member, "Tungsten carbide inserts", body="Ordered from a new supplier.")  # not indexed yet
    assert not SearchWord.objects.filter(word="tungsten").exists()
    indexing.reindex_community(community.pk)
    assert {"tungsten", "carbide", "inserts", "supplier"} <= set(SearchWord.objects.values_list("word", flat=True))


def test_a_rebuild_starts_the_vocabulary_afresh(world: World, reindex: Reindex) -> None:
    SearchWord.objects.create(word="stalevocabulary", backwards="yralubacovelats")
    reindex()
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert "stalevocabulary" not in words
    assert {"zirconium", "privateword", "membersword"} <= words


# --- Suggestions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("zirconum", "zirconium"),  # a letter dropped
        ("zirconiuum", "zirconium"),  # a letter added
        ("zirconiun", "zirconium"),  # a letter changed
        ("zircoinum", "zirconium"),  # two letters swapped
        ("zirkonum", "zirconium"),  # two edits, in a long word
        ("xirconum", "zirconium"),  # two edits, one of them in the first two letters
        ("zirconum tracer", "zirconium tracer"),  # the right words stay
    ],
)
def test_a_misspelled_search_suggests_the_spelling_that_finds_results(
    world: World, member: User, typed: str, meant: str
) -> None:
    results = find(member, typed, suggest=True)
    assert results.count == 0 or results.broadened  # no result has all the words
    assert results.suggestion is not None
    assert results.suggestion.query == meant
    assert find(member, meant).count > 0
    assert [word for word, changed in results.suggestion.words if changed] == ["zirconium"]


def test_the_spelling_found_in_most_documents_wins(
    community: Community, member: User, reindex: Reindex
) -> None:
    for number in range(3):
        ask(community, member, f"Seal failure number {number}", body="The seal leaked again.")
    ask(community, member, "Steal a glance at the logs", body="Nothing else here.")
    reindex()
    assert _suggested(member, "stal") == "seal"  # "steal" is one edit away too, in one document only


def test_no_suggestion_when_results_have_all_the_words_or_the_words_exist_but_not_together(
    world: World, member: User, outsider: User
) -> None:
    assert _suggested(member, "zirconium") is None
    assert _suggested(member, "zirconium membersword") is None  # both exist, in different threads
    assert _suggested(outsider, "qwxzrtyv") is None  # nothing near it anywhere


def test_a_suggestion_keeps_to_the_filters(world: World, member: User) -> None:
    assert _suggested(member, "zirconum", community_ids=[world.public.pk]) == "zirconium"
    assert _suggested(member, "zirconum", community_ids=[world.members_only.pk]) is None


def test_a_deleted_threads_words_are_never_suggested(
    community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member, "Vanadium additive trial", body="Vanadium in the slurry.")
    assert _suggested(member, "vanadum") == "vanadium"
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=opening(thread), actor=member)
    assert SearchWord.objects.filter(word="vanadium").exists()  # the spelling stays…
    assert _suggested(member, "vanadum") is None  # …but finds nothing, so it is not offered


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize(("typed", "hidden"), [("privatewrd", "privateword"), ("confidentail", "confidential"),
                                                ("memberswrd", "membersword")])
def test_a_word_only_hidden_content_holds_is_suggested_only_to_those_who_may_read_it(
    request: Any, world: World, side: str, typed: str, hidden: str
) -> None:
    expected = hidden if READS_ALL[side] else None
    user = _who(request, side)
    assert _suggested(user, typed) == expected
    page = client_for(user).get("/search/", {"q": typed}).content.decode()
    assert (hidden in page) is READS_ALL[side]
    body = Api().as_user(user).get("/api/v1/search/", {"q": typed}).json()
    assert body["suggestion"] == expected
    assert body["count"] == 0


def test_the_page_offers_the_corrected_search_with_the_same_filters(world: World, member: User) -> None:
    client = client_for(member)
    page = client.get("/search/", {"q": "zirconum tracer", "type": "thread", "page": "2"}).content.decode()
    assert "Did you mean" in page
    assert "<strong><em>zirconium</em></strong> tracer" in page
    assert "?q=zirconium+tracer&amp;type=thread" in page
    assert "page=2" not in page
    partial = client.get("/search/", {"q": "zirconum"}, **HTMX).content.decode()
    assert "Did you mean" in partial and "No results for these words." in partial
    assert "Did you mean" not in client.get("/search/", {"q": "zirconium"}).content.decode()


def test_the_api_answers_null_when_there_is_nothing_to_suggest(world: World, member: User) -> None:
    body = Api().as_user(member).get("/api/v1/search/", {"q": "zirconium"}).json()
    assert body["suggestion"] is None
    assert body["count"] == 1


EIGHT_TYPOS = ["zirconum", "trazer", "cemnet", "barier", "verificaton", "welss", "pubilc", "notse"]


def test_every_misspelled_word_of_a_query_is_corrected(world: World, member: User) -> None:
    assert _suggested(member, " ".join(EIGHT_TYPOS)) == "zirconium tracer cement barrier verification wells public notes"


def test_a_long_misspelled_query_costs_a_bounded_number_of_queries(world: World, member: User) -> None:
    with CaptureQueriesContext(connection) as one:
        find(member, "zirconum", suggest=True)
    with CaptureQueriesContext(connection) as many:
        results = find(member, " ".join(EIGHT_TYPOS * 2), suggest=True)
    # Only the first MAX_CHECKED words are checked (the rest stay as typed, so nothing is offered); each costs a
    # check, a look-up of spellings one edit away and one count of them, at most one more for two edits.
    assert results.suggestion is None
    assert len(many) <= len(one) + (spelling.MAX_CHECKED - 1) * 4 + 2
