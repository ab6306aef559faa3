"""Keep the search index in step with the content.

Services call :func:`thread_changed` / :func:`person_changed`; the document is rebuilt when the surrounding
transaction commits (so a rolled-back write never reaches the index). ``rebuild_search_index`` rebuilds all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Comment, Post, Thread
from practica.people.models import Profile
from practica.search.models import DocType, SearchDocument

MAX_BODY_CHARS = 200_000
BATCH = 500


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


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


def index_threads(thread_ids: Iterable[int], *, accepted: dict[tuple[int, int], int] | None = None) -> int:
    """(Re)build the documents of these threads; deleted or hidden threads leave the index.

    ``accepted`` is :func:`_accepted_counts` for every author and community when the caller (a rebuild) has it
    already; otherwise each batch asks for its own authors.
    """
    total = 0
    for chunk in _chunks(sorted(set(thread_ids))):
        threads = list(
            Thread.objects.filter(id__in=chunk)
            .select_related("community")
            .prefetch_related("tags")
        )
        visible = [t for t in threads if t.deleted_at is None and not t.is_hidden]
        gone = set(chunk) - {t.id for t in visible}
        if gone:
            SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id__in=gone).delete()
        if not visible:
            continue
        texts: dict[int, list[str]] = defaultdict(list)
        posts = (
            Post.objects.filter(thread_id__in=[t.id for t in visible], deleted_at=None, is_hidden=False)
            .order_by("-is_opening", "created_at")
            .values_list("thread_id", "body_text")
        )
        for thread_id, text in posts:
            texts[thread_id].append(text)
        comments = Comment.objects.filter(
            post__thread_id__in=[t.id for t in visible], deleted_at=None, post__deleted_at=None
        ).values_list("post__thread_id", "body_source")
        for thread_id, text in comments:
            texts[thread_id].append(text)
        if accepted is None:
            trust = _accepted_counts({t.author_id for t in visible if t.author_id}, {t.community_id for t in visible})
        else:
            trust = accepted
        documents = []
        for thread in visible:
            body = "\n".join(texts[thread.id])[:MAX_BODY_CHARS]
            tags = " ".join(f"{t.slug} {t.name}" for t in thread.tags.all())
            documents.append(
                SearchDocument(
                    doc_type=DocType.THREAD,
                    object_id=thread.id,
                    community_id=thread.community_id,
                    title=thread.title[:300],
                    body=body,
                    tags=tags,
                    author_id=thread.author_id,
                    kind=thread.kind,
                    is_solved=thread.accepted_post_id is not None,
                    votes=thread.score,
                    replies=thread.reply_count,
                    author_trust=_trust(trust.get((thread.author_id or 0, thread.community_id), 0)),
                    created_at=thread.created_at,
                    url=reverse(
                        "discussions:thread", kwargs={"slug": thread.community.slug, "thread_id": thread.id}
                    ),
                    external_id=thread.external_id,
                    language=_language(thread.community),
                )
            )
        _upsert(DocType.THREAD, documents)
        total += len(documents)
    return total


def _language(community: Community) -> str:
    from practica.search.backends import text_search_config

    return text_search_config(community.language)


def _upsert(doc_type: str, documents: list[SearchDocument]) -> None:
    """Replace the documents with these ids (delete then insert: the triggers keep full text in step)."""
    SearchDocument.objects.filter(doc_type=doc_type, object_id__in=[d.object_id for d in documents]).delete()
    SearchDocument.objects.bulk_create(documents, batch_size=200)


def index_people(user_ids: Iterable[int]) -> int:
    """(Re)build the documents of people: name, expertise, discipline, organisation, title, place, bio."""
    total = 0
    for chunk in _chunks(sorted(set(user_ids))):
        profiles = list(
            Profile.objects.filter(user_id__in=chunk, user__is_active=True)
            .select_related("user", "organization")
            .prefetch_related("expertise")
        )
        gone = set(chunk) - {p.user_id for p in profiles}
        if gone:
            SearchDocument.objects.filter(doc_type=DocType.PERSON, object_id__in=gone).delete()
        documents = []
        for profile in profiles:
            expertise = " ".join(f"{t.slug} {t.name}" for t in profile.expertise.all())
            body = "\n".join(
                part
                for part in (
                    profile.discipline,
                    profile.job_title,
                    profile.organization.name if profile.organization else "",
                    profile.location,
                    profile.bio,
                )
                if part
            )
            documents.append(
                SearchDocument(
                    doc_type=DocType.PERSON,
                    object_id=profile.user_id,
                    community=None,
                    title=(profile.display_name or profile.user.username)[:300],
                    body=f"{profile.user.username}\n{body}"[:MAX_BODY_CHARS],
                    tags=expertise,
                    author_id=profile.user_id,
                    kind=profile.discipline[:30],
                    votes=profile.imported_reputation or 0,
                    created_at=profile.user.date_joined,
                    url=reverse("people:profile", kwargs={"username": profile.user.username}),
                    external_id=profile.external_id,
                    language="english",
                )
            )
        _upsert(DocType.PERSON, documents)
        total += len(documents)
    return total


def thread_changed(thread_id: int) -> None:
    """Reindex a thread when the current transaction commits (and queue its embedding, with the extra)."""
    from practica.search.semantic import embedding_changed

    transaction.on_commit(lambda: index_threads([thread_id]))
    embedding_changed(thread_id)


def votes_changed(thread_id: int, delta: int) -> None:
    """A vote changes a ranking signal only: update it in place (the text index is untouched)."""
    from django.db.models import F

    SearchDocument.objects.filter(doc_type=DocType.THREAD, object_id=thread_id).update(votes=F("votes") + delta)


def person_changed(user_id: int) -> None:
    transaction.on_commit(lambda: index_people([user_id]))


def reindex_community(community_id: int) -> int:
    ids = list(Thread.objects.filter(community_id=community_id).values_list("id", flat=True))
    return index_threads(ids, accepted=_accepted_counts(None, {community_id}))


def rebuild(*, progress: Any = None) -> dict[str, int]:
    """Rebuild the whole index (threads and people; more content types join as they land)."""
    counts: dict[str, int] = {}
    SearchDocument.objects.all().delete()
    thread_ids = list(Thread.objects.filter(deleted_at=None, is_hidden=False).values_list("id", flat=True))
    accepted = _accepted_counts(None, None)  # once, not once per batch (that query reads every thread of the authors)
    counts["threads"] = 0
    for chunk in _chunks(thread_ids, 2000):
        counts["threads"] += index_threads(chunk, accepted=accepted)
        if progress:
            progress("threads", counts["threads"], len(thread_ids))
    # Every active person, as index_people keeps them on save (profiles are public, whatever their memberships).
    people = list(User.objects.filter(is_active=True).values_list("id", flat=True))
    counts["people"] = index_people(people)
    return counts


__all__ = ["index_people", "index_threads", "person_changed", "rebuild", "reindex_community", "thread_changed"]

