"""Writes for the knowledge base: items, review, versions, endorsements, reuse signals, attachments,
collections, stewardship and capture from threads or meeting notes.

Every function takes keyword-only arguments, checks the actor's rights through ``Access`` (404 for what the
actor may not see, ``PermissionDenied`` for what they see but may not do), runs in one transaction and schedules
side effects (notifications, search indexing) with ``transaction.on_commit``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import IO, Any

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.communities.selectors import Access
from practica.communities.services import community_tags_resolve
from practica.discussions.models import Post, Thread
from practica.discussions.selectors import thread_get_for_user
from practica.knowledge.models import (
    ALL_KIND_FIELDS,
    MAX_BODY_BYTES,
    MAX_FIELD_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    Attachment,
    Collection,
    CollectionEntry,
    Endorsement,
    HelpfulMark,
    ItemView,
    KnowledgeAuthor,
    KnowledgeItem,
    KnowledgeKind,
    KnowledgeSettings,
    KnowledgeStatus,
    KnowledgeVersion,
    ReviewEvent,
)
from practica.knowledge.search import item_changed
from practica.knowledge.uploads import check_upload
from practica.lib.markdown import render_markdown
from practica.topics.services import topics_get_or_create

TOP_REPLIES = 3
READABLE = (KnowledgeStatus.PUBLISHED, KnowledgeStatus.ARCHIVED)


# --- Rights -----------------------------------------------------------------------------------------


def is_credited(item: KnowledgeItem, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return item.created_by_id == user.id or KnowledgeAuthor.objects.filter(item=item, user=user).exists()


def is_editor(item: KnowledgeItem, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return item.created_by_id == user.id or KnowledgeAuthor.objects.filter(
        item=item, user=user, role=KnowledgeAuthor.Role.EDITOR
    ).exists()


def can_see(item: KnowledgeItem, access: Access) -> bool:
    """Published and archived items are for every reader; drafts and items in review for their people and the
    reviewers (coordinators and core members)."""
    if not access.can_read:
        return False
    return item.status in READABLE or access.is_core or is_credited(item, access.user)


def can_edit(item: KnowledgeItem, access: Access) -> bool:
    if access.is_core:
        return True
    if item.status == KnowledgeStatus.ARCHIVED or not access.is_member:
        return False
    return is_editor(item, access.user)


def _require_member(access: Access, action: str) -> None:
    if not access.can_read:
        raise Http404("No such community.")
    if not access.is_member and not access.is_admin:
        raise PermissionDenied(f"Join this community to {action}.")


def _require_visible(item: KnowledgeItem, access: Access) -> None:
    if not can_see(item, access):
        raise Http404("No such knowledge item.")


def _require_reviewer(access: Access, action: str = "review knowledge") -> None:
    if not access.is_core:
        raise PermissionDenied(f"Only coordinators and core members may {action}.")


# --- Validation -------------------------------------------------------------------------------------


def _collect(checks: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every check, raising all their errors together (a form shows each next to its field)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": ["Give the item a title."]})
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError({"title": [f"A title may have at most {MAX_TITLE_LENGTH} characters (it has {len(title)})."]})
    return title


def _clean_summary(summary: str) -> str:
    summary = " ".join((summary or "").split())
    if len(summary) > MAX_SUMMARY_LENGTH:
        raise ValidationError({"summary": [f"A summary may have at most {MAX_SUMMARY_LENGTH} characters."]})
    return summary


def _clean_body(body: str) -> str:
    body = (body or "").replace("\x00", "")
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise ValidationError({"body": [f"The text is too long: {size:,} bytes; the limit is {MAX_BODY_BYTES:,} bytes."]})
    return body


def _clean_kind(kind: str) -> str:
    if kind not in KnowledgeKind.values:
        raise ValidationError({"kind": [f"“{kind}” is not one of: {', '.join(KnowledgeKind.values)}."]})
    return kind


def _clean_fields(fields: dict[str, str] | None) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, value in (fields or {}).items():
        if name not in ALL_KIND_FIELDS:
            continue
        value = (value or "").replace("\x00", "").strip()
        if len(value) > MAX_FIELD_LENGTH:
            errors[name] = [f"At most {MAX_FIELD_LENGTH} characters."]
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError({"note": [f"A change note may have at most {MAX_NOTE_LENGTH} characters."]})
    return note


# --- Side effects -----------------------------------------------------------------------------------


def _notifications_ready() -> bool:
    return apps.is_installed("practica.notifications")


def _notify(**kwargs: Any) -> None:
    if _notifications_ready():
        from practica.notifications import services as notifications

        notifications.notify(**kwargs)


def _broadcast(**kwargs: Any) -> None:
    if _notifications_ready():
        from practica.notifications import services as notifications

        notifications.broadcast(**kwargs)


def _reviewers(community: Community) -> list[User]:
    ids = Membership.objects.filter(
        community=community, state=MembershipState.ACTIVE, role__in=[Role.COORDINATOR, Role.CORE]
    ).values("user_id")
    return list(User.objects.filter(id__in=ids, is_active=True))


def _editors(item: KnowledgeItem) -> list[User]:
    ids = set(KnowledgeAuthor.objects.filter(item=item, role=KnowledgeAuthor.Role.EDITOR).values_list("user_id", flat=True))
    if item.created_by_id:
        ids.add(item.created_by_id)
    return list(User.objects.filter(id__in=ids, is_active=True))


# --- Items ------------------------------------------------------------------------------------------


def review_months(community: Community) -> int:
    row = KnowledgeSettings.objects.filter(community=community).first()
    return row.review_months if row else int(settings.KNOWLEDGE_REVIEW_MONTHS)


def _review_due(community: Community, start: dt.date | None = None) -> dt.date:
    return (start or timezone.localdate()) + relativedelta(months=review_months(community))


def _apply(item: KnowledgeItem, data: dict[str, Any]) -> None:
    for name in ("kind", "title", "summary"):
        if name in data:
            setattr(item, name, data[name])
    if "body" in data:
        rendered = render_markdown(data["body"])
        item.body_source, item.body_html, item.body_text = data["body"], rendered.html, rendered.text
    for name, value in data.get("fields", {}).items():
        setattr(item, name, value)


def _credit(item: KnowledgeItem, users: Iterable[User | None], role: str) -> None:
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
    _require_member(access, "write knowledge")
    data = _collect(
        {
            "kind": lambda: _clean_kind(kind),
            "title": lambda: _clean_title(title),
            "summary": lambda: _clean_summary(summary),
            "body": lambda: _clean_body(body),
            "fields": lambda: _clean_fields(fields),
            "tags": lambda: community_tags_resolve(community=community, tags=tags, can_coordinate=lambda: access.can_coordinate),
        }
    )
    now = timezone.now()
    item = KnowledgeItem(community=community, created_by=author, created_at=now, updated_at=now)
    _apply(item, data)
    item.save()
    item.tags.set(data["tags"])
    _credit(item, [author], KnowledgeAuthor.Role.EDITOR)
    if submit:
        _submit(item, author, access)
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
    _require_visible(item, access)
    if not can_edit(item, access):
        raise PermissionDenied("Only its authors, coordinators and core members may change this item.")
    checks: dict[str, Callable[[], Any]] = {"note": lambda: _clean_note(note)}
    if kind is not None:
        checks["kind"] = lambda: _clean_kind(kind)
    if title is not None:
        checks["title"] = lambda: _clean_title(title)
    if summary is not None:
        checks["summary"] = lambda: _clean_summary(summary)
    if body is not None:
        checks["body"] = lambda: _clean_body(body)
    if fields is not None:
        checks["fields"] = lambda: _clean_fields(fields)
    if tags is not None:
        checks["tags"] = lambda: community_tags_resolve(
            community=item.community, tags=tags, can_coordinate=lambda: access.can_coordinate
        )
    data = _collect(checks)
    _apply(item, data)
    item.updated_at = timezone.now()
    item.save()
    if "tags" in data:
        item.tags.set(data["tags"])
    if item.status == KnowledgeStatus.PUBLISHED:
        _new_version(item, editor, data["note"] or "Updated")
    item_changed(item.pk)
    return item


def _snapshot_fields(item: KnowledgeItem) -> dict[str, str]:
    return {name: getattr(item, name) for name in ALL_KIND_FIELDS if getattr(item, name)}


def _new_version(item: KnowledgeItem, author: User | None, note: str) -> KnowledgeVersion:
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


# --- Review -----------------------------------------------------------------------------------------


def _submit(item: KnowledgeItem, actor: User, access: Access, comment: str = "") -> None:
    if item.status != KnowledgeStatus.DRAFT:
        raise ValidationError({"detail": [f"Only a draft can be submitted; this item is {item.get_status_display().lower()}."]})
    if not item.title or not (item.body_source.strip() or item.summary.strip()):
        raise ValidationError({"body": ["Write a summary or a body before submitting for review."]})
    item.status = KnowledgeStatus.IN_REVIEW
    item.updated_at = timezone.now()
    item.save(update_fields=["status", "updated_at"])
    ReviewEvent.objects.create(item=item, actor=actor, action=ReviewEvent.Action.SUBMITTED, comment=comment)
    _notify(
        recipients=_reviewers(item.community),
        kind="review_request",
        subject=f"Review requested: {item.title}",
        url=item.get_absolute_url(),
        community=item.community,
        actor=actor,
        target=item,
        text=comment,
    )


@transaction.atomic
def item_submit(*, item: KnowledgeItem, actor: User, comment: str = "") -> KnowledgeItem:
    """An author asks the reviewers (coordinators and core members) to review a draft."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, actor)
    _require_visible(item, access)
    if not (is_editor(item, actor) and access.is_member) and not access.is_core:
        raise PermissionDenied("Only its authors may submit this item for review.")
    _submit(item, actor, access, " ".join((comment or "").split())[:MAX_FIELD_LENGTH])
    return item


@transaction.atomic
def item_review(*, item: KnowledgeItem, reviewer: User, approve: bool, comment: str = "") -> KnowledgeItem:
    """Approve (publish, as a new version) or return an item in review with comments. Reviewers only."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, reviewer)
    _require_visible(item, access)
    _require_reviewer(access, "approve or return knowledge items")
    if item.status != KnowledgeStatus.IN_REVIEW:
        raise ValidationError({"detail": [f"This item is not in review (it is {item.get_status_display().lower()})."]})
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > MAX_FIELD_LENGTH:
        raise ValidationError({"comment": [f"At most {MAX_FIELD_LENGTH} characters."]})
    now = timezone.now()
    if approve:
        first = item.published_at is None
        item.status = KnowledgeStatus.PUBLISHED
        item.published_at = item.published_at or now
        item.review_due = _review_due(item.community)
        item.verified_at = now
        item.updated_at = now
        item.save()
        ReviewEvent.objects.create(item=item, actor=reviewer, action=ReviewEvent.Action.APPROVED, comment=comment)
        _new_version(item, _last_submitter(item) or reviewer, comment or ("First published" if first else "Approved"))
        if first:
            _broadcast(
                community=item.community,
                event="knowledge.published",
                subject=f"New {item.get_kind_display().lower()}: {item.title}",
                url=item.get_absolute_url(),
                actor=reviewer,
                target=item,
                payload={"id": item.pk, "kind": item.kind, "title": item.title, "summary": item.summary},
                tags=list(item.tags.values_list("slug", flat=True)),
            )
        item_changed(item.pk)
    else:
        if not comment:
            raise ValidationError({"comment": ["Say what needs changing: returning an item needs a comment."]})
        item.status = KnowledgeStatus.DRAFT
        item.updated_at = now
        item.save(update_fields=["status", "updated_at"])
        ReviewEvent.objects.create(item=item, actor=reviewer, action=ReviewEvent.Action.RETURNED, comment=comment)
    _notify(
        recipients=_editors(item),
        kind="review_result",
        subject=(f"Published: {item.title}" if approve else f"Returned with comments: {item.title}"),
        url=item.get_absolute_url(),
        community=item.community,
        actor=reviewer,
        target=item,
        text=comment,
    )
    return item


def _last_submitter(item: KnowledgeItem) -> User | None:
    event = (
        ReviewEvent.objects.filter(item=item, action=ReviewEvent.Action.SUBMITTED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event else None


# --- Versions ---------------------------------------------------------------------------------------


@transaction.atomic
def version_restore(*, item: KnowledgeItem, actor: User, number: int) -> KnowledgeVersion:
    """Bring back an older version's content, as a new version (history is never rewritten)."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, actor)
    _require_visible(item, access)
    if not can_edit(item, access):
        raise PermissionDenied("Only its authors, coordinators and core members may restore a version.")
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
    version = _new_version(item, actor, f"Restored version {number}")
    item_changed(item.pk)
    return version


# --- Endorsements and reuse signals -----------------------------------------------------------------


def has_matching_expertise(item: KnowledgeItem, user: User) -> bool:
    """Whether the person declared expertise in one of the item's tags (or, for an untagged item, in one of the
    community's topics)."""
    wanted = item.tags.values("id") if item.tags.exists() else item.community.topics.values("id")
    return user.profile.expertise.filter(id__in=wanted).exists()


@transaction.atomic
def endorse(*, item: KnowledgeItem, user: User, comment: str = "") -> Endorsement:
    """A member with matching expertise (or a coordinator or core member) vouches for a published item."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, user)
    _require_visible(item, access)
    _require_member(access, "endorse knowledge")
    if item.status != KnowledgeStatus.PUBLISHED:
        raise ValidationError({"detail": ["Only a published item can be endorsed."]})
    if is_credited(item, user):
        raise PermissionDenied("You cannot endorse an item you are credited on.")
    if not access.is_core and not has_matching_expertise(item, user):
        raise PermissionDenied("Endorsing needs declared expertise in one of this item's topics (see your profile).")
    comment = " ".join((comment or "").replace("\x00", "").split())
    if len(comment) > 500:
        raise ValidationError({"comment": ["At most 500 characters."]})
    if Endorsement.objects.filter(item=item, user=user).exists():
        raise ValidationError({"detail": ["You already endorse this item."]})
    endorsement = Endorsement.objects.create(item=item, user=user, comment=comment)
    KnowledgeItem.objects.filter(pk=item.pk).update(endorsement_count=F("endorsement_count") + 1)
    return endorsement


@transaction.atomic
def endorsement_withdraw(*, item: KnowledgeItem, user: User) -> None:
    deleted, _ = Endorsement.objects.filter(item=item, user=user).delete()
    if deleted:
        KnowledgeItem.objects.filter(pk=item.pk).update(endorsement_count=F("endorsement_count") - 1)


@transaction.atomic
def helpful_mark(*, item: KnowledgeItem, user: User, note: str = "") -> HelpfulMark:
    """“This helped me”, with an optional note on how it was applied (a second mark updates the note)."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, user)
    _require_visible(item, access)
    _require_member(access, "mark knowledge as helpful")
    if item.status != KnowledgeStatus.PUBLISHED:
        raise ValidationError({"detail": ["Only a published item can be marked as helpful."]})
    if is_credited(item, user):
        raise PermissionDenied("You cannot mark an item you are credited on as helpful.")
    note = " ".join((note or "").replace("\x00", "").split())
    if len(note) > 1000:
        raise ValidationError({"note": ["At most 1,000 characters."]})
    mark, created = HelpfulMark.objects.get_or_create(item=item, user=user, defaults={"note": note})
    if created:
        KnowledgeItem.objects.filter(pk=item.pk).update(helpful_count=F("helpful_count") + 1)
    elif note and note != mark.note:
        mark.note = note
        mark.save(update_fields=["note"])
    return mark


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


# --- Stewardship ------------------------------------------------------------------------------------


def _locked_for_steward(item: KnowledgeItem, actor: User, action: str) -> KnowledgeItem:
    """The item, locked for this transaction, once the actor is known to be a reviewer who can see it."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, actor)
    _require_visible(item, access)
    _require_reviewer(access, action)
    return item


@transaction.atomic
def item_verify(*, item: KnowledgeItem, actor: User, comment: str = "") -> KnowledgeItem:
    """A reviewer confirms a published item still holds: the review-due date starts again from today."""
    item = _locked_for_steward(item, actor, "re-verify knowledge")
    if item.status != KnowledgeStatus.PUBLISHED:
        raise ValidationError({"detail": ["Only a published item can be re-verified."]})
    item.review_due = _review_due(item.community)
    item.verified_at = timezone.now()
    item.save(update_fields=["review_due", "verified_at"])
    ReviewEvent.objects.create(item=item, actor=actor, action=ReviewEvent.Action.VERIFIED, comment=comment[:500])
    return item


@transaction.atomic
def item_archive(*, item: KnowledgeItem, actor: User, comment: str = "") -> KnowledgeItem:
    """Retire an item: still readable, marked archived, out of the default lists and the review queue."""
    item = _locked_for_steward(item, actor, "archive knowledge")
    if item.status == KnowledgeStatus.ARCHIVED:
        raise ValidationError({"detail": ["This item is already archived."]})
    item.status = KnowledgeStatus.ARCHIVED
    item.updated_at = timezone.now()
    item.save(update_fields=["status", "updated_at"])
    ReviewEvent.objects.create(item=item, actor=actor, action=ReviewEvent.Action.ARCHIVED, comment=comment[:500])
    item_changed(item.pk)
    return item


@transaction.atomic
def item_unarchive(*, item: KnowledgeItem, actor: User, comment: str = "") -> KnowledgeItem:
    """Bring an archived item back. One that had been published is published again and counts as re-verified
    today (the reviewer vouches for it anew, so its next review is a full period away); one archived before it
    was ever published goes back to its drafts, so nothing reaches readers without a review."""
    item = _locked_for_steward(item, actor, "bring knowledge back from the archive")
    if item.status != KnowledgeStatus.ARCHIVED:
        raise ValidationError({"detail": ["Only an archived item can be brought back."]})
    now = timezone.now()
    if item.published_at:
        item.status = KnowledgeStatus.PUBLISHED
        item.review_due = _review_due(item.community)
        item.verified_at = now
    else:
        item.status = KnowledgeStatus.DRAFT
    item.updated_at = now
    item.save(update_fields=["status", "review_due", "verified_at", "updated_at"])
    ReviewEvent.objects.create(item=item, actor=actor, action=ReviewEvent.Action.UNARCHIVED, comment=comment[:500])
    item_changed(item.pk)
    return item


@transaction.atomic
def settings_update(*, community: Community, actor: User, review_months: int) -> KnowledgeSettings:
    """Set how many months after publishing an item is due for review (coordinators)."""
    if not Access(community, actor).can_coordinate:
        raise PermissionDenied("Only coordinators may change the knowledge settings.")
    if not 1 <= review_months <= 120:
        raise ValidationError({"review_months": ["Choose between 1 and 120 months."]})
    row, _ = KnowledgeSettings.objects.update_or_create(community=community, defaults={"review_months": review_months})
    return row


# --- Attachments ------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, item: KnowledgeItem, actor: User, stream: IO[bytes], name: str) -> Attachment:
    """Attach a file (checked for size, name and type by content) through Django's storage API."""
    item = KnowledgeItem.objects.select_related("community").get(pk=item.pk)
    access = Access(item.community, actor)
    _require_visible(item, access)
    if not can_edit(item, access):
        raise PermissionDenied("Only its authors, coordinators and core members may attach files.")
    checked = check_upload(stream, name)
    attachment = Attachment(
        item=item, name=checked.name, content_type=checked.content_type, size=checked.size, uploaded_by=actor
    )
    attachment.file.save(checked.name, File(stream, name=checked.name), save=False)
    stored = attachment.file.name
    # Should the row fail to save, the file must not stay behind in the storage.
    try:
        attachment.save()
    except Exception:
        if stored:
            attachment.file.storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor: User) -> None:
    item = attachment.item
    access = Access(item.community, actor)
    _require_visible(item, access)
    if not can_edit(item, access):
        raise PermissionDenied("Only its authors, coordinators and core members may remove files.")
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Collections ------------------------------------------------------------------------------------


@transaction.atomic
def collection_create(*, community: Community, actor: User, title: str, description: str = "") -> Collection:
    """A new ordered collection (coordinators and core members)."""
    _require_reviewer(Access(community, actor), "assemble collections")
    title = _clean_title(title)
    description = (description or "").replace("\x00", "").strip()
    if len(description) > 2000:
        raise ValidationError({"description": ["At most 2,000 characters."]})
    position = (Collection.objects.filter(community=community).aggregate(m=Max("position"))["m"] or 0) + 1
    return Collection.objects.create(
        community=community, title=title, description=description, position=position, created_by=actor
    )


@transaction.atomic
def collection_delete(*, collection: Collection, actor: User) -> None:
    _require_reviewer(Access(collection.community, actor), "assemble collections")
    collection.delete()


@transaction.atomic
def collection_add(*, collection: Collection, actor: User, item: KnowledgeItem) -> CollectionEntry:
    _require_reviewer(Access(collection.community, actor), "assemble collections")
    if item.community_id != collection.community_id or item.status != KnowledgeStatus.PUBLISHED:
        raise ValidationError({"item": ["Choose a published item of this community."]})
    if CollectionEntry.objects.filter(collection=collection, item=item).exists():
        raise ValidationError({"item": ["This item is already in the collection."]})
    position = (CollectionEntry.objects.filter(collection=collection).aggregate(m=Max("position"))["m"] or 0) + 1
    return CollectionEntry.objects.create(collection=collection, item=item, position=position)


@transaction.atomic
def collection_remove(*, collection: Collection, actor: User, item_id: int) -> None:
    _require_reviewer(Access(collection.community, actor), "assemble collections")
    CollectionEntry.objects.filter(collection=collection, item_id=item_id).delete()


@transaction.atomic
def collection_move(*, collection: Collection, actor: User, item_id: int, up: bool) -> None:
    """Swap an item with its neighbour above (``up``) or below."""
    _require_reviewer(Access(collection.community, actor), "assemble collections")
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


# --- Capture ----------------------------------------------------------------------------------------


def _quote_post(post: Post, heading: str) -> str:
    who = f" — @{post.author.username}" if post.author else ""
    return f"## {heading}{who}\n\n{post.body_source.strip()}\n"


@transaction.atomic
def capture_from_thread(*, user: User, thread: Thread, kind: str = KnowledgeKind.LESSON_LEARNED) -> KnowledgeItem:
    """A draft prefilled from a thread: the question, the accepted answer and the most-voted replies, crediting
    their authors and linked to the thread. The capturer edits it before submitting for review."""
    # A deleted thread is 404 (its author and coordinators are told to restore it first).
    thread, access = thread_get_for_user(thread_id=thread.pk, user=user)
    _require_member(access, "capture knowledge")
    kind = _clean_kind(kind)
    posts = Post.objects.filter(thread=thread, deleted_at=None, is_hidden=False).select_related("author")
    opening = posts.filter(is_opening=True).first()
    accepted = posts.filter(pk=thread.accepted_post_id).first() if thread.accepted_post_id else None
    others = list(
        posts.filter(is_opening=False)
        .exclude(pk=thread.accepted_post_id or 0)
        .annotate(net=F("upvotes") - F("downvotes"))
        .filter(net__gt=0)
        .order_by("-net", "created_at")[:TOP_REPLIES]
    )
    parts = []
    if opening:
        parts.append(_quote_post(opening, "The question"))
    if accepted:
        parts.append(_quote_post(accepted, "The accepted answer"))
    for post in others:
        parts.append(_quote_post(post, f"A reply with {post.score} vote{'s' if post.score != 1 else ''}"))
    body = "\n".join(parts)
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        body = body.encode("utf-8")[:MAX_BODY_BYTES].decode("utf-8", "ignore")
    lead = accepted or opening
    summary_source = lead.body_text if lead is not None else ""
    summary = " ".join(summary_source.split())
    if len(summary) > MAX_SUMMARY_LENGTH:
        summary = summary[: MAX_SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    fields: dict[str, str] = {}
    if kind == KnowledgeKind.LESSON_LEARNED:
        fields["context"] = " ".join((opening.body_text if opening else "").split())[:MAX_FIELD_LENGTH]
        if accepted:
            fields["what_we_learned"] = " ".join(accepted.body_text.split())[:MAX_FIELD_LENGTH]
    now = timezone.now()
    item = KnowledgeItem(
        community=thread.community,
        kind=kind,
        title=thread.title[:MAX_TITLE_LENGTH],
        summary=summary,
        created_by=user,
        created_at=now,
        updated_at=now,
        source_thread=thread,
        source_title=thread.title[:300],
        source_url=thread.get_absolute_url(),
    )
    _apply(item, {"body": body, "fields": fields})
    item.save()
    item.tags.set(list(thread.tags.all()))
    _credit(item, [user], KnowledgeAuthor.Role.EDITOR)
    contributors = [p.author for p in [opening, accepted, *others] if p is not None]
    _credit(item, contributors, KnowledgeAuthor.Role.CONTRIBUTOR)
    return item


@transaction.atomic
def capture_from_notes(
    *,
    user: User,
    community: Community,
    title: str,
    body_markdown: str,
    source_title: str,
    source_url: str,
    credited: Iterable[User],
    kind: str = KnowledgeKind.LESSON_LEARNED,
) -> KnowledgeItem:
    """A draft from a meeting's notes (or any other source), crediting the people named and keeping where it came
    from as text (``source_title``, ``source_url``)."""
    access = Access(community, user)
    _require_member(access, "capture knowledge")
    data = _collect(
        {
            "kind": lambda: _clean_kind(kind),
            # The title is made by the caller (meeting title and date): shorten it rather than refuse it.
            "title": lambda: _clean_title(" ".join((title or "").split())[:MAX_TITLE_LENGTH]),
            "body": lambda: _clean_body(body_markdown),
        }
    )
    source_url = (source_url or "").strip()
    if not source_url.startswith(("/", "https://", "http://")):
        source_url = ""  # only links a reader can safely follow
    now = timezone.now()
    item = KnowledgeItem(
        community=community,
        created_by=user,
        created_at=now,
        updated_at=now,
        source_title=" ".join((source_title or "").split())[:300],
        source_url=source_url[:500],
    )
    _apply(item, data)
    item.save()
    _credit(item, [user], KnowledgeAuthor.Role.EDITOR)
    _credit(item, list(credited), KnowledgeAuthor.Role.CONTRIBUTOR)
    return item
