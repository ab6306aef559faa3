"""Search and related threads, scoped to what the viewer may read.

Ranking (documented in docs/search.md):

    score = relevance × (1 + 0.1·solved + 0.3·votes + 0.1·recency + 0.1·trust)

where ``relevance`` is the engine's text score (bm25 on SQLite, ts_rank_cd on PostgreSQL, ts_rank for broad queries) divided by the best
candidate's, ``votes`` = log(1 + max(votes, 0)) / log(101) capped at 1, ``recency`` = exp(−age in days / 365),
and ``trust`` is how much the community vouches for the author (their accepted answers there, 0..1).
Permission filters are SQL conditions applied before ranking and counting, so nothing a viewer may not read
influences results, counts or snippets.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from practica.communities.selectors import AnyUser, communities_readable_by
from practica.search import latent, rerank, semantic, similarity, spelling
from practica.search.backends import STOPWORDS, Filters, get_backend, keywords, make_snippet, tokens
from practica.search.models import DocType, SearchDocument
from practica.topics.services import topic_normalise

CANDIDATES = 200  # documents ranked per search, and so the most anyone can page through
ORDERS = ("newest", "votes")  # sorts other than relevance (Backend.ordered); pages stop at COUNT_CAP too
COUNT_CAP = CANDIDATES  # results are counted up to this many ("200+"): what is counted can be paged through
# Tuned on the Quantum Computing dump (docs/quality.md): larger weights for "solved" and recency hurt.
WEIGHTS = {"solved": 0.1, "votes": 0.3, "recency": 0.1, "trust": 0.1}


@dataclass
class Hit:
    type: str
    id: int
    title: str
    snippet: str
    score: float
    url: str
    external_id: str
    community: str | None = None
    kind: str = ""
    is_solved: bool = False
    votes: int = 0
    replies: int = 0
    created_at: dt.datetime | None = None
    # "words": found by the full-text index; "meaning": only by the latent space or the sentence embeddings (it
    # may share few or none of the query's words, and its snippet then highlights nothing).
    match: str = "words"


@dataclass
class Results:
    query: str
    count: int
    hits: list[Hit] = field(default_factory=list)
    broadened: bool = False
    count_capped: bool = False  # more than COUNT_CAP results: ``count`` is COUNT_CAP ("200+")
    suggestion: spelling.Suggestion | None = None  # "did you mean": a spelling that finds results with all its words


def _signals(doc: dict[str, Any], now: dt.datetime) -> float:
    votes = min(1.0, math.log1p(max(doc["votes"], 0)) / math.log(101)) if doc["doc_type"] != DocType.PERSON else 0.0
    age_days = max((now - doc["created_at"]).total_seconds() / 86400, 0)
    recency = math.exp(-age_days / 365)
    return (
        WEIGHTS["solved"] * doc["is_solved"]
        + WEIGHTS["votes"] * votes
        + WEIGHTS["recency"] * recency
        + WEIGHTS["trust"] * doc["author_trust"]
    )


def sql_datetime(value: dt.datetime) -> Any:
    """A datetime as the database compares it in raw SQL (SQLite stores naive UTC text: an aware value's
    "+00:00" suffix would make a row created exactly at the bound sort before it)."""
    return connection.ops.adapt_datetimefield_value(value)


def _filters(
    *,
    user: AnyUser,
    types: list[str],
    community_ids: list[int] | None,
    kind: str,
    tag: str,
    author_id: int | None,
    solved: bool | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    exclude_ids: list[int] | None = None,
) -> Filters:
    where: list[str] = []
    params: list[Any] = []
    readable = list(communities_readable_by(user).values_list("id", flat=True))
    if community_ids is not None:
        readable = [c for c in readable if c in set(community_ids)]
    content_types = [t for t in types if t != DocType.PERSON]
    clauses = []
    if content_types:
        type_marks = ", ".join(["%s"] * len(content_types))
        if readable:
            community_marks = ", ".join(["%s"] * len(readable))
            clauses.append(f"(d.doc_type IN ({type_marks}) AND d.community_id IN ({community_marks}))")
            params += [*content_types, *readable]
    if DocType.PERSON in types:
        if community_ids is not None:
            # People of a community: its active members (only when the viewer may read it).
            if readable:
                marks = ", ".join(["%s"] * len(readable))
                members_sql = (
                    "(d.doc_type = 'person' AND d.object_id IN (SELECT m.user_id FROM communities_membership m "  # noqa: S608
                    f"WHERE m.state = 'active' AND m.community_id IN ({marks})))"
                )
                clauses.append(members_sql)
                params += readable
        else:
            clauses.append("(d.doc_type = 'person')")
    if not clauses:
        clauses.append("(1 = 0)")
    where.append("(" + " OR ".join(clauses) + ")")
    if kind:
        where.append("d.kind = %s")
        params.append(kind)
    if tag:
        # The topic's slug (as the tags column holds it): no LIKE wildcards from the user, same case on both engines.
        slug = topic_normalise(tag)
        where.append("lower(' ' || d.tags || ' ') LIKE %s" if slug else "1 = 0")
        params += [f"% {slug} %"] if slug else []
    if author_id:
        where.append("d.author_id = %s")
        params.append(author_id)
    if solved is not None:
        where.append("d.is_solved = %s")
        params.append(solved)
    if date_from:
        where.append("d.created_at >= %s")
        params.append(sql_datetime(dt.datetime.combine(date_from, dt.time.min, tzinfo=dt.UTC)))
    if date_to:
        where.append("d.created_at < %s")
        params.append(sql_datetime(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)))
    if exclude_ids:
        marks = ", ".join(["%s"] * len(exclude_ids))
        where.append(f"d.id NOT IN ({marks})")
        params += exclude_ids
    return Filters(where=where, params=params, communities=readable)


def search(
    *,
    user: AnyUser,
    q: str,
    types: list[str] | None = None,
    community_ids: list[int] | None = None,
    kind: str = "",
    tag: str = "",
    author_id: int | None = None,
    solved: bool | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    offset: int = 0,
    limit: int = 20,
    with_snippets: bool = True,
    suggest: bool = False,
    sort: str = "relevance",
) -> Results:
    """Ranked, permission-scoped search: results with all the words first, then (``broadened``) with some.

    ``sort="newest"`` or ``"votes"`` lists the results with all the words by date or by votes instead (each
    with ``score`` 0). With ``suggest``, a search without any result holding all the words also says what the
    viewer may have meant (``Results.suggestion``, see spelling.py)."""
    terms = tokens(q)
    results = Results(query=q, count=0)
    if not terms:
        return results
    filters = _filters(
        user=user,
        types=types or [DocType.THREAD, DocType.PERSON, DocType.KNOWLEDGE, DocType.EVENT],
        community_ids=community_ids,
        kind=kind,
        tag=tag,
        author_id=author_id,
        solved=solved,
        date_from=date_from,
        date_to=date_to,
    )
    backend = get_backend()
    if sort in ORDERS:
        ids, found = backend.ordered(
            terms, filters, order=sort, offset=offset, limit=max(0, min(limit, COUNT_CAP - offset)), count_cap=COUNT_CAP + 1
        )
        results.count, results.count_capped = min(found, COUNT_CAP), found > COUNT_CAP
        if suggest and not found:
            results.suggestion = _suggestion(terms, filters, backend)
        docs = _docs(ids)
        snippets = _snippets(terms, ids) if with_snippets else {}
        results.hits = [_hit(docs[i], 0.0, snippets.get(i, "")) for i in ids if i in docs]
        return results
    # One more than is ranked says whether there are more: the count needs no query of its own.
    strict = backend.candidates(terms, filters, any_term=False, limit=CANDIDATES + 1)
    more = len(strict) > CANDIDATES
    strict = strict[:CANDIDATES]
    if suggest and not strict:
        results.suggestion = _suggestion(terms, filters, backend)
    docs = _docs([i for i, _ in strict])
    ranked = rank(strict, docs)
    # Words that say what the query is about: "a", "in", "how" alone must not make a thread a result.
    some_terms = [t for t in terms if t not in STOPWORDS and len(t) > 1]
    if len(terms) > 1 and some_terms and len(strict) < offset + limit:
        # Fewer results than asked for with all the words: continue with those matching some of them.
        seen = {i for i, _ in strict}
        some = backend.candidates(some_terms, filters, any_term=True, limit=CANDIDATES + 1)
        more = more or len(some) > CANDIDATES
        loose = [c for c in some[:CANDIDATES] if c[0] not in seen]
        if loose:
            loose_docs = _docs([i for i, _ in loose])
            docs.update(loose_docs)
            ranked += rank(loose, loose_docs)
            results.broadened = True
    lexical = {i for i, _ in ranked}
    ranked = _hybrid(ranked, q=q, types=types, docs=docs, filters=filters)
    # What is counted can be reached: the results with all the words, then those with some (each once), then the
    # threads only the semantic ranking found.
    results.count = min(len(ranked), COUNT_CAP)
    results.count_capped = more or len(ranked) > COUNT_CAP
    page = ranked[offset : offset + limit]
    snippets = _snippets(terms, [i for i, _ in page]) if with_snippets else {}
    for doc_id, score in page:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        hit = _hit(doc, score, snippets.get(doc_id, ""))
        if doc_id not in lexical:
            hit.match = "meaning"
        results.hits.append(hit)
    return results


def _suggestion(terms: list[str], filters: Filters, backend: Any) -> spelling.Suggestion | None:
    """"Did you mean", decided only by what these filters (the viewer's permissions among them) let through."""
    return spelling.suggest(
        terms,
        # Counted up to COUNT_CAP, not 1: with LIMIT 1 PostgreSQL's planner walks the table hoping for an early
        # match of a word it has no statistics for — a whole scan (240 ms on 100,000 threads) when there is none.
        exists=lambda words: backend.count(words, filters, any_term=False, cap=spelling.COUNT_CAP) > 0,
        count=lambda words: backend.word_counts(words, filters, cap=spelling.COUNT_CAP),
    )


def _snippets(terms: list[str], ids: list[int]) -> dict[int, str]:
    """Highlighted extracts of the body (or the title when the body has none of the words)."""
    rows = SearchDocument.objects.filter(id__in=ids).values_list("id", "tags", "body")
    snippets = {}
    for doc_id, tags, body in rows:
        snippet = make_snippet(body, terms)
        snippets[doc_id] = snippet if MARK_START_HTML in snippet else (make_snippet(f"{tags}", terms) or snippet)
    return snippets


MARK_START_HTML = "<mark>"

SEARCH_RRF_K = 10
SIMILAR_DEPTH = 4  # "asked already?" takes this many candidates per question shown from each source
# Fused with the embedding's neighbours, the learnt order (rerank.py) stands for two rankings, the words' and the
# space's: it weighs twice (weighed alike, recall@10 was 2.5 points lower; docs/quality.md, eighth round).
LEARNT_ORDER_WEIGHT = 2.0


def _hybrid(
    ranked: list[tuple[int, float]],
    *,
    q: str,
    types: list[str] | None,
    docs: dict[int, dict[str, Any]],
    filters: Filters,
) -> list[tuple[int, float]]:
    """Add to the full-text ranking the threads nearest to the query in the latent space (a query of
    ``latent.MIN_WORDS`` informative words or more), ordering both by the learnt ranking (``rerank.py``), and,
    with the semantic extra, those nearest by sentence embedding (reciprocal rank fusion); threads only those
    found must still pass every filter."""
    if types and DocType.THREAD not in types:
        return ranked
    placed = latent.place_text(q)
    # A question, not a keyword lookup (the latent space's rule): embedding the query costs 10-35 ms of CPU,
    # more than the rest of a short search on 100,000 threads (docs/benchmarks.md).
    with_semantic = semantic.available() and len(latent.informative_words(q)) >= latent.MIN_WORDS
    if not (placed or with_semantic):
        return ranked
    found = _nearest_docs(text=q, placed=placed, with_semantic=with_semantic, filters=filters, limit=CANDIDATES // 2)
    missing = [i for i in dict.fromkeys([*found["latent"], *found["semantic"]]) if i not in docs]
    if missing:
        docs.update(_docs(missing))
    if placed:
        first = rerank.order(
            rerank.features(query=q, lexical=ranked, neighbours=found["latent"], placed=placed, docs=docs)
        )
        if not with_semantic:
            return first
        rankings, weights = [[i for i, _ in first], found["semantic"]], [LEARNT_ORDER_WEIGHT, 1.0]
    else:
        rankings, weights = [[i for i, _ in ranked], found["semantic"]], [1.0, 1.0]
    fused = semantic_rrf(rankings, k=SEARCH_RRF_K, weights=weights)
    return [(i, round(score, 6)) for i, score in fused if i in docs]


def readable_thread_documents(thread_ids: Iterable[int], filters: Filters) -> dict[int, int]:
    """{thread id: search document id} of these threads that pass the filters (permissions, kind, tag, dates...):
    the nearest threads by vector (latent space, sentence embeddings) become documents the viewer may see, in
    one query however many lists of them a request has."""
    wanted = list(dict.fromkeys(thread_ids))
    if not wanted:
        return {}
    marks = ", ".join(["%s"] * len(wanted))
    where = " AND ".join(["d.doc_type = %s", f"d.object_id IN ({marks})", *filters.where])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.object_id, d.id FROM search_searchdocument d WHERE {where}",  # noqa: S608
            [DocType.THREAD.value, *wanted, *filters.params],
        )
        return {int(row[0]): int(row[1]) for row in cursor.fetchall()}


def as_documents(thread_ids: list[int], readable: dict[int, int]) -> list[int]:
    """The readable ones of these threads as document ids, in the same order."""
    return [readable[t] for t in thread_ids if t in readable]


def _nearest_docs(
    *, text: str, placed: Any, with_semantic: bool, filters: Filters, limit: int
) -> dict[str, list[int]]:
    """The threads nearest to a text in the latent space (when ``placed``) and by sentence embedding (when
    ``with_semantic``), best first, as the documents that pass the filters: ``{"latent": [...], "semantic":
    [...]}`` (lists empty when not asked; one query for both)."""
    readable = filters.communities
    near = {
        "latent": latent.neighbour_threads(placed, community_ids=readable, limit=limit) if placed else [],
        "semantic": semantic.neighbour_threads_for_text(text=text, community_ids=readable, limit=limit)
        if with_semantic
        else [],
    }
    docs = readable_thread_documents([t for ids in near.values() for t in ids], filters)
    return {name: as_documents(ids, docs) for name, ids in near.items()}


DOC_FIELDS = (
    "id", "doc_type", "object_id", "title", "url", "external_id", "kind", "is_solved", "votes", "replies",
    "created_at", "author_trust", "community__slug",
)


def _docs(ids: list[int], *extra: str) -> dict[int, dict[str, Any]]:
    """The fields ranking and results need (and ``extra`` ones), for these document ids, in one query."""
    return {row["id"]: row for row in SearchDocument.objects.filter(id__in=ids).values(*DOC_FIELDS, *extra)}


def rank(candidates: list[tuple[int, float]], docs: dict[int, dict[str, Any]] | None = None) -> list[tuple[int, float]]:
    """Combine text relevance with the signals practitioners trust (see the module docstring)."""
    if not candidates:
        return []
    docs = docs if docs is not None else _docs([i for i, _ in candidates])
    best = max(score for _, score in candidates) or 1.0
    now = timezone.now()
    scored = []
    for doc_id, relevance in candidates:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        scored.append((doc_id, round((relevance / best) * (1 + _signals(doc, now)), 6)))
    scored.sort(key=lambda item: -item[1])
    return scored


def _hit(doc: dict[str, Any], score: float, snippet: str) -> Hit:
    return Hit(
        type=doc["doc_type"],
        id=doc["object_id"],
        title=doc["title"],
        snippet=snippet,
        score=score,
        url=doc["url"],
        external_id=doc["external_id"],
        community=doc.get("community__slug"),
        kind=doc["kind"],
        is_solved=doc["is_solved"],
        votes=doc["votes"],
        replies=doc["replies"],
        created_at=doc["created_at"],
    )


def thread_filters(user: AnyUser, community_ids: list[int] | None, exclude_doc: int | None = None) -> Filters:
    return _filters(
        user=user, types=[DocType.THREAD], community_ids=community_ids, kind="", tag="", author_id=None,
        solved=None, date_from=None, date_to=None, exclude_ids=[exclude_doc] if exclude_doc else None,
    )


RELATED_RRF_K = 10
# Related threads less similar than this share of the most similar one are left out (see related_threads). On the
# Quantum Computing dump recall@10 is the same (0.599) at 0, 0.1 and 0.2 (0.597 at 0.3): there, ten close threads
# always exist; in a community of a few dozen threads the last places went to threads about something else.
RELATED_MIN_SHARE = 0.2
# "More like this" queries (related threads, experts' similar threads) leave out the words found in more than
# MLT_MAX_SHARE of the documents: they say little about what a thread is about, yet make the query match, and rank,
# most of the index (on 100,000 threads such a query took most of a second; see docs/benchmarks.md). An index of
# under 1,000 documents keeps every word.
MLT_MAX_SHARE = 0.1
MLT_TERMS = 25  # the related-threads query: its most distinctive words (see more_like_this_terms)
MLT_TERM_MAX_SHARE = 0.05
MLT_CANDIDATE_WORDS = 64  # the thread's most frequent words whose document frequency is looked up


def informative_terms(terms: list[str], backend: Any, *, minimum: int = 3) -> list[str]:
    """``terms`` without the common ones (see above), in their order; when fewer than ``minimum`` are left, the
    least common of the others make up the number."""
    total = backend.document_count()
    if total < 1000 or not terms:
        return terms
    cap = int(total * MLT_MAX_SHARE) + 1
    frequency = backend.document_frequencies(terms, cap=cap)
    kept = [t for t in frequency if frequency[t] < cap]
    if len(kept) < minimum:
        kept += sorted((t for t in frequency if t not in kept), key=lambda t: frequency[t])[: minimum - len(kept)]
    return kept


def more_like_this_terms(title: str, tags: str, body: str, backend: Any) -> list[str]:
    """The words that best say what a thread is about: up to ``MLT_TERMS`` of them, by tf·idf.

    Term frequency counts a title word three times and a tag twice; words in more than ``MLT_TERM_MAX_SHARE`` of
    the documents are left out (an index under 1,000 documents keeps them). Few, distinctive words keep the OR
    query cheap — its cost grows with the documents each word is in — and lose little: on the Quantum Computing
    dump recall@10 of related threads went from 0.614 to 0.603 while the query got three times faster on
    100,000 threads (docs/quality.md, docs/benchmarks.md).
    """
    counts = similarity.weighted_words(title, tags, body)
    total = backend.document_count()
    cap = int(total * MLT_TERM_MAX_SHARE) + 1 if total >= 1000 else total + 1
    scored = []
    candidates = counts.most_common(MLT_CANDIDATE_WORDS)
    found = backend.document_frequencies([word for word, _ in candidates], cap=cap)
    for word, frequency in candidates:
        found_in = found[word]
        if 0 < found_in < cap:
            scored.append((frequency * math.log((total + 1) / found_in), word))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen = [word for _, word in scored[:MLT_TERMS]]
    return chosen or informative_terms(keywords(f"{title} {tags}"), backend)


RELATED_POOL = 50  # candidates each ranking of related threads brings, for the cosine re-ranking to order


def related_threads(*, thread: Any, user: AnyUser, limit: int = 10) -> list[Hit]:
    """Other threads most similar to this one, best first, among those the viewer may read.

    Candidates: the ``RELATED_POOL`` best by BM25 of the thread's most distinctive words
    (``more_like_this_terms``) and — with the semantic extra — as many nearest neighbours by sentence embedding,
    fused by reciprocal rank (k = 10). They are ordered by the cosine similarity of their word vectors to the
    thread's (``similarity.rerank``); with the extra, that order is fused once more with the first one (the
    embedding knows what the words do not). Last, a light boost for well-voted threads (× (1 + 0.2·votes)).
    Measured in docs/quality.md (a second BM25 ranking, of the title and tags, added nothing once the cosine
    orders the candidates, and cost a query of 10–20 ms on 100,000 threads on PostgreSQL).
    """
    own = (
        SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id=thread.id)
        .values("id", "title", "tags", "body", "terms")
        .first()
    )
    title = own["title"] if own else thread.title
    tags = own["tags"] if own else ""
    body = own["body"] if own else ""
    filters = thread_filters(user, None, own["id"] if own else None)
    backend = get_backend()
    depth = max(limit, RELATED_POOL)
    rankings: list[list[int]] = []
    terms = more_like_this_terms(title, tags, body, backend)
    if terms:
        rankings.append([i for i, _ in backend.candidates(terms, filters, any_term=True, limit=depth, whole_words=True)])
    with_semantic = semantic.available()
    by_meaning: list[int] = []
    if with_semantic:
        neighbours = semantic.neighbour_threads(thread_id=thread.id, community_ids=filters.communities, limit=depth)
        # An embedding names the community it was computed in (a moved thread's may lag): the documents decide.
        by_meaning = as_documents(neighbours, readable_thread_documents(neighbours, filters))
        rankings.insert(0, by_meaning)
    fused = semantic_rrf(rankings, k=RELATED_RRF_K)
    if not fused:
        return []
    docs = _docs([i for i, _ in fused], "terms")
    source = similarity.parse_terms(own["terms"]) if own else {}
    if not source:  # not indexed yet (or indexed before word counts were kept): from its text
        source = similarity.term_counts(title, tags, body, keep=similarity.TERMS_KEPT)
    by_words = similarity.rerank(source, {i: similarity.parse_terms(docs[i]["terms"]) for i, _ in fused if i in docs}, backend)
    # A thread that shares only a word or two with this one is not related to it, whatever place is left: under
    # RELATED_MIN_SHARE of the best similarity it is not shown (unless the sentence embedding found it: a
    # paraphrase shares few words). On a young community the panel no longer fills up with other subjects.
    floor = RELATED_MIN_SHARE * (by_words[0][1] if by_words else 0.0)
    weak = {i for i, score in by_words if score < floor and i not in by_meaning}
    by_words = [(i, score) for i, score in by_words if i not in weak]
    fused = [(i, score) for i, score in fused if i not in weak]
    ordered = semantic_rrf([[i for i, _ in by_words], [i for i, _ in fused]], k=RELATED_RRF_K) if with_semantic else by_words
    boosted = sorted(
        ((i, s * (1 + 0.2 * min(1.0, math.log1p(max(docs[i]["votes"], 0)) / math.log(101)))) for i, s in ordered if i in docs),
        key=lambda item: -item[1],
    )[:limit]
    return [_hit(docs[i], round(s, 6), "") for i, s in boosted]


def semantic_rrf(rankings: list[list[int]], *, k: int = 60, weights: list[float] | None = None) -> list[tuple[int, float]]:
    return semantic.rrf(*rankings, k=k, weights=weights)


def similar_questions(*, text: str, user: AnyUser, community_ids: list[int] | None = None, limit: int = 5) -> list[Hit]:
    """Existing threads like a question being typed (duplicate detection while asking): the threads with its
    words and, once it has ``latent.MIN_WORDS`` informative words, those nearest in the latent space, ordered as
    a search of it would be (``rerank.py``); with the semantic extra, fused with the embedding's nearest."""
    terms = keywords(text)
    if not terms:
        return []
    filters = thread_filters(user, community_ids)
    depth = max(limit * SIMILAR_DEPTH, 20)
    lexical = get_backend().candidates(terms, filters, any_term=True, limit=depth)
    placed = latent.place_text(text)
    found = _nearest_docs(text=text, placed=placed, with_semantic=semantic.available(), filters=filters, limit=depth)
    docs: dict[int, dict[str, Any]] = {}
    if placed:
        docs = _docs(list(dict.fromkeys([*(i for i, _ in lexical), *found["latent"], *found["semantic"]])))
        first = rerank.order(
            rerank.features(query=text, lexical=rank(lexical, docs), neighbours=found["latent"], placed=placed, docs=docs)
        )
        rankings, weights = [[i for i, _ in first], found["semantic"]], [LEARNT_ORDER_WEIGHT, 1.0]
    else:
        rankings, weights = [[i for i, _ in lexical], found["semantic"]], [1.0, 1.0]
    fused = semantic_rrf(rankings, weights=weights)[:limit]
    missing = [i for i, _ in fused if i not in docs]
    if missing:
        docs.update(_docs(missing))
    words = {i for i, _ in lexical}
    hits = []
    for doc_id, score in fused:
        if doc_id in docs:
            hit = _hit(docs[doc_id], score, "")
            hit.match = "words" if doc_id in words else "meaning"
            hits.append(hit)
    return hits
