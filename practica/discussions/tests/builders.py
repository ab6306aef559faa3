"""Small builders for the discussions tests: threads and replies made through the services, as members make
them, and people added to communities with a given role.

Kept apart from any factories module so the service, selector and page tests share one vocabulary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.discussions import services
from practica.discussions.models import Post, Thread, ThreadKind
from practica.lib.testing.factories import MembershipFactory, UserFactory


def person(username: str, community: Community | None = None, role: str = Role.MEMBER) -> User:
    """A new person, an active member of ``community`` with ``role`` when one is given."""
    user = UserFactory(username=username)
    if community is not None:
        join(community, user, role)
    return user


def join(community: Community, user: User, role: str = Role.MEMBER) -> User:
    MembershipFactory(community=community, user=user, role=role)
    return user


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
    thread = services.thread_create(community=community, author=author, kind=kind, title=title, body=body, tags=tags)
    if created_at is not None:
        Thread.objects.filter(pk=thread.pk).update(created_at=created_at, last_activity_at=created_at)
        Post.objects.filter(thread=thread).update(created_at=created_at)
        thread.refresh_from_db()
    return thread


def answer(thread: Thread, author: User, body: str = "Run a pressure test first, then log.") -> Post:
    return services.post_create(thread=thread, author=author, body=body)


def opening(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)


def fresh(thread: Thread) -> Thread:
    return Thread.objects.get(pk=thread.pk)


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)
