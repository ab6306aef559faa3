"""Keep the search index in step with the content, through the registry (``practica.lib.indexing``).

Each app declares its documents as an ``Index`` in its own ``search.py``; the engine knows no content model. It
builds the documents of given ids (:func:`index_documents`: plain rows, COPY or an upsert), rebuilds everything
(:func:`rebuild`) or a community (:func:`reindex_community`) through the registered indexes, and reindexes what
an app says changed when the surrounding transaction commits (``scheduling.py``, so a rolled-back write never
reaches the index).

Several requests may index the same document at once (two replies to one thread, each reindexing it after its
commit). Each batch is therefore read and written in one transaction that holds the documents
(:func:`documents_locked`: on PostgreSQL an advisory lock per document, on SQLite the database's write lock),
and written as an upsert (:func:`practica.lib.bulk.bulk_upsert`), so the last indexer reads what the others
committed and no indexer ever fails on the ``(doc_type, object_id)`` constraint.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from practica.lib import indexing as registry
from practica.lib.bulk import bulk_insert, bulk_upsert
from practica.search import latent, spelling
from practica.search.backends import get_backend, text_search_config
from practica.search.models import SearchDocument
from practica.search.similarity import TERMS_KEPT, dump_terms, term_counts

MAX_BODY_CHARS = 200_000
BATCH = 500
REBUILD_BATCH = 2000  # ids a rebuild hands to index_documents at once (and reports progress after)
# From this many rows, PostgreSQL writes a batch with COPY (an import, a rebuild: see docs/benchmarks.md); fewer
# (a document reindexed after a change) go through the upsert.
COPY_ROWS = 50

logger = logging.getLogger(__name__)


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _lock_key(doc_type: str, object_id: int) -> int:
    """A signed 64-bit advisory-lock key for one document (the same in every process)."""
    digest = hashlib.blake2b(f"search-document:{doc_type}:{object_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def documents_locked(doc_type: str, object_ids: Iterable[int]) -> Iterator[None]:
    """A transaction in which no other indexer writes these documents: read the content and write the documents
    inside it, so what is written is what the last committed change says.

    On SQLite a transaction here is IMMEDIATE (settings.py): it holds the database's write lock from the start,
    so indexers take turns (waiting up to the busy timeout). On PostgreSQL it takes a transaction-level advisory
    lock per document, in a fixed order (no deadlock between two indexers); it does so only when it begins the
    transaction itself (indexing after a commit, a rebuild), because inside a caller's long transaction (an
    import) the locks would pile up until that one ends. There, the upsert is what keeps concurrent writers of
    a document from failing."""
    owns_transaction = not connection.in_atomic_block
    with transaction.atomic():
        ids = sorted(set(object_ids))
        if ids and owns_transaction and connection.vendor == "postgresql":
            keys = sorted(_lock_key(doc_type, object_id) for object_id in ids)
            with connection.cursor() as cursor:
                # unnest keeps the array's (sorted) order, so the locks are taken in that order.
                cursor.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", [keys])
        yield


_COLUMNS = (
    "doc_type", "object_id", "community_id", "title", "body", "tags", "author_id", "kind", "is_solved", "votes",
    "replies", "author_trust", "created_at", "url", "external_id", "language", "terms",
)


def _upsert_rows(doc_type: str, rows: list[tuple[Any, ...]]) -> None:
    """Write these documents (rows in the order of ``_COLUMNS``), replacing those with the same ids; the
    full-text triggers keep the index in step (an upsert fires the update triggers).

    A big batch on PostgreSQL is deleted and COPied (the speed of imports and rebuilds, docs/benchmarks.md), in a
    savepoint: should another transaction have written one of these documents meanwhile (possible only inside a
    caller's transaction, see :func:`documents_locked`), the batch is upserted instead."""
    if connection.vendor == "postgresql" and len(rows) >= COPY_ROWS:
        try:
            with transaction.atomic():
                SearchDocument.objects.filter(doc_type=doc_type, object_id__in=[row[1] for row in rows]).delete()
                bulk_insert(SearchDocument, _COLUMNS, rows)
            return
        except IntegrityError:
            logger.info("search index: a %s document was written meanwhile; upserting the batch", doc_type)
    bulk_upsert(SearchDocument, _COLUMNS, rows, unique=("doc_type", "object_id"))



def index_documents(
    doc_type: str,
    ids: Iterable[int],
    *,
    prepared: Any = None,
    words: set[str] | None = None,
    place: bool = True,
) -> int:
    """(Re)build the documents of these ids of ``doc_type`` from its registered index; ids it does not answer
    for (deleted, hidden, drafts...) leave the index. Returns how many documents were written.

    ``prepared`` is what the index computes once for a whole rebuild or community (``Index.prepare``). The
    documents' words join the vocabulary of "did you mean" (``spelling``) once all are written, or ``words``
    when given (a rebuild writes them once at the end). Documents of a ``similar`` index keep their most
    frequent words (``similarity``) and, with ``place`` (all but a rebuild, which computes the space afresh),
    are placed in the latent space (``latent.fold_in``).

    Plain rows in, :func:`_upsert_rows` out (COPY on PostgreSQL for big batches), without model instances: an
    import or a rebuild indexes tens of thousands of threads (see docs/benchmarks.md). Each batch is read and
    written under :func:`documents_locked`.
    """
    index = registry.index_of(doc_type)
    similar = index.similar
    total = 0
    vocabulary: set[str] = set() if words is None else words
    for chunk in _chunks(sorted(set(ids))):
        with documents_locked(doc_type, chunk):
            documents = index.documents(chunk, prepared)
            gone = set(chunk) - {document.object_id for document in documents}
            if gone:
                SearchDocument.objects.filter(doc_type=doc_type, object_id__in=gone).delete()
                if similar:
                    latent.forget(gone)
            if not documents:
                continue
            rows = []
            placed: list[tuple[int, int | None, dict[str, int]]] = []
            for (
                object_id, community_id, title, body, tags, author_id, kind, created_at, url, language, is_solved,
                votes, replies, author_trust, external_id,
            ) in documents:
                title, body = title[:300], body[:MAX_BODY_CHARS]
                terms = None
                if similar:
                    counts = term_counts(title, tags, body, keep=TERMS_KEPT)
                    vocabulary.update(word for word in counts if spelling.eligible(word))
                    placed.append((object_id, community_id, counts))
                    terms = dump_terms(counts)
                else:
                    vocabulary.update(spelling.document_words(title, tags, body, None))
                rows.append(
                    (
                        doc_type, object_id, community_id, title, body, tags, author_id, kind, is_solved, votes,
                        replies, author_trust, created_at, url, external_id, text_search_config(language), terms,
                    )
                )
            _upsert_rows(doc_type, rows)
            if place and similar:
                latent.fold_in(placed)
            total += len(rows)
    if words is None:
        spelling.remember(vocabulary)
    return total


def reindex_on_commit(doc_type: str, object_id: int) -> None:
    """Reindex this document when the current transaction commits.

    The write has committed by then, so a failure to index must not turn it into an error page: it is logged
    (with the document it concerns) and the request goes on; the document is stale until its next change or a
    ``manage.py rebuild_search_index``. Indexing itself does not fail on concurrent writers (see
    :func:`documents_locked`): this is for the database going away, not for races."""

    def run() -> None:
        try:
            index_documents(doc_type, [object_id])
        except Exception:
            logger.exception(
                "search index: %s %s was not reindexed after its change; it is stale until it changes again or "
                "`manage.py rebuild_search_index` runs",
                doc_type,
                object_id,
            )

    transaction.on_commit(run)


def votes_changed(doc_type: str, object_id: int, delta: int) -> None:
    """A vote changes a ranking signal only: update it in place (the text index is untouched)."""
    SearchDocument.objects.filter(doc_type=doc_type, object_id=object_id).update(votes=F("votes") + delta)


def reindex_community(community_id: int) -> int:
    """Rebuild the documents of a community (after an import, or when its slug — in every document's URL — or
    its language — the text-search configuration — changed)."""
    total = 0
    for index in registry.indexes():
        ids = list(index.ids(community_id=community_id))
        if ids:
            total += index_documents(index.doc_type, ids, prepared=index.prepare(community_id=community_id))
    return total


def rebuild(*, progress: Callable[[str, int, int], Any] | None = None) -> dict[str, int]:
    """Rebuild the whole index from every registered index, in their order; ``progress(kind, done, total)`` is
    told after each batch. Returns the documents written per kind ("threads", "people"...)."""
    counts: dict[str, int] = {}
    SearchDocument.objects.all().delete()
    spelling.forget_all()
    words: set[str] = set()
    for index in registry.indexes():
        ids = list(index.ids())
        prepared = index.prepare(community_id=None)  # once, not once per batch (e.g. every author's accepted answers)
        counts[index.plural] = 0
        for chunk in _chunks(ids, REBUILD_BATCH):
            counts[index.plural] += index_documents(index.doc_type, chunk, prepared=prepared, words=words, place=False)
            if progress:
                progress(index.plural, counts[index.plural], len(ids))
    spelling.remember(words)
    get_backend().optimize()
    latent.build()
    return counts


__all__ = [
    "documents_locked", "index_documents", "rebuild", "reindex_community", "reindex_on_commit", "votes_changed",
]
