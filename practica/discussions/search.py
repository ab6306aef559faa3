"""What discussions make searchable: threads — the opening post, the replies and comments that are not deleted
or hidden, the tags — declared to the search registry (``practica/lib/indexing.py``) in
``DiscussionsConfig.ready()``. Deleted and hidden threads leave the index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count

from practica.discussions.models import Comment, Post, Thread
from practica.lib import indexing
from practica.lib.indexing import Document
from practica.lib.templatetags.practica import url2
from practica.search import indexing as search_index

THREAD = "thread"


def _trust(accepted: int) -> float:
    """How much the community vouches for an author, from their accepted answers there (0..1)."""
    return min(1.0, accepted / 10.0)


def accepted_counts(author_ids: set[int] | None, community_ids: set[int] | None) -> dict[tuple[int, int], int]:
    """{(author, community): accepted answers there}, for these authors and communities (None: all of them)."""
    threads = Thread.objects.filter(deleted_at=None, accepted_post__isnull=False)
    if community_ids is not None:
        threads = threads.filter(community_id__in=community_ids)
    if author_ids is not None:
        threads = threads.filter(accepted_post__author_id__in=author_ids)
    rows = threads.values("community_id", "accepted_post__author_id").annotate(n=Count("id"))
    return {(r["accepted_post__author_id"], r["community_id"]): r["n"] for r in rows}


class ThreadIndex(indexing.Index):
    """Threads, read as plain rows (an import or a rebuild indexes tens of thousands: docs/benchmarks.md)."""

    doc_type = THREAD
    plural = "threads"
    rebuild_order = 10
    similar = True

    def ids(self, *, community_id: int | None = None) -> Iterable[int]:
        if community_id is None:
            return Thread.objects.filter(deleted_at=None, is_hidden=False).values_list("id", flat=True)
        return Thread.objects.filter(community_id=community_id).values_list("id", flat=True)

    def prepare(self, *, community_id: int | None) -> Any:
        # Every author's accepted answers once: that query reads every thread of the authors (once per batch, it
        # would dominate a rebuild).
        return accepted_counts(None, None if community_id is None else {community_id})

    def documents(self, ids: Sequence[int], prepared: Any = None) -> list[Document]:
        threads = list(
            Thread.objects.filter(id__in=ids)
            .order_by("id")
            .values_list(
                "id", "deleted_at", "is_hidden", "community_id", "community__slug", "community__language", "title",
                "author_id", "kind", "accepted_post_id", "score", "reply_count", "created_at", "external_id",
            )
        )
        visible = [t for t in threads if t[1] is None and not t[2]]
        if not visible:
            return []
        visible_ids = [t[0] for t in visible]
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
        trust = prepared
        if trust is None:
            trust = accepted_counts({t[7] for t in visible if t[7]}, {t[3] for t in visible})
        return [
            Document(
                thread_id, community_id, title, "\n".join(texts[thread_id]), " ".join(tags[thread_id]), author_id, kind,
                created_at, url2("discussions:thread", slug, thread_id), language, accepted_post_id is not None,
                score, reply_count, _trust(trust.get((author_id or 0, community_id), 0)), external_id,
            )
            for (
                thread_id, _deleted, _hidden, community_id, slug, language, title, author_id, kind, accepted_post_id,
                score, reply_count, created_at, external_id,
            ) in visible
        ]


def thread_changed(thread_id: int) -> None:
    """Reindex a thread when the current transaction commits (and queue its embedding, with the extra)."""
    indexing.changed(THREAD, thread_id)


def votes_changed(thread_id: int, delta: int) -> None:
    """A vote changes a ranking signal only: the document's votes are updated in place."""
    search_index.votes_changed(THREAD, thread_id, delta)


def index_threads(thread_ids: Iterable[int]) -> int:
    """(Re)build these threads' documents now (tests, imports); returns how many were written."""
    return search_index.index_documents(THREAD, thread_ids)
