"""What the engine does when the registry (``practica.lib.indexing``) says something changed: reindex the
document when the transaction commits — and queue its embedding, with the semantic extra —, or rebuild a
community's documents in the background. Connected in ``SearchConfig.ready()``."""

from __future__ import annotations

from django.db import transaction

from practica.lib import indexing as registry
from practica.search import semantic
from practica.search.indexing import reindex_on_commit
from practica.search.tasks import embed_threads_task, reindex_community_task


class Scheduler:
    """The engine as the registry sees it (``practica.lib.indexing.Engine``)."""

    def changed(self, doc_type: str, object_id: int) -> None:
        reindex_on_commit(doc_type, object_id)
        if registry.index_of(doc_type).similar:
            embedding_changed(object_id)

    def community_changed(self, community_id: int) -> None:
        transaction.on_commit(lambda: reindex_community_task.enqueue(community_id))


def embedding_changed(thread_id: int) -> None:
    """Queue the thread's embedding (a background task) after commit, when the extra is installed."""
    if not semantic.available():
        return
    transaction.on_commit(lambda: embed_threads_task.enqueue([thread_id]))
