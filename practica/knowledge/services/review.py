"""Review and stewardship: submitting a draft, approving (publishing) or returning it, re-verifying, archiving and
bringing back, and the review period a community sets."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.selectors import Access
from practica.knowledge import notifications, permissions
from practica.knowledge.models import (
    MAX_FIELD_LENGTH,
    KnowledgeItem,
    KnowledgeSettings,
    KnowledgeStatus,
    ReviewEvent,
)
from practica.knowledge.search import item_changed
from practica.knowledge.services.versions import new_version
from practica.lib import activity
from practica.lib.permissions import Rule


def review_months(community: Community) -> int:
    """How many months after publishing (or re-verifying) an item of this community is due for review."""
    row = KnowledgeSettings.objects.filter(community=community).first()
    return row.review_months if row else int(settings.KNOWLEDGE_REVIEW_MONTHS)


def _review_due(community: Community, start: dt.date | None = None) -> dt.date:
    return (start or timezone.localdate()) + relativedelta(months=review_months(community))


def submit_locked(item: KnowledgeItem, actor: User, comment: str = "") -> None:
    """Put a draft (locked by the caller, whose rights are checked) into review and ask the reviewers."""
    if item.status != KnowledgeStatus.DRAFT:
        raise ValidationError({"detail": [f"Only a draft can be submitted; this item is {item.get_status_display().lower()}."]})
    if not item.title or not (item.body_source.strip() or item.summary.strip()):
        raise ValidationError({"body": ["Write a summary or a body before submitting for review."]})
    item.status = KnowledgeStatus.IN_REVIEW
    item.updated_at = timezone.now()
    item.save(update_fields=["status", "updated_at"])
    ReviewEvent.objects.create(item=item, actor=actor, action=ReviewEvent.Action.SUBMITTED, comment=comment)
    notifications.on_commit(notifications.review_requested, item.pk, actor.pk, comment)


@transaction.atomic
def item_submit(*, item: KnowledgeItem, actor: User, comment: str = "") -> KnowledgeItem:
    """An author asks the reviewers (coordinators and core members) to review a draft."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, actor)
    permissions.may_see.require(item, access)
    permissions.may_submit.require(item, access)
    submit_locked(item, actor, " ".join((comment or "").split())[:MAX_FIELD_LENGTH])
    return item


@transaction.atomic
def item_review(*, item: KnowledgeItem, reviewer: User, approve: bool, comment: str = "") -> KnowledgeItem:
    """Approve (publish, as a new version) or return an item in review with comments. Reviewers only."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, reviewer)
    permissions.may_see.require(item, access)
    permissions.may_review.require(access)
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
        new_version(item, _last_submitter(item) or reviewer, comment or ("First published" if first else "Approved"))
        if first:
            notifications.on_commit(notifications.first_published, item.pk, reviewer.pk)
        item_changed(item.pk)
        activity.contributed(community=item.community, user=reviewer)  # publishing is contributing knowledge
    else:
        if not comment:
            raise ValidationError({"comment": ["Say what needs changing: returning an item needs a comment."]})
        item.status = KnowledgeStatus.DRAFT
        item.updated_at = now
        item.save(update_fields=["status", "updated_at"])
        ReviewEvent.objects.create(item=item, actor=reviewer, action=ReviewEvent.Action.RETURNED, comment=comment)
    notifications.on_commit(notifications.review_decided, item.pk, reviewer.pk, approve, comment)
    return item


def _last_submitter(item: KnowledgeItem) -> User | None:
    event = (
        ReviewEvent.objects.filter(item=item, action=ReviewEvent.Action.SUBMITTED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event else None


# --- Stewardship ------------------------------------------------------------------------------------


def _locked_for_steward(item: KnowledgeItem, actor: User, may: Rule[[Access]]) -> KnowledgeItem:
    """The item, locked for this transaction, once the actor is known to be a reviewer who can see it."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, actor)
    permissions.may_see.require(item, access)
    may.require(access)
    return item


@transaction.atomic
def item_verify(*, item: KnowledgeItem, actor: User, comment: str = "") -> KnowledgeItem:
    """A reviewer confirms a published item still holds: the review-due date starts again from today."""
    item = _locked_for_steward(item, actor, permissions.may_verify)
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
    item = _locked_for_steward(item, actor, permissions.may_archive)
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
    item = _locked_for_steward(item, actor, permissions.may_unarchive)
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
    permissions.may_change_settings.require(Access(community, actor))
    if not 1 <= review_months <= 120:
        raise ValidationError({"review_months": ["Choose between 1 and 120 months."]})
    row, _ = KnowledgeSettings.objects.update_or_create(community=community, defaults={"review_months": review_months})
    return row
