"""Published versions of an item: a snapshot at each publication or published change, and restoring one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.selectors import Access
from practica.knowledge import permissions
from practica.knowledge.models import (
    ALL_KIND_FIELDS,
    MAX_NOTE_LENGTH,
    KnowledgeItem,
    KnowledgeStatus,
    KnowledgeVersion,
    ReviewEvent,
)
from practica.knowledge.search import item_changed
from practica.lib.markdown import render_markdown
from practica.topics.services import topics_get_or_create


def _snapshot_fields(item: KnowledgeItem) -> dict[str, str]:
    return {name: getattr(item, name) for name in ALL_KIND_FIELDS if getattr(item, name)}


def new_version(item: KnowledgeItem, author: User | None, note: str) -> KnowledgeVersion:
    """Keep the item as it is now as its next version (callers hold the item's row lock)."""
    number = (KnowledgeVersion.objects.filter(item=item).aggregate(m=Max("number"))["m"] or 0) + 1
    version = KnowledgeVersion.objects.create(
        item=item,
        number=number,
        author=author,
        note=note[:MAX_NOTE_LENGTH],
        kind=item.kind,
        title=item.title,
        summary=item.summary,
        body_source=item.body_source,
        fields=_snapshot_fields(item),
        tags=sorted(item.tags.values_list("name", flat=True)),
    )
    KnowledgeItem.objects.filter(pk=item.pk).update(version=number)
    item.version = number
    return version


@transaction.atomic
def version_restore(*, item: KnowledgeItem, actor: User, number: int) -> KnowledgeVersion:
    """Bring back an older version's content, as a new version (history is never rewritten)."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, actor)
    permissions.may_see.require(item, access)
    permissions.may_restore.require(item, access)
    old = KnowledgeVersion.objects.filter(item=item, number=number).first()
    if old is None:
        raise ValidationError({"version": [f"This item has no version {number}."]})
    if item.status != KnowledgeStatus.PUBLISHED:
        raise ValidationError({"detail": ["Only a published item's versions can be restored."]})
    item.kind, item.title, item.summary = old.kind, old.title, old.summary
    rendered = render_markdown(old.body_source)
    item.body_source, item.body_html, item.body_text = old.body_source, rendered.html, rendered.text
    for name in ALL_KIND_FIELDS:
        setattr(item, name, old.fields.get(name, ""))
    item.updated_at = timezone.now()
    item.save()
    item.tags.set(topics_get_or_create(old.tags))
    ReviewEvent.objects.create(item=item, actor=actor, action=ReviewEvent.Action.RESTORED, comment=f"Version {number}")
    version = new_version(item, actor, f"Restored version {number}")
    item_changed(item.pk)
    return version
