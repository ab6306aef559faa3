"""Writes of discovery: routing a question to suggested experts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from practica.accounts.models import User
from practica.communities.selectors import Access
from practica.discovery import notifications, selectors
from practica.discussions.models import Thread
from practica.discussions.permissions import may_ask_experts
from practica.search.models import ExpertRequest


@transaction.atomic
def expert_request_create(*, thread: Thread, actor: User, expert: User) -> ExpertRequest:
    """Ask a suggested expert to look at a question (its author or a coordinator); asking twice is harmless."""
    access = Access(thread.community, actor)
    may_ask_experts.require(access, thread)
    if expert.id == thread.author_id:
        raise ValidationError({"expert": ["The asker cannot be asked to answer their own question."]})
    suggested = {
        e.user.id: e
        for e in selectors.suggested_experts(thread=thread, viewer=actor, limit=selectors.MAX_SUGGESTED_EXPERTS)
    }
    if not Access(thread.community, expert).can_read:
        raise ValidationError({"expert": ["This person cannot see the community."]})
    request, created = ExpertRequest.objects.get_or_create(
        thread=thread,
        expert=expert,
        defaults={"requested_by": actor, "reasons": suggested[expert.id].reasons if expert.id in suggested else []},
    )
    if created:
        notifications.on_commit(notifications.expert_requested, request.pk)
    return request
