"""Latent semantic search (latent.py): a question reaches threads that say the same with other words, learnt
from the community's own threads — never a thread the viewer may not read."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services
from practica.discussions.models import Thread
from practica.lib.testing.client import Api
from practica.lib.testing.content import ask
from practica.search import latent, selectors
from practica.search.models import LatentSpace, ThreadLatent
from practica.search.tests.conftest import client_for, find, titles

pytestmark = pytest.mark.django_db

# The valve threads speak of gearboxes and grease too; the private thread only of gearboxes and grease.
VALVES = "valve actuator torque gearbox grease seal"
CEMENT = "cement barrier bond log zonal isolation slurry"
QUESTION = "Valve actuator torque keeps rising"
TARGET = "How often do you regrease a gearbox?"
SIDES = ["owner", "member", "outsider", "anonymous"]
READS_PRIVATE = {"owner": True, "member": True, "outsider": False, "anonymous": False}


@pytest.fixture(autouse=True)
def small_spaces(settings: Any) -> None:
    settings.LATENT_MIN_DOCUMENTS = 5
    settings.LATENT_SEARCH = "auto"


@pytest.fixture
def corpus(
    public_community: Community, private_community: Community, owner: User, member: User, reindex: Callable[[], Any]
) -> Thread:
    """Six valve threads and six cement threads in public, one gearbox thread in private; indexed and built."""
    for n in range(6):
        ask(public_community, member, f"Valve report {n}", body=f"{VALVES} unit{n}a unit{n}b")
        ask(public_community, member, f"Cement report {n}", body=f"{CEMENT} well{n}a well{n}b")
    target = ask(private_community, owner, TARGET, body="Our gearbox grease hardens and the seal weeps.")
    reindex()
    return target


def _who(request: Any, side: str) -> User | None:
    return None if side == "anonymous" else request.getfixturevalue(side)


def test_a_rebuild_computes_the_space_and_places_every_thread(corpus: Thread) -> None:
    space = LatentSpace.objects.get()
    assert space.documents == Thread.objects.count() == 13
    assert ThreadLatent.objects.count() == 13
    assert space.dimensions == 2  # a fifth of 13 threads


@pytest.mark.parametrize("side", SIDES)
def test_a_question_finds_a_thread_that_shares_none_of_its_words_only_for_those_who_may_read_it(
    request: Any, corpus: Thread, side: str
) -> None:
    results = find(_who(request, side), QUESTION)
    found = titles(results)
    assert any(title.startswith("Valve report") for title in found)
    assert (TARGET in found) is READS_PRIVATE[side]
    # What only the space found says so: it shares none of the words.
    assert {hit.title: hit.match for hit in results.hits if hit.title == TARGET or hit.title == "Valve report 0"} == (
        {TARGET: "meaning", "Valve report 0": "words"} if READS_PRIVATE[side] else {"Valve report 0": "words"}
    )


def test_without_the_latent_space_the_same_question_does_not_reach_it(corpus: Thread, member: User, settings: Any) -> None:
    settings.LATENT_SEARCH = "off"
    assert TARGET not in titles(find(member, QUESTION))


def test_short_queries_keep_to_the_words(corpus: Thread, member: User) -> None:
    # Two informative words: a search for these words, not a question.
    assert TARGET not in titles(find(member, "valve actuator"))


def test_unrelated_threads_stay_out_below_the_similarity_floor(corpus: Thread, member: User) -> None:
    found = titles(find(member, QUESTION))
    assert not any(title.startswith("Cement report") for title in found)


@pytest.mark.parametrize("side", SIDES)
def test_similar_questions_while_asking_follow_the_same_rule(request: Any, corpus: Thread, side: str) -> None:
    user = _who(request, side)
    from django.contrib.auth.models import AnonymousUser

    hits = selectors.similar_questions(text=QUESTION, user=user or AnonymousUser(), limit=20)
    assert (TARGET in titles(hits)) is READS_PRIVATE[side]
    assert all(hit.match == ("meaning" if hit.title == TARGET else "words") for hit in hits)


@pytest.mark.parametrize("side", ["member", "outsider"])
def test_the_api_and_the_search_page_hold_the_same(request: Any, corpus: Thread, side: str, api: Api) -> None:
    user = request.getfixturevalue(side)
    api.as_user(user)
    body = api.get("/api/v1/search/", {"q": QUESTION}).json()
    matches = {hit["title"]: hit["match"] for hit in body["results"]}
    assert (matches.get(TARGET) == "meaning") is READS_PRIVATE[side]
    assert (TARGET in matches) is READS_PRIVATE[side]
    assert matches["Valve report 0"] == "words"
    page = client_for(user).get("/search/", {"q": QUESTION}).content.decode()
    assert ("regrease" in page) is READS_PRIVATE[side]
    assert ("Similar in meaning" in page) is READS_PRIVATE[side]


def test_a_thread_asked_after_the_build_is_placed_and_found(
    corpus: Thread, public_community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    find(member, QUESTION)  # the space is in memory before the new thread arrives
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(public_community, member, "Gearbox oil or grease for a stem drive?", body="gearbox grease seal")
    assert ThreadLatent.objects.filter(thread=thread).exists()
    assert "Gearbox oil or grease for a stem drive?" in titles(find(member, QUESTION))


def test_a_deleted_thread_leaves_the_space(
    corpus: Thread, owner: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=corpus.posts.get(is_opening=True), actor=owner)
    assert ThreadLatent.objects.get(thread=corpus).vector == b""  # emptied until the next build
    assert TARGET not in titles(find(member, QUESTION))
    call_command("build_latent_space", stdout=StringIO())
    assert not ThreadLatent.objects.filter(thread=corpus).exists()


def _neighbours(community_ids: list[int]) -> list[int]:
    placed = latent.place_text(QUESTION)
    assert placed is not None
    return [thread_id for thread_id, _ in latent.nearest(placed, community_ids=community_ids)]


def test_a_process_holding_the_space_drops_a_deleted_thread_from_the_neighbours(
    corpus: Thread, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    communities = [corpus.community_id]
    assert corpus.id in _neighbours(communities)  # the space is in this process's memory, the thread with it
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=corpus.posts.get(is_opening=True), actor=owner)
    assert corpus.id not in _neighbours(communities)
    assert latent.is_stale() is False  # 1 of 13 threads changed


def test_a_thread_edited_to_words_the_space_does_not_know_leaves_it(
    corpus: Thread, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    communities = [corpus.community_id]
    assert corpus.id in _neighbours(communities)
    opening = corpus.posts.get(is_opening=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(post=opening, editor=owner, title="Zyxwv qwrtp", body="Plmkj vbnhg xcvbn.", expected_version=1)
    assert ThreadLatent.objects.get(thread=corpus).vector == b""
    assert corpus.id not in _neighbours(communities)


def test_too_few_threads_build_no_space_and_search_keeps_its_words(
    corpus: Thread, member: User, settings: Any
) -> None:
    settings.LATENT_MIN_DOCUMENTS = 50
    out = StringIO()
    call_command("build_latent_space", stdout=out)
    assert "Not built: fewer than 50 threads" in out.getvalue()
    assert not LatentSpace.objects.exists() and not ThreadLatent.objects.exists()
    found = titles(find(member, QUESTION))
    assert TARGET not in found and any(title.startswith("Valve report") for title in found)


def test_the_command_rebuilds_only_when_stale_with_if_stale(
    corpus: Thread, public_community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    out = StringIO()
    call_command("build_latent_space", "--if-stale", stdout=out)
    assert "up to date" in out.getvalue()
    first = LatentSpace.objects.get().pk
    with django_capture_on_commit_callbacks(execute=True):
        ask(public_community, member, "Valve follow-up", body=VALVES)
    out = StringIO()
    call_command("build_latent_space", "--if-stale", stdout=out)
    assert "up to date" in out.getvalue()  # 1 of 13 threads: less than a tenth
    with django_capture_on_commit_callbacks(execute=True):
        ask(public_community, member, "Valve follow-up again", body=VALVES)
    out = StringIO()
    call_command("build_latent_space", "--if-stale", stdout=out)
    assert "Placed 15 threads" in out.getvalue()
    assert LatentSpace.objects.get().pk != first


@pytest.mark.parametrize("dimensions", ["1", "5000", "x"])
def test_the_command_refuses_a_bad_number_of_dimensions(corpus: Thread, dimensions: str) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("build_latent_space", "--dimensions", dimensions)
    assert LatentSpace.objects.count() == 1


def test_the_command_says_when_latent_search_is_off(corpus: Thread, settings: Any) -> None:
    from django.core.management.base import CommandError

    settings.LATENT_SEARCH = "off"
    with pytest.raises(CommandError, match="switched off"):
        call_command("build_latent_space")


@pytest.mark.parametrize(
    "query",
    [
        "valve " * 3000,
        "🔧 valve ⚙️ actuator 🛢 torque",
        "valve'); DROP TABLE search_threadlatent; -- actuator torque",
        "zzqx wwqy vvqz unknownword",
        'valve AND "actuator" NEAR(torque) *',
    ],
)
def test_any_long_query_answers_without_error(corpus: Thread, member: User, query: str) -> None:
    results = find(member, query)
    assert results.count == len(results.hits) or results.count > len(results.hits)
    assert ThreadLatent.objects.count() == 13


def test_a_query_of_unknown_words_adds_nothing(corpus: Thread, member: User) -> None:
    assert latent.place_text("zzqx wwqy vvqz unknownword") is None
    assert find(member, "zzqx wwqy vvqz unknownword").count == 0


def _queries(user: User, q: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        find(user, q, limit=100)
    return len(captured)


def test_a_long_search_costs_the_same_queries_whatever_the_space_finds(
    corpus: Thread, public_community: Community, private_community: Community, owner: User, member: User,
    reindex: Callable[[], Any],
) -> None:
    find(member, QUESTION)  # the space in memory
    few = find(member, QUESTION)
    assert TARGET in titles(few)  # one thread only the space found
    queries = _queries(member, QUESTION)
    for n in range(20):
        ask(public_community, member, f"Valve case {n}", body=f"{VALVES} case{n}")
        ask(private_community, owner, f"Gearbox case {n}", body=f"gearbox grease seal case{n}")
    reindex()
    find(member, QUESTION)
    many = titles(find(member, QUESTION, limit=100))
    assert len(many) > len(titles(few)) and any(title.startswith("Gearbox case") for title in many)
    assert _queries(member, QUESTION) == queries


def test_a_long_search_asks_for_the_viewers_communities_once(corpus: Thread, member: User) -> None:
    find(member, QUESTION)  # the space in memory
    with CaptureQueriesContext(connection) as captured:
        hits = find(member, QUESTION)
    assert TARGET in titles(hits)  # the space took part
    # Which communities the viewer may read: the query that looks at their visibility.
    readable = [q for q in captured.captured_queries if '"communities_community"."visibility"' in q["sql"]]
    assert len(readable) == 1, [q["sql"][:120] for q in readable]


def test_a_short_search_asks_nothing_of_the_space(corpus: Thread, member: User) -> None:
    find(member, "valve")
    with CaptureQueriesContext(connection) as captured:
        find(member, "valve actuator")
    assert not any("latent" in q["sql"].lower() for q in captured.captured_queries)


def test_a_community_move_moves_the_vector_so_the_old_readers_lose_it(
    corpus: Thread, public_community: Community, owner: User, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    assert TARGET not in titles(find(outsider, QUESTION))
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_move(thread=corpus, actor=owner, target=public_community)
    assert ThreadLatent.objects.get(thread=corpus).community_id == public_community.id
    assert TARGET in titles(find(outsider, QUESTION))
