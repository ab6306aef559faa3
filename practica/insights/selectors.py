"""Reads of the insights app. What counts as a contribution is written once, here, for the metrics, the
active members and the back-fill of activity days.

The health pages and API (a later step) add their permission-scoped selectors here: who may see a community's
health, and who may see per-person lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import QuerySet

from practica.communities.models import Community
from practica.discussions.models import Comment, Post, Thread


class Contributions(NamedTuple):
    """The three kinds of contribution in a community, each a queryset to narrow further (by time, author)."""

    threads: QuerySet[Thread]
    replies: QuerySet[Post]
    comments: QuerySet[Comment]

    def filter(self, **lookups: Any) -> Contributions:
        """The same lookups (on each model's own fields: ``created_at``, ``author_id``...) on all three."""
        return Contributions(
            threads=self.threads.filter(**lookups),
            replies=self.replies.filter(**lookups),
            comments=self.comments.filter(**lookups),
        )


def contributions(*, community: Community) -> Contributions:
    """Threads, replies and comments of ``community`` written by a known person (author not None) that still
    stand: neither deleted nor hidden by a moderator, nor in a deleted or hidden thread, nor (for a comment)
    under a deleted or hidden post. An opening post is part of its thread, not a reply."""
    return _standing(community=community)


def contributions_among(*, communities: Iterable[int]) -> Contributions:
    """The same contributions (``contributions``) in several communities at once, by id: the network view reads
    them grouped by community in one query rather than one community at a time."""
    return _standing(community__in=list(communities))


def _standing(**community: Any) -> Contributions:
    """What counts as a contribution, written once; ``community`` is the one lookup on the thread's community
    (``community=`` or ``community__in=``), followed from each kind to its thread."""
    (lookup, value), = community.items()
    return Contributions(
        threads=Thread.objects.filter(**{lookup: value}, deleted_at=None, is_hidden=False, author__isnull=False),
        replies=Post.objects.filter(
            **{f"thread__{lookup}": value}, thread__deleted_at=None, thread__is_hidden=False,
            is_opening=False, deleted_at=None, is_hidden=False, author__isnull=False,
        ),
        comments=Comment.objects.filter(
            **{f"post__thread__{lookup}": value}, post__thread__deleted_at=None, post__thread__is_hidden=False,
            post__deleted_at=None, post__is_hidden=False, deleted_at=None, author__isnull=False,
        ),
    )
