"""What the knowledge base tells people, in its own words; the notifications app only delivers it.

The services schedule these with ``on_commit`` (never inside their transaction): a write that rolls back tells
nobody, and a failure to deliver (a mail server down) is logged without turning the saved write into an error.
Each function takes ids and reads what it needs after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction
from django.urls import reverse

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.knowledge.models import KnowledgeAuthor, KnowledgeItem, KnowledgeStatus
from practica.notifications import services as delivery
from practica.notifications.feeds import FeedEntry


def on_commit(function: Callable[..., Any], *args: Any) -> None:
    """Run ``function(*args)`` once the current transaction commits (robustly: failures are logged)."""
    transaction.on_commit(partial(function, *args), robust=True)


def _item(item_id: int) -> KnowledgeItem | None:
    return KnowledgeItem.objects.select_related("community").filter(pk=item_id).first()


def _user(user_id: int | None) -> User | None:
    return User.objects.filter(pk=user_id).first() if user_id else None


def reviewers(community: Community) -> list[User]:
    """Who reviews the community's knowledge: its active coordinators and core members."""
    ids = Membership.objects.filter(
        community=community, state=MembershipState.ACTIVE, role__in=[Role.COORDINATOR, Role.CORE]
    ).values("user_id")
    return list(User.objects.filter(id__in=ids, is_active=True))


def editors(item: KnowledgeItem) -> list[User]:
    """Who is told about an item's review: its writer and the people credited as its authors."""
    ids = set(KnowledgeAuthor.objects.filter(item=item, role=KnowledgeAuthor.Role.EDITOR).values_list("user_id", flat=True))
    if item.created_by_id:
        ids.add(item.created_by_id)
    return list(User.objects.filter(id__in=ids, is_active=True))


def review_requested(item_id: int, actor_id: int, comment: str) -> None:
    """An author submitted an item: the reviewers are asked."""
    item = _item(item_id)
    if item is None:
        return
    delivery.notify(
        recipients=reviewers(item.community),
        kind="review_request",
        subject=f"Review requested: {item.title}",
        url=item.get_absolute_url(),
        community=item.community,
        actor=_user(actor_id),
        target=item,
        text=comment,
    )


def review_decided(item_id: int, reviewer_id: int, approved: bool, comment: str) -> None:
    """A reviewer published or returned an item: its authors are told, with the reviewer's comment."""
    item = _item(item_id)
    if item is None:
        return
    delivery.notify(
        recipients=editors(item),
        kind="review_result",
        subject=(f"Published: {item.title}" if approved else f"Returned with comments: {item.title}"),
        url=item.get_absolute_url(),
        community=item.community,
        actor=_user(reviewer_id),
        target=item,
        text=comment,
    )


def first_published(item_id: int, reviewer_id: int) -> None:
    """An item was published for the first time: those watching the community or its tags, and its webhooks."""
    item = _item(item_id)
    if item is None:
        return
    delivery.broadcast(
        community=item.community,
        event="knowledge.published",
        subject=f"New {item.get_kind_display().lower()}: {item.title}",
        url=item.get_absolute_url(),
        actor=_user(reviewer_id),
        target=item,
        payload={"id": item.pk, "kind": item.kind, "title": item.title, "summary": item.summary},
        tags=list(item.tags.values_list("slug", flat=True)),
    )


def item_feed_entries(community: Community, limit: int) -> list[FeedEntry]:
    """The community's newest published knowledge items, for its Atom feeds (``practica/notifications/feeds.py``,
    registered from ``KnowledgeConfig.ready()``)."""
    items = (
        KnowledgeItem.objects.filter(community=community, status=KnowledgeStatus.PUBLISHED)
        .exclude(published_at__isnull=True)
        .order_by("-published_at", "-id")[:limit]
    )
    return [
        FeedEntry(
            title=k.title,
            url=reverse("knowledge:item", kwargs={"slug": community.slug, "item_id": k.pk}),
            summary=k.summary or f"Published knowledge in {community.name}",
            author="",
            published=k.published_at or k.updated_at,
            kind="knowledge",
        )
        for k in items
    ]
