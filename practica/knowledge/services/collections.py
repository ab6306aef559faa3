"""Collections: ordered sets of items that coordinators and core members assemble (“Start here”)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.selectors import Access
from practica.knowledge import permissions
from practica.knowledge.models import Collection, CollectionEntry, KnowledgeItem, KnowledgeStatus
from practica.knowledge.services.validation import clean_title

MAX_DESCRIPTION_LENGTH = 2000


@transaction.atomic
def collection_create(*, community: Community, actor: User, title: str, description: str = "") -> Collection:
    """A new ordered collection (coordinators and core members)."""
    permissions.may_curate.require(Access(community, actor))
    title = clean_title(title)
    description = (description or "").replace("\x00", "").strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError({"description": ["At most 2,000 characters."]})
    position = (Collection.objects.filter(community=community).aggregate(m=Max("position"))["m"] or 0) + 1
    return Collection.objects.create(
        community=community, title=title, description=description, position=position, created_by=actor
    )


@transaction.atomic
def collection_delete(*, collection: Collection, actor: User) -> None:
    """Delete a collection (its items stay in the knowledge base)."""
    permissions.may_curate.require(Access(collection.community, actor))
    collection.delete()


@transaction.atomic
def collection_add(*, collection: Collection, actor: User, item: KnowledgeItem) -> CollectionEntry:
    """Add a published item of the collection's community at its end."""
    permissions.may_curate.require(Access(collection.community, actor))
    if item.community_id != collection.community_id or item.status != KnowledgeStatus.PUBLISHED:
        raise ValidationError({"item": ["Choose a published item of this community."]})
    if CollectionEntry.objects.filter(collection=collection, item=item).exists():
        raise ValidationError({"item": ["This item is already in the collection."]})
    position = (CollectionEntry.objects.filter(collection=collection).aggregate(m=Max("position"))["m"] or 0) + 1
    return CollectionEntry.objects.create(collection=collection, item=item, position=position)


@transaction.atomic
def collection_remove(*, collection: Collection, actor: User, item_id: int) -> None:
    """Take an item out of the collection (nothing happens when it is not in it)."""
    permissions.may_curate.require(Access(collection.community, actor))
    CollectionEntry.objects.filter(collection=collection, item_id=item_id).delete()


@transaction.atomic
def collection_move(*, collection: Collection, actor: User, item_id: int, up: bool) -> None:
    """Swap an item with its neighbour above (``up``) or below."""
    permissions.may_curate.require(Access(collection.community, actor))
    entries = list(CollectionEntry.objects.select_for_update().filter(collection=collection).order_by("position", "id"))
    index = next((i for i, e in enumerate(entries) if e.item_id == item_id), None)
    if index is None:
        raise ValidationError({"item": ["This item is not in the collection."]})
    other = index - 1 if up else index + 1
    if not 0 <= other < len(entries):
        return
    entries[index], entries[other] = entries[other], entries[index]
    for position, entry in enumerate(entries, start=1):
        if entry.position != position:
            CollectionEntry.objects.filter(pk=entry.pk).update(position=position)
