"""Threads and replies for tests, made by the services so they look like real ones (opening post, revision,
counters kept)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services
from practica.discussions.models import Post, Thread

_numbers = itertools.count(1)


def make_thread(
    *,
    community: Community,
    author: User,
    kind: str = "question",
    title: str | None = None,
    body: str | None = None,
    tags: Iterable[str] = (),
) -> Thread:
    """A thread started through ``services.thread_create``; titles are distinct unless given."""
    number = next(_numbers)
    return services.thread_create(
        community=community,
        author=author,
        kind=kind,
        title=title if title is not None else f"How do we test well number {number}?",
        body=body if body is not None else f"Some context for question {number}.",
        tags=list(tags),
    )


def make_reply(thread: Thread, author: User, body: str = "Try a pressure test first.") -> Post:
    """A reply made by ``services.post_create``."""
    return services.post_create(thread=thread, author=author, body=body)


def opening_post(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)
