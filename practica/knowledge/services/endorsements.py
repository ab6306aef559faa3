"""Endorsements (a member with matching expertise vouches for an item) and reuse marks (“this helped me”)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from practica.accounts.models import User
from practica.communities.selectors import Access
from practica.knowledge import permissions
from practica.knowledge.models import Endorsement, HelpfulMark, KnowledgeItem, KnowledgeStatus


@transaction.atomic
def endorse(*, item: KnowledgeItem, user: User, comment: str = "") -> Endorsement:
    """A member with matching expertise (or a coordinator or core member) vouches for a published item."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, user)
    permissions.may_see.require(item, access)
    permissions.may_endorse_here.require(access)
    if item.status != KnowledgeStatus.PUBLISHED:
        raise ValidationError({"detail": ["Only a published item can be endorsed."]})
    permissions.may_endorse_own.require(item, access)
    permissions.has_endorsing_expertise.require(item, access)
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
    """Withdraw one's own endorsement (nothing happens when there is none)."""
    deleted, _ = Endorsement.objects.filter(item=item, user=user).delete()
    if deleted:
        KnowledgeItem.objects.filter(pk=item.pk).update(endorsement_count=F("endorsement_count") - 1)


@transaction.atomic
def helpful_mark(*, item: KnowledgeItem, user: User, note: str = "") -> HelpfulMark:
    """“This helped me”, with an optional note on how it was applied (a second mark updates the note)."""
    item = KnowledgeItem.objects.select_for_update().select_related("community").get(pk=item.pk)
    access = Access(item.community, user)
    permissions.may_see.require(item, access)
    permissions.may_mark_helpful_here.require(access)
    if item.status != KnowledgeStatus.PUBLISHED:
        raise ValidationError({"detail": ["Only a published item can be marked as helpful."]})
    permissions.may_mark_own_helpful.require(item, access)
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
