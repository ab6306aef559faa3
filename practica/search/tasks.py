"""Background work of the search app (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from practica.search import semantic
from practica.search.indexing import reindex_community


@task()
def embed_threads_task(thread_ids: list[int]) -> int:
    """Compute the embeddings of these threads (semantic extra)."""
    if not semantic.available():
        return 0
    return semantic.embed_threads(thread_ids)


@task()
def reindex_community_task(community_id: int) -> int:
    """Rebuild a community's search documents (its slug or language changed)."""
    return reindex_community(community_id)
