"""Keep the search index in step with the knowledge base: published and archived items are searchable
(visibility is decided by their community, as for threads); drafts and items in review are not."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from practica.search.indexing import documents_locked, reindex_on_commit, store_documents
from practica.search.models import DocType, SearchDocument

MAX_BODY_CHARS = 200_000
BATCH = 500


def index_items(item_ids: Iterable[int]) -> int:
    """(Re)build the documents of these items; drafts, items in review and deleted items leave the index."""
    from practica.knowledge.models import ALL_KIND_FIELDS, KnowledgeItem, KnowledgeStatus
    from practica.search.indexing import _language

    ids = sorted(set(item_ids))
    total = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with documents_locked(DocType.KNOWLEDGE, chunk):
            items = list(
                KnowledgeItem.objects.filter(
                    id__in=chunk, status__in=[KnowledgeStatus.PUBLISHED, KnowledgeStatus.ARCHIVED]
                )
                .select_related("community")
                .prefetch_related("tags")
            )
            documents = []
            for item in items:
                extra = [getattr(item, name) for name in ALL_KIND_FIELDS if getattr(item, name)]
                body = "\n".join([item.summary, item.body_text, *extra])[:MAX_BODY_CHARS]
                documents.append(
                    SearchDocument(
                        doc_type=DocType.KNOWLEDGE,
                        object_id=item.id,
                        community_id=item.community_id,
                        title=item.title[:300],
                        body=body,
                        tags=" ".join(f"{t.slug} {t.name}" for t in item.tags.all()),
                        author_id=item.created_by_id,
                        kind=item.kind,
                        votes=item.helpful_count + item.endorsement_count,
                        created_at=item.published_at or item.created_at,
                        url=reverse("knowledge:item", kwargs={"slug": item.community.slug, "item_id": item.id}),
                        language=_language(item.community),
                    )
                )
            store_documents(DocType.KNOWLEDGE, chunk, documents)
        total += len(documents)
    return total


def item_changed(item_id: int) -> None:
    """Reindex an item when the current transaction commits."""
    reindex_on_commit(DocType.KNOWLEDGE, item_id, index_items)


def rebuild_knowledge() -> int:
    from practica.knowledge.models import KnowledgeItem

    return index_items(KnowledgeItem.objects.values_list("id", flat=True))
