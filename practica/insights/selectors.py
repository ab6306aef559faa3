"""Reads of the insights app. What counts as a contribution is written once, here, for the metrics, the
active members and the back-fill of activity days.

The health page and API read through the permission-scoped selectors here: ``health_get_allowed`` (a 404 for
whoever may not see a community's health, pages, API and CSV alike) and ``health_people_allowed`` (and a 403 for
who sees the numbers but not the people behind them); then the per-person reads the dashboard adds to the metrics
(contributions per person, the members by name), each one query whatever the community's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from practica.communities.models import Community, Membership, MembershipState
from practica.communities.permissions import SEE_HEALTH, SEE_PEOPLE, Access, AnyUser
from practica.communities.selectors import community_get_readable
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


# --- The health page and API -------------------------------------------------------------------------------------


def health_get_allowed(*, slug: str, user: AnyUser) -> tuple[Community, Access]:
    """The community and the viewer's access if they may see its health (``SEE_HEALTH``); 404 otherwise, the
    same answer as for a community that does not exist (for them the dashboard does not exist)."""
    community, access = community_get_readable(slug=slug, user=user)
    if not SEE_HEALTH(access):
        raise Http404("No such community.")
    return community, access


def health_people_allowed(*, slug: str, user: AnyUser) -> tuple[Community, Access]:
    """As ``health_get_allowed``, and then ``SEE_PEOPLE``: 403 with the rule's message for who sees the numbers
    but not who is behind them."""
    community, access = health_get_allowed(slug=slug, user=user)
    SEE_PEOPLE.require(access)
    return community, access


class PersonContributions(NamedTuple):
    """One person's contributions in a window and in the stretch before it (``since`` .. the window's start)."""

    user_id: int
    username: str
    name: str
    in_window: int
    before: int


def _name(display_name: str | None, first_name: str, last_name: str, username: str) -> str:
    """``User.display_name`` from the values of one row (no instance, no query per person)."""
    return display_name or f"{first_name} {last_name}".strip() or username


def contributions_per_person(
    *, community: Community, since: datetime, starts_at: datetime, ends_before: datetime
) -> list[PersonContributions]:
    """Each person's contributions (``contributions``) from ``starts_at`` to ``ends_before`` (the window) and
    from ``since`` to ``starts_at`` (before it), most in the window first. One ``UNION ALL`` query: one row per
    person and kind of contribution, summed here."""
    inside, before = Q(created_at__gte=starts_at), Q(created_at__lt=starts_at)
    fields = ("author_id", "author__username", "author__profile__display_name", "author__first_name",
              "author__last_name")
    parts = [
        qs.filter(created_at__gte=since, created_at__lt=ends_before)
        .order_by()
        .values(*fields)
        .annotate(in_window=Count("id", filter=inside), before=Count("id", filter=before))
        .values_list(*fields, "in_window", "before")
        for qs in contributions(community=community)
    ]
    people: dict[int, PersonContributions] = {}
    for user_id, username, display, first, last, in_window, earlier in parts[0].union(parts[1], parts[2], all=True):
        known = people.get(user_id)
        if known is None:
            people[user_id] = PersonContributions(user_id, username, _name(display, first, last, username),
                                                  in_window, earlier)
        else:
            people[user_id] = known._replace(in_window=known.in_window + in_window, before=known.before + earlier)
    return sorted(people.values(), key=lambda p: (-p.in_window, -p.before, p.username.lower()))


class MemberName(NamedTuple):
    """An active member of the community, by name, with their role."""

    user_id: int
    username: str
    name: str
    role: str


def members_named(*, community: Community) -> list[MemberName]:
    """The community's active members with their names and roles, by username. One query."""
    rows = (
        Membership.objects.filter(community=community, state=MembershipState.ACTIVE)
        .order_by("user__username")
        .values_list("user_id", "user__username", "user__profile__display_name", "user__first_name",
                     "user__last_name", "role")
    )
    return [
        MemberName(user_id, username, _name(display, first, last, username), role)
        for user_id, username, display, first, last, role in rows
    ]
