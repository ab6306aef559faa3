"""Keep the search index in step with the content.

Services call :func:`thread_changed` / :func:`person_changed`; the document is rebuilt when the surrounding
transaction commits (so a rolled-back write never reaches the index). ``rebuild_search_index`` rebuilds all.

Several requests may index the same document at once (two replies to one thread, each reindexing it after its
commit). Each batch is therefore read and written in one transaction that holds the documents
(:func:`documents_locked`: on PostgreSQL an advisory lock per document, on SQLite the database's write lock),
and written as an upsert (:func:`practica.lib.bulk.bulk_upsert`), so the last indexer reads what the others
committed and no indexer ever fails on the ``(doc_type, object_id)`` constraint.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Comment, Post, Thread
from practica.lib.bulk import bulk_insert, bulk_upsert
from practica.lib.templatetags.practica import url2, url_for
from practica.people.models import Profile
from practica.search import latent, spelling
from practica.search.backends import get_backend
from practica.search.models import DocType, SearchDocument
from practica.search.similarity import TERMS_KEPT, dump_terms, term_counts

MAX_BODY_CHARS = 200_000
BATCH = 500
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


def _trust(accepted: int) -> float:
    """How much the community vouches for an author, from their accepted answers there (0..1)."""
    return min(1.0, accepted / 10.0)


def _accepted_counts(author_ids: set[int] | None, community_ids: set[int] | None) -> dict[tuple[int, int], int]:
    """{(author, community): accepted answers there}, for these authors and communities (None: all of them)."""
    threads = Thread.objects.filter(deleted_at=None, accepted_post__isnull=False)
    if community_ids is not None:
        threads = threads.filter(community_id__in=community_ids)
    if author_ids is not None:
        threads = threads.filter(accepted_post__author_id__in=author_ids)
    rows = threads.values("community_id", "accepted_post__author_id").annotate(n=Count("id"))
    return {(r["accepted_post__author_id"], r["community_id"]): r["n"] for r in rows}


def index_threads(
    thread_ids: Iterable[int],
    *,
    accepted: dict[tuple[int, int], int] | None = None,
    words: set[str] | None = None,
    place: bool = True,
) -> int:
    """(Re)build the documents of these threads; deleted or hidden threads leave the index.

    ``accepted`` is :func:`_accepted_counts` for every author and community when the caller (a rebuild) has it
    already; otherwise each batch asks for its own authors. The threads' words join the vocabulary of "did you
    mean" (``spelling``) once all are indexed, or ``words`` when given (a rebuild writes them once at the end).

    With ``place`` (all but a rebuild, which computes the space afresh), the threads are placed in the latent
    space (``latent.fold_in``).

    Reads plain rows and writes them with :func:`_upsert_rows` (COPY on PostgreSQL for big batches), without
    model instances: an import or a rebuild indexes tens of thousands of threads (see docs/benchmarks.md). Each
    batch is read and written under :func:`documents_locked`.
    """
    total = 0
    vocabulary: set[str] = set() if words is None else words
    for chunk in _chunks(sorted(set(thread_ids))):
        with documents_locked(DocType.THREAD, chunk):
            threads = list(
                Thread.objects.filter(id__in=chunk)
                .order_by("id")
                .values_list(
                    "id", "deleted_at", "is_hidden", "community_id", "community__slug", "community__language", "title",
                    "author_id", "kind", "accepted_post_id", "score", "reply_count", "created_at", "external_id",
                )
            )
            visible = [t for t in threads if t[1] is None and not t[2]]
            visible_ids = [t[0] for t in visible]
            gone = set(chunk) - set(visible_ids)
            if gone:
                SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id__in=gone).delete()
                latent.forget(gone)
            if not visible:
                continue
            texts: dict[int, list[str]] = defaultdict(list)
            posts = (
                Post.objects.filter(thread_id__in=visible_ids, deleted_at=None, is_hidden=False)
                .order_by("-is_opening", "created_at")
                .values_list("thread_id", "body_text")
            )
            for thread_id, text in posts:
                texts[thread_id].append(text)
            comments = Comment.objects.filter(
                post__thread_id__in=visible_ids, deleted_at=None, post__deleted_at=None
            ).values_list("post__thread_id", "body_source")
            for thread_id, text in comments:
                texts[thread_id].append(text)
            tags: dict[int, list[str]] = defaultdict(list)
            tag_rows = (
                Thread.tags.through.objects.filter(thread_id__in=visible_ids)
                .order_by("topic__slug")  # the topics' own ordering, as thread.tags.all() gives them
                .values_list("thread_id", "topic__slug", "topic__name")
            )
            for thread_id, slug, name in tag_rows:
                tags[thread_id].append(f"{slug} {name}")
            if accepted is None:
                trust = _accepted_counts({t[7] for t in visible if t[7]}, {t[3] for t in visible})
            else:
                trust = accepted
            rows = []
            placed: list[tuple[int, int | None, dict[str, int]]] = []
            batch_words: set[str] = set()
            for (
                thread_id, _deleted, _hidden, community_id, slug, language, title, author_id, kind, accepted_post_id,
                score, reply_count, created_at, external_id,
            ) in visible:
                body = "\n".join(texts[thread_id])[:MAX_BODY_CHARS]
                tag_text = " ".join(tags[thread_id])
                counts = term_counts(title, tag_text, body, keep=TERMS_KEPT)
                batch_words.update(word for word in counts if spelling.eligible(word))
                placed.append((thread_id, community_id, counts))
                rows.append(
                    (
                        DocType.THREAD.value, thread_id, community_id, title[:300], body, tag_text, author_id, kind,
                        accepted_post_id is not None, score, reply_count,
                        _trust(trust.get((author_id or 0, community_id), 0)), created_at, url2("discussions:thread", slug, thread_id),
                        external_id, _language_of(language), dump_terms(counts),
                    )
                )
            _upsert_rows(DocType.THREAD, rows)
            if place:
                latent.fold_in(placed)
            vocabulary.update(batch_words)
            total += len(rows)
    if words is None:
        spelling.remember(vocabulary)
    return total


_COLUMNS = (
    "doc_type", "object_id", "community_id", "title", "body", "tags", "author_id", "kind", "is_solved", "votes",
    "replies", "author_trust", "created_at", "url", "external_id", "language", "terms",
)


def _language(community: Community) -> str:
    return _language_of(community.language)


def _language_of(language: str) -> str:
    from practica.search.backends import text_search_config

    return text_search_config(language)


# What an upsert of a document replaces: everything but its identity and the tsvector (the trigger's).
_STORED_FIELDS = [
    f.attname for f in SearchDocument._meta.concrete_fields if f.attname not in {"id", "doc_type", "object_id", "vector"}
]


def store_documents(doc_type: str, object_ids: Iterable[int], documents: list[SearchDocument]) -> None:
    """The documents of these ids of ``doc_type`` become ``documents``, built by an app's own indexing (knowledge,
    events), under :func:`documents_locked`: ids without a document leave the index, the others are upserted.
    Their words join the vocabulary of "did you mean"."""
    kept = {d.object_id for d in documents}
    gone = set(object_ids) - kept
    if gone:
        SearchDocument.objects.filter(doc_type=doc_type, object_id__in=gone).delete()
    SearchDocument.objects.bulk_create(
        documents,
        batch_size=200,
        update_conflicts=True,
        unique_fields=["doc_type", "object_id"],
        update_fields=_STORED_FIELDS,
    )
    spelling.remember(word for d in documents for word in spelling.document_words(d.title, d.tags, d.body, d.terms))


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


def index_people(user_ids: Iterable[int]) -> int:
    """(Re)build the documents of people: name, expertise, discipline, organisation, title, place, bio.

    Plain rows in, bulk insert out, as :func:`index_threads` (an import indexes tens of thousands of people)."""
    total = 0
    vocabulary: set[str] = set()
    for chunk in _chunks(sorted(set(user_ids))):
        with documents_locked(DocType.PERSON, chunk):
            profiles = list(
                Profile.objects.filter(user_id__in=chunk, user__is_active=True)
                .order_by("id")
                .values_list(
                    "id", "user_id", "user__username", "user__date_joined", "display_name", "discipline", "job_title",
                    "organization__name", "location", "bio", "imported_reputation", "external_id",
                )
            )
            gone = set(chunk) - {p[1] for p in profiles}
            if gone:
                SearchDocument.objects.filter(doc_type=DocType.PERSON, object_id__in=gone).delete()
            expertise: dict[int, list[str]] = defaultdict(list)
            expertise_rows = (
                Profile.expertise.through.objects.filter(profile_id__in=[p[0] for p in profiles])
                .order_by("topic__slug")  # the topics' own ordering, as profile.expertise.all() gives them
                .values_list("profile_id", "topic__slug", "topic__name")
            )
            for profile_id, slug, name in expertise_rows:
                expertise[profile_id].append(f"{slug} {name}")
            rows = []
            for (
                profile_id, user_id, username, date_joined, display_name, discipline, job_title, organization,
                location, bio, reputation, external_id,
            ) in profiles:
                body = "\n".join(part for part in (discipline, job_title, organization or "", location, bio) if part)
                rows.append(
                    (
                        DocType.PERSON.value, user_id, None, (display_name or username)[:300],
                        f"{username}\n{body}"[:MAX_BODY_CHARS], " ".join(expertise[profile_id]), user_id,
                        discipline[:30], False, reputation or 0, 0, 0.0, date_joined, url_for("people:profile", username),
                        external_id, "english", "",
                    )
                )
            _upsert_rows(DocType.PERSON, rows)
            vocabulary.update(word for row in rows for word in spelling.document_words(row[3], row[5], row[4], None))
            total += len(rows)
    spelling.remember(vocabulary)
    return total


def reindex_on_commit(doc_type: str, object_id: int, index: Callable[[list[int]], Any]) -> None:
    """Run ``index([object_id])`` when the current transaction commits.

    The write has committed by then, so a failure to index must not turn it into an error page: it is logged
    (with the document it concerns) and the request goes on; the document is stale until its next change or a
    ``manage.py rebuild_search_index``. Indexing itself does not fail on concurrent writers (see
    :func:`documents_locked`): this is for the database going away, not for races."""

    def run() -> None:
        try:
            index([object_id])
        except Exception:
            logger.exception(
                "search index: %s %s was not reindexed after its change; it is stale until it changes again or "
                "`manage.py rebuild_search_index` runs",
                doc_type,
                object_id,
            )

    transaction.on_commit(run)


def thread_changed(thread_id: int) -> None:
    """Reindex a thread when the current transaction commits (and queue its embedding, with the extra)."""
    from practica.search.semantic import embedding_changed

    reindex_on_commit(DocType.THREAD, thread_id, index_threads)
    embedding_changed(thread_id)


def votes_changed(thread_id: int, delta: int) -> None:
    """A vote changes a ranking signal only: update it in place (the text index is untouched)."""
    from django.db.models import F

    SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id=thread_id).update(votes=F("votes") + delta)


def person_changed(user_id: int) -> None:
    """Reindex a person when the current transaction commits."""
    reindex_on_commit(DocType.PERSON, user_id, index_people)


def reindex_community(community_id: int) -> int:
    """Rebuild the documents of a community's threads, knowledge items and events (after an import, or when its
    slug — in every document's URL — or its language — the text-search configuration — changed)."""
    from practica.events.indexing import index_events
    from practica.events.models import Event
    from practica.knowledge.indexing import index_items
    from practica.knowledge.models import KnowledgeItem

    ids = list(Thread.objects.filter(community_id=community_id).values_list("id", flat=True))
    total = index_threads(ids, accepted=_accepted_counts(None, {community_id}))
    total += index_items(KnowledgeItem.objects.filter(community_id=community_id).values_list("id", flat=True))
    total += index_events(Event.objects.filter(community_id=community_id).values_list("id", flat=True))
    return total


def rebuild(*, progress: Any = None) -> dict[str, int]:
    """Rebuild the whole index (threads and people; more content types join as they land)."""
    counts: dict[str, int] = {}
    SearchDocument.objects.all().delete()
    spelling.forget_all()
    thread_ids = list(Thread.objects.filter(deleted_at=None, is_hidden=False).values_list("id", flat=True))
    accepted = _accepted_counts(None, None)  # once, not once per batch (that query reads every thread of the authors)
    counts["threads"] = 0
    words: set[str] = set()
    for chunk in _chunks(thread_ids, 2000):
        counts["threads"] += index_threads(chunk, accepted=accepted, words=words, place=False)
        if progress:
            progress("threads", counts["threads"], len(thread_ids))
    spelling.remember(words)
    # Every active person, as index_people keeps them on save (profiles are public, whatever their memberships).
    people = list(User.objects.filter(is_active=True).values_list("id", flat=True))
    counts["people"] = index_people(people)
    from practica.events.indexing import rebuild as rebuild_events  # each app indexes its own objects

    counts["events"] = rebuild_events()
    from practica.knowledge.indexing import rebuild_knowledge

    counts["knowledge"] = rebuild_knowledge()
    get_backend().optimize()
    latent.build()
    return counts


__all__ = [
    "documents_locked", "index_people", "index_threads", "person_changed", "rebuild", "reindex_community",
    "reindex_on_commit", "store_documents", "thread_changed",
]

