"""Routing: a question that has waited too long shows its asker and the coordinators the people most likely to
answer it (``selectors.suggested_experts``), to ask one of them (``services.expert_request_create``). Plugged into the
thread page of discussions from ``DiscoveryConfig.ready()`` (``practica/discussions/hooks.py``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from practica.discovery import selectors
from practica.discussions.models import Thread
from practica.discussions.permissions import may_ask_experts


def routing_panel(request: HttpRequest, thread: Thread, access: Any) -> dict[str, Any] | None:
    """Suggested experts for a question that has waited too long (its author and coordinators see them)."""
    if thread.kind != "question" or thread.first_response_at is not None or not request.user.is_authenticated:
        return None
    if not may_ask_experts(access, thread):
        return None
    waited = timezone.now() - thread.created_at
    if waited.total_seconds() < settings.ROUTING_AFTER_HOURS * 3600:
        return None
    experts = selectors.suggested_experts(thread=thread, viewer=request.user)
    return {"experts": experts, "asked": selectors.asked_expert_ids(thread=thread), "waited": waited}
