"""Index statistics the backends use to keep queries on big indexes cheap: document counts and frequencies
(cached), the SQLite OR query without words most documents have, "more like this" terms without common words, and
PostgreSQL's text-search configurations (no scan of the documents per search). No timings here: the speed is
measured by ``bench/run.py --only search`` (docs/benchmarks.md)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community
from practica.lib.testing.client import Api
from practica.search import backends, selectors
from practica.search.backends import Filters, get_backend, index_statistics, postgres, sqlite
from practica.search.models import DocType, SearchDocument
from practica.search.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _documents(community: Community, bodies: list[str], *, language: str = "english") -> list[int]:
    start = 1_000_000
    SearchDocument.objects.bulk_create(
        [
            SearchDocument(
                doc_type=DocType.THREAD,
                object_id=start + k,
                community=community,
                title=f"Thread {k}",
                body=body,
                url=f"/t/{k}/",
                language=language,
            )
            for k, body in enumerate(bodies)
        ],
        batch_size=500,
    )
    return list(
        SearchDocument.objects.filter(object_id__gte=start).order_by("object_id").values_list("id", flat=True)
    )


def _corpus(community: Community) -> list[int]:
    """1,200 documents: "plenty" in 900 of them, "fifthword" in 300, "needle" in 40 (more often in some)."""
    bodies = []
    for k in range(1200):
        words = ["filler", f"unique{k}"]
        if k % 4:
            words.append("plenty")
        if k % 4 == 0:
            words.append("fifthword")
        if k % 30 == 0:
            words += ["needle"] * (1 + k % 7)
        bodies.append(" ".join(words))
    return _documents(community, bodies)


def test_document_count_and_capped_frequencies(community: Community) -> None:
    _corpus(community)
    backend = get_backend()
    assert backend.document_count() == 1200
    assert backend.document_frequency("needle", cap=1000) == 40
    assert backend.document_frequency("plenty", cap=100) == 100  # counted up to the cap only
    assert backend.document_frequency("absent", cap=100) == 0


def test_frequencies_of_many_words_are_counted_in_one_query_and_then_cached(community: Community) -> None:
    _corpus(community)
    backend = get_backend()
    words = ["needle", "plenty", "absent", "fifthword", "needle", *(f"unique{k}" for k in range(150))]
    with CaptureQueriesContext(connection) as first:
        found = backend.document_frequencies(words, cap=1000)
    assert found["needle"] == 40 and found["plenty"] == 900 and found["absent"] == 0 and found["fifthword"] == 300
    assert found["unique149"] == 1 and len(found) == 154  # each word once
    # Not a query per word: two batches of at most 100 words (PostgreSQL also reads its text-search
    # configurations and statistics, a query or two per batch).
    assert len(first) <= 8, [q["sql"][:80] for q in first.captured_queries]
    with CaptureQueriesContext(connection) as again:
        assert backend.document_frequencies(["needle", "plenty"], cap=1000) == {"needle": 40, "plenty": 900}
    assert len(again) == 0
    assert backend.document_frequency("needle", cap=1000) == 40  # the one-word form reads the same cache


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5's bm25 (PostgreSQL ranks with ts_rank_cd)")
def test_an_or_query_ranks_the_same_documents_without_the_words_most_documents_have(
    community: Community,
) -> None:
    _corpus(community)
    backend = get_backend()
    assert isinstance(backend, backends.SQLiteBackend)
    terms = ["plenty", "filler", "needle", "unique7"]  # two words in most documents, a rare one, a prefix
    assert backend._without_common(terms) == ["needle", "unique7"]
    everything = dict(backend._ranked(terms, Filters([], []), any_term=True, limit=2000))
    full = backend._ranked(terms, Filters([], []), any_term=True, limit=20)
    pruned = backend.candidates(terms, Filters([], []), any_term=True, limit=20)
    # The same scores in the same order (documents with equal scores may swap places, as in any two runs).
    assert [round(everything[i], 4) for i, _ in pruned] == [round(score, 4) for _, score in full]
    assert {i for i, _ in pruned} <= {i for i, score in everything.items() if score >= full[-1][1] - 1e-4}
    # Fewer documents with the other words than asked for: the full query decides, as before.
    many = backend.candidates(terms, Filters([], []), any_term=True, limit=200)
    assert [round(s, 6) for _, s in many] == [
        round(s, 6) for _, s in backend._ranked(terms, Filters([], []), any_term=True, limit=200)
    ]


def test_more_like_this_terms_leave_out_words_in_more_than_a_tenth_of_the_documents(
    community: Community,
) -> None:
    _corpus(community)
    backend = get_backend()
    terms = ["plenty", "needle", "fifthword", "absent", "unique5"]
    assert selectors.informative_terms(terms, backend) == ["needle", "absent", "unique5"]
    # Too few left: the least common of the others (counted up to a tenth, then in their order) make up three.
    assert selectors.informative_terms(["plenty", "fifthword", "needle"], backend) == [
        "needle",
        "plenty",
        "fifthword",
    ]


def test_small_indexes_keep_every_word(community: Community) -> None:
    _documents(community, ["plenty"] * 50)
    backend = get_backend()
    assert selectors.informative_terms(["plenty", "other"], backend) == ["plenty", "other"]
    if isinstance(backend, backends.SQLiteBackend):
        assert backend._without_common(["plenty", "other"]) == ["plenty", "other"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="text-search configurations are PostgreSQL's")
def test_documents_in_a_language_no_community_has_any_more_are_still_found(community: Community) -> None:
    """A community whose language changed keeps its documents' old configuration until they are reindexed."""
    [doc_id] = _documents(community, ["Die Bohrungen wurden geprüft"], language="german")
    backend = get_backend()
    assert "german" in backend._languages(Filters([], []))
    found = backend.candidates(
        ["bohrungen"], Filters(["d.community_id = %s"], [community.id]), any_term=False, limit=5
    )
    assert [i for i, _ in found] == [doc_id]


def test_related_threads_ask_for_a_threads_most_distinctive_words(community: Community) -> None:
    """tf·idf: a word the thread repeats and few documents have comes first; words in over 5 % are left out."""
    _corpus(community)
    backend = get_backend()
    terms = selectors.more_like_this_terms(
        "Needle valve", "", "needle needle plenty plenty plenty plenty fifthword unique3 unique3", backend
    )
    assert terms[0] == "needle"
    assert "unique3" in terms and "valve" not in terms  # a word no document has says nothing either
    assert "plenty" not in terms and "fifthword" not in terms


def test_counts_stop_at_the_cap_and_the_page_says_so(community: Community, member: User) -> None:
    """Results are counted up to the ranked ones (200, ``COUNT_CAP``); the backend can still count them all."""
    _corpus(community)
    backend = get_backend()
    assert backend.count(["plenty"], Filters([], []), any_term=False) == 900
    assert backend.count(["plenty"], Filters([], []), any_term=False, cap=101) == 101
    results = selectors.search(user=member, q="plenty")
    assert (results.count, results.count_capped) == (selectors.COUNT_CAP, True) == (200, True)
    rare = selectors.search(user=member, q="needle")
    assert rare.count == 40 and not rare.count_capped
    page = client_for(member).get("/search/", {"q": "plenty"}).content.decode()
    assert "200+ results — the best 200 are shown; add words or filters to narrow them" in page
    assert "add words or filters" not in client_for(member).get("/search/", {"q": "needle"}).content.decode()


def test_a_capped_search_counts_without_a_counting_query(community: Community, member: User) -> None:
    """Whether there are more than 200 is known from ranking one more: no count(*) on the side."""
    _corpus(community)
    selectors.search(user=member, q="plenty")  # statistics cached
    with CaptureQueriesContext(connection) as ctx:
        selectors.search(user=member, q="plenty")
    assert not [q["sql"] for q in ctx.captured_queries if "count(" in q["sql"].lower()]


def test_every_page_the_search_offers_has_results_up_to_the_last(community: Community, member: User) -> None:
    """200+ results make 10 pages of 20, each full; a later page number shows the last page, not an empty one."""
    _corpus(community)
    client = client_for(member)
    tenth = client.get("/search/", {"q": "plenty", "page": "10"}).content.decode()
    assert len(re.findall(r'<a href="/t/\d+/">Thread \d+</a>', tenth)) == 20
    assert "page=11" not in tenth and "Nothing on this page" not in tenth
    beyond = client.get("/search/", {"q": "plenty", "page": "40"}).content.decode()
    assert (
        len(re.findall(r'<a href="/t/\d+/">Thread \d+</a>', beyond)) == 20
        and "Nothing on this page" not in beyond
    )
    seen: set[str] = set()
    for number in range(1, 11):
        hits = selectors.search(user=member, q="plenty", offset=(number - 1) * 20, limit=20).hits
        assert len(hits) == 20, number
        seen |= {h.url for h in hits}
    assert len(seen) == 200  # no result twice, none skipped


def _link(url: str | None) -> dict[str, str] | None:
    """A page link's query, or None: the order of the parameters does not matter."""
    if url is None:
        return None
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("testserver", "/api/v1/search/"), url
    return dict(parse_qsl(parts.query))


def test_the_search_api_links_its_pages_and_stops_where_the_count_does(
    community: Community, member: User, api: Api
) -> None:
    _corpus(community)
    client = api.as_user(member)
    first = client.get("/api/v1/search/?q=plenty&page_size=50").json()
    assert (first["count"], first["count_capped"], first["previous"]) == (200, True, None)
    assert _link(first["next"]) == {"q": "plenty", "page_size": "50", "page": "2"}
    second = client.get(first["next"]).json()
    assert _link(second["previous"]) == {"q": "plenty", "page_size": "50"}
    fourth = client.get("/api/v1/search/?q=plenty&page_size=50&page=4").json()
    assert len(fourth["results"]) == 50 and fourth["next"] is None
    assert _link(fourth["previous"]) == {"q": "plenty", "page_size": "50", "page": "3"}
    rare = client.get("/api/v1/search/?q=needle").json()
    assert (rare["count"], rare["previous"], len(rare["results"])) == (40, None, 20)
    assert _link(rare["next"]) == {"q": "needle", "page": "2"}
    last = client.get(rare["next"]).json()
    assert len(last["results"]) == 20 and last["next"] is None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the newest-matches limit is the SQLite backend's")
def test_a_query_matching_most_documents_ranks_the_newest_of_them(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _corpus(community)
    backend = get_backend()
    assert backend.matches_at_least(["plenty"], any_term=False, threshold=500)
    assert not backend.matches_at_least(["needle"], any_term=False, threshold=500)
    assert not backend.matches_at_least(["plenty", "needle"], any_term=False, threshold=500)  # both: ≤ 40
    monkeypatch.setattr(sqlite, "BROAD_MATCHES", 500)
    found = backend.candidates(["plenty"], Filters([], []), any_term=False, limit=50)
    newest = set(ids[-700:])  # 500 of the last 700 documents have "plenty"
    assert len(found) == 50 and {i for i, _ in found} <= newest
    # Narrow queries are ranked over all their matches, old ones included.
    needles = backend.candidates(["needle"], Filters([], []), any_term=False, limit=50)
    assert len(needles) == 40 and ids[0] in {i for i, _ in needles}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's newest-matches limit")
def test_postgresql_ranks_the_newest_matches_of_a_broad_query_and_all_of_a_narrow_one(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _corpus(community)
    backend = get_backend()
    assert isinstance(backend, backends.PostgresBackend)
    everything = backend.candidates(["plenty"], Filters([], []), any_term=False, limit=1200)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")  # the planner's estimates decide

    def plan(terms: list[str], any_term: bool) -> str:
        match, params, _, _ = backend._match(terms, Filters([], []), any_term)
        return backend._plan(match, params)

    assert plan(["plenty"], False) == "all"  # an index under BROAD_MATCHES (5,000) documents: every match
    monkeypatch.setattr(postgres, "BROAD_MATCHES", 1000)
    monkeypatch.setattr(postgres, "PG_BROAD_MATCHES", 200)  # dense from √(200 × 1,200 / 2) ≈ 346 matches
    assert plan(["plenty"], False) == "dense"  # 900 of 1,200
    assert plan(["plen"], False) == "dense"  # the last word is a prefix, as typed
    assert plan(["fifthword"], False) == "sparse"  # 300
    assert plan(["needle"], False) == "all"  # 40
    assert plan(["plenty", "needle"], False) == "all"  # both: at most the 40 with "needle"
    assert plan(["needle", "fifthword"], True) == "sparse"  # 320 with either
    for word, share in (("plenty", 3), ("fifthword", 1)):  # found walking back, and through the index
        found = backend.candidates([word], Filters([], []), any_term=False, limit=50)
        newest = set(ids[-200 * 4 // share :])  # the 200 newest with the word are among these
        assert len(found) == 50 and {i for i, _ in found} <= newest
    assert len(everything) == 900 and ids[1] in {i for i, _ in everything}  # without the limit: old ones too
    # Narrow queries are ranked over all their matches, old ones included.
    needles = backend.candidates(["needle"], Filters([], []), any_term=False, limit=50)
    assert len(needles) == 40 and ids[0] in {i for i, _ in needles}
    monkeypatch.setattr(postgres, "PG_BROAD_MATCHES", 1000)
    assert plan(["plenty"], False) == "all"  # fewer matches than that


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's column statistics")
def test_postgresql_estimates_the_frequency_of_a_word_its_statistics_say_is_common(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    _corpus(community)
    backend = get_backend()
    assert isinstance(backend, backends.PostgresBackend)
    assert backend._estimated_frequencies(["plenty"], "english") == {}  # no statistics yet: words are counted
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")  # the whole table is the sample: exact shares
    postgres.clear_caches()
    # Prefixes are counted; unique7 is too rare to be among the common lexemes.
    assert backend._estimated_frequencies(["plenty", "plen:*", "unique7"], "english") == {"plenty": 900}
    monkeypatch.setattr(postgres, "ESTIMATED_FROM", 300)
    with connection.cursor() as cursor:  # the statistics answer: rows added since change nothing
        cursor.execute("UPDATE search_searchdocument SET body = body || ' plenty'")
    index_statistics.clear()
    assert backend.document_frequency("plenty", cap=100) == 100
    assert backend.document_frequency("plenty", cap=2000) == 900  # estimated: 300 or more
    assert backend.document_frequency("fifthword", cap=2000) == 300
    assert backend.document_frequency("needle", cap=30) == 30  # 40 > 1.25 × 30
    assert backend.document_frequency("needle", cap=35) == 35  # counted: too close to trust an estimate
    assert backend.document_frequency("needle", cap=1000) == 40
    monkeypatch.setattr(postgres, "ESTIMATED_FROM", 1000)
    index_statistics.clear()
    assert backend.document_frequency("plenty", cap=2000) == 1200  # counted


def _fts_bytes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(length(block)) FROM search_fts_data")
        return int(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5's index (PostgreSQL's GIN index is vacuumed)")
@pytest.mark.django_db(transaction=True)  # FTS5 writes its index when a transaction commits (until then in memory)
def test_optimizing_drops_what_deleted_documents_left_in_the_full_text_index(community: Community) -> None:
    # From a freshly built index: what earlier tests deleted left segments of delete markers in FTS5's tables (a
    # flush deletes rows, the triggers record it), and with enough of them FTS5's automerge would compact the index
    # as these documents are written, before the optimisation this test is about.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    _documents(community, [f"casing wear report {k} " + " ".join(f"w{k}x{j}" for j in range(20)) for k in range(300)])
    SearchDocument.objects.filter(object_id__gte=1_000_010).delete()  # the triggers leave delete markers
    before = _fts_bytes()
    assert before > 20_000, f"the 300 documents and their delete markers should fill the index, not {before} bytes"
    get_backend().optimize()
    assert _fts_bytes() < before / 2
    assert get_backend().count(["casing"], Filters(where=[], params=[]), any_term=False) == 10
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")  # raises if corrupt


def test_a_rebuild_ends_by_compacting_the_full_text_index(
    community: Community, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from practica.lib.testing.content import ask
    from practica.search import indexing

    ask(community, member, "Casing wear", body="Wear on the casing string after drilling.")
    calls: list[str] = []
    backend_class = type(get_backend())
    original = backend_class.optimize

    def recorded(self: backends.Backend) -> None:
        calls.append("optimize")
        original(self)

    monkeypatch.setattr(backend_class, "optimize", recorded)
    indexing.rebuild()
    assert calls == ["optimize"]
    assert selectors.search(user=member, q="casing wear").count == 1
