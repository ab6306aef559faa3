"""Routing: a question that has waited too long shows its asker and the coordinators the people most likely to
answer it (``experts.find_experts``), to ask one of them (``services.expert_request_create``). Plugged into the
thread page of discussions from ``DiscoveryConfig.ready()`` (``practica/discussions/hooks.py``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from practica.discovery.experts import find_experts
from practica.discussions.models import Thread
from practica.discussions.permissions import may_ask_experts
from practica.search.models import ExpertRequest


def routing_panel(request: HttpRequest, thread: Thread, access: Any) -> dict[str, Any] | None:
    """Suggested experts for a question that has waited too long (its author and coordinators see them)."""
    if thread.kind != "question" or thread.first_response_at is not None or not request.user.is_authenticated:
        return None
    if not may_ask_experts(access, thread):
        return None
    waited = timezone.now() - thread.created_at
    if waited.total_seconds() < settings.ROUTING_AFTER_HOURS * 3600:
        return None
    experts = find_experts(
        text=thread.title, community=thread.community, viewer=request.user, limit=5,
        exclude_user_ids={thread.author_id or 0},
    )
    asked = set(ExpertRequest.objects.filter(thread=thread).values_list("expert_id", flat=True))
    return {"experts": experts, "asked": asked, "waited": waited}
