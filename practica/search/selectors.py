"""Search and related threads, scoped to what the viewer may read.

Ranking (documented in docs/search.md):

    score = relevance × (1 + 0.5·solved + 0.3·votes + 0.3·recency + 0.2·trust)

where ``relevance`` is the engine's text score (bm25 on SQLite, ts_rank_cd on PostgreSQL) divided by the best
candidate's, ``votes`` = log(1 + max(votes, 0)) / log(101) capped at 1, ``recency`` = exp(−age in days / 365),
and ``trust`` is how much the community vouches for the author (their accepted answers there, 0..1).
Permission filters are SQL conditions applied before ranking and counting, so nothing a viewer may not read
influences results, counts or snippets.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from practica.communities.selectors import AnyUser, communities_readable_by
from practica.search.backends import Filters, get_backend, tokens
from practica.search.models import DocType, SearchDocument

CANDIDATES = 200
WEIGHTS = {"solved": 0.5, "votes": 0.3, "recency": 0.3, "trust": 0.2}


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


@dataclass
class Results:
    query: str
    count: int
    hits: list[Hit] = field(default_factory=list)
    broadened: bool = False


def _signals(doc: SearchDocument, now: dt.datetime) -> float:
    votes = min(1.0, math.log1p(max(doc.votes, 0)) / math.log(101)) if doc.doc_type != DocType.PERSON else 0.0
    age_days = max((now - doc.created_at).total_seconds() / 86400, 0)
    recency = math.exp(-age_days / 365)
    return (
        WEIGHTS["solved"] * doc.is_solved
        + WEIGHTS["votes"] * votes
        + WEIGHTS["recency"] * recency
        + WEIGHTS["trust"] * doc.author_trust
    )


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
        where.append("(' ' || d.tags || ' ') LIKE %s")
        params.append(f"% {tag} %")
    if author_id:
        where.append("d.author_id = %s")
        params.append(author_id)
    if solved is not None:
        where.append("d.is_solved = %s")
        params.append(solved)
    if date_from:
        where.append("d.created_at >= %s")
        params.append(dt.datetime.combine(date_from, dt.time.min, tzinfo=dt.UTC))
    if date_to:
        where.append("d.created_at < %s")
        params.append(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC))
    if exclude_ids:
        marks = ", ".join(["%s"] * len(exclude_ids))
        where.append(f"d.id NOT IN ({marks})")
        params += exclude_ids
    return Filters(where=where, params=params)


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
) -> Results:
    """Ranked, permission-scoped search. All words must match; if none do, any word may (``broadened``)."""
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
    any_term = False
    candidates = backend.candidates(terms, filters, any_term=False, limit=CANDIDATES)
    if not candidates and len(terms) > 1:
        any_term = True
        candidates = backend.candidates(terms, filters, any_term=True, limit=CANDIDATES)
    if not candidates:
        return results
    results.broadened = any_term
    results.count = (
        len(candidates) if len(candidates) < CANDIDATES else backend.count(terms, filters, any_term=any_term)
    )
    ranked = rank(candidates)
    page = ranked[offset : offset + limit]
    docs = {d.id: d for d in SearchDocument.objects.filter(id__in=[i for i, _ in page]).select_related("community")}
    snippets = backend.snippets(terms, [i for i, _ in page]) if with_snippets else {}
    for doc_id, score in page:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        results.hits.append(_hit(doc, score, snippets.get(doc_id, "")))
    return results


def rank(candidates: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Combine text relevance with the signals practitioners trust (see the module docstring)."""
    if not candidates:
        return []
    best = max(score for _, score in candidates) or 1.0
    docs = {
        d.id: d
        for d in SearchDocument.objects.filter(id__in=[i for i, _ in candidates]).only(
            "id", "doc_type", "votes", "created_at", "is_solved", "author_trust"
        )
    }
    now = timezone.now()
    scored = []
    for doc_id, relevance in candidates:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        score = (relevance / best) * (1 + _signals(doc, now))
        scored.append((doc_id, round(score, 6)))
    scored.sort(key=lambda item: -item[1])
    return scored


def _hit(doc: SearchDocument, score: float, snippet: str) -> Hit:
    return Hit(
        type=doc.doc_type,
        id=doc.object_id,
        title=doc.title,
        snippet=snippet,
        score=score,
        url=doc.url,
        external_id=doc.external_id,
        community=doc.community.slug if doc.community_id and doc.community else None,
        kind=doc.kind,
        is_solved=doc.is_solved,
        votes=doc.votes,
        replies=doc.replies,
        created_at=doc.created_at,
    )


def related_threads(*, thread: Any, user: AnyUser, limit: int = 10) -> list[Hit]:
    """Other threads most similar to this one, best first, among those the viewer may read.

    Uses the semantic index when the optional extra is installed (fused with the lexical ranking), else the
    lexical ranking of the thread's title and tags against all threads.
    """
    from practica.search import semantic

    own = SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id=thread.id).first()
    text = f"{thread.title} {own.tags if own else ''}"
    lexical = _similar_lexical(text, user=user, exclude_thread=thread.id, limit=max(limit, 30))
    if semantic.available():
        fused = semantic.fuse_related(thread=thread, user=user, lexical=lexical, limit=limit)
        if fused is not None:
            return fused
    return lexical[:limit]


def _similar_lexical(
    text: str, *, user: AnyUser, exclude_thread: int | None, limit: int, community_ids: list[int] | None = None
) -> list[Hit]:
    terms = tokens(text)
    if not terms:
        return []
    exclude = list(
        SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id=exclude_thread).values_list("id", flat=True)
    ) if exclude_thread else []
    filters = _filters(
        user=user, types=[DocType.THREAD], community_ids=community_ids, kind="", tag="", author_id=None, solved=None,
        date_from=None, date_to=None, exclude_ids=exclude,
    )
    candidates = get_backend().candidates(terms, filters, any_term=True, limit=limit * 3)
    ranked = rank(candidates)[:limit]
    docs = {d.id: d for d in SearchDocument.objects.filter(id__in=[i for i, _ in ranked]).select_related("community")}
    return [_hit(docs[i], s, "") for i, s in ranked if i in docs]


def similar_questions(*, text: str, user: AnyUser, community_ids: list[int] | None = None, limit: int = 5) -> list[Hit]:
    """Existing threads like a question being typed (duplicate detection while asking)."""
    from practica.search import semantic

    lexical = _similar_lexical(
        text, user=user, exclude_thread=None, limit=max(limit, 20), community_ids=community_ids
    )
    if semantic.available():
        fused = semantic.fuse_text(text=text, user=user, lexical=lexical, limit=limit, community_ids=community_ids)
        if fused is not None:
            return fused
    return lexical[:limit]
