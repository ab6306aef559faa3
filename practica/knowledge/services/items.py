"""Writing items: a new item (a draft, or straight into review), changing one, crediting people, counting views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.selectors import Access
from practica.communities.services import community_tags_resolve
from practica.knowledge import permissions
from practica.knowledge.models import ItemView, KnowledgeAuthor, KnowledgeItem, KnowledgeStatus
from practica.knowledge.search import item_changed
from practica.knowledge.services.review import submit_locked
from practica.knowledge.services.validation import (
    clean_body,
    clean_fields,
    clean_kind,
    clean_note,
    clean_summary,
    clean_title,
    collect,
)
from practica.knowledge.services.versions import new_version
from practica.lib import activity
from practica.lib.markdown import render_markdown


def apply_content(item: KnowledgeItem, data: dict[str, Any]) -> None:
    """Set the cleaned fields on the item, rendering the body's Markdown."""
    for name in ("kind", "title", "summary"):
        if name in data:
            setattr(item, name, data[name])
    if "body" in data:
        rendered = render_markdown(data["body"])
        item.body_source, item.body_html, item.body_text = data["body"], rendered.html, rendered.text
    for name, value in data.get("fields", {}).items():
        setattr(item, name, value)


def credit(item: KnowledgeItem, users: Iterable[User | None], role: str) -> None:
    """Credit these people on the item after those already credited (each person once)."""
    start = (KnowledgeAuthor.objects.filter(item=item).aggregate(m=Max("position"))["m"] or 0) + 1
    taken = set(KnowledgeAuthor.objects.filter(item=item).values_list("user_id", flat=True))
    rows: list[KnowledgeAuthor] = []
    for user in users:
        if user is None or user.id in taken:
            continue
        taken.add(user.id)
        rows.append(KnowledgeAuthor(item=item, user=user, role=role, position=start + len(rows)))
    KnowledgeAuthor.objects.bulk_create(rows)


@transaction.atomic
def item_create(
    *,
    community: Community,
    author: User,
    kind: str,
    title: str,
    summary: str = "",
    body: str = "",
    tags: str | Iterable[str] = (),
    fields: dict[str, str] | None = None,
    submit: bool = False,
) -> KnowledgeItem:
    """Write a new item, as a draft (or straight into review with ``submit``). Members only."""
    access = Access(community, author)
    permissions.may_read_community.require(access)
    permissions.may_write.require(access)
    data = collect(
        {
            "kind": lambda: clean_kind(kind),
            "title": lambda: clean_title(title),
            "summary": lambda: clean_summary(summary),
            "body": lambda: clean_body(body),
            "fields": lambda: clean_fields(fields),
            "tags": lambda: community_tags_resolve(community=community, tags=tags, can_coordinate=lambda: access.can_coordinate),
        }
    )
    now = timezone.now()
    item = KnowledgeItem(community=community, created_by=author, created_at=now, updated_at=now)
    apply_content(item, data)
    item.save()
    item.tags.set(data["tags"])
    credit(item, [author], KnowledgeAuthor.Role.EDITOR)
    if submit:
        submit_locked(item, author)
    activity.contributed(community=community, user=author)
    return item


@transaction.atomic
def item_update(
    *,
    item: KnowledgeItem,
    editor: User,
    kind: str | None = None,
    title: str | None = None,
    summary: str | None = None,
    body: str | None = None,
    tags: str | Iterable[str] | None = None,
    fields: dict[str, str] | None = None,
    note: str = "",
) -> KnowledgeItem:
    """Change an item. A published item's change becomes a new version with the editor and the change note."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, editor)
    permissions.may_see.require(item, access)
    permissions.may_edit.require(item, access)
    checks: dict[str, Callable[[], Any]] = {"note": lambda: clean_note(note)}
    if kind is not None:
        checks["kind"] = lambda: clean_kind(kind)
    if title is not None:
        checks["title"] = lambda: clean_title(title)
    if summary is not None:
        checks["summary"] = lambda: clean_summary(summary)
    if body is not None:
        checks["body"] = lambda: clean_body(body)
    if fields is not None:
        checks["fields"] = lambda: clean_fields(fields)
    if tags is not None:
        checks["tags"] = lambda: community_tags_resolve(
            community=item.community, tags=tags, can_coordinate=lambda: access.can_coordinate
        )
    data = collect(checks)
    apply_content(item, data)
    item.updated_at = timezone.now()
    item.save()
    if "tags" in data:
        item.tags.set(data["tags"])
    if item.status == KnowledgeStatus.PUBLISHED:
        new_version(item, editor, data["note"] or "Updated")
    item_changed(item.pk)
    return item


def view_record(*, item: KnowledgeItem, user: Any) -> bool:
    """Count a view, once per signed-in person per day. Returns whether it counted."""
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        with transaction.atomic():
            _, created = ItemView.objects.get_or_create(item=item, user=user, day=timezone.localdate())
    except IntegrityError:  # the same person's second tab, at the same moment
        return False
    if created:
        KnowledgeItem.objects.filter(pk=item.pk).update(view_count=F("view_count") + 1)
    return created
