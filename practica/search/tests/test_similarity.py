"""Word vectors of threads and the cosine re-ranking of related threads (similarity.py), the migration that gives
documents indexed before it their word counts, and the full-text triggers surviving every migration."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.db import connection

from practica.accounts.models import User
from practica.communities.models import Community
from practica.lib.testing.client import Api
from practica.lib.testing.content import answer, ask
from practica.search import indexing, similarity
from practica.search.backends import get_backend
from practica.search.models import DocType, SearchDocument

pytestmark = pytest.mark.django_db


def test_word_counts_weigh_the_title_three_times_and_tags_twice_without_stop_words_or_numbers() -> None:
    counts = similarity.term_counts("Cement bond log", "cementing", "The cement log reads 2500 ft, a bad log.")
    assert counts == {"cement": 4, "log": 5, "bond": 3, "cementing": 2, "reads": 1, "bad": 1}
    assert list(counts)[:2] == ["log", "cement"]  # most frequent first


def test_word_counts_keep_only_the_most_frequent_words_when_asked() -> None:
    body = " ".join(f"w{k} " * (1 + k % 3) for k in range(600))  # 600 words, under BODY_CHARS
    kept = similarity.term_counts("", "", body, keep=similarity.TERMS_KEPT)
    assert len(kept) == similarity.TERMS_KEPT
    assert min(kept.values()) >= max(n for w, n in similarity.term_counts("", "", body).items() if w not in kept)


def test_stored_word_counts_read_back_and_bad_values_read_as_none() -> None:
    stored = similarity.terms_field("Kick", "well-control", "Shut in the well after a kick.")
    assert similarity.parse_terms(stored) == {"kick": 4, "well": 3, "control": 2, "shut": 1}
    for bad in (None, "", "not json", "[1, 2]", '"text"', '{"kick": "many"}', '{"kick": [1]}'):
        assert similarity.parse_terms(bad) == {}
    assert similarity.parse_terms('{"kick": "4", "well": 3.0}') == {"kick": 4, "well": 3}


def test_a_candidate_whose_stored_counts_are_all_zero_scores_nothing_rather_than_failing() -> None:
    class Frequencies:
        def document_count(self) -> int:
            return 10

        def document_frequencies(self, words: list[str], cap: int) -> dict[str, int]:
            return dict.fromkeys(words, 2)

    ranked = similarity.rerank({"kick": 2}, {1: {"kick": 0}, 2: {"kick": 3}}, Frequencies())
    assert ranked[0][0] == 2
    assert ranked[1] == (1, 0.0)


def test_indexing_a_thread_stores_its_word_counts_and_a_person_none(community: Community, member: User) -> None:
    thread = ask(community, member, "Sustained casing pressure", body="Pressure on the B annulus keeps coming back.")
    answer(thread, member, "Bleed the annulus and watch the pressure build up.")
    indexing.rebuild()
    document = SearchDocument.objects.get(doc_type=DocType.THREAD, object_id=thread.pk)
    counts = json.loads(document.terms)
    assert counts["pressure"] == 3 + 1 + 1 and counts["annulus"] == 2 and counts["bleed"] == 1
    person = SearchDocument.objects.get(doc_type=DocType.PERSON, object_id=member.pk)
    assert not person.terms


def test_a_candidate_sharing_rare_words_outranks_one_sharing_common_words(community: Community) -> None:
    # "pressure" is in every document, "microannulus" in two: sharing the rare word says more.
    bodies = ["pressure filler"] * 8 + ["pressure microannulus"] * 2
    SearchDocument.objects.bulk_create(
        SearchDocument(doc_type=DocType.THREAD, object_id=900 + k, community=community, title="", body=body, url="/")
        for k, body in enumerate(bodies)
    )
    source = {"pressure": 5, "microannulus": 1}
    candidates = {1: {"pressure": 5, "other": 1}, 2: {"microannulus": 1, "other": 1}, 3: {}}
    ranked = similarity.rerank(source, candidates, get_backend())
    assert [doc_id for doc_id, _ in ranked] == [2, 1, 3]
    assert ranked[-1][1] == 0.0  # a document without word counts comes last, not in error


def test_a_long_candidate_is_not_preferred_for_its_length_alone(community: Community) -> None:
    SearchDocument.objects.bulk_create(
        SearchDocument(doc_type=DocType.THREAD, object_id=900 + k, community=community, title="", body=body, url="/")
        for k, body in enumerate(["kick influx"] * 2 + ["filler"] * 8)
    )
    source = {"kick": 2, "influx": 1}
    short = {"kick": 2, "influx": 1}
    long = {"kick": 2, "influx": 1, **{f"other{k}": 3 for k in range(200)}}
    ranked = similarity.rerank(source, {1: long, 2: short}, get_backend())
    assert [doc_id for doc_id, _ in ranked] == [2, 1]


def test_related_threads_put_the_thread_sharing_most_of_the_question_first(
    community: Community, owner: User, member: User, api: Api
) -> None:
    base = ask(community, member, "Losses while cementing the liner",
               body="We lose returns when cementing the 7 inch liner through the weak zone; lost circulation material?")
    # Both share the title's words; only the first shares what the whole question is about.
    close = ask(community, owner, "Lost returns cementing a liner",
                body="Returns lost across the weak zone while cementing the liner: lost circulation material helped.")
    loose = ask(community, owner, "Cementing the liner hanger",
                body="Cementing liner hanger setting tool and running procedure.")
    indexing.rebuild()
    rows = api.as_user(member).get(f"/api/v1/threads/{base.pk}/related/?limit=2").json()
    assert [row["id"] for row in rows] == [close.pk, loose.pk]


def test_a_thread_indexed_before_word_counts_were_kept_still_gets_related_threads(
    community: Community, owner: User, member: User, api: Api
) -> None:
    base = ask(community, member, "Sustained casing pressure on the B annulus", body="Pressure keeps coming back.")
    close = ask(community, owner, "B annulus sustained casing pressure again", body="Sustained casing pressure.")
    indexing.rebuild()
    SearchDocument.objects.update(terms=None)  # as a database migrated from before the column existed
    rows = api.as_user(member).get(f"/api/v1/threads/{base.pk}/related/?limit=5").json()
    assert [row["id"] for row in rows] == [close.pk]


def test_the_migration_gives_documents_indexed_before_it_their_word_counts(community: Community, member: User) -> None:
    thread = ask(community, member, "Kick while tripping", body="Pit gain of 5 bbl while pulling out of hole.")
    indexing.rebuild()
    SearchDocument.objects.update(terms=None)
    migration = importlib.import_module("practica.search.migrations.0005_term_counts")
    migration.fill_terms(apps, None)
    document = SearchDocument.objects.get(doc_type=DocType.THREAD, object_id=thread.pk)
    assert json.loads(document.terms)["kick"] == 3
    assert SearchDocument.objects.get(doc_type=DocType.PERSON, object_id=member.pk).terms is None


def test_the_full_text_triggers_survive_every_migration() -> None:
    """Adding a column with a default to search_searchdocument on SQLite remakes the table and drops its
    triggers: the full-text index would silently stop following the documents."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_searchdocument'")
            assert {row[0] for row in cursor.fetchall()} == {"search_fts_ai", "search_fts_ad", "search_fts_au"}
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'search_searchdocument'::regclass AND NOT tgisinternal")
            assert {row[0] for row in cursor.fetchall()} == {"search_document_vector_trg"}


def test_related_threads_match_whole_words_not_prefixes(
    community: Community, owner: User, member: User, api: Api
) -> None:
    """A related-threads query is made of a thread's words: "log" must not find "logistics" (as a search being
    typed would, where the last word may be unfinished)."""
    base = ask(community, member, "Cement log", body="The cement log again.")
    close = ask(community, owner, "Another cement log", body="A cement log with a microannulus.")
    prefix_only = ask(community, owner, "Logistics planning", body="Logistics of the crew change.")
    indexing.rebuild()
    ids = [row["id"] for row in api.as_user(member).get(f"/api/v1/threads/{base.pk}/related/?limit=10").json()]
    assert ids == [close.pk]
    assert prefix_only.pk not in ids
