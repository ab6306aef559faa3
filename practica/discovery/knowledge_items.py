"""A community's published knowledge items as sets of words, read beside the full-text index by two features:
expert finding (who wrote an item that covers the question, ``experts.py``) and "already in the knowledge base"
while someone types a new question's title (``views.similar``, :func:`similar_knowledge`).

A community has tens or hundreds of items among up to 100,000 threads: asking the full-text index for items
alone would rank the threads' matches first and filter them out. So the items' words (title, tags, summary and
the first ``BODY_CHARS`` characters) are read once and kept in the cache for ``STATS_TTL`` seconds per
community, and a text is compared with each: its coverage is the share of the text's distinctive words —
weighted by idf, so "pump" and "seal" count more than "problem" — that the item has.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Community
from practica.knowledge.models import KnowledgeAuthor, KnowledgeItem, KnowledgeKind, KnowledgeStatus
from practica.search.backends import get_backend
from practica.search.models import DocType
from practica.search.selectors import Hit
from practica.search.similarity import SOURCE_TERMS, inverse_document_frequencies, weighted_words

ITEMS = 1000  # a community's most recently published items that are read
STATS_TTL = 600  # seconds an item list is kept (a newly published item counts within ten minutes)


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    kind: str
    authors: tuple[int, ...]  # credited authors and the creator
    endorsements: int  # endorsements and "helpful" marks
    published_at: dt.datetime
    words: frozenset[str]


def published(community: Community, *, before: dt.datetime | None = None, cached: bool = True) -> list[Item]:
    """The community's published items (the ``ITEMS`` most recent; those published before ``before`` when given,
    uncached). Drafts, items in review and archived items are left out; every reader of the community may see
    the published ones."""
    def compute() -> list[Item]:
        items = KnowledgeItem.objects.filter(community=community, status=KnowledgeStatus.PUBLISHED)
        if before is not None:
            items = items.filter(published_at__lt=before)
        rows = list(
            items.order_by("-published_at", "-id").values_list(
                "id", "title", "kind", "summary", "body_text", "endorsement_count", "helpful_count", "published_at",
                "created_by_id",
            )[:ITEMS]
        )
        ids = [row[0] for row in rows]
        authors: dict[int, set[int]] = defaultdict(set)
        for item_id, user_id in KnowledgeAuthor.objects.filter(item_id__in=ids).values_list("item_id", "user_id"):
            authors[item_id].add(user_id)
        tags: dict[int, list[str]] = defaultdict(list)
        for item_id, name in KnowledgeItem.tags.through.objects.filter(knowledgeitem_id__in=ids).values_list(
            "knowledgeitem_id", "topic__name"
        ):
            tags[item_id].append(name)
        found = []
        for item_id, title, kind, summary, body, endorsed, helpful, published_at, creator in rows:
            people = authors[item_id] | ({creator} if creator else set())
            words = weighted_words(title, " ".join(tags[item_id]), f"{summary}\n{body}")
            found.append(
                Item(
                    item_id, title, kind, tuple(sorted(people)), endorsed + helpful, published_at or timezone.now(),
                    frozenset(words),
                )
            )
        return found

    if before is not None or not cached:
        return compute()
    found: list[Item] = cache.get_or_set(f"knowledge-items:{community.id}", compute, STATS_TTL) or []
    return found


def covering(text: str, items: list[Item], *, at_least: float) -> list[tuple[float, Item]]:
    """(coverage, item) for the items that have at least ``at_least`` of the text's distinctive words (weighted
    by idf, from the search index), best covered first."""
    if not items:
        return []
    wanted = [word for word, _ in weighted_words("", "", text).most_common(SOURCE_TERMS)]
    idf = inverse_document_frequencies(wanted, get_backend())
    total = sum(idf.values())
    if not total:
        return []
    words = frozenset(idf)
    found = []
    for item in items:
        coverage = sum(idf[word] for word in item.words & words) / total
        if coverage >= at_least:
            found.append((coverage, item))
    found.sort(key=lambda pair: (-pair[0], -pair[1].endorsements, pair[1].id))
    return found


SIMILAR_KNOWLEDGE_COVERAGE = 0.5  # a knowledge item is offered while asking when it has half the title's words


def similar_knowledge(*, text: str, community: Community, limit: int = 3) -> list[Hit]:
    """Published knowledge items of this community (the caller has checked the viewer may read it) that cover
    a question being typed: at least half of its distinctive words, by idf (:func:`covering`)."""
    covered = covering(text, published(community), at_least=SIMILAR_KNOWLEDGE_COVERAGE)[:limit]
    return [
        Hit(
            type=DocType.KNOWLEDGE,
            id=item.id,
            title=item.title,
            snippet="",
            score=round(coverage, 6),
            url=reverse("knowledge:item", kwargs={"slug": community.slug, "item_id": item.id}),
            external_id="",
            community=community.slug,
            kind=KnowledgeKind(item.kind).label if item.kind in KnowledgeKind.values else item.kind,
            votes=item.endorsements,
            created_at=item.published_at,
        )
        for coverage, item in covered
    ]
