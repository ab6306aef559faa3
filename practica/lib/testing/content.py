"""Content for tests, made through the services as members make it: people in communities, threads and
replies (``ask``/``answer``), knowledge items (``draft``/``published``).

One vocabulary for every app's tests. ``make_thread``/``make_reply``/``opening_post`` are the keyword spelling
some tests use: ``make_thread`` gives each thread a distinct title and body unless told.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.discussions import services as discussions
from practica.discussions.models import Post, Thread, ThreadKind
from practica.knowledge import services as knowledge
from practica.knowledge.models import KnowledgeItem
from practica.lib.testing.factories import MembershipFactory, UserFactory

_thread_numbers = itertools.count(1)
_item_numbers = itertools.count(1)


# --- People ---------------------------------------------------------------------------------------


def person(username: str, community: Community | None = None, role: str = Role.MEMBER, **profile: Any) -> User:
    """A new person (``profile`` as ``UserFactory`` takes it), an active member of ``community`` with ``role``
    when one is given."""
    user = UserFactory(username=username, **profile)
    if community is not None:
        join(community, user, role)
    return user


def join(community: Community, user: User, role: str = Role.MEMBER) -> User:
    MembershipFactory(community=community, user=user, role=role)
    return user


# --- Discussions ----------------------------------------------------------------------------------


def ask(
    community: Community,
    author: User,
    title: str = "How do you test a cement barrier?",
    *,
    body: str = "We see micro-annuli on the CBL. What works for you?",
    kind: str = ThreadKind.QUESTION,
    tags: str | Iterable[str] = (),
    created_at: dt.datetime | None = None,
) -> Thread:
    """A thread started through the service; ``created_at`` back-dates it (and its opening post)."""
    thread = discussions.thread_create(
        community=community, author=author, kind=kind, title=title, body=body, tags=tags
    )
    if created_at is not None:
        Thread.objects.filter(pk=thread.pk).update(created_at=created_at, last_activity_at=created_at)
        Post.objects.filter(thread=thread).update(created_at=created_at)
        thread.refresh_from_db()
    return thread


def answer(thread: Thread, author: User, body: str = "Run a pressure test first, then log.") -> Post:
    return discussions.post_create(thread=thread, author=author, body=body)


def opening(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)


def fresh(thread: Thread) -> Thread:
    return Thread.objects.get(pk=thread.pk)


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def make_thread(
    *,
    community: Community,
    author: User,
    kind: str = "question",
    title: str | None = None,
    body: str | None = None,
    tags: Iterable[str] = (),
) -> Thread:
    """``ask`` with keywords; titles and bodies are distinct unless given."""
    number = next(_thread_numbers)
    return ask(
        community,
        author,
        title if title is not None else f"How do we test well number {number}?",
        body=body if body is not None else f"Some context for question {number}.",
        kind=kind,
        tags=list(tags),
    )


def make_reply(thread: Thread, author: User, body: str = "Try a pressure test first.") -> Post:
    return answer(thread, author, body)


opening_post = opening


# --- Knowledge ------------------------------------------------------------------------------------


def draft(
    community: Community,
    author: User,
    *,
    title: str | None = None,
    kind: str = "lesson-learned",
    body: str = "We pressure-tested the barrier twice.",
    tags: Iterable[str] = ("Well integrity",),
    summary: str = "Test twice.",
) -> KnowledgeItem:
    """A draft knowledge item; titles are distinct unless given."""
    number = next(_item_numbers)
    return knowledge.item_create(
        community=community,
        author=author,
        kind=kind,
        title=title or f"Lesson number {number}",
        summary=summary,
        body=body,
        tags=list(tags),
        fields={"context": "A deep well.", "recommendation": "Test twice."},
    )


def published(community: Community, author: User, reviewer: User, **kwargs: Any) -> KnowledgeItem:
    """A knowledge item submitted by ``author`` and approved by ``reviewer``."""
    item = draft(community, author, **kwargs)
    knowledge.item_submit(item=item, actor=author)
    return knowledge.item_review(item=item, reviewer=reviewer, approve=True)
