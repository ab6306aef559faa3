"""Permission-scoped reads of the knowledge base: 404 for anything the viewer may not see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from practica.communities.models import Community
from practica.communities.selectors import Access, AnyUser
from practica.discussions.models import Thread
from practica.discussions.selectors import thread_get_for_user
from practica.knowledge import permissions
from practica.knowledge.models import (
    Attachment,
    Collection,
    CollectionEntry,
    Endorsement,
    HelpfulMark,
    KnowledgeAuthor,
    KnowledgeItem,
    KnowledgeStatus,
    KnowledgeVersion,
    ReviewEvent,
)
from practica.lib import activity
from practica.topics.models import Topic

SORTS = {
    "updated": ("-updated_at", "-id"),
    "newest": ("-published_at", "-id"),
    "helpful": ("-helpful_count", "-endorsement_count", "-updated_at", "-id"),
    "title": ("title", "id"),
}


def _card_related(qs: QuerySet[KnowledgeItem]) -> QuerySet[KnowledgeItem]:
    credits = KnowledgeAuthor.objects.select_related("user", "user__profile").order_by("position", "id")
    return qs.select_related("community").prefetch_related(
        Prefetch("tags", queryset=Topic.objects.order_by("name")),
        Prefetch("credits", queryset=credits),
    )


def items_list(
    *, community: Community, access: Access, kind: str = "", tag: str = "", status: str = "", q: str = "",
    sort: str = "updated",
) -> QuerySet[KnowledgeItem]:
    """Items of a community for its knowledge base page and API. Callers have checked ``access.can_read``.

    Without ``status``: published items. ``archived`` shows retired ones; ``draft`` and ``in-review`` show the
    viewer's own (and, for reviewers, everyone's). ``mine`` shows all of the viewer's items."""
    qs = KnowledgeItem.objects.filter(community=community)
    user_id = access.user.id if access.user.is_authenticated else None
    mine = Q(created_by_id=user_id) | Q(credits__user_id=user_id) if user_id else Q(pk__in=[])
    if status in (KnowledgeStatus.DRAFT, KnowledgeStatus.IN_REVIEW):
        qs = qs.filter(status=status)
        if not permissions.may_see_unpublished(access):
            qs = qs.filter(id__in=KnowledgeItem.objects.filter(mine).values("id"))
    elif status == "mine":
        qs = qs.filter(id__in=KnowledgeItem.objects.filter(mine).values("id"))
    elif status == KnowledgeStatus.ARCHIVED:
        qs = qs.filter(status=KnowledgeStatus.ARCHIVED)
    else:
        qs = qs.filter(status=KnowledgeStatus.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(tags__slug=tag)
    order: list[Any] = list(SORTS.get(sort, SORTS["updated"]))
    if q:
        text = Q(title__icontains=q) | Q(summary__icontains=q) | Q(body_text__icontains=q)
        ranked = _search_ranked(community=community, access=access, q=q, kind=kind, tag=tag) if not status else []
        if ranked:
            # Ranked full-text matches (word forms, relevance) first, then plain substring matches while typing.
            qs = qs.filter(text | Q(id__in=ranked))
            position = Case(*[When(id=i, then=Value(n)) for n, i in enumerate(ranked)], default=Value(len(ranked)))
            order = [position, *order]
        else:
            qs = qs.filter(text)
    return _card_related(qs.order_by(*order))


def _search_ranked(*, community: Community, access: Access, q: str, kind: str, tag: str) -> list[int]:
    """Published items of the community matching ``q`` in the search index, best first."""
    from practica.search.models import DocType
    from practica.search.selectors import search

    results = search(
        user=access.user, q=q, types=[DocType.KNOWLEDGE], community_ids=[community.id], kind=kind, tag=tag,
        limit=100, with_snippets=False,
    )
    return [hit.id for hit in results.hits]


def item_get_for_user(*, item_id: int, user: AnyUser, slug: str | None = None) -> tuple[KnowledgeItem, Access]:
    """An item the user may see, with their access in its community; 404 otherwise."""
    item = (
        KnowledgeItem.objects.select_related("community", "created_by", "source_thread", "source_thread__community")
        .filter(pk=item_id)
        .first()
    )
    if item is None or (slug is not None and item.community.slug.lower() != slug.lower()):
        raise Http404("No such knowledge item.")
    access = Access(item.community, user)
    permissions.may_see.require(item, access)
    activity.read(community=item.community, user=user)  # recorded after a successful GET (lib/activity.py)
    return item, access


def attachment_get_for_user(*, attachment_id: int, user: AnyUser) -> tuple[Attachment, Access]:
    attachment = Attachment.objects.select_related("item", "item__community").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such file.")
    item, access = item_get_for_user(item_id=attachment.item_id, user=user)
    attachment.item = item
    return attachment, access


@dataclass
class ItemPage:
    item: KnowledgeItem
    access: Access
    credits: list[KnowledgeAuthor]
    tags: list[Topic]
    versions: list[KnowledgeVersion]
    endorsements: list[Endorsement]
    helpful: list[HelpfulMark]
    attachments: list[Attachment]
    reviews: list[ReviewEvent]
    collections: list[Collection]
    my_endorsement: bool = False
    my_helpful: bool = False
    is_credited: bool = False
    can_edit: bool = False
    can_endorse: bool = False
    can_mark_helpful: bool = False
    can_submit: bool = False
    can_review: bool = False
    can_steward: bool = False
    can_participate: bool = False
    source_thread: Thread | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def item_page(*, item: KnowledgeItem, access: Access) -> ItemPage:
    """Everything the item page shows, in a fixed number of queries whatever the number of versions,
    endorsements or marks."""
    user_id = access.user.id if access.user.is_authenticated else None
    credits = list(
        KnowledgeAuthor.objects.filter(item=item).select_related("user", "user__profile").order_by("position", "id")
    )
    endorsements = list(Endorsement.objects.filter(item=item).select_related("user", "user__profile"))
    helpful = list(HelpfulMark.objects.filter(item=item).select_related("user", "user__profile"))
    collections = list(
        Collection.objects.filter(
            Exists(CollectionEntry.objects.filter(collection=OuterRef("pk"), item=item))
        ).order_by("position", "id")
    )
    credited = user_id is not None and (item.created_by_id == user_id or any(c.user_id == user_id for c in credits))
    signed_in = access.user.is_authenticated
    return ItemPage(
        item=item,
        access=access,
        credits=credits,
        tags=list(item.tags.order_by("name")),
        versions=list(
            KnowledgeVersion.objects.filter(item=item).select_related("author", "author__profile").order_by("-number")
        ),
        endorsements=endorsements,
        helpful=helpful,
        attachments=list(Attachment.objects.filter(item=item)),
        reviews=list(
            ReviewEvent.objects.filter(item=item).select_related("actor", "actor__profile").order_by("-created_at", "-id")
        )
        if permissions.may_see_reviews(access, credited=credited)
        else [],
        collections=collections,
        my_endorsement=any(e.user_id == user_id for e in endorsements),
        my_helpful=any(h.user_id == user_id for h in helpful),
        is_credited=credited,
        can_edit=signed_in and permissions.may_edit(item, access),
        can_endorse=permissions.may_endorse(item, access, credited=credited),
        can_mark_helpful=permissions.may_mark_helpful(item, access, credited=credited),
        can_submit=item.status == KnowledgeStatus.DRAFT and signed_in and permissions.may_submit(item, access),
        can_review=item.status == KnowledgeStatus.IN_REVIEW and permissions.may_review(access),
        can_steward=permissions.may_steward(access),
        can_participate=permissions.participates(access),
        source_thread=_readable_source(item, access),
    )


def _readable_source(item: KnowledgeItem, access: Access) -> Thread | None:
    """The thread an item was captured from, when this viewer may read it (it may have moved or been hidden)."""
    thread = item.source_thread
    if thread is None:
        return None
    if thread.community_id == item.community_id and thread.deleted_at is None and not thread.is_hidden:
        return thread  # the viewer reads the item, so they read its community
    try:
        thread_get_for_user(thread_id=thread.id, user=access.user)
    except Http404:
        return None
    return thread


def version_get(*, item: KnowledgeItem, number: int) -> KnowledgeVersion:
    version = KnowledgeVersion.objects.filter(item=item, number=number).select_related("author").first()
    if version is None:
        raise Http404("No such version.")
    return version


def review_queue(*, community: Community) -> QuerySet[KnowledgeItem]:
    """Items waiting for a reviewer, oldest first."""
    return _card_related(
        KnowledgeItem.objects.filter(community=community, status=KnowledgeStatus.IN_REVIEW).order_by("updated_at", "id")
    )


def stewardship_queue(*, community: Community) -> QuerySet[KnowledgeItem]:
    """Published items whose review date has come, most overdue first."""
    return _card_related(
        KnowledgeItem.objects.filter(
            community=community, status=KnowledgeStatus.PUBLISHED, review_due__lte=timezone.localdate()
        ).order_by("review_due", "id")
    )


def collection_candidates(*, collection: Collection, exclude: set[int]) -> list[KnowledgeItem]:
    """Published items of the collection's community that could be added to it."""
    qs = KnowledgeItem.objects.filter(community=collection.community, status=KnowledgeStatus.PUBLISHED)
    return [i for i in qs.order_by("title").only("id", "title") if i.id not in exclude]


def community_item(*, community: Community, item_id: int) -> KnowledgeItem | None:
    """An item of this community by id, for coordinators' forms (the service checks the rest)."""
    return KnowledgeItem.objects.filter(pk=item_id, community=community).first()


def collections_list(*, community: Community) -> QuerySet[Collection]:
    return Collection.objects.filter(community=community).order_by("position", "id")


def collection_get_for_user(*, collection_id: int, user: AnyUser, slug: str | None = None) -> tuple[Collection, Access]:
    """A collection of a community the user reads (of the community ``slug`` names, when given); 404 otherwise."""
    collection = Collection.objects.select_related("community").filter(pk=collection_id).first()
    if collection is None or (slug is not None and collection.community.slug.lower() != slug.lower()):
        raise Http404("No such collection.")
    access = Access(collection.community, user)
    permissions.may_read_community.saying("No such collection.").require(access)
    return collection, access


def collection_items(*, collection: Collection, access: Access) -> list[KnowledgeItem]:
    """The collection's items in order; readers see the published ones, reviewers all."""
    entries = CollectionEntry.objects.filter(collection=collection).order_by("position", "id")
    qs = KnowledgeItem.objects.filter(id__in=entries.values("item_id"))
    if not permissions.may_see_unpublished(access):
        qs = qs.filter(status__in=permissions.READABLE)
    items = {i.id: i for i in _card_related(qs)}
    return [items[e] for e in entries.values_list("item_id", flat=True) if e in items]


def collection_entry_get(*, collection: Collection, item_id: int, access: Access) -> CollectionEntry:
    """An item's place in a collection, with the item, when this viewer may see that item there; 404 otherwise."""
    entry = CollectionEntry.objects.filter(collection=collection, item_id=item_id).first()
    items = collection_items(collection=collection, access=access) if entry is not None else []
    item = next((i for i in items if i.id == item_id), None)
    if entry is None or item is None:
        raise Http404("This item is not in the collection.")
    entry.item = item
    return entry


def captures_of_thread(*, thread: Thread, user: AnyUser, access: Access | None = None) -> list[KnowledgeItem]:
    """The knowledge items captured from a thread that this viewer may see (for the “Captured in” block)."""
    items = list(KnowledgeItem.objects.filter(source_thread=thread).select_related("community").order_by("created_at"))
    if not items:
        return []
    access = access or Access(thread.community, user)
    return [i for i in items if permissions.may_see(i, access)]


def user_may_capture(*, thread: Thread, user: AnyUser, access: Access | None = None) -> bool:
    """Whether the thread page offers this viewer to capture it (``permissions.may_capture``)."""
    if not user.is_authenticated:
        return False
    return permissions.may_capture(access or Access(thread.community, user))
