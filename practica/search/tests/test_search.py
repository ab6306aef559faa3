"""Search: what it finds (threads and people), its filters, snippets, ranking, how the index follows the content,
the rebuild command, and what the search page costs in queries."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState
from practica.discussions import services
from practica.discussions.models import Thread, ThreadKind
from practica.discussions.search import index_threads
from practica.lib.testing.client import Api
from practica.lib.testing.content import answer, ask, opening, person
from practica.lib.testing.factories import CommunityFactory, OrganizationFactory, UserFactory
from practica.people.services import profile_update
from practica.search import indexing
from practica.search.models import DocType, SearchDocument
from practica.search.tests.conftest import HTMX, client_for, find, titles

pytestmark = pytest.mark.django_db

Reindex = Callable[[], dict[str, int]]


def _doc(thread: Thread) -> SearchDocument | None:
    return SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id=thread.pk).first()


# --- What is found --------------------------------------------------------------------------------


def test_a_thread_is_found_by_a_word_of_its_title(community: Community, member: User, reindex: Reindex) -> None:
    ask(community, member, "Entanglement witness for two qubits", body="Plain context.")
    ask(community, member, "Casing wear in deviated wells", body="Plain context.")
    reindex()
    assert titles(find(member, "witness")) == ["Entanglement witness for two qubits"]


def test_a_thread_is_found_by_a_word_of_its_opening_post(community: Community, member: User, reindex: Reindex) -> None:
    ask(community, member, "Which mud system?", body="We consider a zeolite additive in the mud.")
    reindex()
    assert titles(find(member, "zeolite")) == ["Which mud system?"]


def test_a_thread_is_found_by_a_word_of_a_reply(
    community: Community, owner: User, member: User, reindex: Reindex
) -> None:
    thread = ask(community, member, "How to survey a deviated well?", body="Which tool?")
    answer(thread, owner, "A gyroscope survey works where magnetic tools fail.")
    reindex()
    assert titles(find(member, "gyroscope")) == ["How to survey a deviated well?"]


def test_a_thread_is_found_by_a_word_of_a_comment(
    community: Community, owner: User, member: User, reindex: Reindex
) -> None:
    thread = ask(community, member, "How to survey a deviated well?", body="Which tool?")
    services.comment_create(post=opening(thread), author=owner, body="Did you try a magnetometer first?")
    reindex()
    assert titles(find(member, "magnetometer")) == ["How to survey a deviated well?"]


def test_a_thread_is_found_by_its_tags(community: Community, owner: User, reindex: Reindex) -> None:
    ask(community, owner, "Which inhibitor dose?", body="Plain context.", tags=["Hydrate inhibition"])
    ask(community, owner, "Which bit?", body="Plain context.", tags=["Drilling"])
    reindex()
    assert titles(find(owner, "hydrate")) == ["Which inhibitor dose?"]
    assert titles(find(owner, "drilling")) == ["Which bit?"]


@pytest.fixture
def ada(db: None) -> User:
    ada = UserFactory.create(
        username="ada",
        expertise=["Quantum error correction"],
        discipline="Petrophysics",
        organization=OrganizationFactory.create(name="Norsk Boreselskap"),
    )
    ada.profile.display_name = "Ada Lovelace"
    ada.profile.save(update_fields=["display_name"])
    UserFactory.create(username="bob", discipline="Drilling engineering")
    return ada


@pytest.mark.parametrize(
    "query",
    ["Lovelace", "Ada Lovelace", "error correction", "quantum", "petrophysics", "Boreselskap", "norsk"],
    ids=["surname", "full-name", "expertise", "expertise-word", "discipline", "organisation", "organisation-word"],
)
def test_people_are_found_by_name_expertise_discipline_and_organisation(
    ada: User, member: User, reindex: Reindex, query: str
) -> None:
    reindex()
    results = find(member, query, types=[DocType.PERSON])
    assert [(h.type, h.id) for h in results.hits] == [("person", ada.pk)]
    assert results.hits[0].title == "Ada Lovelace"
    assert results.hits[0].url == "/people/ada/"


def test_a_profile_edit_reaches_the_index_when_it_commits(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(profile=member.profile, actor=member, discipline="Geomechanics", expertise=["Sand control"])
    assert [h.id for h in find(None, "geomechanics", types=[DocType.PERSON]).hits] == [member.pk]
    assert [h.id for h in find(None, "sand control", types=[DocType.PERSON]).hits] == [member.pk]


# --- Filters --------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(
    owner: User, member: User, public_community: Community, members_only_community: Community, reindex: Reindex
) -> dict[str, Thread]:
    """Threads about casing, of every kind and state, in two communities the member reads."""
    threads = {
        "question": ask(public_community, member, "Casing question", body="casing wear", tags=["Drilling"]),
        "discussion": ask(public_community, owner, "Casing discussion", body="casing wear", kind=ThreadKind.DISCUSSION),
        "idea": ask(public_community, member, "Casing idea", body="casing wear", kind=ThreadKind.IDEA),
        "old": ask(public_community, owner, "Casing in 2020", body="casing wear", created_at=dt.datetime(2020, 3, 1, tzinfo=dt.UTC)),
        "elsewhere": ask(members_only_community, member, "Casing elsewhere", body="casing wear", tags=["Well integrity"]),
    }
    reply = answer(threads["question"], owner, "Use a thicker wall.")
    services.answer_accept(post=reply, actor=member)
    reindex()
    return threads


def _all(user: User, **filters: Any) -> set[str]:
    return set(titles(find(user, "casing", **filters)))


def test_the_community_filter_keeps_one_community(
    catalogue: dict[str, Thread], member: User, public_community: Community, members_only_community: Community
) -> None:
    assert _all(member) == {"Casing question", "Casing discussion", "Casing idea", "Casing in 2020", "Casing elsewhere"}
    assert _all(member, community_ids=[members_only_community.pk]) == {"Casing elsewhere"}
    assert "Casing elsewhere" not in _all(member, community_ids=[public_community.pk])


def test_the_type_filter_keeps_threads_or_people(catalogue: dict[str, Thread], member: User, reindex: Reindex) -> None:
    UserFactory.create(username="casey", discipline="Casing design")
    reindex()
    people = find(member, "casing", types=[DocType.PERSON])
    threads = find(member, "casing", types=[DocType.THREAD])
    assert {h.type for h in people.hits} == {"person"}
    assert [h.title for h in people.hits] == ["casey"]
    assert {h.type for h in threads.hits} == {"thread"}
    assert len(threads.hits) == 5


def test_the_kind_filter_keeps_questions_discussions_or_ideas(catalogue: dict[str, Thread], member: User) -> None:
    assert _all(member, kind="discussion") == {"Casing discussion"}
    assert _all(member, kind="idea") == {"Casing idea"}
    assert "Casing discussion" not in _all(member, kind="question")


def test_the_tag_filter_keeps_threads_with_that_topic(catalogue: dict[str, Thread], member: User) -> None:
    assert _all(member, tag="drilling") == {"Casing question"}
    assert _all(member, tag="well-integrity") == {"Casing elsewhere"}
    assert _all(member, tag="Well integrity") == {"Casing elsewhere"}  # a topic's name means its slug
    assert _all(member, tag="well_integrity") == {"Casing elsewhere"}
    assert _all(member, tag="Drilling") == {"Casing question"}


def test_the_tag_filter_takes_no_wildcards_and_no_partial_words(catalogue: dict[str, Thread], member: User) -> None:
    for tag in ("%", "_", "%drill%", "drill", "drilli_g", "' OR 1=1 --"):
        assert _all(member, tag=tag) == set(), tag


def test_the_author_filter_keeps_one_persons_threads(catalogue: dict[str, Thread], owner: User) -> None:
    assert _all(owner, author_id=owner.pk) == {"Casing discussion", "Casing in 2020"}


def test_the_solved_filter_keeps_answered_or_unanswered_questions(catalogue: dict[str, Thread], member: User) -> None:
    assert _all(member, solved=True) == {"Casing question"}
    assert "Casing question" not in _all(member, solved=False)
    assert len(_all(member, solved=False)) == 4


def test_the_date_range_filter_keeps_threads_created_within_it(catalogue: dict[str, Thread], member: User) -> None:
    assert _all(member, date_to=dt.date(2020, 12, 31)) == {"Casing in 2020"}
    # The thread was created at midnight UTC, exactly on the bound: the day it was created includes it.
    assert _all(member, date_from=dt.date(2020, 3, 1), date_to=dt.date(2020, 3, 1)) == {"Casing in 2020"}
    assert _all(member, date_to=dt.date(2020, 2, 29)) == set()
    assert _all(member, date_from=dt.date(2020, 3, 2), date_to=dt.date(2020, 12, 31)) == set()
    assert "Casing in 2020" not in _all(member, date_from=timezone.now().date() - dt.timedelta(days=1))


def test_the_api_applies_every_filter_by_slug_username_and_words(
    catalogue: dict[str, Thread], api: Api, member: User, owner: User
) -> None:
    def api_titles(**params: str) -> set[str]:
        response = api.as_user(member).get("/api/v1/search/", {"q": "casing", **params})
        assert response.status_code == 200, response.content
        return {row["title"] for row in response.json()["results"]}

    assert api_titles(community="members-wells") == {"Casing elsewhere"}
    assert api_titles(type="thread", kind="idea") == {"Casing idea"}
    assert api_titles(tag="drilling") == {"Casing question"}
    assert api_titles(author="owner") == {"Casing discussion", "Casing in 2020"}
    assert api_titles(author="nobody-by-this-name") == set()
    assert api_titles(solved="yes") == {"Casing question"}
    assert api_titles(date_from="2020-01-01", date_to="2020-12-31") == {"Casing in 2020"}
    assert api.get("/api/v1/search/", {"q": "casing", "type": "thread,planet"}).status_code == 400
    assert api.get("/api/v1/search/", {"q": "casing", "date_from": "yesterday"}).status_code == 400


def test_the_api_answers_with_count_broadened_and_hits(catalogue: dict[str, Thread], api: Api, member: User) -> None:
    body = api.as_user(member).get("/api/v1/search/", {"q": "casing", "page_size": "2"}).json()
    assert body["count"] == 5
    assert body["broadened"] is False
    assert len(body["results"]) == 2
    assert set(body["results"][0]) >= {"type", "id", "title", "snippet", "score", "url", "external_id", "community"}
    second = api.as_user(member).get("/api/v1/search/", {"q": "casing", "page_size": "2", "page": "3"}).json()
    assert len(second["results"]) == 1


# --- Snippets -------------------------------------------------------------------------------------


HOSTILE_BODY = (
    "Before the entanglement test we pasted `<script>alert('x')</script>` and `<img src=x onerror=alert(1)>` "
    "from Tom & Jerry's notes; entanglement fidelity was 0.9 < 1."
)


def _no_raw_markup(snippet: str) -> None:
    without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks, snippet
    assert not re.search(r"&(?!amp;|lt;|gt;|quot;|#x27;)", without_marks), snippet


def test_snippets_wrap_the_matched_words_in_mark(community: Community, member: User, reindex: Reindex) -> None:
    ask(community, member, "Fidelity of a Bell pair", body="We measured the entanglement of a Bell pair twice.")
    reindex()
    (hit,) = find(member, "entanglement").hits
    assert "<mark>entanglement</mark>" in hit.snippet


def test_snippets_are_html_escaped_whatever_the_body_holds(
    community: Community, owner: User, member: User, reindex: Reindex
) -> None:
    thread = ask(community, member, "Fidelity <b>of</b> a Bell pair", body=HOSTILE_BODY)
    services.comment_create(post=opening(thread), author=owner, body="Raw <script>steal()</script> & entanglement")
    reindex()
    (hit,) = find(member, "entanglement").hits
    assert "<mark>entanglement</mark>" in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "&amp;" in hit.snippet
    _no_raw_markup(hit.snippet)
    for query in ("script", "alert", "img onerror", "steal", "jerry"):
        for found in find(member, query).hits:
            _no_raw_markup(found.snippet)


def test_the_search_page_and_api_never_serve_markup_from_a_body(
    community: Community, member: User, api: Api, reindex: Reindex
) -> None:
    ask(community, member, "Fidelity <script>alert(2)</script> of a Bell pair", body=HOSTILE_BODY)
    reindex()
    page = client_for(member).get("/search/", {"q": "entanglement script"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<mark>entanglement</mark>" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    data = api.as_user(member).get("/api/v1/search/", {"q": "entanglement"}).json()
    _no_raw_markup(data["results"][0]["snippet"])


# --- Matching and ranking -------------------------------------------------------------------------


def test_the_last_word_matches_as_a_prefix(community: Community, member: User, reindex: Reindex) -> None:
    ask(community, member, "Entanglement witness for two qubits", body="Plain context.")
    ask(community, member, "Casing wear", body="Plain context.")
    reindex()
    assert titles(find(member, "entangl")) == ["Entanglement witness for two qubits"]
    assert titles(find(member, "witness entan")) == ["Entanglement witness for two qubits"]


def test_results_with_all_the_words_come_before_those_with_some(
    community: Community, member: User, reindex: Reindex
) -> None:
    ask(community, member, "Cement slurry design", body="Slurry density and cement.")
    ask(community, member, "Cement barrier logging", body="How to log the cement barrier.")
    ask(community, member, "Barrier philosophy", body="Two barriers everywhere.")
    reindex()
    results = find(member, "cement barrier logging")
    assert results.hits[0].title == "Cement barrier logging"
    assert set(titles(results)[1:]) == {"Cement slurry design", "Barrier philosophy"}
    assert results.broadened is True
    assert results.count == 3
    fewer = find(member, "cement barrier")
    assert titles(fewer)[0] == "Cement barrier logging"
    assert fewer.broadened is True
    everywhere = find(member, "cement")
    assert set(titles(everywhere)) == {"Cement barrier logging", "Cement slurry design"}
    assert everywhere.broadened is False
    assert everywhere.count == 2


def test_a_full_page_of_results_with_all_the_words_is_not_broadened(
    community: Community, member: User, reindex: Reindex
) -> None:
    for n in range(3):
        ask(community, member, f"Cement barrier case {n}", body="Plain.")
    ask(community, member, "Cement slurry design", body="Plain.")
    reindex()
    page = find(member, "cement barrier", limit=3)
    assert page.broadened is False
    assert page.count == 3
    assert all(t.startswith("Cement barrier case") for t in titles(page))
    second = find(member, "cement barrier", limit=3, offset=3)
    assert titles(second) == ["Cement slurry design"]
    assert second.broadened is True


def test_the_search_page_says_when_results_match_only_some_words(
    community: Community, member: User, reindex: Reindex
) -> None:
    ask(community, member, "Cement slurry design", body="Slurry density.")
    reindex()
    html = client_for(member).get("/search/", {"q": "cement lithology"}).content.decode()
    assert "matching some of your words" in html
    assert "Cement slurry design" in html


def _twins(community: Community, author: User, helper: User, title: str) -> tuple[Thread, Thread]:
    """Two threads with the same words, each with the same reply: equal text relevance."""
    first = ask(community, author, title, body="Pressure builds up in the annulus after the cement sets.")
    second = ask(community, author, title, body="Pressure builds up in the annulus after the cement sets.")
    for thread in (first, second):
        answer(thread, helper, "Bleed it off and watch the rate.")
    return first, second


def test_a_solved_thread_ranks_above_an_unsolved_one_with_the_same_text(
    community: Community, owner: User, member: User, reindex: Reindex
) -> None:
    unsolved, solved = _twins(community, owner, member, "Annulus pressure build-up")
    reply = solved.posts.filter(is_opening=False).get()
    services.answer_accept(post=reply, actor=owner)
    reindex()
    results = find(member, "annulus pressure")
    assert [h.id for h in results.hits] == [solved.pk, unsolved.pk]
    assert results.hits[0].is_solved and not results.hits[1].is_solved
    assert results.hits[0].score > results.hits[1].score


def test_a_voted_thread_ranks_above_an_unvoted_one_with_the_same_text(
    community: Community, owner: User, member: User, reindex: Reindex
) -> None:
    voted, plain = _twins(community, owner, member, "Annulus pressure build-up")
    reindex()
    services.vote_set(post=opening(voted), user=member)  # updates the indexed vote count in place
    results = find(member, "annulus pressure")
    assert [h.id for h in results.hits] == [voted.pk, plain.pk]
    assert results.hits[0].votes == 1
    assert results.hits[0].score > results.hits[1].score


def test_text_relevance_outweighs_the_trust_signals(community: Community, owner: User, member: User, reindex: Reindex) -> None:
    weak = ask(community, owner, "Annulus notes", body="Sometimes the annulus shows some pressure, among many other things "
               "like casing wear, bit selection, mud weight, logging tools, crew changes and weather on the rig.")
    strong = ask(community, owner, "Annulus pressure", body="Annulus pressure after cementing: annulus pressure everywhere.")
    reply = answer(weak, member, "Noted.")
    services.answer_accept(post=reply, actor=owner)
    reindex()
    services.vote_set(post=opening(weak), user=member)
    assert [h.id for h in find(member, "annulus pressure").hits] == [strong.pk, weak.pk]


# --- The index follows the content, after commit --------------------------------------------------


def test_a_new_thread_is_searchable_once_its_transaction_commits(
    community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        thread = ask(community, member, "Obsidian in the cuttings", body="Black glassy cuttings.")
    assert find(member, "obsidian").hits == []
    for callback in callbacks:
        callback()
    assert [h.id for h in find(member, "obsidian").hits] == [thread.pk]


def test_editing_a_thread_updates_its_document_after_commit(
    community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member, "Obsidian in the cuttings", body="Black glassy cuttings.", tags=["Drilling"])
    post = opening(thread)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(
            post=post, editor=member, body="Grey basalt cuttings.", expected_version=post.version,
            title="Basalt in the cuttings", tags=["Well integrity"],
        )
    assert find(member, "obsidian").hits == []
    assert find(member, "glassy").hits == []
    assert titles(find(member, "basalt")) == ["Basalt in the cuttings"]
    doc = _doc(thread)
    assert doc is not None and "well-integrity" in doc.tags and "drilling" not in doc.tags


def test_deleting_a_thread_removes_its_document_and_restoring_brings_it_back(
    community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member, "Obsidian in the cuttings", body="Black glassy cuttings.")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=opening(thread), actor=member)
    assert _doc(thread) is None
    assert find(member, "obsidian").count == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.post_restore(post=opening(thread), actor=member)
    assert titles(find(member, "obsidian")) == ["Obsidian in the cuttings"]


def test_hiding_a_thread_removes_its_document_and_unhiding_brings_it_back(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member, "Obsidian in the cuttings", body="Black glassy cuttings.")
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_moderate(thread=thread, actor=owner, action="hide")
    assert _doc(thread) is None
    assert find(owner, "obsidian").hits == []
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_moderate(thread=thread, actor=owner, action="unhide")
    assert titles(find(owner, "obsidian")) == ["Obsidian in the cuttings"]


def test_a_hidden_or_deleted_reply_leaves_the_threads_document(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member, "Obsidian in the cuttings", body="Black glassy cuttings.")
        hidden = answer(thread, owner, "Looks like pumice to me.")
        deleted = answer(thread, owner, "Or perhaps tuff.")
    assert titles(find(member, "pumice")) == ["Obsidian in the cuttings"]
    with django_capture_on_commit_callbacks(execute=True):
        services.post_set_hidden(post=hidden, actor=owner, hidden=True)
        services.post_delete(post=deleted, actor=owner)
    assert find(member, "pumice").hits == []
    assert find(member, "tuff").hits == []
    assert titles(find(member, "obsidian")) == ["Obsidian in the cuttings"]


def test_accepting_an_answer_marks_the_document_solved(
    community: Community, owner: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member, "Obsidian in the cuttings", body="Black glassy cuttings.")
        reply = answer(thread, owner, "Volcanic glass.")
    assert find(member, "obsidian", solved=True).hits == []
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_accept(post=reply, actor=member)
    assert titles(find(member, "obsidian", solved=True)) == ["Obsidian in the cuttings"]


def test_moving_a_thread_moves_its_document_to_the_new_community(
    public_community: Community,
    private_community: Community,
    owner: User,
    member: User,
    outsider: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(public_community, member, "Obsidian in the cuttings", body="Black glassy cuttings.")
    assert titles(find(outsider, "obsidian")) == ["Obsidian in the cuttings"]
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_move(thread=thread, actor=owner, target=private_community)
    doc = _doc(thread)
    assert doc is not None and doc.community_id == private_community.pk
    assert doc.url == f"/communities/{private_community.slug}/threads/{thread.pk}/"
    assert find(outsider, "obsidian").count == 0
    assert find(None, "obsidian").count == 0
    assert titles(find(member, "obsidian", community_ids=[private_community.pk])) == ["Obsidian in the cuttings"]
    assert find(member, "obsidian", community_ids=[public_community.pk]).hits == []


# --- Rebuilding -----------------------------------------------------------------------------------


def test_rebuild_search_index_reports_and_indexes_visible_threads_and_active_people(
    community: Community, owner: User, member: User, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    ask(community, member, "Kept one", body="Plain.")
    ask(community, member, "Kept two", body="Plain.")
    deleted = ask(community, member, "Deleted one", body="Plain.")
    services.post_delete(post=opening(deleted), actor=member)
    hidden = ask(community, member, "Hidden one", body="Plain.")
    services.thread_moderate(thread=hidden, actor=owner, action="hide")
    UserFactory.create(username="gone", is_active=False)
    SearchDocument.objects.create(doc_type=DocType.THREAD, object_id=999_999, title="Stale", url="/x/")
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    # Other content types (events, knowledge) report their counts after these.
    assert re.match(r"Indexed 2 threads, 3 people(, \d+ \w+)* in \d+\.\d s", out.getvalue()), out.getvalue()
    assert set(SearchDocument.objects.filter(doc_type=DocType.THREAD).values_list("title", flat=True)) == {
        "Kept one", "Kept two",
    }
    assert set(SearchDocument.objects.filter(doc_type=DocType.PERSON).values_list("object_id", flat=True)) == {
        owner.pk, member.pk, outsider.pk,
    }
    assert sorted(titles(find(member, "kept"))) == ["Kept one", "Kept two"]
    assert find(member, "stale").hits == []


def test_rebuild_indexes_the_same_people_as_saving_a_profile(
    community: Community, member: User, reindex: Reindex
) -> None:
    """Someone who left every community still has a public profile: a rebuild must not drop them."""
    leaver = person("leaver", community)
    Membership.objects.filter(user=leaver).update(state=MembershipState.LEFT)
    requester = UserFactory.create(username="requester")
    Membership.objects.create(community=community, user=requester, state=MembershipState.REQUESTED)
    indexing.index_documents(DocType.PERSON, [leaver.pk, requester.pk])
    before = set(SearchDocument.objects.filter(doc_type=DocType.PERSON).values_list("object_id", flat=True))
    reindex()
    after = set(SearchDocument.objects.filter(doc_type=DocType.PERSON).values_list("object_id", flat=True))
    assert {leaver.pk, requester.pk} <= before
    assert {leaver.pk, requester.pk} <= after


def test_reindexing_a_thread_twice_keeps_one_document(community: Community, member: User) -> None:
    thread = ask(community, member, "Obsidian in the cuttings", body="Black glassy cuttings.")
    assert index_threads([thread.pk, thread.pk]) == 1
    assert index_threads([thread.pk]) == 1
    assert SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id=thread.pk).count() == 1
    assert find(member, "obsidian").count == 1


# --- The search page ------------------------------------------------------------------------------


def test_the_search_page_renders_results_and_its_htmx_partial(community: Community, member: User, reindex: Reindex) -> None:
    ask(community, member, "Entanglement witness for two qubits", body="Plain context.")
    reindex()
    full = client_for(member).get("/search/", {"q": "entanglement"})
    partial = client_for(member).get("/search/", {"q": "entanglement"}, **HTMX)
    assert full.status_code == partial.status_code == 200
    assert "<h1>Search</h1>" in full.content.decode()
    assert "<h1>Search</h1>" not in partial.content.decode()
    assert "Entanglement witness for two qubits" in partial.content.decode()
    assert "1 result" in partial.content.decode()


def test_the_search_page_keeps_every_filter_as_it_was_chosen(community: Community, member: User) -> None:
    page = client_for(member).get(
        "/search/",
        {"q": "kick", "type": "thread", "community": community.slug, "kind": "idea", "solved": "no",
         "tag": "well-control", "author": "o'brien", "date_from": "2024-01-31", "date_to": "2024-02-29"},
    ).content.decode()
    assert '<option value="thread" selected>Thread</option>' in page
    assert f'<option value="{community.slug}" selected>' in page
    assert '<option value="idea" selected>' in page
    assert '<option value="no" selected>Unsolved</option>' in page
    assert 'name="tag" id="id_tag" maxlength="64" value="well-control"' in page
    assert 'value="o&#x27;brien"' in page  # escaped
    assert 'name="date_from" id="id_date_from" value="2024-01-31"' in page
    assert 'name="date_to" id="id_date_to" value="2024-02-29"' in page
    assert page.count(" selected") == 4
    blank = client_for(member).get("/search/").content.decode()
    assert " selected" not in blank and 'id="id_tag" maxlength="64" value=""' in blank


def test_the_search_page_with_an_empty_or_wordless_query_shows_no_results(member: User, community: Community) -> None:
    for q in ("", "   ", "***", "\"()"):
        response = client_for(member).get("/search/", {"q": q})
        assert response.status_code == 200
        assert '<ol class="search-results">' not in response.content.decode()


def _page_queries(user: User, q: str) -> int:
    client = client_for(user)
    client.get("/search/", {"q": q})  # warm up: session, user
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _stuck_pipes(community: Community, authors: list[User], numbers: range) -> None:
    for n in numbers:
        ask(community, authors[n % len(authors)], f"Stuck pipe incident {n}", body="Differential sticking.",
            tags=["Drilling"] if n % 3 else [])


def test_the_search_page_costs_the_same_queries_for_5_and_50_results(
    community: Community, owner: User, member: User, reindex: Reindex
) -> None:
    _stuck_pipes(community, [member, owner], range(5))
    UserFactory.create(username="sticky", discipline="Differential sticking")
    reindex()
    few = _page_queries(member, "sticking")
    _stuck_pipes(community, [member, owner], range(5, 50))
    reindex()
    many = _page_queries(member, "sticking")
    assert few == many, (few, many)


def test_a_several_word_search_page_costs_one_more_query_only_when_it_broadens(
    community: Community, owner: User, member: User, reindex: Reindex
) -> None:
    """Fewer than a page with all the words adds a search for some of them; nothing grows with the results."""
    _stuck_pipes(community, [member, owner], range(5))
    reindex()
    five = _page_queries(member, "differential sticking")
    _stuck_pipes(community, [member, owner], range(5, 25))
    reindex()
    twenty_five = _page_queries(member, "differential sticking")
    _stuck_pipes(community, [member, owner], range(25, 50))
    reindex()
    fifty = _page_queries(member, "differential sticking")
    assert twenty_five == fifty, (twenty_five, fifty)
    # The extra search for some of the words: one query (two on PostgreSQL, which looks up the languages first).
    assert fifty < five <= fifty + 2, (five, fifty)
    assert "Stuck pipe incident" in client_for(member).get("/search/", {"q": "stuck pipe"}).content.decode()


def test_the_search_page_pages_results(community: Community, member: User, reindex: Reindex) -> None:
    for n in range(25):
        ask(community, member, f"Stuck pipe incident {n}", body="Differential sticking.")
    reindex()
    first = client_for(member).get("/search/", {"q": "stuck pipe"}).content.decode()
    second = client_for(member).get("/search/", {"q": "stuck pipe", "page": "2"}).content.decode()
    assert "25 results" in first
    assert len(re.findall(r"Stuck pipe incident \d+</a>", first)) == 20
    assert len(re.findall(r"Stuck pipe incident \d+</a>", second)) == 5
    assert client_for(member).get("/search/", {"q": "stuck pipe", "page": "x"}).status_code == 200


# --- Language of a community (PostgreSQL text-search configuration) -------------------------------


def test_documents_take_their_communitys_language_and_unknown_languages_fall_back_to_english(
    owner: User, member: User, reindex: Reindex
) -> None:
    german = CommunityFactory.create(creator=owner, name="Bohrtechnik", slug="bohrtechnik", language="german")
    klingon = CommunityFactory.create(creator=owner, name="Klingon", slug="klingon", language="klingon'; DROP")
    ask(german, owner, "Zementierung der Bohrungen", body="Die Bohrungen wurden zementiert.")
    ask(klingon, owner, "Cement in space", body="Plain.")
    reindex()
    languages = dict(SearchDocument.objects.filter(doc_type=DocType.THREAD).values_list("title", "language"))
    assert languages == {"Zementierung der Bohrungen": "german", "Cement in space": "english"}
    assert titles(find(owner, "cement")) == ["Cement in space"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's FTS5 stems English only (porter)")
def test_postgresql_stems_each_community_in_its_own_language(owner: User, reindex: Reindex) -> None:
    german = CommunityFactory.create(creator=owner, name="Bohrtechnik", slug="bohrtechnik", language="german")
    english = CommunityFactory.create(creator=owner, name="Drilling", slug="drilling-en")
    ask(german, owner, "Zementierung", body="Die Bohrung wurde sorgfältig zementiert.")
    ask(english, owner, "Cementing", body="The wells were cemented carefully.")
    reindex()
    # "Bohrungen" only reaches "Bohrung" through the German stemmer (the last word is a prefix, so it comes first).
    results = find(owner, "Bohrungen zementiert")
    assert titles(results) == ["Zementierung"] and results.broadened is False
    both = find(owner, "carefully sorgfältig")
    assert set(titles(both)) == {"Zementierung", "Cementing"}


# --- The backends behind one interface ------------------------------------------------------------


def test_the_backend_gives_candidates_counts_and_escaped_snippets(community: Community, member: User, reindex: Reindex) -> None:
    from practica.search.backends import get_backend
    from practica.search.selectors import thread_filters

    ask(community, member, "Entanglement & <b>fidelity</b>", body=HOSTILE_BODY)
    ask(community, member, "Casing wear", body="Entanglement of the wireline.")
    reindex()
    backend = get_backend()
    filters = thread_filters(member, None)
    strict = backend.candidates(["entanglement", "fidelity"], filters, any_term=False, limit=10)
    loose = backend.candidates(["entanglement", "fidelity"], filters, any_term=True, limit=10)
    assert len(strict) == 1 and len(loose) == 2
    assert loose[0][1] >= loose[1][1] > 0
    assert backend.count(["entanglement", "fidelity"], filters, any_term=False) == 1
    assert backend.count(["entanglement", "fidelity"], filters, any_term=True) == 2
    assert backend.count(["entangl"], filters, any_term=False) == 2  # the last word is a prefix
    snippets = backend.snippets(["entanglement"], [doc_id for doc_id, _ in loose])
    assert len(snippets) == 2
    for snippet in snippets.values():
        assert re.search(r"<mark>entanglement</mark>", snippet, re.IGNORECASE), snippet
        _no_raw_markup(snippet)


def test_the_header_search_box_holds_the_query_on_the_search_page_only(community: Community, member: User) -> None:
    client = client_for(member)
    search = client.get("/search/", {"q": "casing wear"}).content.decode()
    assert 'id="site-search" name="q" placeholder="Search…" value="casing wear"' in search
    experts = client.get("/experts/", {"q": "casing wear", "community": community.slug}).content.decode()
    assert 'id="site-search" name="q" placeholder="Search…" value=""' in experts
