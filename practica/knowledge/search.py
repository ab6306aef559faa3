"""What the knowledge base makes searchable: published and archived items (visibility is decided by their
community, as for threads) — declared to the search registry (``practica/lib/indexing.py``) in
``KnowledgeConfig.ready()``. Drafts, items in review and deleted items are not searchable."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse

from practica.knowledge.models import ALL_KIND_FIELDS, KnowledgeItem, KnowledgeStatus
from practica.lib import indexing
from practica.lib.indexing import Document

KNOWLEDGE = "knowledge"


class KnowledgeIndex(indexing.Index):
    doc_type = KNOWLEDGE
    plural = "knowledge"
    rebuild_order = 40

    def ids(self, *, community_id: int | None = None) -> Iterable[int]:
        items = KnowledgeItem.objects.order_by("id")
        if community_id is not None:
            items = items.filter(community_id=community_id)
        return items.values_list("id", flat=True)

    def documents(self, ids: Sequence[int], prepared: Any = None) -> list[Document]:
        items = (
            KnowledgeItem.objects.filter(id__in=ids, status__in=[KnowledgeStatus.PUBLISHED, KnowledgeStatus.ARCHIVED])
            .select_related("community")
            .prefetch_related("tags")
        )
        documents = []
        for item in items:
            extra = [getattr(item, name) for name in ALL_KIND_FIELDS if getattr(item, name)]
            documents.append(
                Document(
                    object_id=item.id,
                    community_id=item.community_id,
                    title=item.title,
                    body="\n".join([item.summary, item.body_text, *extra]),
                    tags=" ".join(f"{t.slug} {t.name}" for t in item.tags.all()),
                    author_id=item.created_by_id,
                    kind=item.kind,
                    created_at=item.published_at or item.created_at,
                    url=reverse("knowledge:item", kwargs={"slug": item.community.slug, "item_id": item.id}),
                    language=item.community.language,
                    votes=item.helpful_count + item.endorsement_count,
                )
            )
        return documents


def item_changed(item_id: int) -> None:
    """Reindex an item when the current transaction commits."""
    indexing.changed(KNOWLEDGE, item_id)
